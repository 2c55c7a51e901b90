"""The grader's own work on student input is bounded: the integrity scan, replies, time.

(Whole-submission memory and what one submission leaves for the next are in
``tests/test_sandbox_isolation.py``.)
"""

from __future__ import annotations

import pytest

from autograder.integrity import MAX_SCAN, scan_source

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
