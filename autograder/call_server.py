"""Inside the sandbox: answer each grader request in a throwaway fork of the executed notebook.

The process that ran the notebook's cells hands over to a *server*: a fork of it
with a single thread (threads the cells started end with the process that ran them).
The server runs no student code and never reads a request: for each one it forks a
*call process*, which reads the request, isolates itself (``isolation.private_view``),
answers and ends.  After each request the server kills whatever the call started.  So
nothing a request brought in (the grader's reference functions that isolate a
question, its arguments) reaches a later request: every request starts from the
notebook as its cells left it.

Standard library only: this file runs in the sandbox next to ``worker.py``.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
from collections.abc import Callable

if __package__:
    from autograder.isolation import PR_SET_DUMPABLE, drop_capabilities, forget_hooks, libc, private_view
else:  # in the sandbox, beside worker.py
    from isolation import PR_SET_DUMPABLE, drop_capabilities, forget_hooks, libc, private_view  # type: ignore[no-redef]

END_OF_REQUESTS = 3  # exit code of a call process that found no request: the grader has finished
VIEW_REFUSED = 70  # exit code of a call process that could not get its private view
Answer = Callable[[Callable[[str], None]], bool]


class RequestServer:
    """Forks one call process per request (see the module's docstring).

    ``answer`` runs in the call process: it reads one request (False at end of file),
    tells the server the request's id through the function it is given, then writes
    one reply to the reply pipe.
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

    def serve(self, parent_gone: int) -> None:
        """Answer requests until the grader closes the pipe, then leave.

        ``parent_gone`` reaches end of file once the process that ran the cells has
        exited (or let go of it), so the cells' leftovers can be killed without it.
        """
        forget_hooks()
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        while os.read(parent_gone, 1):
            pass
        os.close(parent_gone)
        self.kill_leftovers(None)  # daemons the cells started
        while True:
            select.select([self.requests], [], [])
            if self.serve_one() == END_OF_REQUESTS:
                os._exit(0)

    def serve_one(self) -> int:
        """Fork, let the call process answer, clean up after it; its exit code."""
        news_r, news_w = os.pipe()
        try:
            pid = fork_when_possible()
        except OSError:  # no process slot came free: the grader's deadline answers this request
            os.close(news_r)
            os.close(news_w)
            self.kill_leftovers(None)
            return 1
        if pid == 0:
            os.close(news_r)
            self.call_process(news_w)
        os.close(news_w)
        deadline = time.monotonic() + self.seconds + 1
        news = CallNews(news_r)
        news.wait(deadline)
        status = stop(pid)
        news.drain()
        os.close(news_r)
        self.kill_leftovers(pid)
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        if code != END_OF_REQUESTS and news.request_id is not None and not news.answered:
            self.reply_for_dead_call(news.request_id, status, timed_out=time.monotonic() >= deadline)
        return code

    def call_process(self, news: int) -> None:
        """In the fork: isolate, answer one request, say so, leave."""
        code = 0
        try:
            if not self.own_namespace:
                os.setpgid(0, 0)
            elif self.private and not private_view(self.upper_mb):
                os._exit(VIEW_REFUSED)  # never answer from a view that other requests could share
            drop_capabilities()
            if self.answer(lambda request_id: os.write(news, f"{request_id}\n".encode()[:100])):
                os.write(news, b"\0")
            else:
                code = END_OF_REQUESTS
        except BaseException:  # noqa: BLE001 - reported by the server as a dead call
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


def kill_all_but_init(seconds: float = 5.0) -> None:
    """In our own PID namespace, kill every process but us and its init; return once they are gone."""
    give_up = time.monotonic() + seconds
    me = os.getpid()
    while time.monotonic() < give_up:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reap_children()
        if not [pid for pid in running_pids() if pid not in (1, me)]:
            return
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
