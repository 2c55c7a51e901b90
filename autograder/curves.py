"""Loss curves of the training questions on public inputs, for the feedback page.

Before the tests (so before any hidden input reaches the student's process), the grader calls
the student's training function on a public input, through the proxies the judge uses
(``StudentNotebook.resolve``), and keeps the losses it gives beside the reference's on the
same input.  Only public inputs: the picture shows what the public checks compare.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from autograder.remote import StudentError, StudentNotebook
from autograder.wire import SourceCode

MAX_POINTS = 200  # of a curve kept in a result


@dataclass(frozen=True)
class Curve:
    """How to draw one question's loss curve: the public call, and the losses of a function."""

    question: str
    function: str
    call: str  # the public call, as the student reads it
    losses: Callable[[Callable[..., Any], bool], Any]  # (function, runs in the sandbox) -> losses


def manual_losses(train_manual: Callable[..., Any], _remote: bool) -> Any:
    params = torch.zeros(3, requires_grad=True)
    return train_manual(params, torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 2.0, 5.0]), 0.01, 40)


PUBLIC_LOSS = "lambda t: (t[0] - 3)**2 + (t[1] + 2)**2 + 8"  # the same loss as text, for the sandbox


def public_loss(t: torch.Tensor) -> torch.Tensor:
    return (t[0] - 3) ** 2 + (t[1] + 2) ** 2 + 8


def sgd_losses(train_sgd: Callable[..., Any], remote: bool) -> Any:
    loss_fn = SourceCode(PUBLIC_LOSS) if remote else public_loss
    histories = train_sgd(loss_fn, torch.tensor([10.0, 10.0]), 0.1, 20)
    return histories[1] if isinstance(histories, (tuple, list)) and len(histories) == 2 else None


FIT_X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
FIT_Y = torch.tensor([1.0, 3.0, 5.0])


def fit_losses(fit_sgd: Callable[..., Any], _remote: bool) -> list[float]:
    """The MSE of ``fit_sgd``'s weights after 0, 1, ..., 25 iterations (it returns weights, not losses)."""
    found = []
    for iterations in range(26):
        w = torch.as_tensor(fit_sgd(FIT_X, FIT_Y, 0.1, iterations)).detach().double().reshape(-1)
        found.append(((FIT_X.double() @ w - FIT_Y.double()) ** 2).mean().item() if w.numel() == 2 else math.nan)
    return found


CURVES = {
    "02-quadratic-fit": [Curve("q4-train-manual", "train_manual", "train_manual(torch.zeros(3, requires_grad=True), "
                               "torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 2.0, 5.0]), 0.01, 40)", manual_losses)],
    "03-optimizer-loop": [Curve("q2-train-sgd", "train_sgd", f"train_sgd({PUBLIC_LOSS}, torch.tensor([10.0, 10.0]), "
                                "0.1, 20)", sgd_losses)],
    "04-linear-regression": [Curve("q3-fit-sgd", "fit_sgd", "the MSE of fit_sgd(X, y, 0.1, k) for k = 0, ..., 25, with "
                                   "X = [[0, 1], [1, 1], [2, 1]], y = [1.0, 3.0, 5.0]", fit_losses)],
}


def plain_losses(value: Any) -> list[float | None] | None:
    """``value`` as a list of at most ``MAX_POINTS`` floats (None where not finite), or None if it is no list."""
    try:
        numbers = [float(item.detach() if hasattr(item, "detach") else item) for item in list(value)[:MAX_POINTS]]
    except (TypeError, ValueError, RuntimeError):
        return None
    return [number if math.isfinite(number) else None for number in numbers]


def reference_function(assignment: str, name: str) -> Callable[..., Any]:
    from autograder.checks import optim, quadratic, regression

    module = {"02-quadratic-fit": quadratic, "03-optimizer-loop": optim, "04-linear-regression": regression}[assignment]
    return getattr(module, name)


def loss_curves(assignment: str, student: StudentNotebook) -> dict[str, dict[str, Any]]:
    """``{question: {"call", "student", "reference"}}`` for the assignment's training questions.

    ``student`` is None when the student's function is missing, fails or returns no list of losses.
    """
    curves = {}
    for curve in CURVES.get(assignment, []):
        try:
            mine = plain_losses(curve.losses(student.resolve(curve.function), True))
        except StudentError:
            mine = None
        except (TypeError, ValueError, RuntimeError, IndexError):  # what it returned is not usable
            mine = None
        try:
            reference = plain_losses(curve.losses(reference_function(assignment, curve.function), False))
        except Exception:  # noqa: BLE001 - a picture must never cost a grade
            continue
        curves[curve.question] = {"call": curve.call, "student": mine, "reference": reference}
    return curves
