"""Progress of a batch on stderr: a one-line bar on a terminal, one line per submission otherwise.

Text that comes from submissions (file names, names in metadata, error messages) reaches the
instructor's terminal only through ``terminal_text``, which removes escape sequences and
control characters: a file name cannot clear the screen, retitle the window or hide a line.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
import time
import unicodedata
from collections import Counter
from typing import TextIO

from autograder.results import STATUSES, SubmissionResult

# ECMA-48 sequences, 7-bit and 8-bit: CSI (colours, cursor moves, clearing), the string
# sequences OSC/DCS/SOS/PM/APC (window titles, hyperlinks) up to their terminator, and the rest.
ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -/]*[0-~]",
    re.DOTALL,
)
# Control, format (bidirectional overrides, zero-width), surrogate, private-use and separator characters.
UNPRINTABLE = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")


def terminal_text(text: object, width: int | None = None) -> str:
    """``text`` safe to print: escape sequences removed, other control characters dropped (line
    breaks and tabs become spaces); with ``width``, shortened to that many characters at a
    word boundary (`` ...`` marks the cut), never in the middle of a word."""
    text = ESCAPES.sub("", str(text))
    text = "".join(" " if char.isspace() else char for char in text
                   if char.isspace() or unicodedata.category(char) not in UNPRINTABLE)
    return textwrap.shorten(text, width, placeholder=" ...") if width else text


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
            who = f" {terminal_text(result.student, 60)}" if result.student else ""
            self.stream.write(
                f"[{self.done}/{self.total}] {terminal_text(result.submission)}{who}: {result.status} "
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
