"""The code that runs inside the sandbox, next to the student's notebook.

Three kinds of process, all started from one interpreter that has imported torch
once (that warm start is where the speed comes from):

* the *zygote* reads one command, ``session``, and forks a supervisor for it.  It
  never sees a submission's data, so nothing can leak from one student to the next
  through memory inherited by ``fork``.  After each session it kills every process
  left behind and wipes the scratch folders.
* the *supervisor* owns one submission: it forks the student process, relays the
  grader's requests to it and enforces wall-clock deadlines.
* the *student process* executes the notebook's cells, then answers requests to
  call its functions or read its variables, returning plain data (see ``wire``).
  Where the kernel allows, it is PID 1 of its own user and PID namespaces
  (``enter_student_namespaces``): it cannot signal the supervisor or the zygote,
  and everything it starts dies with it.

Nothing here is trusted by the grader: the student process may rewrite any of
this code at run time.  It can only answer with data, and the grader checks that
data itself.  This file imports only the standard library, torch and ``wire``.
"""

from __future__ import annotations

import builtins
import ctypes
import io
import os
import random
import re
import resource
import shutil
import signal
import sys
import time
import traceback
import types
from collections.abc import Callable
from typing import Any

if __package__:  # imported by the grader (tests): leave its sys.path alone
    from autograder import wire
    from autograder.call_server import (
        RequestServer,
        close_descriptors_but,
        fork_when_possible,
        kill_all_but_init,
    )
    from autograder.framing import LineReader, answers, send
    from autograder.isolation import drop_capabilities, fresh_folders, map_ids, mount_points
else:  # run as a script inside the sandbox, where `python -I` does not add this folder
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import wire  # type: ignore[no-redef]
    from call_server import (  # type: ignore[no-redef]
        RequestServer,
        close_descriptors_but,
        fork_when_possible,
        kill_all_but_init,
    )
    from framing import LineReader, answers, send  # type: ignore[no-redef]
    from isolation import drop_capabilities, fresh_folders, map_ids, mount_points  # type: ignore[no-redef]

PR_SET_DUMPABLE = 4


class CellTimeout(BaseException):
    """Raised in the student process when a cell or call runs out of time."""


# ---------------------------------------------------------------------- zygote
def zygote(scratch: str, sweep: bool) -> None:
    """Import the heavy libraries once, then fork a supervisor per session."""
    preload()
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    reader = LineReader(0, unbuffered=True)
    send(1, {"event": "ready", "pid": os.getpid()})
    while True:
        message = reader.read()
        if message is None:
            return
        if message.get("op") != "session":
            continue
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                Supervisor(message, scratch, private=sweep).serve()
            except BaseException:  # noqa: BLE001 - report and leave
                traceback.print_exc()
                code = 1
            os._exit(code)
        os.waitpid(pid, 0)
        clean = clean_up(scratch, sweep)
        send(1, {"event": "idle", "clean": clean})


