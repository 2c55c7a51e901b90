"""One student's feedback page: who, the total, and every question's test cases with diagnoses.

Only what ``SubmissionResult`` holds is shown; it never holds test code or expected values.
Integrity flags are for the instructor (class report, grades.csv) and are not shown here.
"""

from __future__ import annotations

from autograder.reports.page import Markup, document, join, number, table, tag
from autograder.results import CaseResult, QuestionResult, SubmissionResult

STATUS_TEXT = {
    "graded": "graded",
    "error": "not graded: the notebook could not be run to the end",
    "timeout": "not graded: the cells did not finish within the time limit",
    "malformed": "not graded: the submission could not be read",
    "wrong-assignment": "not graded: this is a submission for another assignment",
}


def header(result: SubmissionResult, assignment: str, max_score: float) -> Markup:
    """The title and the summary table at the top of the page."""
    rows = [
        ("Student", result.student or "(unknown)"),
        ("Email", result.email or "(unknown)"),
        ("Submission", result.submission),
        ("Assignment", assignment),
        ("Score", f"{number(result.total)} / {number(max_score)}"),
        ("Status", tag("span", STATUS_TEXT.get(result.status, result.status),
                       class_=f"status-{result.status}")),
    ]
    if result.message:
        rows.append(("Message", tag("span", result.message, class_="message")))
    return join([tag("h1", f"Feedback: {assignment}"), table(None, rows)])


def case_row(case: CaseResult) -> list[object]:
    """One test case as a table row."""
    outcome = tag("span", "passed", class_="passed") if case.passed else tag("span", "failed", class_="failed")
    diagnosis = join([tag("span", tag_name, class_="tag") for tag_name in case.mistakes]
                     + [tag("span", case.message, class_="message")], " ")
    return [case.name, "hidden" if case.hidden else "public",
            f"{number(case.points)} / {number(case.max_points)}", outcome, diagnosis]


def question_section(question: QuestionResult) -> Markup:
    """A question's score and its test cases."""
    title = tag("h2", f"{question.name}: {number(question.score)} / {number(question.max_score)}")
    if not question.cases:
        return join([title, tag("p", "No tests ran for this question.", class_="muted")])
    cases = table(["Test", "Visibility", "Points", "Result", "Diagnosis"],
                  [case_row(case) for case in question.cases], numeric=[2])
    return join([title, cases])


def cell_errors(result: SubmissionResult) -> Markup:
    """Errors raised by the notebook's own cells while it ran, if any."""
    if not result.cell_errors:
        return Markup("")
    items = join(tag("li", tag("span", error, class_="message")) for error in result.cell_errors)
    return join([tag("h2", "Errors while running your notebook"), tag("ul", items)])


def render_feedback(result: SubmissionResult, assignment: str, max_score: float) -> str:
    """The complete feedback page of one submission."""
    questions = [question_section(question) for question in result.questions]
    if not questions:
        questions = [tag("p", "No question was graded.", class_="muted")]
    body = join([header(result, assignment, max_score), cell_errors(result), *questions])
    return document(f"{assignment}: feedback for {result.student or result.submission}", body)
