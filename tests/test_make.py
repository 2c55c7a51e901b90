"""``make grade`` rebuilds only what changed and ends a class that needs attention without a make
error; the summary ends with the submissions not graded, their messages shortened between words.

The make tests run the project's real Makefile with GNU make in a copy of the project, whose
zips (copied from ``built``) are newer than their sources, with ``PY`` the test's Python and
``VENV``/``STAMP`` pointing into the copy (so nothing can touch the project's ``.venv``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.batch import LISTED, summary
from autograder.results import SubmissionResult
from tests.conftest import ROOT

NAME = "02-quadratic-fit"
SOURCES = ("Makefile", "requirements.txt", "pyproject.toml", "solutions", "autograder")


def age(folder: Path, seconds_ago: float) -> None:
    """Set the modification time of every file under ``folder`` to ``seconds_ago`` seconds ago."""
    when = time.time() - seconds_ago
    for path in [folder, *folder.rglob("*")] if folder.is_dir() else [folder]:
        os.utime(path, (when, when))


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of the project where every build step is up to date: sources an hour old, the
    environment stamp, the assign stamp and the zips (from ``built``) new."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("dist", "__pycache__", "*.pyc"))
        else:
            shutil.copy(source, copy / name)
        age(copy / name, 3600)
    (copy / "venv").mkdir()
    (copy / "venv" / ".installed").touch()
    dist = copy / "autograder" / "dist"
    dist.mkdir()
    (dist / ".assigned").touch()
    for path in (built / "dist").glob("*.zip"):
        shutil.copy(path, dist / path.name)
    return copy


def make(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    variables = [f"PY={sys.executable}", f"VENV={project / 'venv'}", f"STAMP={project / 'venv' / '.installed'}"]
    return subprocess.run(["make", "--no-print-directory", *variables, *args], cwd=project,
                          capture_output=True, text=True, timeout=600)


def planned(project: Path) -> str:
    """The commands ``make grade`` would run (``make -n``)."""
    run = make(project, "-n", "grade")
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_make_grade_rebuilds_nothing_when_nothing_changed(project):
    plan = planned(project)
    assert "-m autograder grade examples/submissions" in plan
    assert "autograder.build" not in plan and "pip install" not in plan


def test_a_harness_change_rebuilds_the_zips_and_a_master_change_reassigns(project):
    age(project / "autograder" / "batch.py", 0)
    plan = planned(project)
    assert "autograder.build zip" in plan and "autograder.build assign" not in plan
    age(project / "solutions" / f"{NAME}.ipynb", 0)
    plan = planned(project)
    assert "autograder.build assign" in plan and "autograder.build zip" in plan


def test_make_grade_ends_with_who_needs_attention_and_no_make_error(project, tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "empty.ipynb").write_bytes(b"")
    (klass / "zero.zip").write_bytes(b"")
    run = make(project, "grade", f"SUBMISSIONS={klass}", f"ASSIGNMENT={NAME}", f"OUT={tmp_path / 'out'}",
               "GRADE_FLAGS=--quiet")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Error" not in run.stderr and "Upload to Gradescope" not in run.stdout
    last = run.stdout.splitlines()[-3:]
    assert last[0] == "2 submissions need attention (status other than graded):", run.stdout
    assert sorted(line.split(":")[:2] for line in last[1:]) == [["  empty", " malformed"], ["  zero", " malformed"]]
    usage = make(project, "grade", f"SUBMISSIONS={tmp_path / 'nowhere'}", f"OUT={tmp_path / 'out'}")
    assert usage.returncode != 0 and "Error 2" in usage.stderr


def result(key: str, status: str, message: str = "") -> SubmissionResult:
    return SubmissionResult(key, NAME, status, message=message)


def test_the_summary_ends_with_every_submission_not_graded_cut_between_words(assignments):
    words = [f"word{index}" for index in range(60)]
    others = [result(f"s{index:02d}", "timeout", " ".join(words)) for index in range(LISTED + 3)]
    text = summary([result("ok", "graded"), *others, result("bad\x1b[2J", "error", "the grader failed")],
                   assignments[NAME], Path("out"), 0, 1.0, ["similarity: 0 pair(s) flagged"])
    lines = text.splitlines()
    start = lines.index(f"{LISTED + 4} submissions need attention (status other than graded):")
    listed = lines[start + 1:]
    assert "similarity: 0 pair(s) flagged" in lines[:start]
    assert len(listed) == LISTED + 1 and listed[-1] == "  ... and 4 more: the status column of grades.csv"
    for line in listed[:-1]:
        name, status, message = line.split(": ", 2)
        assert status == "timeout" and message.endswith(" ...") and len(message) <= 100
        shown = message.removesuffix(" ...").split()
        assert shown == words[:len(shown)], message  # whole words only, in order
    errors = summary([result("bad\x1b[2J", "error", "the grader failed")], assignments[NAME], Path("out"), 0, 1.0)
    assert errors.splitlines()[-2:] == ["1 submission needs attention (status other than graded):",
                                        "  bad: error: the grader failed"]
    assert summary([result("ok", "graded")], assignments[NAME], Path("out"), 0, 1.0).endswith("every submission was graded")