def preload() -> None:
    """Import what notebooks use, so each submission starts warm."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import numpy  # noqa: F401
    import torch
    import torch._dynamo  # noqa: F401 - torch.optim imports it lazily, and it rewraps torch.manual_seed

    torch.set_num_threads(1)
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        pass


def clean_up(scratch: str, sweep: bool) -> bool:
    """Kill whatever a session left running and empty the scratch folders."""
    clean = kill_all_but_init(everywhere=True) if sweep else True  # bwrap's init is PID 1 here
    for folder in (scratch, "/tmp", "/dev/shm") if sweep else (scratch,):
        clean &= empty_folder(folder)
    return clean


def empty_folder(folder: str) -> bool:
    """Remove everything inside ``folder``; False if something stayed.

    Folders that lead to a mount point (the Python environment is bound under
    ``/tmp`` when the project lives there) are kept, and emptied around it.
    """
    if not os.path.isdir(folder):
        return True
    mounts = mount_points()
    keep = {os.path.dirname(m) for m in mounts}
    while True:
        grown = {os.path.dirname(path) for path in keep} | keep
        if grown == keep:
            break
        keep = grown
    return _empty(folder, keep | mounts)


def _empty(folder: str, keep: set[str]) -> bool:
    for root, dirs, _ in os.walk(folder):
        for name in dirs:
            try:
                os.chmod(os.path.join(root, name), 0o700)
            except OSError:
                pass
    clean = True
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if path in keep:
            clean &= os.path.ismount(path) or _empty(path, keep)
        elif os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass
    return clean and all(os.path.join(folder, name) in keep for name in os.listdir(folder))




def files_mb(limits: dict[str, Any]) -> int:
    """The size of each RAM-backed folder a student may write: a quarter of its memory limit."""
    return max(16, int(limits.get("memory_mb", 2048)) // 4)


# ------------------------------------------------------------------ supervisor
class Supervisor:
    """Runs one submission: starts the student process and relays requests to it."""

    def __init__(self, session: dict[str, Any], scratch: str, private: bool = False) -> None:
        self.limits = session.get("limits", {})
        self.scratch = scratch
        self.private = private  # calls get private views of the writable folders (only inside bwrap)
        self.reader = LineReader(0)
        self.child: int | None = None
        self.to_child = -1
        self.from_child: LineReader | None = None

    def serve(self) -> None:
        send(1, {"event": "session"})
        while True:
            message = self.reader.read()
            if message is None or message.get("op") == "end":
                self.stop_child()
                send(1, {"event": "ended"})
                return
            if message.get("op") == "run":
                self.start_child(message)
                seconds = float(message.get("seconds", self.limits.get("notebook_seconds", 120)))
                deadline = time.monotonic() + seconds + 2  # what is left of the notebook's time
                self.relay(until="executed", deadline=deadline)
            elif self.child is None:
                send(1, {"event": "died", "reason": "the notebook's process is not running"})
            else:
                send(self.to_child, {"route": str(message.get("route", "plain"))[:1000]})
                send(self.to_child, message)
                deadline = time.monotonic() + float(message.get("seconds", 30)) + 2
                self.relay(until="result", deadline=deadline, request_id=message.get("id"))

    def start_child(self, message: dict[str, Any]) -> None:
        self.stop_child()
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(request_w)
                os.close(reply_r)
                own_namespace = enter_student_namespaces()
                student = StudentProcess(request_r, reply_w, self.limits, self.scratch, own_namespace)
                student.private = self.private
                student.run(message)
            finally:
                os._exit(0)
        os.close(request_r)
        os.close(reply_w)
        self.child, self.to_child, self.from_child = pid, request_w, LineReader(reply_r)

    def relay(self, until: str, deadline: float, request_id: Any = None) -> None:
        """Forward the student process's messages until ``until`` arrives.

        A cell also has its own deadline here, for a cell that blocks the alarm
        signal the student process uses to stop itself.  A result must answer
        ``request_id``: one made up for another request is not forwarded as a result.
        """
        assert self.from_child is not None
        cell_seconds = float(self.limits.get("cell_seconds", 60)) + 2
        cell_deadline, forged = deadline, 0
        while True:
            try:
                message = self.from_child.read(min(deadline, cell_deadline))
            except TimeoutError:
                self.stop_child()
                send(1, {"event": "died", "reason": "timeout"})
                return
            except ValueError:
                self.stop_child()
                send(1, {"event": "died", "reason": "it sent a malformed or oversized message"})
                return
            if message is None:
                send(1, {"event": "died", "reason": self.stop_child(grace=2.0)})
                return
            event = message.get("event") if isinstance(message, dict) else None
            if event == "result" and not answers(message, request_id):
                event = "forged-result"
            if event not in STUDENT_EVENTS:
                message = {"event": "unexpected", "what": str(event)[:40]}
                forged += 1
                if forged > MAX_FORGED:
                    self.stop_child()
                    send(1, {"event": "died", "reason": "it sent a flood of malformed messages"})
                    return
            send(1, message)
            if event == until:
                return
            if event == "cell-start":
                cell_deadline = time.monotonic() + cell_seconds
            elif event == "cell":
                cell_deadline = deadline

    def stop_child(self, grace: float = 0.0) -> str:
        """Kill the student process (and its group); describe how it ended.

        ``grace``: seconds to let a process that is already dying (its pipe closed)
        finish on its own, so its own exit status or signal can be reported.
        """
        if self.child is None:
            return "the notebook's process is not running"
        pid, status = os.waitpid(self.child, os.WNOHANG)
        give_up = time.monotonic() + grace
        while pid == 0 and time.monotonic() < give_up:
            time.sleep(0.01)
            pid, status = os.waitpid(self.child, os.WNOHANG)
        # its child too: PID 1 of the notebook's namespaces, which may have cleared its parent-death signal
        for target in (-self.child, self.child, *children_of(self.child)):
            try:
                os.kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if pid == 0:
            _, status = os.waitpid(self.child, 0)
        os.close(self.to_child)
        self.child = None
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL:
            return f"it was killed by signal {signal_name(os.WTERMSIG(status))} (a crash)"
        if os.WIFEXITED(status):
            return f"it exited with code {os.WEXITSTATUS(status)} (os._exit?)"
        return "it was killed"


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``, read from ``/proc``."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if len(fields) > 1 and fields[1] == str(pid) and fields[0] not in ("Z", "X"):
                found.append(int(name))
    return found


def signal_name(number: int) -> str:
    """``SIGSEGV`` for 11; the number for signals without a name (real-time ones)."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


