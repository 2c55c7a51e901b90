"""otter's own runner agrees: `otter run` gives the same totals as the harness.

`otter run` executes the notebook and the same otter test files in one kernel,
unsandboxed, so only trusted notebooks go through it: each solution and each stub.
"""

from __future__ import annotations

import pytest

from autograder.build import master_notebooks
from autograder.otter_reference import otter_run_total, otter_zip
from autograder.pipeline import Submission, grade_submission

NAMES = [master.stem for master in master_notebooks()]


@pytest.mark.parametrize("name", NAMES)
def test_otter_run_and_the_harness_agree_on_solution_and_stub(name, built, assignments, sandbox, limits, tmp_path):
    autograder = otter_zip(built / "dist" / name / "autograder", tmp_path, name)
    notebooks = {
        "solution": built / "dist" / name / "autograder" / f"{name}.ipynb",
        "stub": built / "assignments" / name / f"{name}.ipynb",
    }
    totals = {}
    for kind, notebook in notebooks.items():
        ours = grade_submission(Submission(kind, notebook), assignments[name], sandbox, limits).total
        totals[kind] = (ours, otter_run_total(autograder, notebook, tmp_path / kind))
    assert totals == {"solution": (assignments[name].max_score,) * 2, "stub": (0.0, 0.0)}
