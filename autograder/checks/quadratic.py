"""Checks for 02-quadratic-fit: ``func``, ``mse``, ``apply_step`` and ``train_manual``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from autograder.checks.core import (
    Mistake,
    as_tensor,
    call_keeping,
    entries,
    expect_close,
    expect_connected,
    is_unanswered,
    isolated,
    mistake,
    value_and_gradient,
)
from autograder.checks.references import References

# The reference answers: the solution code of solutions/02-quadratic-fit.ipynb (see references.py).
# Their source travels to the sandbox when a student function is graded on its own (``isolated``).
REF = References("02-quadratic-fit")


def __getattr__(name: str) -> Any:
    """``quadratic.mse`` and the like: the reference answer of that name (``REF``)."""
    return getattr(REF, name)


def loss_variants(preds: torch.Tensor, targets: torch.Tensor) -> dict[str, Any]:
    """What common wrong losses give on these inputs (a list: each value the mistake can give)."""
    errors = (preds - targets).double()
    return {
        "rmse-not-mse": (errors**2).mean().sqrt(),
        "sum-not-mean": (errors**2).sum(),
        "mae-not-mse": errors.abs().mean(),
        "not-squared": errors.mean(),
        "squared-mean": errors.mean() ** 2,
        "half-mse": (errors**2).mean() / 2,
        "not-reduced": [errors**2, errors**2 / 2],
    }


def check_func(student_func: Callable[..., Any], t: torch.Tensor, params: torch.Tensor) -> None:
    """``func(t, params)`` is ``a*t**2 + b*t + c`` and its gradient flows back to ``params``."""
    result, gradient = value_and_gradient(student_func, 1, t, params.clone().requires_grad_(True))
    expected = REF.func(t.double(), params.detach().double())
    swapped = REF.func(t.double(), params.detach().double().flip(0))
    no_intercept = expected - params.detach().double()[2]
    expect_close(result, expected, "func(t, params)", {"coefficients-swapped": swapped, "missing-term": no_intercept})
    truth = value_and_gradient(REF.func, 1, t.double(), params.detach().double().requires_grad_(True))[1]
    expect_connected(gradient, truth, "func(t, params)")


def check_mse(student_mse: Callable[..., Any], preds: torch.Tensor, targets: torch.Tensor) -> None:
    """``mse`` is the mean of squared errors (not RMSE, a sum or a mean absolute error), differentiable."""
    result, gradient = value_and_gradient(student_mse, 0, preds.clone().requires_grad_(True), targets)
    expect_close(result, REF.mse(preds.double(), targets.double()), "mse(preds, targets)", loss_variants(preds, targets))
    truth = value_and_gradient(REF.mse, 0, preds.double().requires_grad_(True), targets.double())[1]
    expect_connected(gradient, truth, "mse(preds, targets)")


def expected_step(params: torch.Tensor, t: torch.Tensor, targets: torch.Tensor, lr: float) -> tuple[float, torch.Tensor, torch.Tensor]:
    """The loss before the step, the gradient, and the parameters after one step."""
    start = params.detach().double().clone().requires_grad_(True)
    loss = REF.mse(REF.func(t.double(), start), targets.double())
    loss.backward()
    return loss.item(), start.grad.detach(), start.detach() - lr * start.grad.detach()


def check_apply_step(
    student_step: Callable[..., Any], t: torch.Tensor, targets: torch.Tensor, start: torch.Tensor, lr: float
) -> None:
    """Two manual steps on the same ``params``: each returns the loss before it and moves by ``-lr * grad``.

    Behaviour, not incidental state: a step that resets the gradient after the update
    and one that zeroes it before ``backward()`` both start every step from a zero
    gradient; one that does neither adds the first gradient into the second step.
    """
    step = isolated(student_step, REF.mse, REF.func)
    start64 = start.double()
    loss_before, grad, after = expected_step(start, t, targets, lr)
    loss_second, grad_second, after_second = expected_step(after, t, targets, lr)
    # Each call starts from the tensor the previous one left (values and gradient), as in a notebook.
    returned, params = call_keeping(step, 0, start.clone().requires_grad_(True), t, targets, lr)
    moved = as_tensor(params, "params after one step")
    if moved.shape == start64.shape and torch.allclose(moved, start64):
        if returned is None or is_unanswered(returned):
            raise mistake("not-implemented", "apply_step did not change params and returned nothing.")
        raise mistake("params-rebound", "apply_step did not change params.")
    expect_close(moved, after, "params after one step", {
        "sign-flipped": start64 + lr * grad, "lr-ignored": start64 - grad, "step-by-loss": start64 - lr * loss_before,
    })
    expect_close(as_tensor(returned, "The returned loss"), loss_before, "The returned loss", {
        "loss-after-step": loss_second, "returned-predictions": REF.func(t.double(), start64),
    })
    params = params.detach().clone().requires_grad_(True) if params.grad is None else params
    second = as_tensor(call_keeping(step, 0, params, t, targets, lr)[1], "params after a second step")
    accumulated = after - lr * (grad + grad_second)
    expect_close(second, after_second, "params after a second step on the same params",
                 {"grad-not-reset": accumulated})


def check_train_manual(
    student_train: Callable[..., Any], t: torch.Tensor, targets: torch.Tensor, start: torch.Tensor, lr: float, epochs: int
) -> None:
    """``train_manual`` returns one loss per epoch, matching repeated manual steps."""
    train = isolated(student_train, REF.mse, REF.func, REF.apply_step)
    params = start.clone().requires_grad_(True)
    returned = train(params, t, targets, lr, epochs)
    losses = entries(returned)
    if losses is not None and len(losses) == 1 < epochs:
        raise mistake("return-inside-loop", f"train_manual returned 1 loss for {epochs} epochs.")
    if losses is None or len(losses) != epochs:
        count = type(returned).__name__ if losses is None else len(losses)
        raise Mistake(f"train_manual should return a list with one loss per epoch ({epochs}), got {count}.")
    reference = start.double().clone()
    expected = []
    for _ in range(epochs):
        loss, _, reference = expected_step(reference, t, targets, lr)
        expected.append(loss)
    actual = torch.stack([as_tensor(value, "each loss").reshape(()) for value in losses])
    expect_close(actual, torch.tensor(expected, dtype=torch.float64), "The list of losses", rtol=1e-3)
    if not actual[-1] < actual[0]:
        raise mistake("diverging-lr", "The loss did not decrease over training.")
    expect_close(params.detach(), reference, "params after training", rtol=1e-3)