STUDENT_EVENTS = ("cell-start", "cell", "executed", "result")
MAX_FORGED = 100  # messages outside the protocol before the student process is stopped
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
PRIVATE_MOUNTS = False  # set in the student process once it has a mount namespace of its own
PR_SET_PDEATHSIG = 1


def expendable() -> None:
    """Make this process (and all it starts) the first the kernel kills when memory runs out.

    In the sandbox's memory cgroup, that is the notebook's processes rather than the
    supervisor or the zygote.  Raising one's own score needs no privilege; lowering it does.
    """
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
    except OSError:
        pass


def enter_student_namespaces() -> bool:
    """Put the student process in its own user, PID, mount and IPC namespaces, if the kernel allows.

    Its own mount namespace lets ``StudentProcess.confine`` give it fresh, sized file
    systems (``fresh_folders``), and its own IPC namespace its own message queues and
    shared memory: nothing written there outlives it or reaches the next submission.

    Called in a fresh child of the supervisor.  After ``unshare`` it forks once more:
    the grandchild becomes PID 1 of the new PID namespace and returns to run the
    notebook, while this process stays behind, waits and exits the way the grandchild
    did.  From inside, the supervisor and the zygote have no PID, so they cannot be
    signalled (``os.kill(os.getppid(), 9)``, ``kill -1``); PID 1 ignores the signals
    it sends itself, and every process the student starts dies with it.  False (and
    nothing changes) where namespaces are refused.
    """
    global PRIVATE_MOUNTS
    expendable()
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC) != 0:
        return False
    PRIVATE_MOUNTS = True
    map_ids(uid, gid)
    pid = os.fork()
    if pid == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        return True
    close_descriptors_but()
    _, status = os.waitpid(pid, 0)
    exit_like(status)


SIGNALLED = 190  # exit codes SIGNALLED + n stand for "killed by signal n" on the way out of the namespace
PYTHON = sys.executable  # taken before any student code runs
# PID 1 once the notebook's process has handed over while threads of its cells still ran: exec
# ends those threads; it then waits for the template (argv[1]) and leaves the way it did.
REAPER = f"""import os, sys
template = int(sys.argv[1])
while True:
    try:
        pid, status = os.waitpid(-1, 0)
    except ChildProcessError:
        os._exit(1)
    except InterruptedError:
        continue
    if pid == template:
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else {SIGNALLED} + os.WTERMSIG(status))
"""


