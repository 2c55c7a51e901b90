"""Integrity of the judge: nothing the student's process touched moves a grade or reaches feedback.

Every attack of ``tests/corpus/judge_attacks.py`` is graded end to end beside its plain
twin (the same wrong answers without the attack): it must score exactly the same and be
flagged where the attack shows in the code.  Right answers that change an argument in
place keep full marks, and what a student reads of a hidden case is only the grader's
own sentences.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.pipeline import Submission, grade_submission
from autograder.results import SubmissionResult
from tests.corpus import grader_words_only, write_variant
from tests.corpus.judge_attacks import HONEST_IN_PLACE, PAIRS, Pair


def grade(path: Path, assignment: str, assignments, sandbox, limits) -> SubmissionResult:
    return grade_submission(Submission(path.stem, path), assignments[assignment], sandbox, limits)


def scores(result: SubmissionResult) -> dict[str, float]:
    return {question.name: question.score for question in result.questions}


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.id)
def test_attack_scores_what_its_plain_twin_scores(pair: Pair, tmp_path, assignments, sandbox, limits):
    attack = grade(write_variant(pair.assignment, pair.attack, tmp_path / f"{pair.id}.ipynb", pair.cells),
                   pair.assignment, assignments, sandbox, limits)
    plain = grade(write_variant(pair.assignment, pair.plain, tmp_path / "plain.ipynb"),
                  pair.assignment, assignments, sandbox, limits)
    assert scores(attack) == scores(plain), (scores(attack), scores(plain), attack.message)
    assert all(scores(attack)[name] == 0 for name in pair.lost), scores(attack)
    if pair.flag:
        assert any(pair.flag in flag for flag in attack.flags), attack.flags
    visible = json.dumps(attack.to_dict())
    for text in pair.forbidden:
        assert text not in visible, text
    for question in attack.questions:
        for case in question.cases:
            if case.hidden and not case.passed:
                assert grader_words_only(case.message), case.message


@pytest.mark.parametrize("case", HONEST_IN_PLACE, ids=lambda c: c[0])
def test_right_answer_changing_an_argument_keeps_full_marks(case, tmp_path, assignments, sandbox, limits):
    name, assignment, edits = case
    result = grade(write_variant(assignment, edits, tmp_path / f"{name}.ipynb"), assignment, assignments, sandbox, limits)
    assert result.total == result.max_score, [(q.name, q.score, q.mistakes) for q in result.questions]
    assert not any(case.mistakes for question in result.questions for case in question.cases)
