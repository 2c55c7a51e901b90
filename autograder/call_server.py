"""Inside the sandbox: serve the grader's requests so that reference code never outlives its call.

A request either carries none of the grader's reference functions (*plain*: call a
student function, read a variable) or carries some, to grade one question on its own
(``isolated`` in ``checks/core.py``).  The grader sends a short *route* line before each
request: ``plain``, or the function's name with the names of the references.  Routes
let the processes below decide without reading a request, so reference code only ever
enters the process that runs it.

* The process that ran the cells answers plain requests itself, as long as no
  reference has been sent.
* The first request with references ends that process: a fork of it with a single
  thread, the *template*, takes over (see the last point).  The template runs no student code: it closes
  every inherited descriptor, unmaps every shared memory mapping, kills every other
  process, then forks one *call process* per run of requests on the same route.  A call
  process with references first gets its own copy-on-write view of every writable
  folder and its own IPC and network namespaces (``isolation.private_view``).
* A call process keeps serving while the requests allow it: plain ones in a plain
  process; in one with references, no request for a function whose reference it has
  received.  Otherwise (or when a call dies or runs out of time) the template kills it
  and everything it started before forking the next one.  So the student code graded
  later never coexists with the reference of what it is graded on, and nothing the
  references' process wrote survives it.
* When no thread of the cells survives, the process that ran the cells cleans itself up
  and becomes the template in place, which saves a fork.

Standard library only: this file runs in the sandbox next to ``worker.py``.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

if __package__:
    from autograder.isolation import PR_SET_DUMPABLE, drop_capabilities, forget_hooks, libc, private_view
else:  # in the sandbox, beside worker.py
    from isolation import PR_SET_DUMPABLE, drop_capabilities, forget_hooks, libc, private_view  # type: ignore[no-redef]

PLAIN = "plain"
VIEW_REFUSED = 70  # exit code of a call process that could not get its private view
Answer = Callable[[Callable[[str], None]], bool]


def read_route(fd: int) -> str | None:
    """The next route line, read a byte at a time (the request behind it stays in the pipe); None at the end."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1)
        if not chunk:
            return None
        data += chunk
        if len(data) > 4096:
            return None
    try:
        route = json.loads(data).get("route")
    except (ValueError, AttributeError):
        return None
    return route if isinstance(route, str) else None


@dataclass
class CallProcess:
    """A fork of the template that answers requests: plain ones, or ones with references."""

    pid: int
    route: str
    go: int  # the template writes a byte here for each request to answer
    news: CallNews
    received: set[str] = field(default_factory=set)  # the references sent to it so far

    def may_serve(self, route: str) -> bool:
        """Plain requests only in a plain process; no function called here once its reference came.

        A process that received the reference of ``f`` never calls the student's ``f``
        again, so what it kept of references cannot stand in for the code they grade.
        """
        if route == PLAIN or self.route == PLAIN:
            return route == self.route
        return function_of(route) not in self.received


def function_of(route: str) -> str:
    """``apply_step`` for the route ``apply_step(func,mse)``."""
    return route.split("(", 1)[0]


def references_of(route: str) -> set[str]:
    """``{"func", "mse"}`` for the route ``apply_step(func,mse)``; nothing for ``plain``."""
    inside = route.partition("(")[2].rstrip(")")
    return {name for name in inside.split(",") if name}


def thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


