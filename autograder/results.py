"""Plain result objects passed between the grading steps and the reports."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("graded", "error", "timeout", "malformed", "wrong-assignment")
# Tags that describe what a wrong program did rather than the mistake in it.
SYMPTOMS = frozenset({"diverges"})


@dataclass
class CaseResult:
    """One test case of a question."""

    name: str
    hidden: bool
    max_points: float
    passed: bool
    message: str = ""
    mistakes: list[str] = field(default_factory=list)
    # For the instructor's report only, never shown to students: a digest of a failed hidden
    # case's full failure text (which quotes the values the student's function returned), so
    # the same unrecognised wrong answer can be grouped across students.
    evidence: str = ""

    @property
    def points(self) -> float:
        return self.max_points if self.passed else 0.0


def evidence_digest(text: str) -> str:
    """A short, one-way digest of a failure's text: equal texts, equal digests; nothing readable."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8", "replace")).hexdigest()[:12]


@dataclass
class QuestionResult:
    """One question: its test cases and their points."""

    name: str
    cases: list[CaseResult]

    @property
    def score(self) -> float:
        return round(sum(case.points for case in self.cases), 6)

    @property
    def max_score(self) -> float:
        return round(sum(case.max_points for case in self.cases), 6)

    @property
    def mistakes(self) -> list[str]:
        """The mistakes named for this question: none when it lost no points.

        A symptom (``SYMPTOMS``, such as a run that diverges) is left out when a case
        named the mistake that causes it.
        """
        if self.score >= self.max_score:
            return []
        found: list[str] = []
        for case in self.cases:
            found += [tag for tag in case.mistakes if tag not in found]
        causes = [tag for tag in found if tag not in SYMPTOMS]
        return causes or found


@dataclass
class SubmissionResult:
    """Everything the reports need about one graded submission."""

    submission: str
    assignment: str
    status: str
    questions: list[QuestionResult] = field(default_factory=list)
    student: str = ""
    email: str = ""
    flags: list[str] = field(default_factory=list)
    message: str = ""
    cell_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    curves: dict[str, dict[str, Any]] = field(default_factory=dict)  # autograder.curves: losses on public inputs

    @property
    def total(self) -> float:
        return round(sum(question.score for question in self.questions), 6)

    @property
    def max_score(self) -> float:
        return round(sum(question.max_score for question in self.questions), 6)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        questions = [
            QuestionResult(q["name"], [CaseResult(**case) for case in q["cases"]])
            for q in data.get("questions", [])
        ]
        return cls(**{**data, "questions": questions})
