"""The whole labelled corpus of ``tests/corpus`` (mistakes, alternatives, real-world code), graded once.

Grading a notebook is the costly part of the corpus tests, so every file that judges a labelled
case reads it here: ``graded_corpus`` grades all cases once per test process (reused sandboxes,
the same pipeline as ``make grade``), and ``conftest.SAME_WORKER`` keeps those files on one worker.
"""

from __future__ import annotations

from pathlib import Path

from autograder.diagnosis_report import Outcome, grade_cases, labelled_cases

_GRADED: dict[str, list[Outcome]] = {}


def graded_corpus(built: Path) -> dict[str, Outcome]:
    """Every labelled case graded once per test process, by key (``mistake-<assignment>-<id>``, ...)."""
    if str(built) not in _GRADED:
        _GRADED[str(built)] = grade_cases(labelled_cases(built), built)
    return {outcome.case.key: outcome for outcome in _GRADED[str(built)]}
