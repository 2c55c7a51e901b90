"""The solutions score full marks and the stubs score zero, graded end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.build import master_notebooks
from autograder.pipeline import Submission, grade_submission

NAMES = [master.stem for master in master_notebooks()]


@pytest.mark.parametrize("name", NAMES)
def test_solution_scores_full_marks(name, assignments, sandbox, limits):
    master = Path("solutions") / f"{name}.ipynb"
    result = grade_submission(Submission("solution", master), assignments[name], sandbox, limits)
    failed = {q.name: [c.message for c in q.cases if not c.passed] for q in result.questions if q.score < q.max_score}
    assert failed == {}
    assert result.total == result.max_score > 0
    assert result.status == "graded"
    assert result.flags == []


@pytest.mark.parametrize("name", NAMES)
def test_stub_scores_zero(name, built, assignments, sandbox, limits):
    stub = built / "assignments" / name / f"{name}.ipynb"
    result = grade_submission(Submission("stub", stub), assignments[name], sandbox, limits)
    assert result.status == "graded"
    assert {q.name: q.score for q in result.questions} == {q.name: 0 for q in result.questions}
