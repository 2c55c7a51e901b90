"""Grade many submissions in parallel, paying the start-up cost once per worker.

Each worker is a process (forked on Linux, see ``start_method``) that loads the
assignment and starts one long-lived ``Sandbox`` (a warm zygote that has already imported
torch), then grades one submission at a time through ``pipeline.grade_submission`` for as long as there is work.  The parent
hands out one submission at a time, so it always knows what each worker is grading: when
a worker dies, its submission is graded once more by a fresh worker, and if that worker
dies too the submission is recorded as an error.  A watchdog stops a worker that runs far
past the submission's limits.  No submission is ever lost.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from autograder.pipeline import Submission
from autograder.sandbox import Limits, Sandbox

ATTEMPTS = 2
START_FAILURES = 3
STOP_SECONDS = 10


def watchdog_seconds(limits: Limits) -> float:
    """How long one submission may take in a worker before the parent stops it (a safety net)."""
    return 3 * limits.notebook_seconds + 10 * limits.call_seconds + 120


def worker_main(conn: Connection, source: str, limits: Limits, backend: str, sandbox: Sandbox | None = None,
                others: tuple[Sandbox, ...] = ()) -> None:
    """The body of a worker process: start once (or take over ``sandbox``, launched by the parent),
    then grade what the parent sends.  ``others``: launched sandboxes meant for other workers."""
    from autograder.assignments import load_assignment
    from autograder.pipeline import grade_submission

    for other in others:
        other.release()
    assignment = load_assignment(Path(source))
    if sandbox is None:
        sandbox = Sandbox(backend)
    sandbox.ensure_started()
    conn.send(("ready", None))
    try:
        while True:
            try:
                submission = conn.recv()
            except EOFError:
                break
            if submission is None:
                break
            result = grade_submission(submission, assignment, sandbox, limits)
            conn.send(("done", result.to_dict()))
    finally:
        sandbox.close()


def start_method() -> str:
    """``fork`` on Linux: a worker inherits the parent's imported torch and otter instead of
    importing them again (seconds of CPU each).  This is safe because the parent never runs a
    torch operation (so no thread pool exists to be copied half-locked); it only reads files
    and results.  Elsewhere, ``spawn``.
    """
    return "fork" if sys.platform.startswith("linux") else "spawn"


@dataclass
class Job:
    """A submission and how many workers died grading it."""

    submission: Submission
    attempts: int = 0


@dataclass
class Worker:
    """The parent's handle on one worker process."""

    process: multiprocessing.process.BaseProcess
    conn: Connection
    job: Job | None = None
    ready: bool = False
    since: float = 0.0

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


Failure = Callable[[Submission, str, str], dict[str, Any]]
Report = Callable[[dict[str, Any]], None]


class Pool:
    """N workers grading a queue of submissions; ``run`` returns when every one is reported."""

    def __init__(self, source: Path, limits: Limits, backend: str, size: int, method: str | None = None,
                 launched: list[Sandbox] | None = None) -> None:
        """``launched``: sandboxes already starting (``Sandbox.launch``) for the first workers to take over
        (forked workers only: they inherit them).  Whoever launched them closes them after ``run``."""
        self.source, self.limits, self.backend, self.size = source, limits, backend, max(1, size)
        self.context = multiprocessing.get_context(method or start_method())
        self.workers: list[Worker] = []
        self.start_failures = 0
        self.unclaimed = list(launched or []) if self.context.get_start_method() == "fork" else []

    def spawn(self) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        parent, child = self.context.Pipe()
        sandbox = self.unclaimed.pop(0) if self.unclaimed else None
        process = self.context.Process(
            target=worker_main, args=(child, str(self.source), self.limits, self.backend, sandbox,
                                      tuple(self.unclaimed)), daemon=True
        )
        process.start()
        child.close()
        if sandbox is not None:
            sandbox.release()  # the worker's now: its pipes must close when the worker ends
        self.workers.append(Worker(process, parent))

    def run(self, submissions: list[Submission], report: Report, failed: Failure) -> None:
        """Grade ``submissions``; call ``report`` with each result dict (``failed`` builds one)."""
        queue = deque(Job(s) for s in submissions)
        outstanding = len(queue)
        for _ in range(min(self.size, outstanding)):
            self.spawn()
        try:
            while outstanding:
                for worker in self.idle():
                    if queue:
                        self.assign(worker, queue.popleft(), queue)
                outstanding -= self.collect(queue, report, failed)
                if self.start_failures >= START_FAILURES:
                    for job in list(queue):
                        report(failed(job.submission, "error", "The grading worker could not start."))
                        outstanding -= 1
                    queue.clear()
                while len(self.workers) < min(self.size, len(queue) + self.busy()) and self.start_failures < START_FAILURES:
                    self.spawn()
        finally:
            self.close()

    def idle(self) -> list[Worker]:
        return [w for w in self.workers if w.ready and w.job is None]

    def busy(self) -> int:
        return sum(1 for w in self.workers if w.job is not None)

    def assign(self, worker: Worker, job: Job, queue: deque[Job]) -> None:
        """Send ``job`` to ``worker``; if the worker has just died, the job waits for another."""
        try:
            worker.conn.send(job.submission)
        except (BrokenPipeError, OSError):
            queue.appendleft(job)
            self.discard(worker)
            return
        worker.job, worker.since = job, time.monotonic()

    def collect(self, queue: deque[Job], report: Report, failed: Failure) -> int:
        """Wait for messages or deaths; return how many submissions were reported."""
        reported = 0
        sources: list[Any] = [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]
        ready = set(wait(sources, timeout=1.0))
        for worker in list(self.workers):
            if worker.conn in ready and self.receive(worker, report):
                reported += 1
            elif worker.process.sentinel in ready or worker.conn in ready and not worker.process.is_alive():
                reported += self.bury(worker, queue, report, failed)
            elif worker.job is not None and time.monotonic() - worker.since > watchdog_seconds(self.limits):
                job = worker.job
                self.discard(worker)
                seconds = round(watchdog_seconds(self.limits))
                report(failed(job.submission, "timeout", f"Grading took more than {seconds} s and was stopped."))
                reported += 1
        return reported

    def receive(self, worker: Worker, report: Report) -> bool:
        """Handle one message; True if it finished a submission."""
        try:
            kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            return False
        if kind == "ready":
            worker.ready, self.start_failures = True, 0
            return False
        worker.job = None
        report(payload)
        return True

    def bury(self, worker: Worker, queue: deque[Job], report: Report, failed: Failure) -> int:
        """A worker died: grade its submission again, or record it after a second death."""
        job = worker.job
        if not worker.ready:
            self.start_failures += 1
        self.discard(worker)
        if job is None:
            return 0
        job.attempts += 1
        if job.attempts < ATTEMPTS:
            queue.appendleft(job)
            return 0
        message = f"The grader's worker process died {job.attempts} times while grading this submission."
        report(failed(job.submission, "error", message))
        return 1

    def discard(self, worker: Worker) -> None:
        worker.stop()
        self.workers.remove(worker)

    def close(self) -> None:
        """Ask every worker to stop, then make sure it has."""
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        deadline = time.monotonic() + STOP_SECONDS
        for worker in self.workers:
            worker.process.join(max(0.1, deadline - time.monotonic()))
            worker.stop()
        self.workers = []
