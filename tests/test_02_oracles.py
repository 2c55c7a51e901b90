"""02-quadratic-fit: the checks on their own, the seed's RMSE trap, and hard-coding."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from autograder.checks import Mistake
from autograder.checks import quadratic as checks
from autograder.pipeline import Submission, grade_submission
from tests.corpus import solution_path, write_variant

A = "02-quadratic-fit"
T = torch.linspace(0, 3, 12)
TARGETS = 0.5 * T**2 - T + 2
START = torch.tensor([0.3, -0.2, 1.0])


def seed_mse(preds, targets):
    """The course notes' `mse`, which is really the RMSE."""
    return ((preds - targets) ** 2).mean().sqrt()


def raises_tag(check, *args) -> str | None:
    with pytest.raises(Mistake) as error:
        check(*args)
    return error.value.tag


def test_reference_functions_agree_with_autograd():
    params = START.clone().requires_grad_(True)
    loss = checks.mse(checks.func(T, params), TARGETS)
    loss.backward()
    a, b, c = START
    residual = a * T**2 + b * T + c - TARGETS
    closed_form = torch.stack([(2 * residual * T**2).mean(), (2 * residual * T).mean(), (2 * residual).mean()])
    assert torch.allclose(params.grad, closed_form, atol=1e-5)


def test_the_seed_mse_is_rmse_and_is_named():
    preds, targets = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 5.0])
    assert torch.isclose(checks.mse(preds, targets), torch.tensor(4.0 / 3))
    assert torch.isclose(seed_mse(preds, targets), torch.tensor(4.0 / 3).sqrt())
    assert raises_tag(checks.check_mse, seed_mse, preds * 3, targets) == "rmse-not-mse"


@pytest.mark.parametrize(
    ("loss", "tag"),
    [
        (lambda p, t: ((p - t) ** 2).sum(), "sum-not-mean"),
        (lambda p, t: (p - t).abs().mean(), "mae-not-mse"),
        (lambda p, t: (p - t).mean(), "not-squared"),
        (lambda p, t: ((p - t) ** 2).mean().detach(), "no-autograd"),
        (lambda p, t: torch.tensor(4.0 / 3), None),
    ],
)
def test_check_mse_names_each_mistake(loss, tag):
    g = torch.Generator().manual_seed(1)
    assert raises_tag(checks.check_mse, loss, torch.randn(9, generator=g), torch.randn(9, generator=g)) == tag


def test_check_mse_accepts_the_reference():
    checks.check_mse(checks.mse, torch.randn(7), torch.randn(7))


def test_check_func_names_swapped_coefficients():
    def swapped(t, params):
        c, b, a = params
        return a * t**2 + b * t + c

    checks.check_func(checks.func, T, START)
    assert raises_tag(checks.check_func, swapped, T, START) == "coefficients-swapped"


def step_variant(update: str, reset: bool = True, loss_after: bool = False):
    """A local `apply_step` with one mistake, written as students write it."""

    def step(params, t, targets, lr):
        loss = checks.mse(checks.func(t, params), targets)
        loss.backward()
        if update == "in-place":
            params.data -= lr * params.grad
        elif update == "flipped":
            params.data += lr * params.grad
        elif update == "rebound":
            params = params - lr * params.grad  # noqa: F841 - the mistake itself
        if reset and update != "rebound":
            params.grad = None
        if loss_after:
            return checks.mse(checks.func(t, params), targets).item()
        return loss.item()

    return step


@pytest.mark.parametrize(
    ("step", "tag"),
    [
        (step_variant("flipped"), "sign-flipped"),
        (step_variant("rebound"), "params-rebound"),
        (step_variant("in-place", reset=False), "grad-not-reset"),
        (step_variant("in-place", loss_after=True), "loss-after-step"),
    ],
)
def test_check_apply_step_names_each_mistake(step, tag):
    assert raises_tag(checks.check_apply_step, step, T, TARGETS, START, 0.01) == tag


def test_check_apply_step_and_train_manual_accept_the_reference():
    checks.check_apply_step(step_variant("in-place"), T, TARGETS, START, 0.01)

    def train(params, t, targets, lr, epochs):
        return [checks.apply_step(params, t, targets, lr) for _ in range(epochs)]

    checks.check_train_manual(train, T, TARGETS, START, 0.01, 10)


def test_check_train_manual_wants_one_loss_per_epoch():
    def short(params, t, targets, lr, epochs):
        return [checks.apply_step(params, t, targets, lr) for _ in range(epochs - 1)]

    with pytest.raises(Mistake, match="one loss per epoch"):
        checks.check_train_manual(short, T, TARGETS, START, 0.01, 10)


def test_hard_coding_the_public_answers_fails_the_hidden_tests(tmp_path: Path, assignments, sandbox, limits):
    cells = (
        "def mse(preds, targets):\n    return torch.tensor(10 / 3, requires_grad=True)\n",
        "def func(t, params):\n    return torch.tensor([3.0, 6.0, 11.0], requires_grad=True)\n",
    )
    path = write_variant(A, (), tmp_path / "hard-coded.ipynb", cells)
    result = grade_submission(Submission("hard-coded", path), assignments[A], sandbox, limits)
    questions = {q.name: q for q in result.questions}
    for name in ("q1-func", "q2-mse"):
        public = [case for case in questions[name].cases if not case.hidden]
        assert public and all(case.passed for case in public), name
        assert questions[name].score == 0, name
    assert questions["q3-apply-step"].score == questions["q3-apply-step"].max_score


def test_solution_passes_the_public_tests_too(assignments, sandbox, limits):
    result = grade_submission(Submission("solution", solution_path(A)), assignments[A], sandbox, limits)
    assert [(q.name, c.name, c.message) for q in result.questions for c in q.cases if not c.passed] == []
