"""The grader's view of a student's notebook running in the sandbox.

``StudentNotebook`` executes the cells once, restarts the student process when it
dies (skipping the cell that killed it), and hands out ``RemoteFunction`` proxies
and plain values.  Calling a proxy runs the student's function in the sandbox and
returns fresh, trusted torch objects built from plain data.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any

import torch

from autograder import wire
from autograder.call_server import PLAIN, function_of, references_of
from autograder.checks import CHANGED_IN_PLACE
from autograder.sandbox import Execution, Limits, SandboxBroken, Session

MAX_RESTARTS = 3  # cells that killed the process, each skipped in the next run
MAX_RUNS = 25  # runs of the notebook in all, counting restarts after a call killed it
RUN_BUDGET = 1  # all runs together may take this many times the notebook time limit (the README's --timeout)


KNOWN_ERRORS = {"LinAlgError", "_LinAlgError"}  # torch's own exception types a student meets


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

    def grader_sentence(self) -> str:
        """The same news in the grader's words only: nothing the student's code wrote or chose.

        For hidden cases, whose calls may run beside the grader's reference functions.
        """
        if self.kind in ("missing", "timeout"):
            return self.sentence()
        if self.kind == "died":
            return f"The process running `{self.name}` ended unexpectedly."
        if self.kind == "bad-value":
            return f"`{self.name}` returned something the grader cannot read."
        kind = self.detail.split(":", 1)[0].strip()
        known = isinstance(getattr(builtins, kind, None), type) or kind in KNOWN_ERRORS
        return f"`{self.name}` raised {kind if known else 'an exception'}."


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
        self.exposed: set[str] = set()  # reference functions sent into the current run of the cells

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
                self.alive, self.exposed = True, set()
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
            and spent < RUN_BUDGET * self.limits.notebook_seconds
        )

    def may_share_run(self, route: str) -> bool:
        """Whether a request on ``route`` may run where the references sent so far have been.

        Every process of the run may have kept them (its code is the student's), so only
        if the request brings all of them itself and calls none of their student versions.
        """
        return self.exposed <= references_of(route) and function_of(route) not in self.exposed

    def fresh_run(self) -> None:
        """Run the cells again in new processes, where no reference has ever been (the grader's time)."""
        last = self.executions[-1].seconds if self.executions else self.limits.notebook_seconds
        execution = self.session.run(self.cells, self.skip, min(self.limits.notebook_seconds, 2 * last + 5))
        self.exposed, self.alive = set(), execution.death is None

    def request(self, message: dict[str, Any], seconds: float) -> dict[str, Any]:
        route = str(message.get("route", PLAIN))
        if self.alive and not self.may_share_run(route):
            self.fresh_run()
        self.ensure_running()
        name = str(message.get("name"))
        if not self.alive:
            raise StudentError(name, "died", "it could not be restarted")
        self.events.calls += 1
        self.exposed |= references_of(route)
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
        if reply.get("died"):  # the call's own process ended; the notebook's server lives on
            reason = str(reply.get("died"))[:300]
            self.events.deaths.append(reason)
            raise StudentError(name, "died", reason)
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
            return RemoteFunction(self, name, changed=CHANGED_IN_PLACE.get(name, ()))
        return self.value(name)


def decode_reply(name: str, data: Any) -> Any:
    try:
        return wire.decode(data)
    except (wire.WireError, ValueError, TypeError, OverflowError, RuntimeError) as error:
        raise StudentError(name, "bad-value", str(error)[:200]) from error


class RemoteFunction:
    """Calls a student function in the sandbox as if it were local.

    Arguments travel as data, so the student's code works on copies: nothing it does
    to them reaches the grader's tensors, except for the positions a check declares
    with ``changing`` (the question's contract says the function updates them in
    place, like ``params`` in ``apply_step``): their new values are copied back.
    """

    def __init__(
        self,
        notebook: StudentNotebook,
        name: str,
        replaced: dict[str, Any] | None = None,
        changed: tuple[int, ...] = (),
    ) -> None:
        self.notebook = notebook
        self.__name__ = name
        self.replaced = replaced or {}
        self.changed = changed

    def with_globals(self, **replaced: wire.SourceCode) -> RemoteFunction:
        """The same function, run with some of the notebook's globals replaced."""
        return RemoteFunction(self.notebook, self.__name__, {**self.replaced, **replaced}, self.changed)

    def changing(self, *positions: int) -> RemoteFunction:
        """The same function, whose arguments at ``positions`` are read back after each call."""
        return RemoteFunction(self.notebook, self.__name__, self.replaced, positions)

    def value_and_gradient(self, wrt: int, *args: Any) -> tuple[Any, Any]:
        """The result and, computed where the function ran, the gradient of its sum w.r.t. ``args[wrt]``."""
        reply = self.send(args, {}, {"gradient_of": wrt})
        gradient = decode_reply(self.__name__, reply.get("gradient"))
        return decode_reply(self.__name__, reply.get("value")), gradient

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        reply = self.send(args, kwargs, {"read_back": list(self.changed)})
        after = reply.get("args_after")
        if isinstance(after, dict):
            for position in self.changed:
                if 0 <= position < len(args) and str(position) in after:
                    write_back(args[position], decode_reply(self.__name__, after[str(position)]))
        return decode_reply(self.__name__, reply.get("value"))

    def send(self, args: tuple[Any, ...], kwargs: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        message = {
            "op": "call",
            "name": self.__name__,
            "route": f"{self.__name__}({','.join(sorted(self.replaced))})" if self.replaced else "plain",
            "args": wire.encode(list(args)),
            "kwargs": wire.encode(dict(kwargs)),
            "globals": wire.encode(dict(self.replaced)),
            **options,
        }
        return self.notebook.request(message, self.notebook.limits.call_seconds)

    def __repr__(self) -> str:
        return f"<student function {self.__name__}>"


def write_back(original: Any, new: Any) -> None:
    """Copy the state a student function left in a tensor it changes in place into the grader's tensor.

    The values and the gradient: the gradient is part of what the next step in the
    same notebook would start from (``apply_step`` called again), so a later call
    gets it back as input.  Neither is ever used to compute an expected value.
    """
    if not isinstance(original, torch.Tensor) or not isinstance(new, torch.Tensor):
        return
    with torch.no_grad():
        if new.shape == original.shape:
            original.copy_(new.to(original.dtype))
        else:
            original.data = new.detach().to(original.dtype)
    grad = new.grad
    original.grad = grad.to(original.dtype) if grad is not None and grad.shape == original.shape else None
