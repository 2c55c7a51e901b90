"""The grader's own work on student input is bounded: the integrity scan, replies, time.

(Whole-submission memory and what one submission leaves for the next are in
``tests/test_sandbox_isolation.py``.)
"""

from __future__ import annotations

import resource

import pytest

from autograder.integrity import MAX_SCAN, scan_source
from autograder.notebook import as_python, read_notebook
from autograder.pipeline import Submission, grade_submission
from autograder.remote import StudentError, StudentNotebook
from autograder.sandbox import Limits
from tests.corpus import write_variant
from tests.corpus.attacks import CONSTANT_MSE, A
from tests.corpus.strain import HUGE_REPLY, MANY_LISTS, MANY_SMALL_LISTS

# Inputs that made a pattern backtrack over a long run of one character (quadratic time:
# 70,000 digits took about 50 s, a megabyte would take hours).  Each is scanned whole.
RUNS = ["# " + "7" * 70_000, "# " + "1" * (MAX_SCAN - 100), "# " + "1 /" * (MAX_SCAN // 3 - 100),
        "'" + "/" * (MAX_SCAN - 100) + "'", "x = '" + " " * (MAX_SCAN - 100) + "'"]


@pytest.mark.parametrize("cell", RUNS, ids=["70k-digits", "digits", "digits-slash", "slashes", "spaces"])
def test_long_runs_scan_in_linear_time(cell):
    assert scan_source([cell, "torch.allclose = lambda *a, **k: True"]) == ["patches torch.allclose"]


def test_the_scan_reads_a_bounded_amount_and_says_so():
    huge = "x = 1\n" * (MAX_SCAN // 3)
    flags = scan_source([huge, "torch.allclose = lambda *a, **k: True"])
    assert flags == [f"has more code than the scan reads ({len(huge) + 37:,} characters)"]
    assert scan_source(["torch.allclose = lambda *a, **k: True", huge])[1] == "patches torch.allclose"


SLEEP = 2.7  # each cell sleeps just under its limit
TIMES = Limits(notebook_seconds=8, cell_seconds=3, call_seconds=3, memory_mb=600)


def test_runs_after_a_timeout_share_the_notebook_time_limit(tmp_path, assignments, sandbox):
    """Every cell sleeps just under the cell limit: the restarts must not multiply the notebook's limit.

    No clock is read here: a run is stopped MARGIN seconds after its time is up, so the cells that
    completed in all runs together fit in the limit plus that margin per run.
    """
    path = write_variant(A, (CONSTANT_MSE,), tmp_path / "sleepy.ipynb", (f"import time\ntime.sleep({SLEEP})",) * 12)
    cells = as_cells(path)
    session = sandbox.session(TIMES)
    notebook = StudentNotebook(session, cells, TIMES)
    try:
        with pytest.raises(StudentError):
            notebook.resolve("mse")
    finally:
        session.end()
    completed = sum(cell["status"] == "ok" and index >= len(cells) - 12 for run in notebook.executions
                    for index, cell in run.cells.items())
    assert notebook.executions and completed * SLEEP <= TIMES.notebook_seconds + 2 * len(notebook.executions)
    result = grade_submission(Submission(path.stem, path), assignments[A], sandbox, TIMES)
    assert result.status == "timeout" and result.total == 0, (result.status, result.message)


def as_cells(path) -> list[str]:
    return [as_python(cell) for cell in read_notebook(path).cells]


def peak_memory_mb() -> int:
    """The most memory this (the grader's) process ever held, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@pytest.mark.parametrize("attack", [HUGE_REPLY, MANY_LISTS, MANY_SMALL_LISTS],
                         ids=["huge-reply", "many-lists", "many-small-lists"])
def test_a_costly_reply_costs_the_grader_little(attack, tmp_path, assignments, sandbox, limits):
    """A 60 MB reply once drove the grader to 2.3 GB: replies are refused before they are parsed."""
    plain = write_variant(A, (CONSTANT_MSE,), tmp_path / "plain.ipynb")
    expected = grade_submission(Submission("plain", plain), assignments[A], sandbox, limits)
    before = peak_memory_mb()
    path = write_variant(A, (CONSTANT_MSE,), tmp_path / "costly.ipynb", (attack,))
    result = grade_submission(Submission("costly", path), assignments[A], sandbox, limits)
    assert peak_memory_mb() - before < 50  # 170 MB and more before replies were bounded
    assert [q.score for q in result.questions] == [q.score for q in expected.questions]
    assert result.status == "graded", result.message


def test_a_notebook_built_to_slow_the_scan_is_graded_as_without_it(tmp_path, assignments, sandbox, limits):
    """A 70,000-digit comment (50 s of scanning before) and a 1 MB cell: the same scores, one flag."""
    plain = write_variant(A, (CONSTANT_MSE,), tmp_path / "plain.ipynb")
    expected = grade_submission(Submission("plain", plain), assignments[A], sandbox, limits)
    cells = ("# " + "7" * 70_000, "# " + "1 /" * 350_000)
    path = write_variant(A, (CONSTANT_MSE,), tmp_path / "slow-scan.ipynb", cells)
    result = grade_submission(Submission("slow-scan", path), assignments[A], sandbox, limits)
    assert [q.score for q in result.questions] == [q.score for q in expected.questions]
    assert result.flags == [f"has more code than the scan reads ({sum(map(len, read_notebook(path).cells)):,} characters)"]
