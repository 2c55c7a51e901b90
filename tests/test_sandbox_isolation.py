"""One submission cannot strain the machine or reach the next one, graded end to end.

Real notebooks (``tests/corpus/strain.py``) in a real bubblewrap sandbox: each attack
scores exactly what the same wrong notebook scores without it, and the bound it
attacks holds.  The memory cgroup is tested where this machine has one, and the path
without one (Gradescope's Docker) is forced in a sandbox of its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autograder import sandbox as sandbox_module
from autograder.pipeline import Submission, grade_submission
from autograder.results import SubmissionResult
from autograder.sandbox import MB, Limits, Sandbox
from autograder.worker import files_mb
from tests.corpus import write_variant
from tests.corpus.attacks import CONSTANT_MSE
from tests.corpus.strain import CHILDREN_HOLD, FILL_RAM_FOLDERS, LEAVE_BEHIND, LOOK_FOR_IT

A = "02-quadratic-fit"
MEMORY = Limits(notebook_seconds=90, cell_seconds=40, call_seconds=10, memory_mb=512)


def grade(cells: tuple[str, ...], folder: Path, name: str, assignments, box: Sandbox,
          limits: Limits = MEMORY) -> SubmissionResult:
    """The wrong notebook of the corpus (a constant ``mse``) with ``cells`` added, graded."""
    path = write_variant(A, (CONSTANT_MSE,), folder / f"{name}.ipynb", cells)
    return grade_submission(Submission(path.stem, path), assignments[A], box, limits)


def reported(result: SubmissionResult, label: str) -> str:
    """What an attack cell reported in its error (``WROTE: ...``), as the grader recorded it."""
    match = re.search(rf"{label}: ([^\"]*)", json.dumps(result.cell_errors))
    assert match, (label, result.cell_errors, result.message)
    return match.group(1)


def scores(result: SubmissionResult) -> dict[str, float]:
    return {question.name: question.score for question in result.questions}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, assignments, sandbox) -> dict[str, float]:
    """The scores of the wrong notebook without any attack."""
    result = grade((), tmp_path_factory.mktemp("baseline"), "plain", assignments, sandbox)
    assert result.status == "graded" and 0 < result.total < result.max_score
    return scores(result)


def test_nothing_one_submission_leaves_reaches_the_next(tmp_path, assignments, sandbox, baseline):
    """Files in /tmp, /dev/shm, /dev and the scratch folder, message queues, shared memory, keys."""
    first = grade((LEAVE_BEHIND, LOOK_FOR_IT), tmp_path, "leaves", assignments, sandbox)
    second = grade((LOOK_FOR_IT,), tmp_path, "looks", assignments, sandbox)
    left = reported(first, "LEFT")
    for place in ("/tmp", "/dev/shm", "/scratch", "mqueue", "sysv-shm", "sysv-msg"):
        assert place in left  # the attack could leave it, and saw it within its own submission:
    assert reported(first, "FOUND") == left
    assert "/dev'" not in left  # /dev is read-only
    assert reported(second, "FOUND") == "[]"
    assert scores(first) == scores(second) == baseline


def memory_cgroup(box: Sandbox) -> bool:
    box.ensure_started()
    return box.cap is not None and "memory" in box.cap.paths


@pytest.mark.parametrize("attack", [FILL_RAM_FOLDERS, CHILDREN_HOLD], ids=["fill-ram-folders", "children-hold"])
def test_the_whole_submission_stays_within_its_memory(attack, tmp_path, assignments, sandbox, baseline):
    """Its processes and the files it writes together: a memory cgroup per sandbox."""
    if not memory_cgroup(sandbox):
        pytest.skip("no writable memory cgroup here (the path without one is tested below)")
    cells = (attack.replace("{memory_mb}", str(MEMORY.memory_mb)),)
    result = grade(cells, tmp_path, "strain", assignments, sandbox)
    peak = sandbox.cap.peak()
    assert peak is not None and peak - sandbox.cap.base_memory <= MEMORY.memory_mb * MB
    assert scores(result) == baseline
    label = "WROTE" if attack is FILL_RAM_FOLDERS else "HELD"
    assert int(reported(result, label).split()[0]) <= MEMORY.memory_mb


def test_without_a_cgroup_files_and_each_process_stay_bounded(tmp_path, assignments, monkeypatch, baseline):
    """Gradescope's Docker has no writable cgroup: sized folders and per-process limits still hold."""
    monkeypatch.setattr(sandbox_module, "CGROUP_ROOTS", {"pids": (), "memory": ()})
    with Sandbox("bwrap") as box:
        assert box.cap is not None and box.cap.paths == {}
        result = grade((FILL_RAM_FOLDERS,), tmp_path, "fill", assignments, box)
        wrote = reported(result, "WROTE")
        assert int(wrote.split()[0]) <= 3 * files_mb(MEMORY.as_dict()), wrote
        assert "'/dev': 0" in wrote
        assert scores(result) == baseline
        big = ("import torch\ntry:\n    held = torch.ones(MEMORY_BYTES // 4 + 1)\nexcept (MemoryError, RuntimeError):\n"
               "    raise RuntimeError('REFUSED: yes')").replace("MEMORY_BYTES", str(MEMORY.memory_mb * MB))
        assert reported(grade((big,), tmp_path, "big", assignments, box), "REFUSED") == "yes"
