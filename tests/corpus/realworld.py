"""Code people actually wrote for these tasks, adapted only to the assignments' signatures.

Each ``RealCase`` fills the student notebook (see ``write_student_notebook``): the stub cells it
names get its code, the others the solution's.  ``source`` names where the code comes from (a
repository and path, or a URL).  ``question`` is ``None`` for a right answer (full marks, every
public case passes); otherwise the answer is wrong on that question only, and the grader should
name ``tag``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class RealCase:
    id: str
    assignment: str
    source: str
    answers: dict[str, str]
    question: str | None = None
    tag: str | None = None

    @property
    def right(self) -> bool:
        return self.question is None


def all_real_cases() -> list[RealCase]:
    """Every case of every ``tests/corpus/realworld_*.py`` module."""
    import tests.corpus as corpus

    found: list[RealCase] = []
    for module in pkgutil.iter_modules(corpus.__path__):
        if module.name.startswith("realworld_"):
            found += importlib.import_module(f"tests.corpus.{module.name}").CASES
    return found
