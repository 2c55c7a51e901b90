"""Turn a ``SubmissionResult`` into Gradescope's ``results.json``.

Each question becomes at most two entries: its public tests (``visible`` at once, no
points: they are the checks the student could already run) and its hidden tests
(``after_published``: points and the diagnosis of the mistake appear when the
instructor publishes the grades).  One entry per otter case would list numbered,
meaningless case names; one per question would mix what may be shown now with what
may not.  Integrity flags and the raw status are for instructors only: they go to
``extra_data``, which students never see.
"""

from __future__ import annotations

from typing import Any

from autograder.results import CaseResult, QuestionResult, SubmissionResult

VISIBLE = "visible"
HIDDEN_UNTIL_PUBLISHED = "after_published"

STATUS_SENTENCES = {
    "graded": "Your notebook was graded.",
    "error": "Your notebook could not be graded: it could not be run to the end, so no question could be tested.",
    "timeout": "Your notebook could not be graded: its cells did not finish within the time limit, so no question could be tested.",
    "malformed": "Your submission could not be graded.",
    "wrong-assignment": "This submission is for another assignment, so it was not graded.",
}


def results_json(result: SubmissionResult, execution_time: float | None = None) -> dict[str, Any]:
    """The ``results.json`` document for one graded (or ungradable) submission."""
    tests: list[dict[str, Any]] = []
    for question in result.questions:
        tests += question_entries(question)
    for number, entry in enumerate(tests, start=1):
        entry["number"] = str(number)
    seconds = result.seconds if execution_time is None else execution_time
    return {
        "score": result.total,
        "execution_time": round(float(seconds), 3),
        "output": summary(result),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": VISIBLE,
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "status": result.status,
            "flags": list(result.flags),
            "message": result.message,
            "submission": result.submission,
            "assignment": result.assignment,
            "student": result.student,
            "email": result.email,
        },
    }


def question_entries(question: QuestionResult) -> list[dict[str, Any]]:
    """The public and the hidden part of one question (a part with no case is left out)."""
    entries = []
    for hidden in (False, True):
        cases = [case for case in question.cases if case.hidden == hidden]
        if not cases:
            continue
        label = f"{question.name} (hidden tests)" if hidden else f"{question.name} (public tests)"
        entries.append(test_entry(label, cases, HIDDEN_UNTIL_PUBLISHED if hidden else VISIBLE))
    return entries


def test_entry(name: str, cases: list[CaseResult], visibility: str) -> dict[str, Any]:
    """One Gradescope test: the points of ``cases`` and the reasons the failed ones give."""
    failed = [case for case in cases if not case.passed]
    messages = [case.message.strip() for case in failed if case.message.strip()]
    passed_count = len(cases) - len(failed)
    counted = f"{len(cases)} test case" + ("s" if len(cases) != 1 else "")
    if failed:
        output = f"{passed_count} of {counted} passed.\n" + "\n".join(dict.fromkeys(messages))
    else:
        output = f"{counted.capitalize()} passed." if len(cases) == 1 else f"All {counted} passed."
    return {
        "name": name,
        "score": round(sum(case.points for case in cases), 6),
        "max_score": round(sum(case.max_points for case in cases), 6),
        "status": "failed" if failed else "passed",
        "visibility": visibility,
        "output": output.strip(),
    }


def summary(result: SubmissionResult) -> str:
    """The text every student sees at once: what happened, never the flags or hidden diagnoses."""
    lines = [STATUS_SENTENCES.get(result.status, "Your notebook was graded.")]
    if result.status in ("malformed", "wrong-assignment"):
        lines.append(result.message)
    else:
        lines += [f"- {error}" for error in result.cell_errors]
        lines += [f"- {part}" for part in public_parts(result.message) if part not in result.cell_errors]
    return "\n".join(line for line in lines if line).strip()


def public_parts(message: str) -> list[str]:
    """The parts of the pipeline's one-line message that say what ran, not which mistake was found."""
    parts = [part.strip() for part in message.split(" | ") if part.strip()]
    return [part for part in parts if not part.startswith("mistakes:")]
