"""Progress of a batch on stderr: a one-line bar on a terminal, one line per submission otherwise."""

from __future__ import annotations

import shutil
import sys
import time
from collections import Counter
from typing import TextIO

from autograder.results import STATUSES, SubmissionResult


def clock(seconds: float) -> str:
    """``75`` -> ``1:15``."""
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


class Progress:
    """Call ``update`` after each submission and ``close`` at the end.

    ``mode`` is ``bar`` (redrawn in place), ``lines`` (one line per submission, for logs and
    pipes) or ``off``; ``Progress.for_stream`` picks ``bar`` on a terminal.
    """

    def __init__(self, total: int, mode: str, stream: TextIO | None = None) -> None:
        self.total, self.mode = total, mode
        self.stream = stream or sys.stderr
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self.note = ""

    @classmethod
    def for_stream(cls, total: int, quiet: bool, stream: TextIO | None = None) -> Progress:
        stream = stream or sys.stderr
        mode = "off" if quiet else "bar" if stream.isatty() else "lines"
        return cls(total, mode, stream)

    def begin(self, note: str) -> None:
        """Say what is starting (the bar appears at once instead of after the first result)."""
        if self.mode == "lines":
            self.stream.write(note + "\n")
            self.stream.flush()
        elif self.mode == "bar":
            self.note = note
            self.draw()

    def update(self, result: SubmissionResult, reused: bool = False) -> None:
        self.done += 1
        self.counts[result.status] += 1
        if self.mode == "lines":
            note = " (reused)" if reused else f" ({result.seconds:.1f} s)"
            who = f" {result.student}" if result.student else ""
            self.stream.write(
                f"[{self.done}/{self.total}] {result.submission}{who}: {result.status} "
                f"{result.total:g}/{result.max_score:g}{note}\n"
            )
            self.stream.flush()
        elif self.mode == "bar":
            self.draw()

    def draw(self) -> None:
        width = shutil.get_terminal_size((80, 20)).columns
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        counts = " ".join(f"{status} {self.counts[status]}" for status in STATUSES if self.counts[status])
        eta = f", ~{clock(left)} left" if self.done else ""
        text = f" {self.done}/{self.total}  {clock(elapsed)} elapsed{eta}  {counts or self.note}"
        slots = max(10, min(30, width // 3))
        filled = slots * self.done // max(1, self.total)
        line = f"[{'#' * filled}{'.' * (slots - filled)}]{text}"
        self.stream.write("\r" + line[: width - 1].ljust(width - 1))
        self.stream.flush()

    def close(self) -> None:
        if self.mode == "bar":
            self.stream.write("\n")
            self.stream.flush()
