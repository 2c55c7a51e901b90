"""Properties of the sandbox student code runs in, checked from inside it.

Each test runs a few real cells in a real bubblewrap session and reads back the
values they computed (plain data, through the same path grading uses).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.remote import StudentError, StudentNotebook
from autograder.sandbox import SANDBOX_PROCESSES, Limits, Sandbox, SandboxUnavailable, check_bwrap

ROOT = Path(__file__).resolve().parent.parent
LIMITS = Limits(notebook_seconds=30, cell_seconds=3, call_seconds=3, memory_mb=600)


def run_cells(sandbox: Sandbox, cells: list[str], limits: Limits = LIMITS) -> StudentNotebook:
    """Execute ``cells`` in a fresh session; the caller reads values and ends the session."""
    notebook = StudentNotebook(sandbox.session(limits), cells, limits)
    notebook.ensure_running()
    return notebook


def values(sandbox: Sandbox, cells: list[str], *names: str, limits: Limits = LIMITS) -> list:
    notebook = run_cells(sandbox, cells, limits)
    try:
        return [notebook.value(name) for name in names]
    finally:
        notebook.session.end()


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` on this machine."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


TRY_WRITE = """
import os, sys
def writable(path):
    try:
        with open(path, "w") as handle:
            handle.write("x")
        os.unlink(path)
        return True
    except OSError:
        return False
"""


def test_no_network(sandbox):
    cells = ["import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    net = 'open'\n"
             "except OSError:\n    net = 'blocked'",
             "interfaces = sorted(line.split(':')[0].strip() for line in open('/proc/net/dev').readlines()[2:])"]
    assert values(sandbox, cells, "net", "interfaces") == ["blocked", ["lo"]]


def test_only_scratch_and_tmp_are_writable(sandbox):
    outside = ["/x.txt", "/usr/x.txt", "/etc/x.txt", "/grader/x.txt", f"{sys.prefix}/x.txt"]
    if not str(ROOT).startswith("/tmp/"):  # under /tmp, the path is inside the sandbox's own /tmp
        outside.append(f"{ROOT}/x.txt")
    cells = [TRY_WRITE, f"outside = [p for p in {outside!r} if writable(p)]",
             f"try:\n    open({str(ROOT / 'x.txt')!r}, 'w').write('x')\nexcept OSError:\n    pass",
             "inside = [writable(p) for p in ('x.txt', '/tmp/x.txt', os.path.expanduser('~/x.txt'))]"]
    assert values(sandbox, cells, "outside", "inside") == [[], [True, True, True]]
    assert not (ROOT / "x.txt").exists()


def test_project_and_hidden_tests_are_not_visible(sandbox, built):
    paths = [ROOT / "solutions", ROOT / "autograder", ROOT / "tests", built, ROOT / "README.md"]
    cells = [f"import os\nseen = [p for p in {[str(p) for p in paths]!r} if os.path.exists(p)]",
             f"listing = sorted(os.listdir({str(ROOT)!r})) if os.path.isdir({str(ROOT)!r}) else []"]
    seen, listing = values(sandbox, cells, "seen", "listing")
    assert seen == [] and set(listing) <= {".venv"}


def test_memory_limit(sandbox):
    cells = ["import torch\nsmall = float(torch.ones(10_000_000).sum())",
             "try:\n    big = torch.ones(1_000_000_000)\n    refused = False\nexcept (MemoryError, RuntimeError):\n"
             "    refused = True"]
    assert values(sandbox, cells, "small", "refused") == [10_000_000.0, True]


def test_time_limits_stop_cells_and_calls(sandbox):
    notebook = run_cells(sandbox, ["while True:\n    pass", "def spin():\n    while True:\n        pass", "after = 1"])
    try:
        assert notebook.first_execution.cells[0]["status"] == "timeout"
        assert notebook.value("after") == 1  # the cells after the endless one still ran
        with pytest.raises(StudentError) as error:
            notebook.resolve("spin")()
        assert error.value.kind == "timeout"
    finally:
        notebook.session.end()


def test_strays_are_killed_and_scratch_wiped_between_sessions(sandbox):
    sandbox.ensure_started()
    before = descendants(sandbox.process.pid)
    leave_behind = ["import os, time\nfor _ in range(5):\n    if os.fork() == 0:\n        os.setsid()\n"
                    "        time.sleep(300)\n        os._exit(0)",
                    "open('left.txt', 'w').write('x')\nopen('/tmp/left.txt', 'w').write('x')",
                    "spawned = len(os.listdir('/proc'))"]
    notebook = run_cells(sandbox, leave_behind)
    assert len(descendants(sandbox.process.pid)) >= len(before) + 5
    notebook.session.end()
    sandbox.settle()  # the clean-up runs after the session, before the next one
    assert descendants(sandbox.process.pid) == before
    check = ["import os\nleft = [os.path.exists(p) for p in ('left.txt', '/tmp/left.txt')]"]
    assert values(sandbox, check, "left") == [[False, False]]


NOTEBOOK_PROCESSES = """
import ctypes, os, signal
def hang():
    signal.signal(signal.SIGALRM, signal.SIG_IGN)  # only the supervisor's deadline stops it
    while True:
        pass