def exit_like(status: int) -> None:
    """Leave with the exit status ``status`` describes (a signal as SIGNALLED + n or as itself)."""
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
    number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    if not number and SIGNALLED < code <= SIGNALLED + 64 and os.getpid() != 1:
        number = code - SIGNALLED
    if number and os.getpid() != 1:  # the init of a PID namespace cannot signal itself
        try:
            signal.signal(number, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
        os.kill(os.getpid(), number)
    os._exit(SIGNALLED + number if number else code)


# ------------------------------------------------------------- student process
class CappedText(io.TextIOBase):
    """A stdout replacement that keeps only the first few kilobytes."""

    def __init__(self, limit: int = 20_000) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit

    def write(self, text: str) -> int:
        if self.size < self.limit:
            self.parts.append(str(text)[: self.limit - self.size])
        self.size += len(text)
        return len(text)

    def writable(self) -> bool:
        return True


SYS_HOOKS = ("excepthook", "displayhook", "breakpointhook", "unraisablehook", "settrace", "setprofile")


class Watch:
    """Remembers the library functions tests rely on, to report which ones were replaced.

    The snapshot is taken before any student code runs.  The report is evidence for
    the ``flags`` column only: a student can silence it, never use it to gain points.
    """

    MODULES = ("torch", "numpy", "math", "builtins", "otter", "doctest", "unittest")

    def __init__(self) -> None:
        self.saved: dict[str, dict[str, int]] = {}
        self.modules = {name: id(sys.modules.get(name)) for name in self.MODULES}
        for label, owner in self.owners():
            self.saved[label] = {key: id(value) for key, value in list(vars(owner).items())}

    def owners(self) -> list[tuple[str, Any]]:
        found = []
        for name in self.MODULES:
            module = sys.modules.get(name)
            if module is not None:
                found.append((name, module))
        torch = sys.modules.get("torch")
        if torch is not None:
            found += [("torch.Tensor", torch.Tensor), ("torch.nn.functional", torch.nn.functional)]
        found.append(("sys", types.SimpleNamespace(**{key: getattr(sys, key, None) for key in SYS_HOOKS})))
        return found

    def changed(self) -> list[str]:
        """``module.name`` for every watched attribute replaced or deleted since the snapshot."""
        report = [f"sys.modules[{name!r}]" for name, ident in self.modules.items()
                  if id(sys.modules.get(name)) != ident]
        for label, owner in self.owners():
            saved = self.saved.get(label, {})
            current = vars(owner)
            report += [f"{label}.{key}" for key, ident in saved.items()
                       if key not in current or id(current[key]) != ident]
        return report[:20]


class StudentProcess:
    """Executes a notebook's cells, then serves calls to what they defined."""

    def __init__(
        self, requests: int, replies: int, limits: dict[str, Any], scratch: str, own_namespace: bool = False
    ) -> None:
        self.requests = LineReader(requests)
        self.own_namespace = own_namespace
        self.private = False
        self.replies = replies
        self.limits = limits
        self.scratch = scratch
        self.namespace: dict[str, Any] = {}
        self.watch: Watch | None = None

    # -- set-up
    def confine(self) -> None:
        try:
            os.setsid()
        except OSError:
            pass
        keep = {self.requests.fd, self.replies}
        for fd in range(3, 256):
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        if PRIVATE_MOUNTS and self.private:  # inside bwrap only: under setpriv, /tmp is the container's own
            fresh_folders([self.scratch, "/tmp", "/dev/shm"], files_mb(self.limits))
        work = os.path.join(self.scratch, "work")
        os.makedirs(work, exist_ok=True)
        os.chdir(work)
        os.environ["HOME"] = self.scratch
        memory = int(self.limits.get("memory_mb", 2048)) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (address_space() + memory,) * 2)
        seconds = int(self.limits.get("notebook_seconds", 120)) + 30
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        files = int(self.limits.get("file_mb", 64)) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        processes = int(self.limits.get("processes", 256))
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        sys.stdout = sys.stderr = CappedText()
        install_fake_otter()
        seed_everything(int(self.limits.get("seed", 42)))
        self.watch = Watch()

    def run(self, message: dict[str, Any]) -> None:
        self.confine()
        drop_capabilities()
        self.namespace = {"__name__": "__main__", "__builtins__": builtins, "display": display}
        self.namespace["get_ipython"] = Shell(self.namespace).get_ipython
        skip = set(message.get("skip", []))
        seconds = float(self.limits.get("cell_seconds", 60))
        for index, source in enumerate(message.get("cells", [])):
            if index in skip:
                self.reply({"event": "cell", "index": index, "status": "skipped"})
                continue
            self.reply({"event": "cell-start", "index": index})
            status, error = self.execute(str(source), f"<cell {index + 1}>", seconds)
            self.reply({"event": "cell", "index": index, "status": status, "error": error})
        self.reply({"event": "executed", "names": self.names(), "tampered": self.watch.changed()})
        self.hand_over()

    def hand_over(self) -> None:
        """Serve the grader's requests (see ``call_server``): plain ones here, until references arrive."""
        server = RequestServer(
            self.requests.fd, self.replies, self.answer_one, float(self.limits.get("call_seconds", 30)),
            int(self.limits.get("file_mb", 64)), self.own_namespace, self.private,
        )
        server.serve(self.become_template)

    def become_template(self, template: Callable[[], None]) -> None:
        """Fork the template (a single thread) to run ``template``; the threads of this process end."""
        if self.own_namespace:
            kill_all_but_init()  # the notebook's processes: they may hold every process slot
        gone_r, gone_w = os.pipe()
        pid = fork_when_possible()
        if pid == 0:
            os.close(gone_w)
            while os.read(gone_r, 1):  # until this process is gone
                pass
            os.close(gone_r)
            template()
        if self.own_namespace:  # PID 1 must outlive the template: become the reaper, which ends our threads
            close_descriptors_but(gone_w)  # exec closes it (close-on-exec) once no thread of ours runs
            try:
                os.execv(PYTHON, [PYTHON, "-I", "-S", "-c", REAPER, str(pid)])
            except OSError:
                pass
        close_descriptors_but()
        while True:  # no namespace (or no exec): stay, so that the supervisor can still wait for us
            try:
                exit_like(os.waitpid(pid, 0)[1])
            except InterruptedError:
                continue

    def answer_one(self, started: Callable[[str], None]) -> bool:
        """Read one request and reply to it (in a call process); False at end of file."""
        request = self.requests.read()
        if request is None:
            return False
        started(str(request.get("id")))
        self.reply({**self.answer(request), "id": request.get("id"), "tampered": self.watch.changed()})
        return True

    def execute(self, source: str, filename: str, seconds: float) -> tuple[str, str | None]:
        try:
            code = compile(source, filename, "exec")
        except SyntaxError as error:
            return "error", f"SyntaxError: {error.msg} (line {error.lineno})"
        except ValueError as error:  # e.g. a NUL byte in the source
            return "error", f"the cell cannot be compiled: {describe(error)}"
        try:
            with time_limit(seconds):
                exec(code, self.namespace)
        except CellTimeout:
            return "timeout", f"stopped after {seconds:g} s"
        except SystemExit as error:
            return "exit", f"SystemExit({error.code!r})"
        except BaseException as error:  # noqa: BLE001 - the student's exception
            return "error", self.describe(error)
        return "ok", None

    def describe(self, error: BaseException) -> str:
        """``describe(error)``, saying so when the memory limit is what stopped the code."""
        text = describe(error)
        if isinstance(error, MemoryError) or "can't allocate memory" in text:
            text = f"{text[:400]} (over the memory limit of {self.limits.get('memory_mb', 2048)} MB)"
        return text

    def names(self) -> dict[str, str]:
        kinds = {}
        for name, value in list(self.namespace.items()):
            if name.startswith("__") or isinstance(value, types.ModuleType):
                continue
            kinds[name] = "callable" if callable(value) else "value"
        return kinds

    # -- requests
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        name = str(request.get("name"))
        if name not in self.namespace:
            return {"event": "result", "ok": False, "missing": True}
        try:
            if request.get("op") == "get":
                return {"event": "result", "ok": True, "value": wire.encode(self.namespace[name])}
            return self.call(self.namespace[name], request)
        except CellTimeout:
            return {"event": "result", "ok": False, "timeout": True}
        except BaseException as error:  # noqa: BLE001 - the student's exception
            return {"event": "result", "ok": False, "error": self.describe(error)}

    def call(self, function: Any, request: dict[str, Any]) -> dict[str, Any]:
        args = wire.decode(request.get("args", []), sources=True)
        kwargs = wire.decode(request.get("kwargs", {"__dict__": []}), sources=True)
        replaced = wire.decode(request.get("globals", {"__dict__": []}), sources=True)
        saved = {name: self.namespace.get(name, _ABSENT) for name in replaced}
        self.namespace.update(replaced)
        try:
            with time_limit(float(request.get("seconds", 30))):
                value = function(*args, **kwargs)
        finally:
            for name, old in saved.items():
                if old is _ABSENT:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = old
        reply = {"event": "result", "ok": True, "value": wire.encode(value)}
        read_back = request.get("read_back")
        if isinstance(read_back, list):
            reply["args_after"] = {
                str(n): wire.encode(args[n]) for n in read_back if type(n) is int and 0 <= n < len(args)
            }
        wrt = request.get("gradient_of")
        if type(wrt) is int and 0 <= wrt < len(args):
            reply["gradient"] = wire.encode(gradient_of(value, args[wrt]))
        return reply

    def reply(self, message: dict[str, Any]) -> None:
        try:
            send(self.replies, message)
        except (TypeError, ValueError) as error:
            send(self.replies, {"event": message.get("event"), "id": message.get("id"), "ok": False,
                                "error": describe(error)})


