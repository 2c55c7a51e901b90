"""Grade one submission: read it, run it in the sandbox, judge it, describe it.

This is the single execution path: ``make grade`` calls it for every notebook of a
class, and the Gradescope entry point calls it once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import Assignment
from autograder.curves import loss_curves
from autograder.hints import add_global_hints
from autograder.integrity import runtime_flags, scan_source
from autograder.judge import judge_all
from autograder.notebook import MalformedNotebook, as_python, read_notebook
from autograder.remote import StudentNotebook
from autograder.results import QuestionResult, SubmissionResult
from autograder.sandbox import Limits, Sandbox, SandboxBroken


@dataclass
class Submission:
    """A notebook to grade, with who submitted it."""

    key: str
    path: Path | None
    student: str = ""
    email: str = ""
    problem: str = ""  # set when the submission could not even be unpacked
    note: str = ""  # which notebook was graded, when the submission held several (starts the message)


def zero_questions(assignment: Assignment) -> list[QuestionResult]:
    """Every question with no points, for submissions that could not be graded."""
    from autograder.results import CaseResult

    return [
        QuestionResult(test.name, [CaseResult(case.name, bool(case.hidden), float(case.points or 0), False)
                                   for case in test.test_cases])
        for test in assignment.tests
    ]


def grade_submission(
    submission: Submission, assignment: Assignment, sandbox: Sandbox, limits: Limits
) -> SubmissionResult:
    """Grade one submission; never raises for anything the student did."""
    started = time.monotonic()
    result = SubmissionResult(
        submission.key, assignment.name, "graded", student=submission.student, email=submission.email
    )
    result.questions = zero_questions(assignment)
    if submission.problem or submission.path is None:
        result.status, result.message = "malformed", submission.problem or "no notebook found"
        return result
    try:
        notebook = read_notebook(submission.path)
    except MalformedNotebook as error:
        result.status, result.message = "malformed", f"Not a gradable notebook: {error}."
        return result
    if notebook.assignment is not None and notebook.assignment != assignment.name:
        result.status = "wrong-assignment"
        result.message = (
            f"This notebook belongs to assignment '{notebook.assignment}', not '{assignment.name}'."
        )
        return result
    try:
        result.flags = scan_source(notebook.cells)
    except Exception as error:  # noqa: BLE001 - a scan that fails on odd code must not cost the grade
        result.flags = [f"the integrity scan could not read this code ({type(error).__name__})"]
    code_cells = [as_python(cell) for cell in notebook.cells]
    for attempt in range(2):
        try:
            result.status = "graded"  # a retry after a broken sandbox starts afresh
            run_and_judge(code_cells, assignment, sandbox, limits, result)
            break
        except SandboxBroken as error:
            sandbox.close()
            result.status, result.message = "error", f"The grader's sandbox failed ({error})."
            result.questions = zero_questions(assignment)
            if attempt == 0:
                result.flags.append("sandbox-restarted: the grader's worker stopped and was restarted")
    result.seconds = round(time.monotonic() - started, 3)
    result.message = " | ".join(part for part in (submission.note, result.message) if part)[:1000]
    return result


def run_and_judge(
    code_cells: list[str], assignment: Assignment, sandbox: Sandbox, limits: Limits, result: SubmissionResult
) -> None:
    """Execute the notebook's cells (as Python) in a fresh session and run every question's tests."""
    session = sandbox.session(limits)
    student = StudentNotebook(session, code_cells, limits)
    student.ensure_running()
    # before any hidden case: what the student's code returns here is drawn on its feedback page
    result.curves = loss_curves(assignment.name, student)
    questions = judge_all(assignment.tests, student)
    session.end()
    add_global_hints(questions, assignment.tests, code_cells, student.names)
    result.questions = questions
    for flag in runtime_flags(session.tampered, session.unexpected, tuple(student.events.deaths)):
        if flag not in result.flags:
            result.flags.append(flag)
    describe(result, student, len(code_cells))


def describe(result: SubmissionResult, student: StudentNotebook, cell_count: int) -> None:
    """Set the status, the cell errors and the one-line message from what happened.

    One vocabulary: a notebook whose cells ran to the end (perhaps after skipping a
    cell that killed its process) is ``graded``, and the message notes every cell or
    call that stopped; ``timeout`` and ``error`` mean that no run of the cells ever
    finished, so its questions could not be tested.
    """
    first = student.first_execution
    errors, timeouts = [], []
    for index in range(cell_count):
        cell = first.cells.get(index)
        if cell is None:
            continue
        if cell.get("status") == "timeout":
            timeouts.append(f"cell {index + 1} was stopped after the time limit")
        elif cell.get("status") in ("error", "exit"):
            errors.append(f"cell {index + 1}: {cell.get('error')}")
    if first.death is not None:
        if first.died_in_cell is not None:
            errors.append(f"the notebook's process ended in cell {first.died_in_cell + 1}: {first.death}; "
                          "the other cells were run again without it")
        else:
            errors.append(f"the notebook's process ended: {first.death}")
        if first.death == "timeout":
            timeouts.append("the notebook did not finish within its time limit")
    timeouts += [f"`{name}` did not finish within the time limit" for name in student.events.timeouts]
    result.cell_errors = errors
    parts = timeouts + errors
    if all(execution.death is not None for execution in student.executions):
        # The cells never ran to the end, so no question could be tested: not graded.
        result.status = "timeout" if student.executions and student.executions[-1].death == "timeout" else "error"
    mistakes = [f"{q.name}: {', '.join(q.mistakes)}" for q in result.questions if q.mistakes and q.score < q.max_score]
    if mistakes:
        parts.append("mistakes: " + "; ".join(mistakes))
    result.message = " | ".join(parts)[:1000]
