"""Checks for 03-optimizer-loop: ``torch.optim.SGD``, the training loop, divergence, ``nn.MSELoss``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from autograder import wire
from autograder.checks.core import (
    Mistake,
    as_tensor,
    changing,
    close,
    entries,
    expect_close,
    expect_connected,
    is_unanswered,
    isolated,
    mistake,
    short,
    value_and_gradient,
)
from autograder.checks.quadratic import loss_variants
from autograder.checks.references import References

# The course notes' example (seed 002): what the public tests use.
PUBLIC_LOSS = wire.SourceCode("lambda t: (t[0] - 3)**2 + (t[1] + 2)**2 + 8")
PUBLIC_START = (10.0, 10.0)
PUBLIC_LR = 0.1


# The reference answers: the solution code of solutions/03-optimizer-loop.ipynb (see references.py).
# Their source travels to the sandbox when a student function is graded on its own (``isolated``).
REF = References("03-optimizer-loop")


def __getattr__(name: str) -> Any:
    """``optim.<name>``: the reference answer of that name (``REF.<name>``)."""
    return getattr(REF, name)


# What known mistaken training loops produce.
LOOP_MISTAKES = ("step-before-backward", "forgot-zero-grad", "sign-flipped", "loss-after-step")


def trajectory(
    loss_fn: Callable[[torch.Tensor], torch.Tensor], start: torch.Tensor, lr: float, epochs: int, error: str | None = None
) -> tuple[list[torch.Tensor], list[float]]:
    """The histories ``train_sgd`` gives, or those of the loop with the mistake ``error``.

    ``step-before-backward`` is the loop ``loss; zero_grad(); step(); backward()``;
    ``loss-after-step`` records ``loss_fn`` of the parameters after the step.
    """
    a = start.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([a], lr=lr, maximize=error == "sign-flipped")
    params, losses = [], []
    for _ in range(epochs):
        loss = loss_fn(a)
        if error != "forgot-zero-grad":
            optimizer.zero_grad()
        if error == "step-before-backward":
            optimizer.step()
            loss.backward()
        else:
            loss.backward()
            optimizer.step()
        params.append(a.detach().clone())
        with torch.no_grad():
            losses.append(float(loss_fn(a)) if error == "loss-after-step" else loss.item())
    return params, losses


def stacked(values: Sequence[Any], what: str) -> torch.Tensor:
    """A list of tensors or numbers as one float64 tensor, one row per entry."""
    rows = [as_tensor(value, what).reshape(-1) for value in values]
    if len({row.numel() for row in rows}) > 1:
        raise Mistake(f"Every entry of {what} should have the same shape.", "wrong-shape")
    return torch.stack(rows) if rows else torch.zeros(0, dtype=torch.float64)


def unpack_histories(result: Any, epochs: int) -> tuple[list[Any], list[Any]]:
    """``(params_history, loss_history)``, two histories of ``epochs`` entries, or a ``Mistake``."""
    shape = "train_sgd should return a pair (params_history, loss_history) of lists"
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Mistake(f"{shape}, got {short(result)}.", "wrong-type")
    histories = []
    for name, history in zip(("params_history", "loss_history"), result):
        items = entries(history)
        if items is None:
            raise Mistake(f"{shape}; {name} is a {type(history).__name__}.", "wrong-type")
        if len(items) != epochs:
            raise Mistake(f"{name} should have one entry per epoch ({epochs}), it has {len(items)}.", "wrong-shape")
        histories.append(items)
    return histories[0], histories[1]


def check_make_optimizer(student_make: Callable[..., Any], a: torch.Tensor, lr: float) -> None:
    """``make_optimizer(a, lr)`` is ``torch.optim.SGD([a], lr=lr)``."""
    a = a.detach().clone().requires_grad_(True)
    made = student_make(a, lr)
    if is_unanswered(made):
        raise mistake("not-implemented", "make_optimizer returned `...`.")
    info = optimizer_info(made)
    if info is None:
        raise Mistake("make_optimizer should return a torch.optim.SGD optimizer.", "wrong-type")
    if info.type_name != "SGD":
        raise mistake("not-sgd", f"make_optimizer returned a {info.type_name} optimizer.")
    if info.n_params != 1:
        raise Mistake(f"The optimizer should manage exactly one tensor, a; it manages {info.n_params}.")
    expect_close(info.lr, lr, "The optimizer's learning rate", {"hard-coded": PUBLIC_LR})
    if info.momentum != 0:
        raise mistake("momentum", f"The optimizer has momentum {info.momentum:g}.")


def optimizer_info(value: Any) -> wire.OptimizerInfo | None:
    """What the grader can see of an optimizer, whether it came from the sandbox or not."""
    if isinstance(value, wire.OptimizerInfo):
        return value
    if isinstance(value, torch.optim.Optimizer):
        decoded = wire.decode(wire.encode(value))
        return decoded if isinstance(decoded, wire.OptimizerInfo) else None
    return None


def check_typeerror_answer(answer: Any, expected: str) -> None:
    """The multiple-choice answer about ``torch.optim.SGD(a, lr=0.1)``."""
    if is_unanswered(answer):
        raise mistake("not-implemented", "typeerror_answer is still `...`.")
    if not isinstance(answer, str) or answer.strip().lower() not in ("a", "b", "c", "d"):
        raise Mistake(f"typeerror_answer should be one of 'a', 'b', 'c', 'd', got {short(answer)}.", "wrong-type")
    if answer.strip().lower() != expected:
        raise mistake("optimizer-needs-iterable", f"'{answer.strip()}' is not the reason.")


def check_train_sgd(
    student_train: Callable[..., Any], loss_fn: wire.SourceCode, start: torch.Tensor, lr: float, epochs: int
) -> None:
    """Both histories match ``torch.optim.SGD`` epoch by epoch, and ``start`` is left alone."""
    train = changing(isolated(student_train, REF.make_optimizer), 1)  # read `start` back, to see it was left alone
    given = start.detach().clone()
    params, losses = unpack_histories(train(loss_fn, given, lr, epochs), epochs)
    expected_params, expected_losses = trajectory(loss_fn, start, lr, epochs)
    variants = {error: trajectory(loss_fn, start, lr, epochs, error) for error in LOOP_MISTAKES}
    param_variants = {error: torch.stack(run[0]) for error, run in variants.items() if error != "loss-after-step"}
    param_variants["history-aliased"] = torch.stack([expected_params[-1]] * epochs)
    param_variants["params-before-step"] = torch.stack([start.double(), *expected_params[:-1]])
    actual = stacked(params, "params_history")
    expected = torch.stack(expected_params)
    if not close(actual, expected) and matches_public_table(actual, epochs):
        raise mistake("hard-coded", "params_history is the public example's, not this run's.")
    expect_close(actual, expected, "params_history", param_variants)
    expect_close(
        stacked(losses, "loss_history").reshape(-1),
        torch.tensor(expected_losses),
        "loss_history",
        {"loss-after-step": torch.tensor(variants["loss-after-step"][1])},
    )
    if not torch.equal(given, start):
        raise mistake("start-not-copied", "train_sgd changed the `start` tensor it was given.")


def matches_public_table(actual: torch.Tensor, epochs: int) -> bool:
    """True when ``actual`` is the public example's history (to the 4 decimals printed there)."""
    if actual.shape != (epochs, len(PUBLIC_START)):
        return False
    public = torch.stack(trajectory(PUBLIC_LOSS, torch.tensor(PUBLIC_START), PUBLIC_LR, epochs)[0])
    return close(actual, public, rtol=0, atol=1e-4)


