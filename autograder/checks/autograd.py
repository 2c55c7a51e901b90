"""Checks for 01-autograd: ``as_batch``, ``f``/``derivative``, ``g``/``gradient``,
``gradient_descent`` and ``rss_gradient``.

Gradients a student computes are checked twice: against autograd in float64, and
with ``torch.autograd.gradcheck`` (finite differences in float64) through a
function whose backward returns the student's answer.  When an answer is wrong,
it is compared with what known mistaken versions give, to name the mistake.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import torch

from autograder.checks.core import (
    Mistake,
    as_tensor,
    call_keeping,
    close,
    expect_close,
    expect_connected,
    isolated,
    mistake,
    short,
    value_and_gradient,
)
from autograder.checks.references import References
from autograder.wire import SourceCode

PI = math.pi
DF_AT_1 = -2.0
GRAD_G_AT_PI = (2.0, 2 * PI - 1)  # the truth; the course notes print [2, pi - 1]
SEED_GRAD_G_AT_PI = (2.0, PI - 1)
PUBLIC_RSS_GRADIENT = ((-8 / 3,), (-10 / 3,))  # the public test's answer


# The reference answers: the solution code of solutions/01-autograd.ipynb (see references.py).
# Their source travels to the sandbox when a student function is graded on its own (``isolated``).
REF = References("01-autograd")


def __getattr__(name: str) -> Any:
    """``autograd.<name>``: the reference answer of that name (``REF.<name>``)."""
    return getattr(REF, name)


def rss(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """The RSS objective of the course notes: ||y - Xw||^2 / n."""
    return ((y - X @ w) ** 2).sum() / X.shape[0]


# ---------------------------------------------------------------- helpers
def gradcheck_claim(fn: Callable[[torch.Tensor], torch.Tensor], point: torch.Tensor, claimed: torch.Tensor) -> bool:
    """True when ``claimed`` is the gradient of scalar ``fn`` at ``point`` (gradcheck, float64).

    ``fn`` runs forward; its backward returns ``claimed``, so gradcheck compares
    the claimed gradient with finite differences of ``fn``.
    """
    claimed = claimed.detach().to(torch.float64).reshape(point.shape)

    class Claimed(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, w: torch.Tensor) -> torch.Tensor:
            return fn(w.detach()).reshape(())

        @staticmethod
        def backward(ctx: Any, grad_output: torch.Tensor) -> torch.Tensor:
            return grad_output * claimed

    start = point.detach().to(torch.float64).clone().requires_grad_(True)
    return bool(torch.autograd.gradcheck(Claimed.apply, (start,), eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=False))


def as_gradient(value: Any, like: torch.Tensor, what: str) -> torch.Tensor:
    """A returned gradient as a float64 tensor shaped like ``like`` (a Mistake if it cannot be)."""
    result = as_tensor(value, what)
    if result.numel() != like.numel():
        raise Mistake(f"{what} has shape {tuple(result.shape)}, expected {tuple(like.shape)}.", "wrong-shape")
    return result.reshape(like.shape)


def source(text: str) -> SourceCode:
    """A test function that can be called here and travel to the sandbox."""
    return SourceCode(text)


# ---------------------------------------------------------------- q1
def check_as_batch(student_as_batch: Callable[..., Any], x: torch.Tensor, d: int, public_d: int = 3) -> None:
    """``as_batch(x, d)`` is ``x.view(-1, d)``: the batch dimension first."""
    result = student_as_batch(x.clone(), d)
    variants = {"view-swapped": x.reshape(d, -1), "hard-coded": x.reshape(-1, public_d)}
    tag = next((name for name, value in variants.items() if _same(result, value)), None)
    if tag is not None:
        raise mistake(tag, "as_batch(x, d) is not right.")
    expect_close(result, REF.as_batch(x.double(), d), "as_batch(x, d)")


def _same(actual: Any, expected: torch.Tensor) -> bool:
    """Same shape and values (a different shape never matches, even with the same numbers)."""
    return isinstance(actual, torch.Tensor) and actual.shape == expected.shape and close(actual, expected)


# ---------------------------------------------------------------- q2
def check_f(student_f: Callable[..., Any], x: torch.Tensor) -> None:
    """``f(x) = (x - 2)**2`` elementwise, built with torch so autograd can differentiate it."""
    x = x.to(torch.float64)
    result, gradient = value_and_gradient(student_f, 0, x.clone().requires_grad_(True))
    expect_close(result, REF.f(x), "f(x)")
    expect_connected(gradient, value_and_gradient(REF.f, 0, x.clone().requires_grad_(True))[1], "f(x)")


def check_derivative(student_derivative: Callable[..., Any], fn_source: str, x0: float) -> None:
    """``derivative(fn, x0)`` returns fn'(x0), as gradcheck in float64 confirms."""
    fn = source(fn_source)
    result = student_derivative(fn, x0)
    claimed = as_gradient(result, torch.zeros(()), "derivative(fn, x0)")
    point = torch.tensor(float(x0), dtype=torch.float64)
    if gradcheck_claim(fn, point, claimed):
        return
    variants = {"value-not-derivative": fn(point), "hard-coded": DF_AT_1}
    expect_close(claimed, REF.derivative(fn, x0), "derivative(fn, x0)", variants)
    raise Mistake(f"derivative(fn, x0) = {short(claimed)} does not agree with finite differences of fn.")