class RequestServer:
    """Routes requests as the module's docstring says.

    ``answer`` reads one request (False at end of file), tells its id through the
    function it is given, and writes one reply to the reply pipe.
    """

    def __init__(
        self, requests: int, replies: int, answer: Answer, seconds: float, upper_mb: int,
        own_namespace: bool, private: bool,
    ) -> None:
        self.requests = requests
        self.replies = replies
        self.answer = answer
        self.seconds = seconds
        self.upper_mb = upper_mb
        self.own_namespace = own_namespace
        self.private = private and own_namespace
        self.current: CallProcess | None = None

    # -- in the process that ran the cells
    def serve(self, hand_over: Callable[[Callable[[], None]], None]) -> None:
        """Answer plain requests here; hand over to a template at the first request with references."""
        while True:
            route = read_route(self.requests)
            if route is None:
                os._exit(0)
            if route == PLAIN:
                if not self.answer(lambda _id: None):
                    os._exit(0)
                continue
            if thread_count() == 1:  # nothing of the cells runs beside us: become the template in place
                self.template(route)
            hand_over(functools.partial(self.template, route))

    # -- in the template
    def template(self, route: str | None) -> None:
        """Fork a call process per run of one route, until the grader closes the pipe."""
        forget_hooks()
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        close_descriptors_but(self.requests, self.replies)
        unmap_shared_memory()
        self.kill_leftovers(None)  # the cells' processes and what the plain requests started
        while route is not None:
            if self.current is None or not self.current.may_serve(route):
                self.stop_current()
                self.current = self.start(route)
            if self.current is not None:
                self.current.received |= references_of(route)
                self.run_one(self.current)
            route = read_route(self.requests)
        self.stop_current()
        os._exit(0)

    def start(self, route: str) -> CallProcess | None:
        go_r, go_w = os.pipe()
        news_r, news_w = os.pipe()
        try:
            pid = fork_when_possible()
        except OSError:  # no process slot came free: the grader's deadline answers this request
            for fd in (go_r, go_w, news_r, news_w):
                os.close(fd)
            return None
        if pid == 0:
            os.close(go_w)
            os.close(news_r)
            self.call_process(route, go_r, news_w)
        os.close(go_r)
        os.close(news_w)
        return CallProcess(pid, route, go_w, CallNews(news_r))

    def run_one(self, call: CallProcess) -> None:
        """Let ``call`` answer the request waiting in the pipe; stop it if it dies or runs out of time."""
        deadline = time.monotonic() + self.seconds + 1
        call.news.data = b""
        try:
            os.write(call.go, b"1")
        except OSError:
            pass
        call.news.wait(deadline)
        if call.news.answered:
            return
        status = stop(call.pid)
        call.news.drain()
        if call.news.request_id is not None and not call.news.answered:
            self.reply_for_dead_call(call.news.request_id, status, timed_out=time.monotonic() >= deadline)
        self.forget(call)

    def stop_current(self) -> None:
        if self.current is not None:
            stop(self.current.pid)
            self.forget(self.current)

    def forget(self, call: CallProcess) -> None:
        for fd in (call.go, call.news.fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.kill_leftovers(call.pid)
        self.current = None

    # -- in a call process
    def call_process(self, route: str, go: int, news: int) -> None:
        """Isolate (if the route carries references), then answer a request for each byte on ``go``."""
        code = 0
        try:
            if not self.own_namespace:
                os.setpgid(0, 0)
            elif route != PLAIN and self.private and not private_view(self.upper_mb):
                os._exit(VIEW_REFUSED)  # never answer from a view that other requests could share
            drop_capabilities()
            while os.read(go, 1):
                if not self.answer(lambda request_id: os.write(news, f"{request_id}\n".encode()[:100])):
                    break
                os.write(news, b"\0")
        except BaseException:  # noqa: BLE001 - reported by the template as a dead call
            code = 1
        os._exit(code)

    def kill_leftovers(self, call: int | None) -> None:
        """Kill every process a request (or the cells) started: all but us and the init, in our namespace."""
        if self.own_namespace:
            kill_all_but_init()
        elif call is not None:
            try:
                os.killpg(call, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def reply_for_dead_call(self, request_id: str, status: int, timed_out: bool) -> None:
        """The reply to a call whose process ended without answering (it carries the call's id)."""
        message: dict[str, object] = {"event": "result", "ok": False, "id": request_id}
        if timed_out:
            message["timeout"] = True
        else:
            message["died"] = describe_status(status)
        os.write(self.replies, (json.dumps(message) + "\n").encode())


def close_descriptors_but(*keep: int) -> None:
    """Close every descriptor but stdin/out/err and ``keep`` (sockets or pipes the student code left open)."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def unmap_shared_memory() -> None:
    """Unmap every shared mapping (``mmap(-1, n)`` is one): memory that later forks would share."""
    regions = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) > 1 and fields[1][3:4] == "s":
                start, end = (int(part, 16) for part in fields[0].split("-"))
                regions.append((start, end - start))
    for start, length in regions:
        libc.munmap(ctypes.c_void_p(start), ctypes.c_size_t(length))


class CallNews:
    """What a call process tells its server: its request's id, then that it answered."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = b""

    @property
    def request_id(self) -> str | None:
        line, newline, _ = self.data.partition(b"\n")
        text = line.decode(errors="replace")
        return text if newline and text.isalnum() else None

    @property
    def answered(self) -> bool:
        return b"\0" in self.data

    def wait(self, deadline: float) -> None:
        """Read until the call has answered, has ended or has run out of time."""
        while not self.answered:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                ready = select.select([self.fd], [], [], remaining)[0]
            except InterruptedError:
                continue
            if ready and not self.read():
                return

    def drain(self) -> None:
        """Whatever the (now ended) call wrote last."""
        while self.read():
            pass

    def read(self) -> bool:
        chunk = os.read(self.fd, 256)
        if chunk and len(self.data) < 1024:
            self.data += chunk
        return bool(chunk)


def kill_all_but_init(seconds: float = 5.0, everywhere: bool = False) -> bool:
    """In our own PID namespace, kill every process but us and its init; True once they are gone,
    False after ``seconds``.  ``everywhere``: also wait until the processes of the namespaces nested
    in ours are gone, zombies included (``/proc`` is then our namespace's own)."""
    give_up = time.monotonic() + seconds
    me = os.getpid()
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reap_children()
        left = [int(p) for p in os.listdir("/proc") if p.isdigit()] if everywhere else running_pids()
        if not [pid for pid in left if pid not in (1, me)]:
            return True
        if time.monotonic() > give_up:
            return False
        time.sleep(0.002)


def fork_when_possible(seconds: float = 2.0) -> int:
    """``os.fork``, retried while every process slot is taken (killed processes free theirs once reaped)."""
    give_up = time.monotonic() + seconds
    while True:
        try:
            return os.fork()
        except BlockingIOError:
            if time.monotonic() > give_up:
                raise
            reap_children()
            time.sleep(0.01)


def reap_children() -> None:
    """Collect our own children that have ended (a zombie still holds a process slot)."""
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def running_pids() -> list[int]:
    """The processes of our PID namespace that are not zombies, as it numbers them.

    ``/proc`` here may belong to an outer namespace: a process is ours when its
    ``ns/pid`` link is ours, and its ``NSpid`` line gives its number at our depth.
    """
    mine = namespace_pids("self")
    namespace = pid_namespace("self")
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and pid_namespace(name) == namespace:
            numbers = namespace_pids(name, skip_zombies=True)
            if len(numbers) >= len(mine) > 0:
                found.append(numbers[len(mine) - 1])
    return found


def pid_namespace(process: str) -> str | None:
    try:
        return os.readlink(f"/proc/{process}/ns/pid")
    except OSError:
        return None


def namespace_pids(process: str, skip_zombies: bool = False) -> list[int]:
    """A process's ids from the outermost PID namespace to its own ([] if gone, or a zombie when asked)."""
    try:
        with open(f"/proc/{process}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:
        return []
    if skip_zombies and fields.get("State", "").strip()[:1] in ("Z", "X"):
        return []
    return [int(n) for n in fields.get("NSpid", "").split()]


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