def as_bool(value: Any, what: str) -> bool:
    """A Python bool from a bool, a numpy bool or a one-element tensor, else a ``Mistake``."""
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":  # a numpy bool, when called locally
        return bool(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype == torch.bool:
        return bool(value.item())
    raise Mistake(f"{what} should return True or False, got {short(value)}.", "wrong-type")


def divergence_cases(
    loss_fn: wire.SourceCode, start: torch.Tensor, lrs: Sequence[float], epochs: int
) -> list[tuple[list[float], bool, str]]:
    """Loss histories of reference runs, whether each diverged, and why; plus one that turns NaN."""
    cases = []
    for lr in lrs:
        losses = trajectory(loss_fn, start, lr, epochs)[1]
        values = torch.tensor(losses, dtype=torch.float64)
        why = "contains inf" if not torch.isfinite(values).all() else "ends higher than it started"
        cases.append((losses, REF.has_diverged(losses), why))
    sound = next(losses for losses, diverged, _ in cases if not diverged)
    cases.append((sound[:3] + [float("nan")] * 2, True, "contains nan"))
    return cases


def check_has_diverged(
    student_check: Callable[..., Any], loss_fn: wire.SourceCode, start: torch.Tensor, lrs: Sequence[float], epochs: int
) -> None:
    """``has_diverged`` is True for inf, nan or a growing loss, False for a decreasing one."""
    for losses, expected, why in sorted(divergence_cases(loss_fn, start, lrs, epochs), key=lambda case: not case[1]):
        answer = as_bool(student_check(list(losses)), "has_diverged")
        if answer == expected:
            continue
        if expected:
            raise mistake("no-divergence-check", f"has_diverged returned False for a loss history that {why}.")
        raise Mistake(
            f"has_diverged returned True for a loss that went from {losses[0]:.4g} down to {losses[-1]:.4g}: "
            "only inf, nan or a last loss above the first count as divergence."
        )


def check_pick_lr(
    student_pick: Callable[..., Any], loss_fn: wire.SourceCode, start: torch.Tensor, lrs: Sequence[float], epochs: int
) -> None:
    """``pick_lr`` returns the non-diverging learning rate with the lowest final loss."""
    pick = isolated(student_pick, REF.make_optimizer, REF.train_sgd, REF.has_diverged)
    chosen = pick(loss_fn, start.detach().clone(), list(lrs), epochs)
    expected = REF.pick_lr(loss_fn, start, lrs, epochs)
    if not isinstance(chosen, (int, float)) or isinstance(chosen, bool):
        raise Mistake(f"pick_lr should return one of the learning rates, got {short(chosen)}.", "wrong-type")
    if close(chosen, expected, rtol=1e-9, atol=0):
        return
    if chosen in lrs and REF.has_diverged(trajectory(loss_fn, start, chosen, epochs)[1]):
        raise mistake("diverging-lr", f"pick_lr chose lr={chosen:g}, whose run diverges.")
    raise Mistake(f"pick_lr chose lr={chosen:g}, which is not the non-diverging learning rate with the lowest final loss.")


def check_mse_loss(student_loss: Callable[..., Any], preds: torch.Tensor, targets: torch.Tensor) -> None:
    """``mse_loss`` is ``nn.MSELoss()`` with the default mean reduction, and stays differentiable."""
    result, gradient = value_and_gradient(student_loss, 0, preds.clone().requires_grad_(True), targets)
    expected = REF.mse_loss(preds.double(), targets.double())
    expect_close(result, expected, "mse_loss(preds, targets)", loss_variants(preds, targets))
    truth = value_and_gradient(REF.mse_loss, 0, preds.double().requires_grad_(True), targets.double())[1]
    expect_connected(gradient, truth, "mse_loss(preds, targets)")

