"""Item analysis: how each question behaved across the class (plain data, no HTML).

Per question, over the submissions that were graded: the pass rate (full marks), the mean,
the discrimination (the point-biserial correlation of passing the question with the rest of
the total) and the share of students who pass every public case but fail a hidden one.

Unrecognised wrong answers (a hidden case failed and no catalogued mistake explains the
question) are grouped by the failing hidden cases' ``evidence``: a digest the judge takes of
the full failure text, which quotes the values the student's function returned on the hidden
inputs (to 4 significant digits) or the exception it raised.  Students whose function returns
the same values on the hidden inputs land in one group.  (The message students read no longer
carries those values, so results without evidence, from older runs, fall back to it.)
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from autograder.reports.stats import full_marks
from autograder.results import QuestionResult, SubmissionResult


@dataclass
class ItemStats:
    """One question across the graded submissions."""

    name: str
    max_score: float
    students: int
    pass_rate: float | None
    mean: float | None
    discrimination: float | None  # None when it cannot be computed (fewer than 3, or no spread)
    public_only: float | None  # share passing every public case but failing a hidden one


@dataclass
class WrongGroup:
    """Students whose unrecognised wrong answer to one question fails the same way."""

    question: str
    signature: tuple[str, ...]  # the failing hidden cases' normalised messages
    submissions: list[str] = field(default_factory=list)


def graded(results: list[SubmissionResult]) -> list[SubmissionResult]:
    return [result for result in results if result.status == "graded"]


def find(result: SubmissionResult, name: str) -> QuestionResult | None:
    return next((q for q in result.questions if q.name == name), None)


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r (the point-biserial correlation when ``xs`` is 0/1), None without spread."""
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return statistics.correlation(xs, ys)


def item_stats(results: list[SubmissionResult], questions: dict[str, float]) -> list[ItemStats]:
    """One ``ItemStats`` per question (``questions`` maps names to points, in order)."""
    pool = graded(results)
    stats = []
    for name, points in questions.items():
        found = [find(result, name) for result in pool]
        passed = [1.0 if q is not None and full_marks(q) else 0.0 for q in found]
        scores = [q.score if q is not None else 0.0 for q in found]
        rest = [result.total - score for result, score in zip(pool, scores)]
        with_public = [q for q in found if q is not None and any(not c.hidden for c in q.cases)]
        public_only = [q for q in with_public
                       if all(c.passed for c in q.cases if not c.hidden)
                       and any(c.hidden and not c.passed for c in q.cases)]
        stats.append(ItemStats(
            name, points, len(pool),
            statistics.fmean(passed) if pool else None,
            statistics.fmean(scores) if pool else None,
            correlation(passed, rest),
            len(public_only) / len(with_public) if with_public else None,
        ))
    return stats


ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def signature(question: QuestionResult) -> tuple[str, ...] | None:
    """What an unrecognised wrong answer's failing hidden cases report, or None if the answer is
    right, unanswered or explained by a catalogued mistake."""
    failing = [case for case in question.cases if case.hidden and not case.passed]
    if not failing or question.mistakes:
        return None
    return tuple(f"{case.name}: same failure (evidence {case.evidence})" if case.evidence
                 else f"{case.name}: {ADDRESS.sub('0x…', ' '.join(case.message.split()))}" for case in failing)


def unrecognised_groups(results: list[SubmissionResult]) -> list[WrongGroup]:
    """Groups of unrecognised wrong answers, per question, largest first."""
    groups: dict[tuple[str, tuple[str, ...]], WrongGroup] = {}
    for result in graded(results):
        for question in result.questions:
            key = signature(question)
            if key is not None:
                groups.setdefault((question.name, key), WrongGroup(question.name, key)).submissions.append(
                    result.submission)
    return sorted(groups.values(), key=lambda g: (-len(g.submissions), g.question, g.signature))
