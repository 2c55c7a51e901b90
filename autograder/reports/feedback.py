"""One student's feedback page: who, the total, and every question's test cases with diagnoses.

Only what ``SubmissionResult`` holds is shown; it never holds test code or a hidden case's expected
values.  The training questions get a picture of the loss on the public example (``autograder.curves``).
Integrity flags are for the instructor (class report, grades.csv) and are not shown here.
"""

from __future__ import annotations

from autograder.reports import charts
from autograder.reports.page import render, svg
from autograder.results import SubmissionResult

STATUS_TEXT = {
    "graded": "graded",
    "error": "not graded: the notebook could not be run to the end",
    "timeout": "not graded: the cells did not finish within the time limit",
    "malformed": "not graded: the submission could not be read",
    "wrong-assignment": "not graded: this is a submission for another assignment",
}


def render_feedback(result: SubmissionResult, assignment: str, max_score: float) -> str:
    """The complete feedback page of one submission (``templates/feedback.html``)."""
    return render("feedback.html", title=f"{assignment}: feedback for {result.student or result.submission}",
                  result=result, assignment=assignment, max_score=max_score,
                  status=STATUS_TEXT.get(result.status, result.status), curves=curve_images(result))


def curve_images(result: SubmissionResult) -> dict[str, dict[str, str]]:
    """Per training question, the loss-curve picture (an SVG data URI) and the public call it shows."""
    images = {}
    for question, curve in result.curves.items():
        if curve.get("reference"):
            images[question] = {"src": svg(charts.loss_curves(curve.get("student"), curve["reference"])),
                                "call": str(curve.get("call", "")),
                                "missing": not curve.get("student")}
    return images
