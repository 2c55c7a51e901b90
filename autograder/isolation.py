"""Inside the sandbox: answer each grader request in a throwaway fork of the executed notebook.

The process that ran the notebook's cells hands over to a *server*: a fork of it
with a single thread (threads the cells started stay behind and end with the process
that ran them).  The server runs no student code and never reads a request: for
each one it forks a *call process*, which reads the request, gets its own
copy-on-write view of every writable folder and its own IPC and network namespaces
(where the kernel allows), answers and ends.  After each request the server kills
whatever the call started.  So nothing a request brought in (the grader's reference
functions that isolate a question, its arguments) reaches a later request: every
request starts from the notebook as its cells left it.

Standard library only: this file runs in the sandbox next to ``worker.py``.
"""

from __future__ import annotations

import ctypes
import gc
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
LINUX_CAPABILITY_VERSION_3 = 0x20080522
END_OF_REQUESTS = 3  # exit code of a call process that found no request: the grader has finished

_libc = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Give up every capability (those a new user namespace grants included), for good."""
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _libc.capset(ctypes.byref(header), data)


def forget_hooks() -> None:
    """Remove the ways code left by the cells could run in this process on its own."""
    sys.settrace(None)
    sys.setprofile(None)
    threading.settrace(None)  # type: ignore[arg-type]
    threading.setprofile(None)  # type: ignore[arg-type]
    gc.callbacks.clear()
    for number in range(1, signal.NSIG):
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(number, signal.SIG_DFL)
            except (OSError, ValueError):
                pass


def writable_folders() -> list[str]:
    """Mount points of writable RAM file systems, plus ``/dev/shm``; never ``/dev`` itself."""
    found: list[str] = []
    try:
        with open("/proc/self/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) > 3 and fields[2] == "tmpfs" and "rw" in fields[3].split(","):
                    if fields[1] != "/dev" and fields[1] not in found:
                        found.append(fields[1])
    except OSError:
        return []
    if os.path.isdir("/dev/shm") and "/dev/shm" not in found:
        found.append("/dev/shm")
    return found


def _mount(source: str, target: str, kind: str | None, flags: int, options: str | None) -> bool:
    encoded = options.encode() if options is not None else None
    return _libc.mount(source.encode(), target.encode(), kind.encode() if kind else None, flags, encoded) == 0


def private_view(upper_mb: int) -> bool:
    """Enter new user, mount, IPC and network namespaces; make every writable folder copy-on-write.

    Writes land in a fresh tmpfs of ``upper_mb`` MB that vanishes with this process,
    so the next request never sees them; ``/dev`` becomes read-only.  False (nothing
    changed) where the kernel refuses.
    """
    uid, gid = os.getuid(), os.getgid()
    cwd = os.getcwd()
    folders = writable_folders()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET) != 0:
        return False
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        try:
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
        except OSError:
            return False
    if not _mount("none", "/", None, MS_PRIVATE | MS_REC, None):
        return False
    ok = True
    for folder in folders:
        ok &= overlay(folder, upper_mb)
    if os.path.isdir("/dev"):
        _mount("/dev", "/dev", None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
    try:
        os.chdir(cwd)  # the same path, now seen through the overlay
    except OSError:
        ok = False
    return ok


def overlay(folder: str, upper_mb: int) -> bool:
    """Mount a copy-on-write view of ``folder`` over itself, its changes kept in a fresh tmpfs."""
    try:
        lower = os.open(folder, os.O_PATH | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        if not _mount("tmpfs", folder, "tmpfs", 0, f"size={upper_mb}m,mode=755"):
            return False
        os.mkdir(os.path.join(folder, ".upper"))
        os.mkdir(os.path.join(folder, ".work"))
        options = f"lowerdir=/proc/self/fd/{lower},upperdir={folder}/.upper,workdir={folder}/.work"
        return _mount("overlay", folder, "overlay", 0, options)
    except OSError:
        return False
    finally:
        os.close(lower)


class RequestServer:
    """Forks one call process per request and relays nothing itself (see the module's docstring).

    ``answer`` runs in the call process: it reads one request from the request pipe,
    writes one reply to the reply pipe and returns (``False`` at end of file).
    """

    def __init__(
        self,
        requests: int,
        replies: int,
        answer: Callable[[], bool],
        seconds: float,
        upper_mb: int,
        own_namespace: bool,
    ) -> None:
        self.requests = requests
        self.replies = replies
        self.answer = answer
        self.seconds = seconds
        self.upper_mb = upper_mb
        self.own_namespace = own_namespace

    def serve(self) -> None:
        """Answer requests until the grader closes the pipe, then leave."""
        forget_hooks()
        _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        self.kill_leftovers(None)  # daemons the cells started
        while True:
            select.select([self.requests], [], [])
            if self.serve_one() == END_OF_REQUESTS:
                os._exit(0)

    def serve_one(self) -> int:
        """Fork, let the call process answer, clean up after it; its exit code."""
        done_r, done_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(done_r)
            self.call_process(done_w)
        os.close(done_w)
        deadline = time.monotonic() + self.seconds + 1
        answered = wait_readable(done_r, deadline)
        os.close(done_r)
        status = stop(pid)
        self.kill_leftovers(pid)
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        if code == END_OF_REQUESTS:
            return code
        if not answered:
            self.reply_for_dead_call(status, timed_out=time.monotonic() >= deadline)
        return code

    def call_process(self, done: int) -> None:
        """In the fork: isolate, answer one request, say so, leave."""
        code = 0
        try:
            if not self.own_namespace:
                os.setpgid(0, 0)
            elif not private_view(self.upper_mb):
                os._exit(70)  # never answer from a view that other requests could share
            drop_capabilities()
            if self.answer():
                os.write(done, b"1")
            else:
                code = END_OF_REQUESTS
        except BaseException:  # noqa: BLE001 - reported by the server as a dead call
            code = 1
        os._exit(code)

    def kill_leftovers(self, call: int | None) -> None:
        """Kill every process a request (or the cells) started: all but us and the init, in our namespace."""
        if self.own_namespace:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
        elif call is not None:
            try:
                os.killpg(call, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def reply_for_dead_call(self, status: int, timed_out: bool) -> None:
        if timed_out:
            message = b'{"event": "result", "ok": false, "timeout": true}\n'
        else:
            reason = describe_status(status).replace('"', "'")
            message = f'{{"event": "result", "ok": false, "died": "{reason}"}}\n'.encode()
        os.write(self.replies, message)


def wait_readable(fd: int, deadline: float) -> bool:
    """True if ``fd`` has data before ``deadline`` (and not just end of file)."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            ready = select.select([fd], [], [], remaining)[0]
        except InterruptedError:
            continue
        if ready:
            return os.read(fd, 1) == b"1"


def stop(pid: int) -> int:
    """Kill ``pid`` if it still runs; its wait status."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0


def describe_status(status: int) -> str:
    """How a call process ended, in the words of the grader's messages."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"it was killed by signal {name}"
    return f"it exited with code {os.WEXITSTATUS(status)} (os._exit?)"
