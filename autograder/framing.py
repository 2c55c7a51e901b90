"""The line protocol between the grader and its sandbox: one JSON message per line, bounded.

Standard library only (no torch), so that starting a sandbox costs the grader nothing to
import; ``wire`` encodes the values that travel inside these messages.  This module is
also loaded inside the sandbox, beside ``worker.py``.
"""

from __future__ import annotations

import json
import os
import re
import select
import time
from typing import Any

# One message (a line of JSON).  The largest the grading needs is about 150 KB (a reply of
# 04's data); these bound what a hostile line can cost the reader before and while parsing.
MAX_MESSAGE = 4 * 1024 * 1024  # bytes
MAX_CONTAINERS = 50_000  # lists and objects in one message
MAX_NESTING = 64  # lists and objects inside each other (a value nested wire.MAX_DEPTH deep needs ~45)


class WireError(ValueError):
    """Raised when received data is not valid wire format."""


def send(fd: int, message: dict[str, Any]) -> None:
    """Write one JSON line to ``fd``; ``WireError`` if the reader would refuse it."""
    data = (json.dumps(message, allow_nan=False) + "\n").encode()
    if len(data) > MAX_MESSAGE:
        raise WireError(f"a message of {len(data):,} bytes is over the limit of {MAX_MESSAGE:,}")
    check_structure(data)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


STRUCTURE = re.compile(rb'[\[\]{}"\\]')


def check_structure(line: bytes) -> None:
    """Refuse a JSON line with too many lists and objects, or nested too deeply, before parsing it.

    Bytes alone do not bound what parsing costs: ``[],`` is 3 bytes and a 56-byte list,
    and ``[[[[...`` recurses.  One linear pass over the brackets and quotes, which
    skips brackets inside strings.
    """
    if line.count(b"[") + line.count(b"{") > MAX_CONTAINERS:
        raise WireError(f"a message with more than {MAX_CONTAINERS:,} lists and objects")
    depth, in_string, escaped = 0, False, -1
    for match in STRUCTURE.finditer(line):
        at = match.start()
        char = line[at]
        if in_string:
            if at == escaped:
                continue
            if char == 0x5C:  # backslash: the next byte is escaped
                escaped = at + 1
            elif char == 0x22:
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in b"[{":
            depth += 1
            if depth > MAX_NESTING:
                raise WireError(f"a message nested more than {MAX_NESTING} deep")
        elif char in b"]}":
            depth -= 1


class LineReader:
    """Reads newline-terminated JSON messages from a file descriptor with deadlines.

    Chunks are kept in a list and joined once a newline arrives, so a large
    message costs linear time (``buffer += chunk`` would copy it at every read).
    A message over ``MAX_MESSAGE`` bytes is refused as soon as that many have
    arrived, and one too nested or with too many parts before it is parsed.
    """

    def __init__(self, fd: int, unbuffered: bool = False) -> None:
        self.fd = fd
        self.chunks: list[bytes] = []
        self.size = 0
        self.unbuffered = unbuffered

    def read(self, deadline: float | None = None) -> dict[str, Any] | None:
        """Next message, ``None`` at end of file; ``TimeoutError`` past ``deadline``."""
        while not (self.chunks and b"\n" in self.chunks[-1]):
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                    raise TimeoutError
            chunk = os.read(self.fd, 1 if self.unbuffered else 1 << 16)
            if not chunk:
                return None
            self.chunks.append(chunk)
            self.size += len(chunk)
            if self.size > MAX_MESSAGE:
                raise WireError("message too large")
        line, rest = b"".join(self.chunks).split(b"\n", 1)
        self.chunks, self.size = ([rest], len(rest)) if rest else ([], 0)
        check_structure(line)
        try:
            return json.loads(line)
        except (ValueError, RecursionError) as error:  # RecursionError: "[[[[..." a million deep
            raise WireError(f"not a JSON message ({type(error).__name__})") from None


def answers(result: dict[str, Any], request_id: Any) -> bool:
    """Whether ``result`` may be the reply to ``request_id``.

    A call process echoes its request's id (and tells it to its server, which
    reports the call with that id if it ends without answering).
    """
    return request_id is None or result.get("id") == request_id
