"""01-autograd: the seed's oracles, the checks module on its own, and hard-coded answers.

The seed (course notes 001) claims grad g([pi, 1]) = [2, pi - 1]; the truth is
[2, 2*pi - 1], and everything here uses the truth.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from autograder.checks import autograd as checks
from autograder.checks.core import Mistake
from autograder.notebook import read_notebook
from autograder.pipeline import Submission, grade_submission
from autograder.remote import StudentNotebook
from tests.corpus import Edit, write_variant

A = "01-autograd"
SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / f"{A}.ipynb"
SQUARE = "lambda x: (x - 0.5) ** 2 * 2"


# ------------------------------------------------------------ seed oracles, reference code
def test_reference_derivative_of_f_at_1_is_minus_2():
    assert checks.derivative(checks.f, 1.0) == pytest.approx(-2.0, abs=1e-12)


def test_reference_gradient_of_g_at_pi_is_2_and_2pi_minus_1_not_the_seeds_value():
    grad = checks.gradient(checks.g, torch.tensor([math.pi, 1.0], dtype=torch.float64))
    assert torch.allclose(grad, torch.tensor([2.0, 2 * math.pi - 1], dtype=torch.float64), atol=1e-12)
    assert not torch.allclose(grad, torch.tensor(checks.SEED_GRAD_G_AT_PI, dtype=torch.float64), atol=1e-3)


def test_gradcheck_confirms_the_true_gradient_of_g_and_rejects_the_seeds():
    point = torch.tensor([math.pi, 1.0], dtype=torch.float64)
    assert checks.gradcheck_claim(checks.g, point, torch.tensor(checks.GRAD_G_AT_PI))
    assert not checks.gradcheck_claim(checks.g, point, torch.tensor(checks.SEED_GRAD_G_AT_PI))


def test_reference_gradient_descent_on_f_reaches_its_minimum_2():
    assert checks.gradient_descent(checks.f, 0.0, 0.1, 100) == pytest.approx(2.0, abs=1e-6)


def test_rss_closed_form_agrees_with_autograd_and_gradcheck():
    X, y, w = checks.regression_data(40, 3, seed=1)
    closed = checks.rss_gradient(X, y, w)
    assert torch.allclose(closed, checks.gradient(lambda v: checks.rss(X, y, v), w), atol=1e-12)
    assert checks.gradcheck_claim(lambda v: checks.rss(X, y, v), w, closed)
    assert not checks.gradcheck_claim(lambda v: checks.rss(X, y, v), w, 2 * closed)


# ------------------------------------------------------------ seed oracles, solution end to end
def test_solution_in_the_sandbox_computes_the_oracles(sandbox, limits):
    session = sandbox.session(limits)
    student = StudentNotebook(session, read_notebook(SOLUTION).cells, limits)
    try:
        df_at_1, grad_g_at_pi, x_min = (student.value(name) for name in ("df_at_1", "grad_g_at_pi", "x_min"))
    finally:
        session.end()
    assert df_at_1 == pytest.approx(-2.0, abs=1e-6)
    assert torch.allclose(grad_g_at_pi.double(), torch.tensor([2.0, 2 * math.pi - 1], dtype=torch.float64), atol=1e-5)
    assert x_min == pytest.approx(2.0, abs=1e-3)


def test_solution_scores_full_marks_with_the_oracle_cases_passing(assignments, sandbox, limits):
    result = grade_submission(Submission("solution", SOLUTION), assignments[A], sandbox, limits)
    assert result.total == result.max_score > 0
    assert all(case.passed for question in result.questions for case in question.cases)


# ------------------------------------------------------------ the checks module, with local functions
def as_batch_swapped(x, d):
    return x.reshape(d, -1)


def as_batch_fixed(x, d):
    return x.reshape(-1, 3)


def f_detached(x):
    return ((x - 2) ** 2).detach()


def derivative_value(fn, x0):
    return fn(torch.tensor(float(x0))).item()


def g_detached(w):
    return checks.g(w).detach()


def gradient_on_callers_w(fn, w):
    w.requires_grad_(True)
    fn(w).backward()
    return w.grad.clone()


def descent(sign: float = 1.0, accumulate: bool = False, extra: int = 0) -> Callable[..., float]:
    def gradient_descent(fn, x0, lr, steps):
        return checks.descend(fn, x0, lr, steps + extra, sign=sign, accumulate=accumulate)

    return gradient_descent


def rss_with(factor: float) -> Callable[..., torch.Tensor]:
    def rss_gradient(X, y, w):
        return factor * checks.rss_gradient(X, y, w)

    return rss_gradient


def rss_global_n(X, y, w):
    return -2 / 50 * X.T @ (y - X @ w)


def rss_hard_coded(X, y, w):
    return torch.tensor(checks.PUBLIC_RSS_GRADIENT)


X_BATCH = torch.randn(2, 5, 6, generator=torch.Generator().manual_seed(1))
W3 = torch.tensor([0.3, -0.7, 1.1], dtype=torch.float64)
GRADIENT_FN = "lambda w: w[0] ** 2 * w[2] + torch.exp(w[1]) * w[0]"
SHAPES = [(37, 2), (64, 4)]

RIGHT: dict[str, Callable[[], None]] = {
    "as_batch": lambda: checks.check_as_batch(checks.as_batch, X_BATCH, 4),
    "f": lambda: checks.check_f(checks.f, torch.linspace(-3, 3, 7, dtype=torch.float64)),
    "derivative": lambda: checks.check_derivative(checks.derivative, "lambda x: x ** 3 - 4 * x", 1.7),
    "df_at_1": lambda: checks.check_df_at_1(-2.0),
    "g": lambda: checks.check_g(checks.g, torch.tensor([0.4, -1.3], dtype=torch.float64)),
    "gradient": lambda: checks.check_gradient(checks.gradient, GRADIENT_FN, W3),
    "grad_g_at_pi": lambda: checks.check_grad_g_at_pi(torch.tensor([2.0, 2 * math.pi - 1])),
    "gradient_descent": lambda: checks.check_gradient_descent(checks.gradient_descent, SQUARE, 3.0, 0.1, 8),
    "converges": lambda: checks.check_gradient_descent(checks.gradient_descent, SQUARE, 3.0, 0.1, 80, minimum=0.5),
    "rss_gradient": lambda: checks.check_rss_gradient(checks.rss_gradient, SHAPES, 7),
}

WRONG: dict[str, tuple[Callable[[], None], str | None]] = {
    "view-swapped": (lambda: checks.check_as_batch(as_batch_swapped, X_BATCH, 4), "view-swapped"),
    "view-hard-coded": (lambda: checks.check_as_batch(as_batch_fixed, X_BATCH, 4), "hard-coded"),
    "f-detached": (lambda: checks.check_f(f_detached, torch.linspace(-3, 3, 7, dtype=torch.float64)), "no-autograd"),
    "f-wrong": (lambda: checks.check_f(lambda x: (x + 2) ** 2, torch.linspace(-3, 3, 7, dtype=torch.float64)), None),
    "derivative-value": (lambda: checks.check_derivative(derivative_value, "lambda x: x ** 3 - 4 * x", 1.7),
                         "value-not-derivative"),
    "derivative-hard-coded": (lambda: checks.check_derivative(lambda fn, x0: -2.0, "lambda x: x ** 3", 1.7),
                              "hard-coded"),
    "df_at_1-value": (lambda: checks.check_df_at_1(1.0), "value-not-derivative"),
    "g-detached": (lambda: checks.check_g(g_detached, torch.tensor([0.4, -1.3], dtype=torch.float64)), "no-autograd"),
    "gradient-on-callers-w": (lambda: checks.check_gradient(gradient_on_callers_w, GRADIENT_FN, W3), "stale-grad"),
    "seed-gradient": (lambda: checks.check_grad_g_at_pi(torch.tensor([2.0, math.pi - 1])), "seed-gradient"),
    "descent-sign": (lambda: checks.check_gradient_descent(descent(sign=-1.0), SQUARE, 3.0, 0.1, 8), "sign-flipped"),
    "descent-accumulates": (lambda: checks.check_gradient_descent(descent(accumulate=True), SQUARE, 3.0, 0.1, 8),
                            "grad-not-reset"),
    "descent-extra-step": (lambda: checks.check_gradient_descent(descent(extra=1), SQUARE, 3.0, 0.1, 8),
                           "steps-off-by-one"),
    "descent-missing-step": (lambda: checks.check_gradient_descent(descent(extra=-1), SQUARE, 3.0, 0.1, 8),
                             "steps-off-by-one"),
    "descent-hard-coded": (lambda: checks.check_gradient_descent(lambda *a: 2.0, SQUARE, 3.0, 0.1, 8), "hard-coded"),
    "descent-not-converged": (lambda: checks.check_gradient_descent(checks.gradient_descent, SQUARE, 3.0, 0.01, 20,
                                                                    minimum=0.5), None),
    "rss-missing-factor-2": (lambda: checks.check_rss_gradient(rss_with(0.5), SHAPES, 7), "missing-factor-2"),
    "rss-sign-flipped": (lambda: checks.check_rss_gradient(rss_with(-1.0), SHAPES, 7), "rss-sign-flipped"),
    "rss-wrong-constant": (lambda: checks.check_rss_gradient(rss_with(3.0), SHAPES, 7), "wrong-constant"),
    "rss-global-n": (lambda: checks.check_rss_gradient(rss_global_n, SHAPES, 7), "global-n"),
    "rss-hard-coded": (lambda: checks.check_rss_gradient(rss_hard_coded, SHAPES, 7), "hard-coded"),
    "rss-no-n": (lambda: checks.check_rss_gradient(lambda X, y, w: -2 * X.T @ (y - X @ w), SHAPES, 7),
                 "missing-1-over-n"),
    "rss-returns-none": (lambda: checks.check_rss_gradient(lambda X, y, w: None, SHAPES, 7), "wrong-type"),
}


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_check_passes_the_right_answer(name):
    RIGHT[name]()


@pytest.mark.parametrize("name", sorted(WRONG))
def test_check_names_the_mistake(name):
    run, tag = WRONG[name]
    with pytest.raises(Mistake) as caught:
        run()
    assert caught.value.tag == tag, str(caught.value)


# ------------------------------------------------------------ hard-coding the public answers
HARD_CODED = (
    Edit("return x.view(-1, d)  # SOLUTION", "return torch.arange(12.0).view(4, 3) if d == 3 else torch.arange(12.0).view(6, 2)"),
    Edit("return (x - 2) ** 2  # SOLUTION", "return torch.tensor(9.0, requires_grad=True)  # SOLUTION"),
    Edit("    x = torch.tensor(float(x0), requires_grad=True)\n    y = fn(x)\n    y.backward()\n    return x.grad.item()",
         "    return 6.0"),
    Edit("df_at_1 = derivative(f, 1.0)  # SOLUTION", "df_at_1 = -2.0  # SOLUTION"),
    Edit("return 2 * w[0] * w[1] + w[1] * torch.cos(w[0])  # SOLUTION", "return torch.tensor(1.0)  # SOLUTION"),
    Edit("    w = w.detach().clone().requires_grad_(True)\n    fn(w).backward()\n    return w.grad",
         "    return torch.tensor([2.0, -4.0])"),
    Edit("grad_g_at_pi = gradient(g, torch.tensor([math.pi, 1.0]))  # SOLUTION",
         "grad_g_at_pi = torch.tensor([2.0, 2 * math.pi - 1])  # SOLUTION"),
    Edit("    return x.item()", "    return {1: 0.4, 2: 0.72}.get(steps, 2.0)"),
    Edit("return -2 / n * X.T @ (y - X @ w)  # SOLUTION",
         "return torch.tensor([[-8 / 3], [-10 / 3]]) if n == 3 else torch.tensor([[2.0], [0.0]])  # SOLUTION"),
)


def test_hard_coded_public_answers_pass_every_public_test_and_no_hidden_one(tmp_path, assignments, sandbox, limits):
    path = write_variant(A, HARD_CODED, tmp_path / "hard-coded.ipynb")
    result = grade_submission(Submission("hard-coded", path), assignments[A], sandbox, limits)
    cases: list[Any] = [case for question in result.questions for case in question.cases]
    assert all(case.passed for case in cases if not case.hidden), [c.message for c in cases if not c.passed]
    assert not any(case.passed for case in cases if case.hidden)
    assert result.total == 0
    named = {tag for question in result.questions for tag in question.mistakes}
    assert "hard-coded" in named
