"""The feedback page draws the loss of the training questions on the public example, yours beside the reference's.

The student's losses come from a call of the student's function in the sandbox, before any hidden case.
"""

from __future__ import annotations

import math

import pytest

from autograder.pipeline import Submission, grade_submission
from autograder.reports.feedback import render_feedback
from tests.corpus import all_mistakes, solution_path, write_variant


def graded(assignment, edits, tmp_path, assignments, sandbox, limits, extra_cells=()):
    path = write_variant(assignment, edits, tmp_path / f"{assignment}.ipynb", extra_cells)
    return grade_submission(Submission("s", path), assignments[assignment], sandbox, limits)


def close(first, second) -> bool:
    return len(first) == len(second) and all(math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6) for a, b in zip(first, second))


@pytest.mark.parametrize(("assignment", "question", "mistake"), [
    ("02-quadratic-fit", "q4-train-manual", "lr-ignored"),
    ("03-optimizer-loop", "q2-train-sgd", "forgot-zero-grad"),
    ("04-linear-regression", "q3-fit-sgd", "sign-flipped"),
])
def test_the_students_curve_is_drawn_beside_the_reference(assignment, question, mistake, tmp_path, assignments,
                                                          sandbox, limits):
    right = grade_submission(Submission("s", solution_path(assignment)), assignments[assignment], sandbox, limits)
    curve = right.curves[question]
    assert len(curve["reference"]) > 5 and close(curve["student"], curve["reference"])
    variant = next(v for v in all_mistakes() if v.assignment == assignment and v.tag == mistake)
    wrong = graded(assignment, variant.edits, tmp_path, assignments, sandbox, limits).curves[question]
    assert wrong["reference"] == curve["reference"] and wrong["student"] and not close(wrong["student"], curve["reference"])
    page = render_feedback(right, assignment, 1.0)
    assert f'alt="loss curve of {question}"' in page and 'src="data:image/svg+xml;base64,' in page
    assert page.count("data:image/svg+xml;base64,") == 1  # one training question per assignment


def test_a_function_that_gives_no_losses_leaves_the_reference_alone(tmp_path, assignments, sandbox, limits):
    broken = "def train_manual(params, t, targets, lr, epochs):\n    raise ValueError('not yet')\n"
    result = graded("02-quadratic-fit", (), tmp_path, assignments, sandbox, limits, extra_cells=(broken,))
    assert result.curves["q4-train-manual"]["student"] is None
    page = render_feedback(result, "02-quadratic-fit", 9.0)
    assert "your function gave no losses here, so only the reference is drawn" in page
