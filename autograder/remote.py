"""The grader's view of a student's notebook running in the sandbox.

``StudentNotebook`` executes the cells once, restarts the student process when it
dies (skipping the cell that killed it), and hands out ``RemoteFunction`` proxies
and plain values.  Calling a proxy runs the student's function in the sandbox and
returns fresh, trusted torch objects built from plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from autograder import wire
from autograder.sandbox import Execution, Limits, SandboxBroken, Session

MAX_RESTARTS = 3  # cells that killed the process, each skipped in the next run
MAX_RUNS = 25  # runs of the notebook in all, counting restarts after a call killed it
RUN_BUDGET = 3  # all runs together may take this many times the notebook time limit


class StudentError(Exception):
    """A student function failed: it raised, ran out of time, or its process died."""

    def __init__(self, name: str, kind: str, detail: str) -> None:
        self.name, self.kind, self.detail = name, kind, detail
        super().__init__(self.sentence())

    def sentence(self) -> str:
        if self.kind == "missing":
            return f"`{self.name}` is not defined in your notebook."
        if self.kind == "timeout":
            return f"`{self.name}` did not finish within the time limit (an endless loop?)."
        if self.kind == "died":
            return f"The process running your notebook ended while `{self.name}` ran: {self.detail}."
        if self.kind == "bad-value":
            return f"`{self.name}` returned something the grader cannot read: {self.detail}."
        return f"`{self.name}` raised {self.detail}"


@dataclass
class Events:
    """What the grader saw happen to a submission, for status and flags."""

    timeouts: list[str] = field(default_factory=list)
    deaths: list[str] = field(default_factory=list)
    calls: int = 0


class StudentNotebook:
    """A submission's cells, running in a sandbox session."""

    def __init__(self, session: Session, cells: list[str], limits: Limits) -> None:
        self.session = session
        self.cells = cells
        self.limits = limits
        self.skip: set[int] = set()
        self.executions: list[Execution] = []
        self.events = Events()
        self.alive = False
        self.gave_up = False

    @property
    def first_execution(self) -> Execution:
        return self.executions[0]

    @property
    def names(self) -> dict[str, str]:
        return self.executions[-1].names if self.executions else {}

    def ensure_running(self) -> None:
        """Run the cells, again if the process died, skipping cells that killed it."""
        while not self.alive and self.may_run_again():
            execution = self.session.run(self.cells, self.skip)
            self.executions.append(execution)
            if execution.death is None:
                self.alive = True
                return
            self.events.deaths.append(execution.death)
            if execution.died_in_cell is None:
                self.gave_up = True
                return
            self.skip.add(execution.died_in_cell)

    def may_run_again(self) -> bool:
        """Bounds on restarts, so a hostile notebook cannot make grading take forever."""
        spent = sum(execution.seconds for execution in self.executions)
        return (
            not self.gave_up
            and len(self.skip) <= MAX_RESTARTS
            and len(self.executions) < MAX_RUNS
            and spent <= RUN_BUDGET * self.limits.notebook_seconds
        )

    def request(self, message: dict[str, Any], seconds: float) -> dict[str, Any]:
        self.ensure_running()
        name = str(message.get("name"))
        if not self.alive:
            raise StudentError(name, "died", "it could not be restarted")
        self.events.calls += 1
        reply = self.session.request(message, seconds)
        if reply.get("event") == "died":
            self.alive = False
            reason = str(reply.get("reason"))[:300]
            if reason == "timeout":
                self.events.timeouts.append(name)
                raise StudentError(name, "timeout", reason)
            self.events.deaths.append(reason)
            raise StudentError(name, "died", reason)
        if reply.get("event") != "result":
            raise SandboxBroken("unexpected reply from the student process")
        if reply.get("missing"):
            raise StudentError(name, "missing", "")
        if reply.get("timeout"):
            self.events.timeouts.append(name)
            raise StudentError(name, "timeout", "")
        if not reply.get("ok"):
            raise StudentError(name, "error", str(reply.get("error"))[:500])
        return reply

    def value(self, name: str) -> Any:
        """The current value of a student variable, rebuilt from plain data."""
        reply = self.request({"op": "get", "name": name}, self.limits.call_seconds)
        return decode_reply(name, reply.get("value"))

    def resolve(self, name: str) -> Any:
        """A proxy for a student function, or the value of a student variable."""
        self.ensure_running()
        kind = self.names.get(name)
        if kind is None:
            raise StudentError(name, "missing", "")
        if kind == "callable":
            return RemoteFunction(self, name)
        return self.value(name)


def decode_reply(name: str, data: Any) -> Any:
    try:
        return wire.decode(data)
    except (wire.WireError, ValueError, TypeError, OverflowError, RuntimeError) as error:
        raise StudentError(name, "bad-value", str(error)[:200]) from error


class RemoteFunction:
    """Calls a student function in the sandbox as if it were local.

    Tensors passed in are sent as data; afterwards their new values and gradients
    are copied back, so in-place updates (``params.data -= ...``) are visible here.
    """

    def __init__(self, notebook: StudentNotebook, name: str, replaced: dict[str, Any] | None = None) -> None:
        self.notebook = notebook
        self.__name__ = name
        self.replaced = replaced or {}

    def with_globals(self, **replaced: wire.SourceCode) -> RemoteFunction:
        """The same function, run with some of the notebook's globals replaced."""
        return RemoteFunction(self.notebook, self.__name__, {**self.replaced, **replaced})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        message = {
            "op": "call",
            "name": self.__name__,
            "args": wire.encode(list(args)),
            "kwargs": wire.encode(dict(kwargs)),
            "globals": wire.encode(dict(self.replaced)),
        }
        reply = self.notebook.request(message, self.notebook.limits.call_seconds)
        after = reply.get("args_after")
        if isinstance(after, list) and len(after) == len(args):
            for original, new in zip(args, after):
                write_back(original, decode_reply(self.__name__, new))
        return decode_reply(self.__name__, reply.get("value"))

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


def write_back(original: Any, new: Any) -> None:
    """Copy a tensor's state after a remote call into the local tensor."""
    if isinstance(original, (list, tuple)) and isinstance(new, (list, tuple)):
        for item, new_item in zip(original, new):
            write_back(item, new_item)
        return
    if not isinstance(original, torch.Tensor) or not isinstance(new, torch.Tensor):
        return
    with torch.no_grad():
        if new.shape == original.shape and new.dtype == original.dtype:
            original.copy_(new)
        else:
            original.data = new.detach()
    original.grad = new.grad