def check_df_at_1(value: Any) -> None:
    """The seed's oracle: f'(1) = -2."""
    expect_close(value, DF_AT_1, "df_at_1", {"value-not-derivative": REF.f(torch.tensor(1.0))})


# ---------------------------------------------------------------- q3
def check_g(student_g: Callable[..., Any], w: torch.Tensor) -> None:
    """``g(w) = 2*w1*w2 + w2*cos(w1)``, differentiable with respect to ``w``."""
    w = w.to(torch.float64)
    result, gradient = value_and_gradient(student_g, 0, w.clone().requires_grad_(True))
    expect_close(result, REF.g(w), "g(w)")
    expect_connected(gradient, value_and_gradient(REF.g, 0, w.clone().requires_grad_(True))[1], "g(w)")


def check_gradient(student_gradient: Callable[..., Any], fn_source: str, w: torch.Tensor) -> None:
    """``gradient(fn, w)`` is the gradient of fn at w, the same on every call."""
    fn = source(fn_source)
    w = w.to(torch.float64)
    caller_w = w.clone()
    truth = REF.gradient(fn, w)
    for call in ("first", "second"):  # the second call gets the w the first one left, as a notebook's would
        answer, left = call_keeping(student_gradient, 1, fn, caller_w)
        caller_w = left if isinstance(left, torch.Tensor) else caller_w
        claimed = as_gradient(answer, w, f"gradient(fn, w) ({call} call)")
        if gradcheck_claim(fn, w, claimed):
            continue
        variants = {"stale-grad": truth * 2, "value-not-derivative": fn(w).expand(w.shape)}
        expect_close(claimed, truth, f"gradient(fn, w) on the {call} call with the same w", variants)
        raise Mistake(f"gradient(fn, w) = {short(claimed)} does not agree with finite differences of fn.")


def check_grad_g_at_pi(value: Any) -> None:
    """The seed's oracle, corrected: grad g([pi, 1]) = [2, 2*pi - 1] (the notes say [2, pi - 1])."""
    expected = torch.tensor(GRAD_G_AT_PI, dtype=torch.float64)
    expect_close(value, expected, "grad_g_at_pi", {"seed-gradient": torch.tensor(SEED_GRAD_G_AT_PI)})


# ---------------------------------------------------------------- q4
def descend(fn: Callable[[torch.Tensor], torch.Tensor], x0: float, lr: float, steps: int,
            sign: float = 1.0, accumulate: bool = False, by_value: bool = False) -> float:
    """Gradient descent in float64, or one of its mistaken versions.

    ``sign=-1`` climbs the gradient; ``accumulate=True`` never resets the gradient;
    ``by_value=True`` steps by the function's value instead of its gradient.
    """
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        value = fn(x)
        value.backward()
        with torch.no_grad():
            x -= sign * lr * (value.detach() if by_value else x.grad)
        if not accumulate:
            x.grad = None
    return x.item()


