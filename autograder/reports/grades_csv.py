"""``grades.csv``: one row per submission, for a spreadsheet or an LMS import."""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.results import SubmissionResult

# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """A student-controlled text cell that a spreadsheet will not evaluate."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_grades_csv(results: list[SubmissionResult], questions: list[str], path: Path) -> None:
    """Columns: ``submission, student, email, <one per question>, total, max, status, flags, message``."""
    columns = ["submission", "student", "email", *questions, "total", "max", "status", "flags", "message"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for result in results:
            scores = {q.name: q.score for q in result.questions}
            writer.writerow([
                text_cell(result.submission), text_cell(result.student), text_cell(result.email),
                *[scores.get(q, 0) for q in questions], result.total, result.max_score, result.status,
                text_cell("; ".join(result.flags)), text_cell(result.message),
            ])
