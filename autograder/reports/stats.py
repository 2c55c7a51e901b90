"""Numbers about a class of results, for the class report (plain data, no HTML)."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from autograder.results import STATUSES, QuestionResult, SubmissionResult


@dataclass
class QuestionSpread:
    """How many submissions got full, partial and zero marks on one question, and the mean."""

    name: str
    max_score: float
    full: int
    partial: int
    zero: int
    mean: float


def status_counts(results: list[SubmissionResult]) -> list[tuple[str, int]]:
    """Submissions per status: the known statuses in order (even at 0), then any others."""
    counts = Counter(result.status for result in results)
    others = sorted(status for status in counts if status not in STATUSES)
    return [(status, counts[status]) for status in (*STATUSES, *others)]


def mean_median(values: list[float]) -> tuple[float, float] | None:
    """Mean and median, or None for no values."""
    if not values:
        return None
    return statistics.fmean(values), statistics.median(values)


def full_marks(question: QuestionResult) -> bool:
    """All the question's points (for a question worth nothing: every case passed)."""
    if question.max_score > 0:
        return question.score >= question.max_score
    return bool(question.cases) and all(case.passed for case in question.cases)


def question_spreads(results: list[SubmissionResult], questions: dict[str, float]) -> list[QuestionSpread]:
    """Per question (``questions`` maps name to points), over every submission.

    A question a result lacks (e.g. an ungraded submission) counts as zero.
    """
    spreads = []
    for name, max_score in questions.items():
        found = [next((q for q in result.questions if q.name == name), None) for result in results]
        scores = [q.score if q else 0.0 for q in found]
        full = sum(1 for q in found if q and full_marks(q))
        zero = sum(1 for q in found if not (q and full_marks(q)) and (q is None or q.score <= 0))
        spreads.append(QuestionSpread(name, max_score, full, len(results) - full - zero, zero,
                                      statistics.fmean(scores) if scores else 0.0))
    return spreads


def mistake_counts(results: list[SubmissionResult]) -> list[tuple[str, int, list[str]]]:
    """(tag, number of students, questions where seen), most frequent first.

    A student who makes the same mistake in several cases or questions counts once.
    """
    students: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    for result in results:
        tags: set[str] = set()
        for question in result.questions:
            for tag in question.mistakes:
                tags.add(tag)
                places = where.setdefault(tag, [])
                if question.name not in places:
                    places.append(question.name)
        students.update(tags)
    ranked = sorted(students.items(), key=lambda item: (-item[1], item[0]))
    return [(tag, count, where[tag]) for tag, count in ranked]