def check_gradient_descent(
    student_descent: Callable[..., Any], fn_source: str, x0: float, lr: float, steps: int, minimum: float | None = None
) -> None:
    """``gradient_descent(fn, x0, lr, steps)`` takes exactly ``steps`` steps of size ``lr``.

    With ``minimum`` given, the result must also be within 1e-3 of it (convergence).
    """
    fn = source(fn_source)
    run = isolated(student_descent, REF.derivative, REF.gradient)
    result = as_tensor(run(fn, x0, lr, steps), "gradient_descent(fn, x0, lr, steps)")
    expected = descend(fn, x0, lr, steps)
    what = "gradient_descent(fn, x0, lr, steps)"  # the hidden inputs stay out of the feedback
    if not bool(torch.isfinite(result).all()):
        raise mistake("diverging-lr", f"{what} returned {short(result)}.")
    if not close(result, expected, rtol=1e-4, atol=1e-5):
        variants = [
            ("sign-flipped", descend(fn, x0, lr, steps, sign=-1.0)),
            ("grad-not-reset", descend(fn, x0, lr, steps, accumulate=True)),
            ("step-by-loss", descend(fn, x0, lr, steps, by_value=True)),
            ("steps-off-by-one", descend(fn, x0, lr, steps - 1)),
            ("steps-off-by-one", descend(fn, x0, lr, steps + 1)),
            ("hard-coded", 2.0),
        ]
        for tag, value in variants:
            if close(result, value, rtol=1e-4, atol=1e-4):
                raise mistake(tag, f"{what} is not right.")
        raise Mistake(f"{what} returned {short(result)}: that is not where `steps` steps of x -= lr * grad lead from x0.")
    if minimum is not None and abs(result.item() - minimum) > 1e-3:
        raise Mistake(f"{what} did not reach the minimum of fn within 1e-3 (a learning rate that works, enough steps).")


# ---------------------------------------------------------------- q5
def regression_data(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random float64 ``X`` (n, d), ``y`` (n, 1) and ``w`` (d, 1) from a seeded generator."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=gen, dtype=torch.float64)
    true_w = torch.randn(d, 1, generator=gen, dtype=torch.float64)
    y = X @ true_w + 0.1 * torch.randn(n, 1, generator=gen, dtype=torch.float64)
    w = torch.randn(d, 1, generator=gen, dtype=torch.float64)
    return X, y, w


def scale_of(claimed: torch.Tensor, truth: torch.Tensor) -> float | None:
    """The constant ``c`` with ``claimed == c * truth``, if there is one (and it is not 0)."""
    scale = float((claimed * truth).sum() / (truth * truth).sum())
    if abs(scale) < 1e-9 or not close(claimed, scale * truth, rtol=1e-6, atol=1e-9):
        return None
    return scale


def constant_mistake(scales: list[float], sizes: list[int]) -> str:
    """Name the wrong constant from the factors found for data sets of ``sizes`` rows.

    The same fixed n behind every factor (``c = n / n_fixed``) means the function
    used an ``n`` from elsewhere in the notebook.
    """
    for tag, factor in (("missing-1-over-n", None), ("missing-factor-2", 0.5), ("rss-sign-flipped", -1.0)):
        expected = [float(n) if factor is None else factor for n in sizes]
        if all(math.isclose(s, e, rel_tol=1e-6) for s, e in zip(scales, expected)):
            return tag
    fixed = {round(n / s) for s, n in zip(scales, sizes) if s > 0 and abs(n / s - round(n / s)) < 1e-6 * n / s}
    if len(fixed) == 1 and len(scales) > 1 and fixed.pop() >= 2:
        return "global-n"
    return "wrong-constant"


def check_rss_gradient(student_rss_gradient: Callable[..., Any], shapes: list[tuple[int, int]], seed: int) -> None:
    """``rss_gradient(X, y, w)`` is -2/n X^T (y - Xw), the gradient autograd finds.

    Checked on data sets of each ``(n, d)`` in ``shapes``, all with gradcheck in float64.
    """
    scales, sizes = [], []
    for index, (n, d) in enumerate(shapes):
        X, y, w = regression_data(n, d, seed + index)
        claimed = as_gradient(student_rss_gradient(X.clone(), y.clone(), w.clone()), w, "rss_gradient(X, y, w)")
        loss = functools.partial(rss, X, y)
        truth = REF.gradient(loss, w)
        if gradcheck_claim(loss, w, claimed) and close(claimed, truth):
            continue
        if _same(claimed, torch.tensor(PUBLIC_RSS_GRADIENT, dtype=torch.float64)):
            raise mistake("hard-coded", "rss_gradient(X, y, w) is not right.")
        scale = scale_of(claimed, truth)
        if scale is None:
            expect_close(claimed, truth, "rss_gradient(X, y, w)")
            raise Mistake("rss_gradient(X, y, w) does not agree with finite differences of the RSS.")
        scales.append(scale)
        sizes.append(n)
    if scales:
        raise mistake(constant_mistake(scales, sizes), "rss_gradient(X, y, w) does not match autograd.")
