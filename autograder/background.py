"""Run a pure computation in a forked child while this process goes on (``InBackground``).

``make grade`` uses it for the similarity of the class's code, which needs only what the
notebooks hold: it is computed while the submissions are graded instead of after.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
PR_SET_PDEATHSIG = 1


class InBackground(Generic[T]):
    """``function(*args)``, computed in a forked child; ``result()`` collects it (pickled through a pipe).

    The child inherits the arguments, so nothing is sent to it.  When it cannot be forked or
    fails, ``result`` computes the value here instead, so an error surfaces as it would have.
    """

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self.function, self.args = function, args
        self.pid: int | None = None
        try:
            read, write = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:  # the child: compute, send, leave (never back into the caller's code)
            status = 1
            try:
                os.close(read)
                ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # dies with its parent
                data = pickle.dumps(function(*args))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self.read = pid, read

    def result(self, seconds: float | None = None) -> T:
        """The value; ``TimeoutError`` (the child killed) if the child takes more than ``seconds`` from now."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            try:
                data = read_all(self.read, None if seconds is None else time.monotonic() + seconds)
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                raise
            finally:
                os.close(self.read)
                status = os.waitpid(pid, 0)[1]
            if status == 0 and data:
                return pickle.loads(data)  # noqa: S301 - written by our own child, from our own types
        return self.function(*self.args)


def read_all(fd: int, deadline: float | None) -> bytes:
    """Everything until end of file; ``TimeoutError`` past ``deadline``."""
    chunks = []
    while True:
        if deadline is not None and not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            raise TimeoutError
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
