"""What instructors and students read after grading: grades.csv, feedback pages, the class report.

``write_reports(results, assignment, out)`` writes ``out/report.html`` and one
``out/feedback/<submission>.html`` per submission; ``write_grades_csv`` writes ``grades.csv``.
Every page is a single self-contained HTML file (pictures embedded), safe to e-mail or upload.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from autograder.reports.class_report import render_class_report
from autograder.reports.feedback import render_feedback
from autograder.reports.grades_csv import write_grades_csv
from autograder.reports.page import file_names
from autograder.results import SubmissionResult

if TYPE_CHECKING:
    from autograder.assignments import Assignment

__all__ = ["write_grades_csv", "write_reports"]

FEEDBACK = "feedback"


def question_points(assignment: Assignment) -> dict[str, float]:
    """Each question's points, in the assignment's order."""
    return {test.name: float(sum(case.points or 0 for case in test.test_cases)) for test in assignment.tests}


def write_reports(results: list[SubmissionResult], assignment: Assignment, out: Path) -> None:
    """Write ``out/report.html`` and ``out/feedback/<submission>.html`` for every result.

    Feedback pages left in ``out/feedback`` by an earlier run for other submissions are removed,
    so the folder matches the report.
    """
    folder = out / FEEDBACK
    folder.mkdir(parents=True, exist_ok=True)
    names = file_names([result.submission for result in results])
    for result, name in zip(results, names):
        (folder / name).write_text(render_feedback(result, assignment.name, assignment.max_score),
                                   encoding="utf-8")
    for stale in set(path.name for path in folder.glob("*.html")) - set(names):
        (folder / stale).unlink()
    report = render_class_report(results, assignment.name, question_points(assignment), names)
    (out / "report.html").write_text(report, encoding="utf-8")
