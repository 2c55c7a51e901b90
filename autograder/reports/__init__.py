"""What instructors and students read after grading: grades.csv, feedback pages, the class report.

``write_reports(results, assignment, out)`` writes ``out/report.html`` and one
``out/feedback/<submission>.html`` per submission; ``write_grades_csv`` writes ``grades.csv``.
Every page is a single self-contained HTML file (pictures embedded), safe to e-mail or upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.reports.class_report import render_class_report
from autograder.reports.feedback import render_feedback
from autograder.reports.grades_csv import write_grades_csv
from autograder.reports.output import Failures
from autograder.reports.page import Markup, file_names
from autograder.reports.sources import Code
from autograder.results import SubmissionResult

if TYPE_CHECKING:
    from autograder.assignments import Assignment

__all__ = ["write_grades_csv", "write_reports"]

FEEDBACK = "feedback"


def question_points(assignment: Assignment) -> dict[str, float]:
    """Each question's points, in the assignment's order."""
    return {test.name: float(sum(case.points or 0 for case in test.test_cases)) for test in assignment.tests}


def question_reads(assignment: Assignment) -> dict[str, set[str]]:
    """The notebook names each question's tests read (its functions and variables)."""
    from autograder.judge import names_read_by

    return {test.name: names_read_by(test) for test in assignment.tests}


def write_reports(results: list[SubmissionResult], assignment: Assignment, out: Path,
                  code: Code | None = None, sections: Sequence[Markup] = ()) -> list[str]:
    """Write ``out/report.html`` and ``out/feedback/<submission>.html`` for every result; return
    what could not be written (each page is written on its own: one failure loses no other).

    ``code`` (the students' code cells by submission) lets the report show the code of
    unrecognised wrong answers; ``sections`` are extra parts of the report (regrade, gradebook,
    similarity).  Feedback pages left in ``out/feedback`` by an earlier run for other
    submissions are removed, so the folder matches the report.
    """
    folder = out / FEEDBACK
    folder.mkdir(parents=True, exist_ok=True)
    names = file_names([result.submission for result in results])
    failures = Failures()
    for result, name in zip(results, names):
        with failures.guard(f"{FEEDBACK}/{name}"):
            (folder / name).write_text(render_feedback(result, assignment.name, assignment.max_score),
                                       encoding="utf-8")
    for stale in set(path.name for path in folder.glob("*.html")) - set(names):
        with failures.guard(f"removing the old page {FEEDBACK}/{stale}"):
            (folder / stale).unlink()
    with failures.guard("report.html"):
        report = render_class_report(results, assignment.name, question_points(assignment), names,
                                     code, question_reads(assignment), sections)
        (out / "report.html").write_text(report, encoding="utf-8")
    return failures