_ABSENT = object()


def gradient_of(value: Any, argument: Any) -> Any:
    """The gradient of ``value.sum()`` w.r.t. ``argument`` through the graph ``value`` carries; None if none."""
    import torch

    if not isinstance(value, torch.Tensor) or not isinstance(argument, torch.Tensor) or not value.requires_grad:
        return None
    try:
        return torch.autograd.grad(value.sum(), argument, allow_unused=True)[0]
    except RuntimeError:
        return None


def describe(error: BaseException) -> str:
    """A one-line description of an exception raised by student code."""
    try:
        text = f"{type(error).__name__}: {error}"
    except BaseException:  # noqa: BLE001 - a hostile __str__
        text = "an exception that could not be printed"
    return text[:500]


def display(*objects: Any, **_: Any) -> None:
    """Stand-in for IPython's ``display``."""
    print(*objects)


# Magics whose argument is code that runs: ``Shell`` runs it once, the integrity scan reads it.
CODE_MAGICS = {"time", "timeit", "capture", "prun"}
MAGIC_OPTIONS = re.compile(r"^(\s*-(?:[nrp]\s*\d+|[a-z]+))+\s+")  # %timeit -n 10 -r 3 -q ...


def magic_code(line: str) -> str:
    """The code a ``%time`` / ``%timeit`` line runs, without the magic's options."""
    return MAGIC_OPTIONS.sub("", line)