def notebook_processes():
    \"\"\"Live processes in namespaces of their own below the sandbox's (the notebook's runs).\"\"\"
    found = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                fields = dict(line.split(":", 1) for line in open(f"/proc/{name}/status") if ":" in line)
            except OSError:
                continue
            found += len(fields["NSpid"].split()) > 1 and fields["State"].split()[0] not in ("Z", "X")
    return found
"""


def test_a_run_stopped_from_outside_ends_whole(sandbox):
    """A rerun is alone, even after a run whose process cleared its parent-death signal and was stopped."""
    notebook = run_cells(sandbox, [NOTEBOOK_PROCESSES, "ctypes.CDLL(None).prctl(1, 0, 0, 0, 0)  # PR_SET_PDEATHSIG"])
    try:
        assert notebook.resolve("notebook_processes")() == 1
        with pytest.raises(StudentError) as error:
            notebook.resolve("hang")()
        assert error.value.kind == "timeout" and not notebook.alive  # the supervisor stopped the run
        assert notebook.resolve("notebook_processes")() == 1  # the rerun's process, not the stopped one
        assert len(notebook.executions) == 2
    finally:
        notebook.session.end()


def without_bwrap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which every program but bwrap can be found."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if os.path.isdir(directory):
            for name in os.listdir(directory):
                if name != "bwrap" and not (folder / name).exists():
                    (folder / name).symlink_to(Path(directory) / name)
    monkeypatch.setenv("PATH", str(folder))


def test_missing_bwrap_is_a_clear_error_not_a_fallback(monkeypatch, tmp_path):
    without_bwrap(monkeypatch, tmp_path)
    with pytest.raises(SandboxUnavailable, match="bubblewrap.*--sandbox none"):
        check_bwrap()
    box = Sandbox("bwrap")
    with pytest.raises(SandboxUnavailable):
        box.start()
    assert box.process is None


def test_cli_refuses_to_grade_without_bwrap(monkeypatch, tmp_path):
    without_bwrap(monkeypatch, tmp_path)
    (tmp_path / "subs").mkdir()
    command = [sys.executable, "-m", "autograder", "grade", str(tmp_path / "subs"), "--assignment",
               "02-quadratic-fit", "--out", str(tmp_path / "out")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "bubblewrap" in done.stderr and "--sandbox none" in done.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_unsandboxed_only_when_asked():
    from autograder.cli import build_parser

    assert build_parser().parse_args(["grade", "subs"]).sandbox == "bwrap"
    with pytest.raises(ValueError):
        Sandbox("bogus")
    with Sandbox("none") as box:
        assert values(box, ["x = 6 * 7"], "x") == [42]


FORK_BOMB = """
import os, time
count = 0
try:
    while count < 3000:  # a guard, in case no cap applies
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        count += 1
except OSError:
    pass
"""


def test_fork_bomb_is_capped_and_cleaned_up(sandbox):
    sandbox.ensure_started()
    if sandbox.cap is None or sandbox.cap.path is None:
        pytest.skip("no writable pids cgroup on this machine: only RLIMIT_NPROC bounds processes")
    before = descendants(sandbox.process.pid)
    limits = Limits(notebook_seconds=60, cell_seconds=30, call_seconds=5, memory_mb=600, processes=48)
    notebook = run_cells(sandbox, [FORK_BOMB], limits)
    count = notebook.value("count")
    notebook.session.end()
    sandbox.settle()
    assert 0 < count < limits.processes + SANDBOX_PROCESSES
    assert descendants(sandbox.process.pid) == before


def test_parallel_sandboxes_do_not_share_files_or_processes(sandbox):
    """Two sandboxes at once (``--workers 2``): neither sees the other's files or processes."""
    with Sandbox("bwrap") as other:
        notebook = run_cells(other, ["import os\nopen('/tmp/mine.txt', 'w').write('x')\n"
                                     "open('mine.txt', 'w').write('x')\nhere = os.getcwd()"])
        try:
            here = notebook.value("here")
            cells = [f"import os\nseen = [os.path.exists(p) for p in ('/tmp/mine.txt', {here + '/mine.txt'!r})]",
                     "pids = len([p for p in os.listdir('/proc') if p.isdigit()])"]
            seen, pids = values(sandbox, cells, "seen", "pids")
        finally:
            notebook.session.end()
    assert seen == [False, False]
    assert pids < 8  # its own 5 (bwrap init, zygote, supervisor, notebook process and its parent), not 10


def test_signals_without_a_name_are_reported_by_number():
    from autograder.worker import signal_name

    assert (signal_name(11), signal_name(40)) == ("SIGSEGV", "40")
