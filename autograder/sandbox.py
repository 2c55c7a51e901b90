"""Start the sandboxed worker and talk to it (the grader's side of ``worker.py``).

The default backend is bubblewrap: a read-only view of only the system libraries
and the Python environment, a private ``/tmp`` and scratch folder, no network, its
own process and user namespaces, and no capabilities.  The project folder, the
hidden tests and the other submissions are not mounted at all.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.framing import LineReader, answers

WORKER_FILES = ("worker.py", "wire.py", "framing.py", "isolation.py", "call_server.py")
MARGIN_SECONDS = 15
BACKENDS = ("bwrap", "setpriv", "none")


class SandboxUnavailable(RuntimeError):
    """The requested sandbox cannot run on this machine."""


class SandboxBroken(RuntimeError):
    """The worker stopped answering; the sandbox must be restarted."""


@dataclass
class Limits:
    """Resource limits for one submission."""

    notebook_seconds: float = 120.0
    cell_seconds: float = 60.0
    call_seconds: float = 30.0
    memory_mb: int = 2048
    file_mb: int = 64
    processes: int = 256
    seed: int = 42

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


INSTALL_HINT = (
    "Student code runs inside a bubblewrap sandbox, which is not available here ({why}). "
    "Install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`; it needs unprivileged user "
    "namespaces, so on a Mac use a Linux VM or container), or, only for submissions you trust, "
    "opt out explicitly with `--sandbox none`."
)


def python_roots() -> list[str]:
    """Folders the interpreter and its packages live in."""
    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix}
    return sorted(roots)


ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf")


def system_binds(etc_files: tuple[str, ...] = ETC_FILES) -> list[str]:
    """bubblewrap arguments that show ``/usr``, its top-level links and a few ``/etc`` files, read-only."""
    arguments = ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / link
        if path.is_symlink():
            arguments += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            arguments += ["--ro-bind", str(path), str(path)]
    for name in etc_files:
        arguments += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return arguments


def bwrap_command(worker_dir: Path) -> list[str]:
    """The bubblewrap command line that starts the zygote."""
    command = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000"]
    command += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
    # /tmp first: the project (and its venv) may itself live under /tmp, bound below.
    command += [*sized_tmpfs("/tmp"), *system_binds()]
    for root in python_roots():
        command += ["--ro-bind", root, root]
    for name in WORKER_FILES:
        command += ["--ro-bind", str(worker_dir / name), f"/grader/{name}"]
    command += ["--proc", "/proc", "--dev", "/dev", *sized_tmpfs("/dev/shm"), *sized_tmpfs("/scratch")]
    command += ["--remount-ro", "/dev"]  # device nodes only: nothing can be left in /dev
    command += ["--remount-ro", "/"]  # the folders bwrap made (/etc, /grader, ...) are read-only too
    for key, value in sandbox_environment("/scratch").items():
        command += ["--setenv", key, value]
    command += ["--chdir", "/scratch", sys.executable, "-I", "/grader/worker.py", "/scratch", "--sweep"]
    return command


SANDBOX_TMPFS_MB = 64  # the sandbox's own /tmp, /dev/shm, /scratch (each student process mounts its own)


def sized_tmpfs(folder: str, size_mb: int = SANDBOX_TMPFS_MB) -> list[str]:
    """bubblewrap arguments for a RAM-backed folder that holds at most ``size_mb``."""
    return ["--size", str(size_mb * 1024 * 1024), "--tmpfs", folder]


def sandbox_environment(home: str) -> dict[str, str]:
    """The only environment variables student code sees."""
    return {
        "HOME": home,
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
    }


def check_bwrap() -> None:
    """Raise ``SandboxUnavailable`` with advice unless bubblewrap works here."""
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(INSTALL_HINT.format(why="`bwrap` is not installed"))
    probe = ["bwrap", "--unshare-all", "--unshare-user", "--ro-bind", "/usr", "/usr"]
    probe += ["--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib"]
    probe += ["--symlink", "usr/lib64", "/lib64", "/usr/bin/true"]
    result = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        why = result.stderr.strip() or f"exit code {result.returncode}"
        raise SandboxUnavailable(INSTALL_HINT.format(why=f"bwrap failed: {why}"))


UNPRIVILEGED_IDS = (65534, 65534)  # nobody / nogroup on Debian and Ubuntu


def setpriv_command(worker_dir: Path, folder: Path) -> list[str]:
    """Start the zygote as ``nobody`` with no capabilities: for containers where bwrap cannot run.

    The fallback of the Gradescope entry point (Docker usually refuses user namespaces):
    ``folder`` receives a copy of the worker files and a scratch folder owned by that user.
    The caller must make the hidden tests unreadable to it (``gradescope/entry.py`` does).
    Unlike bwrap this leaves the network and the rest of the file system as they are.
    """
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        raise SandboxUnavailable("the setpriv sandbox needs root and setpriv (util-linux)")
    uid, gid = UNPRIVILEGED_IDS
    grader, scratch = folder / "grader", folder / "scratch"
    grader.mkdir()
    scratch.mkdir()
    for name in WORKER_FILES:
        shutil.copyfile(worker_dir / name, grader / name)
        os.chmod(grader / name, 0o644)
    os.chmod(folder, 0o755)
    os.chmod(grader, 0o755)
    os.chown(scratch, uid, gid)
    os.chmod(scratch, 0o700)
    command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--no-new-privs"]
    command += ["--inh-caps=-all", "--bounding-set=-all", "--"]
    return command + [sys.executable, "-I", str(grader / "worker.py"), str(scratch)]


CGROUP_ROOTS = {
    "pids": ("/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"),
    "memory": ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"),
}
# The file that shows a folder is a cgroup with that controller (cgroup v2 first, then v1).
CONTROL_FILES = {"pids": ("pids.max",), "memory": ("memory.max", "memory.limit_in_bytes")}
MAX_PROCESSES = 512
MB = 1024 * 1024
SANDBOX_PROCESSES = 16  # bwrap, the zygote, the supervisor and their threads


def remove_stale_cgroups() -> None:
    """Delete the empty cgroups of graders that ended without cleaning up."""
    for root in {root for name, roots in CGROUP_ROOTS.items() for root in parents(name, roots)}:
        for folder in root.glob("gd-grade-*") if root.is_dir() else []:
            owner = folder.name.split("-")[2]
            if not Path(f"/proc/{owner}").exists():
                try:
                    folder.rmdir()
                except OSError:
                    pass


def parents(controller: str, roots: tuple[str, ...]) -> list[Path]:
    """Where a cgroup for ``controller`` may go: inside the grader's own cgroup first (so the
    limits of a container the grader runs in still apply), then at the top of each hierarchy."""
    own: dict[str, str] = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else ["unified"]:
                own[name] = path.lstrip("/")
    except (OSError, ValueError):
        pass
    found: list[Path] = []
    for root in map(Path, roots):
        inner = own.get(controller if root.name == controller else "unified", "")
        found += [root / inner, root] if inner else [root]
    return found


def write(path: Path, value: int | str) -> bool:
    try:
        path.write_text(str(value))
        return True
    except OSError:
        return False


def read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class ProcessCap:
    """``pids`` and ``memory`` cgroups around one sandbox, where this machine lets us make them.

    The pids cgroup bounds a fork bomb even when the grader runs as root (where
    ``RLIMIT_NPROC`` does not apply) and lets ``close`` kill every process the sandbox
    ever started.  The memory cgroup bounds the whole submission: all its processes
    together and the files it writes to RAM-backed folders (tmpfs pages are charged
    to it), with no swap.  cgroup v2 (one folder) and v1 (one folder per controller)
    both work.  Best effort: a controller with no writable cgroup is left out of
    ``paths``, and the sandbox relies on its namespaces, rlimits and sized tmpfs.
    """

    def __init__(self, processes: int = MAX_PROCESSES) -> None:
        self.paths: dict[str, Path] = {}
        self.base_memory = 0
        remove_stale_cgroups()
        for controller, roots in CGROUP_ROOTS.items():
            folder = self.make(controller, roots)
            if folder is not None:
                self.paths[controller] = folder
        self.limit(processes)

    def make(self, controller: str, roots: tuple[str, ...]) -> Path | None:
        """A new cgroup folder with ``controller``, or the one already made for another controller (v2)."""
        for folder in self.paths.values():
            if any((folder / name).is_file() for name in CONTROL_FILES[controller]):
                return folder
        for root in parents(controller, roots):
            folder = root / f"gd-grade-{os.getpid()}-{id(self):x}"
            try:
                folder.mkdir(exist_ok=True)
            except OSError:
                continue
            if any((folder / name).is_file() for name in CONTROL_FILES[controller]):
                return folder
            if folder not in self.paths.values():
                try:
                    folder.rmdir()  # a plain folder, or a cgroup without this controller
                except OSError:
                    pass
        return None

    @property
    def path(self) -> Path | None:
        """The pids cgroup (None if there is none)."""
        return self.paths.get("pids")

    def limit(self, processes: int, memory_bytes: int | None = None) -> None:
        """Allow at most ``processes`` tasks (threads included) and ``memory_bytes`` above the zygote's own."""
        if "pids" in self.paths:
            write(self.paths["pids"] / "pids.max", processes)
        folder = self.paths.get("memory")
        if folder is None or memory_bytes is None:
            return
        total = self.base_memory + memory_bytes
        if (folder / "memory.max").is_file():
            write(folder / "memory.max", total)
            write(folder / "memory.swap.max", 0)
        else:  # v1: memory+swap may never be below memory, so write in the order that keeps that
            for name in ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.limit_in_bytes"):
                write(folder / name, total)

    def usage(self) -> int | None:
        """Bytes of memory the sandbox's processes and files hold now (None without a memory cgroup)."""
        folder = self.paths.get("memory")
        if folder is None:
            return None
        return read_int(folder / "memory.current") or read_int(folder / "memory.usage_in_bytes")

    def peak(self) -> int | None:
        """The most memory the sandbox held at once, where the kernel reports it."""
        folder = self.paths.get("memory")
        if folder is None:
            return None
        return read_int(folder / "memory.peak") or read_int(folder / "memory.max_usage_in_bytes")

    def reset_peak(self) -> None:
        folder = self.paths.get("memory")
        if folder is not None:
            write(folder / "memory.max_usage_in_bytes", 0) or write(folder / "memory.peak", "reset")

    def started(self) -> None:
        """Record what the idle sandbox holds: a session's memory limit comes on top of it."""
        self.base_memory = self.usage() or 0

    def join(self) -> None:
        """Move the calling process into the cgroups (run in the child before ``exec``)."""
        for folder in set(self.paths.values()):
            write(folder / "cgroup.procs", os.getpid())

    def pids(self) -> list[int]:
        found: set[int] = set()
        for folder in set(self.paths.values()):
            try:
                found |= {int(line) for line in (folder / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                pass
        return sorted(found)

    def remove(self) -> None:
        """Kill whatever is left inside, then delete the cgroups."""
        deadline = time.monotonic() + 5
        while self.pids() and time.monotonic() < deadline:
            for pid in self.pids():
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
            time.sleep(0.01)
        for folder in set(self.paths.values()):
            try:
                folder.rmdir()
            except OSError:
                pass
        self.paths = {}


class Sandbox:
    """One sandboxed zygote; grades one submission at a time through sessions."""

    def __init__(self, backend: str = "bwrap") -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown sandbox backend {backend!r}; choose from {BACKENDS}")
        self.backend = backend
        self.worker_dir = Path(__file__).resolve().parent
        self.process: subprocess.Popen[bytes] | None = None
        self.scratch: tempfile.TemporaryDirectory[str] | None = None
        self.reader: LineReader | None = None
        self.cap: ProcessCap | None = None
        self.cleaning = False  # the last session ended and the zygote is cleaning up after it
        self.starting = False  # launched, not yet ready
        self.launcher = 0  # the process that launched the zygote (its parent)

    def start(self) -> None:
        self.launch()
        self.await_ready()

    def launch(self) -> None:
        """Start the zygote without waiting for it: it imports torch while the caller goes on."""
        if self.backend == "bwrap":
            check_bwrap()
            command, env = bwrap_command(self.worker_dir), None
        elif self.backend == "setpriv":
            self.scratch = tempfile.TemporaryDirectory(prefix="grade-setpriv-")
            command = setpriv_command(self.worker_dir, Path(self.scratch.name))
            env = sandbox_environment(str(Path(self.scratch.name) / "scratch"))
        else:
            self.scratch = tempfile.TemporaryDirectory(prefix="grade-scratch-")
            command = [sys.executable, "-I", str(self.worker_dir / "worker.py"), self.scratch.name]
            env = sandbox_environment(self.scratch.name)
        self.cap = ProcessCap()
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            preexec_fn=self.cap.join,
        )
        self.launcher = os.getpid()
        assert self.process.stdout is not None
        self.reader = LineReader(self.process.stdout.fileno())
        self.starting = True

    def await_ready(self) -> None:
        """Wait for the zygote that ``launch`` started to say it is ready."""
        self.starting = False
        ready = self.wait_for_hello(time.monotonic() + 120)
        if ready.get("event") != "ready":
            raise SandboxBroken(f"the sandbox did not start: {ready}")
        assert self.cap is not None
        self.cap.started()

    def release(self) -> None:
        """In another process that inherited this sandbox: close our copies of its pipes, leave it running."""
        if self.process is not None:
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()

    def exited(self) -> bool:
        """Whether the zygote has ended (also in a process that inherited it, where it is no child of ours)."""
        if self.process is None:
            return True
        if os.getpid() == self.launcher:
            return self.process.poll() is not None
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                return stat.read().rpartition(")")[2].split()[0] in ("Z", "X")
        except (OSError, IndexError):
            return True

    def wait_for_hello(self, deadline: float) -> dict[str, Any]:
        """The zygote's first message; fails at once if the sandbox process exits first.

        (A bwrap that fails after forking can leave a child holding the pipe open, so
        end of file alone would only come at the deadline.)
        """
        assert self.process is not None
        while True:
            try:
                return self.receive(min(deadline, time.monotonic() + 0.5))
            except SandboxBroken as error:
                exited = self.exited()
                if exited or time.monotonic() >= deadline or not isinstance(error.__cause__, TimeoutError):
                    code = self.process.returncode if exited else None
                    raise SandboxBroken(f"the sandbox did not start (exit code {code})") from error

    def ensure_started(self) -> None:
        """A zygote that runs and has cleaned up after the last session."""
        self.settle()
        if self.starting:
            try:
                self.await_ready()
                return
            except SandboxBroken:
                self.close()
        if self.exited():
            self.close()
            self.start()

    def send(self, message: dict[str, Any]) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(message, allow_nan=False) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise SandboxBroken("the sandbox stopped") from error

    def receive(self, deadline: float) -> dict[str, Any]:
        assert self.reader is not None
        try:
            message = self.reader.read(deadline)
        except TimeoutError as error:
            raise SandboxBroken("the sandbox stopped answering") from error
        except ValueError as error:
            raise SandboxBroken(f"the sandbox sent bad data: {error}") from error
        if message is None:
            raise SandboxBroken("the sandbox exited")
        if not isinstance(message, dict):
            raise SandboxBroken("the sandbox sent bad data")
        return message

    def session(self, limits: Limits) -> Session:
        """Start grading one submission."""
        self.ensure_started()
        if self.cap is not None:
            self.cap.limit(limits.processes + SANDBOX_PROCESSES, limits.memory_mb * MB)
            self.cap.reset_peak()
        self.send({"op": "session", "limits": limits.as_dict()})
        self.expect("session", time.monotonic() + 60)
        return Session(self, limits)

    def settle(self) -> None:
        """Wait for the clean-up after the last session (it runs while the grader judges and writes).

        Whatever goes wrong there belongs to no submission: the zygote is replaced, quietly.
        """
        if not self.cleaning:
            return
        self.cleaning = False
        try:
            self.expect("ended", time.monotonic() + 30)
            clean = self.expect("idle", time.monotonic() + 30).get("clean", False)
        except SandboxBroken:
            clean = False
        if not clean:
            self.close()  # something survived the clean-up: start afresh

    def expect(self, event: str, deadline: float) -> dict[str, Any]:
        message = self.receive(deadline)
        if message.get("event") != event:
            raise SandboxBroken(f"expected {event!r} from the sandbox, got {message.get('event')!r}")
        return message

    def close(self) -> None:
        self.cleaning = self.starting = False
        if self.process is not None:
            if not self.exited():
                os.kill(self.process.pid, signal.SIGKILL)  # Popen.kill would not, where it is no child of ours
            if os.getpid() == self.launcher:
                self.process.wait()  # elsewhere the launcher reaps it (``close`` there too)
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
        self.process = None
        if self.cap is not None:
            self.cap.remove()
            self.cap = None
        if self.scratch is not None:
            self.scratch.cleanup()
            self.scratch = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


@dataclass
class Execution:
    """What happened when the notebook's cells ran."""

    cells: dict[int, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    died_in_cell: int | None = None
    death: str | None = None
    seconds: float = 0.0
    tampered: list[str] = field(default_factory=list)


SUPERVISOR_GONE = ("idle", "ready", "session", "ended")


MAX_TEXT = 500
MAX_NAMES = 10_000


def plain_names(names: Any) -> dict[str, str]:
    """The notebook's names as the student process reported them, validated."""
    if not isinstance(names, dict):
        return {}
    return {
        str(name)[:200]: "callable" if kind == "callable" else "value"
        for name, kind in list(names.items())[:MAX_NAMES]
    }


class Session:
    """The grader's handle on one submission's student process.

    Everything that arrives here came from (or through) untrusted code: events are
    checked, and anything unexpected is counted in ``unexpected`` for the flags.
    """

    def __init__(self, sandbox: Sandbox, limits: Limits) -> None:
        self.sandbox = sandbox
        self.limits = limits
        self.ended = False
        self.spent = 0.0  # seconds the notebook's runs took, together
        self.unexpected = 0
        self.tampered: list[str] = []

    def receive(self, deadline: float) -> dict[str, Any]:
        """The next message; ``SandboxBroken`` if the supervisor itself is gone."""
        message = self.sandbox.receive(deadline)
        event = message.get("event")
        if event in SUPERVISOR_GONE:
            raise SandboxBroken(f"the grader's supervisor ended unexpectedly ({event!r})")
        if event == "unexpected":
            self.unexpected += 1
        self.note_tampering(message.get("tampered"))
        return message

    def note_tampering(self, report: Any) -> None:
        if isinstance(report, list):
            for item in report[:20]:
                text = str(item)[:80]
                if text not in self.tampered:
                    self.tampered.append(text)

    def run(self, cells: list[str], skip: set[int], seconds: float | None = None) -> Execution:
        """Execute ``cells`` (except ``skip``) in a fresh student process.

        All runs of a session share the notebook's time limit: a run after a crash
        gets what the earlier runs left of it.  A run the grader asks for itself is
        given ``seconds`` instead, and its time is not the student's.
        """
        started = time.monotonic()
        budget = max(0.0, self.limits.notebook_seconds - self.spent) if seconds is None else seconds
        self.sandbox.send({"op": "run", "cells": cells, "skip": sorted(skip), "seconds": budget})
        deadline = started + budget + MARGIN_SECONDS
        execution, current = Execution(), None
        while True:
            message = self.receive(deadline)
            event = message.get("event")
            if event == "cell-start":
                current = message.get("index")
            elif event == "cell":
                index = message.get("index")
                if isinstance(index, int) and 0 <= index < len(cells):
                    error = message.get("error")
                    execution.cells[index] = {
                        "status": str(message.get("status"))[:20],
                        "error": None if error is None else str(error)[:MAX_TEXT],
                    }
                current = None
            elif event == "executed":
                execution.names = plain_names(message.get("names"))
                break
            elif event == "died":
                execution.died_in_cell = current if isinstance(current, int) else None
                execution.death = str(message.get("reason"))[:300]
                break
            elif event != "unexpected":
                self.unexpected += 1
        execution.seconds = time.monotonic() - started
        if seconds is None:
            self.spent += execution.seconds
        execution.tampered = list(self.tampered)
        return execution

    def request(self, message: dict[str, Any], seconds: float) -> dict[str, Any]:
        """Send a ``call`` or ``get`` and return the student process's reply."""
        request_id = secrets.token_hex(8)  # a reply made up in advance cannot know it
        self.sandbox.send({**message, "seconds": seconds, "id": request_id})
        deadline = time.monotonic() + seconds + MARGIN_SECONDS
        while True:
            reply = self.receive(deadline)
            if reply.get("event") == "died" or (reply.get("event") == "result" and answers(reply, request_id)):
                return reply
            self.unexpected += 1

    def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        self.sandbox.send({"op": "end"})
        self.sandbox.cleaning = True  # the next session waits for it (``Sandbox.settle``)