class Shell:
    """Stand-in for IPython's shell, for cells the grader turned into plain Python.

    Magics that run code (``CODE_MAGICS``) run it once in the notebook's namespace; the
    others, and shell commands, do nothing.
    """

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace

    def get_ipython(self) -> Shell:
        return self

    def run_line_magic(self, name: str, line: str, *_: Any) -> None:
        if name in CODE_MAGICS:
            self.run(magic_code(line))

    def run_cell_magic(self, name: str, _line: str, body: str, *__: Any) -> None:
        if name in CODE_MAGICS:
            self.run(body)

    def run(self, source: str) -> None:
        exec(compile(source, "<magic>", "exec"), self.namespace)

    def system(self, *_: Any, **__: Any) -> None:
        """Shell commands (``!pip install ...``) do nothing in the sandbox."""

    def getoutput(self, *_: Any, **__: Any) -> list[str]:
        return []

    def __getattr__(self, _name: str) -> Any:
        return lambda *args, **kwargs: None


def address_space() -> int:
    """Bytes of address space this process uses now."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


class time_limit:
    """Raise ``CellTimeout`` in this process after ``seconds`` of wall-clock time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        signal.signal(signal.SIGALRM, self._expire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *_: Any) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)

    @staticmethod
    def _expire(*_: Any) -> None:
        raise CellTimeout


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch the same way for every submission."""
    import numpy
    import torch

    random.seed(seed)
    numpy.random.seed(seed)
    torch.manual_seed(seed)


def install_fake_otter() -> None:
    """Replace otter with a stub: the notebook's own ``grader`` calls do nothing here."""

    class Notebook:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def __getattr__(self, name: str) -> Any:
            return lambda *args, **kwargs: None

    otter = types.ModuleType("otter")
    otter.Notebook = Notebook  # type: ignore[attr-defined]
    sys.modules["otter"] = otter


def main() -> None:
    """``worker.py SCRATCH [--sweep]``: run the zygote."""
    zygote(sys.argv[1], "--sweep" in sys.argv[2:])


if __name__ == "__main__":
    main()
