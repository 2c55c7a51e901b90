"""Checks for 04-linear-regression: data, split, SGD fit, normal equation, test MSE, learning rates.

Data follow the course notes (seed 003): ``X`` has one feature uniform in
[-1.15, 1.15] and a bias column of ones, ``y = X @ actual + noise / 3`` with
standard normal noise, so the best possible mean squared error is 1/9.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from autograder.checks.core import (
    Mistake,
    as_tensor,
    close,
    expect_close,
    is_unanswered,
    isolated,
    mistake,
    short,
)
from autograder.checks.quadratic import loss_variants
from autograder.checks.references import References

LOW, HIGH = -1.15, 1.15
NOISE_STD = 1 / 3
NOISE_VARIANCE = 1 / 9
OLS_TOLERANCE = 0.02
MSE_TOLERANCE = 0.015
LR_ITERATIONS = 1000


# The reference answers: the solution code of solutions/04-linear-regression.ipynb (see references.py).
# Their source travels to the sandbox when a student function is graded on its own (``isolated``).
REF = References("04-linear-regression")


def __getattr__(name: str) -> Any:
    """``regression.<name>``: the reference answer of that name (``REF.<name>``)."""
    return getattr(REF, name)


def others(name: str) -> tuple[Callable[..., Any], ...]:
    """The reference functions a student's ``name`` is graded with, so it is graded on its own."""
    return tuple(reference for other, reference in REF.functions().items() if other != name)


def hidden_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(X, y, actual)`` drawn in the grader with a seeded generator: inputs students never see."""
    generator = torch.Generator().manual_seed(seed)
    actual = torch.empty(2).uniform_(-14, 14, generator=generator)
    X, y = REF.make_data(n, actual, seed + 1)
    return X, y, actual


def least_squares(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The ordinary least squares weights, by ``torch.linalg.lstsq`` in float64."""
    return torch.linalg.lstsq(X.double(), y.double().unsqueeze(1)).solution.squeeze(1)


def mean_squared(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> float:
    """The mean squared error of ``w`` on ``(X, y)``, in float64 (inf when it overflows)."""
    value = ((X.double() @ w.double() - y.double()) ** 2).mean().item()
    return value if math.isfinite(value) else math.inf


# ------------------------------------------------------------------ make_data
def check_make_data(student_make_data: Callable[..., Any], n: int, actual: torch.Tensor, seed: int) -> None:
    """``make_data`` draws the data the notes describe, reproducibly from ``seed``."""
    make = isolated(student_make_data, *others("make_data"))
    X, y = unpack(make(n, actual.clone(), seed), 2, "make_data(n, actual, seed)")
    X, y = as_tensor(X, "X"), as_tensor(y, "y")
    if tuple(X.shape) != (n, 2) or tuple(y.shape) != (n,):
        raise Mistake(f"make_data({n}, ...) should return X of shape ({n}, 2) and y of shape ({n},), "
                      f"got {tuple(X.shape)} and {tuple(y.shape)}.", "wrong-shape")
    if not torch.all(X[:, 1] == 1):
        raise mistake("bias-column", "The second column of X is not all ones.")
    feature = X[:, 0]
    if feature.min() < LOW - 1e-6 or feature.max() > HIGH + 1e-6 or feature.min() > -1.0 or feature.max() < 1.0:
        raise Mistake(f"The first column of X should be uniform in [{LOW}, {HIGH}]: it spans "
                      f"[{feature.min().item():.3f}, {feature.max().item():.3f}].", "feature-range")
    check_noise(y - X @ actual.double())
    X2, y2 = unpack(make(n, actual.clone(), seed), 2, "make_data(n, actual, seed)")
    X3, _ = unpack(make(n, actual.clone(), seed + 1), 2, "make_data(n, actual, seed)")
    if not (close(X2, X, 0, 0) and close(y2, y, 0, 0)) or close(X3, X, 0, 0):
        raise mistake("seed-ignored", "make_data is not reproducible from its seed.")


def check_noise(noise: torch.Tensor) -> None:
    """The noise is standard normal divided by 3: mean about 0, standard deviation about 1/3."""
    std = noise.std().item()
    if abs(noise.mean().item()) > 0.05 or abs(std - NOISE_STD) > 0.03:
        if noise.min() > -1e-3 and abs(noise.mean().item() - math.sqrt(3) * std) < 0.1 * math.sqrt(3) * std:
            raise mistake("noise-uniform", f"The noise y - X @ actual is never negative (mean {noise.mean().item():.3f}).")
        for tag, target in (("noise-not-scaled", 1.0), ("noise-variance-as-std", NOISE_VARIANCE)):
            if abs(std - target) < 0.1 * target:
                raise mistake(tag, f"The noise y - X @ actual has standard deviation {std:.3f}, not 1/3.")
        raise Mistake(f"The noise y - X @ actual should have mean 0 and standard deviation 1/3: "
                      f"got mean {noise.mean().item():.3f} and standard deviation {std:.3f}.")


def unpack(value: Any, count: int, what: str) -> tuple[Any, ...]:
    """``value`` as a tuple of ``count`` items, or a ``Mistake`` saying what it should be."""
    if is_unanswered(value):
        raise mistake("not-implemented", f"{what} is still `...`.")
    if not isinstance(value, (tuple, list)) or len(value) != count:
        raise Mistake(f"{what} should return a tuple of {count} tensors, not {short(value)}.", "wrong-type")
    return tuple(value)


# ---------------------------------------------------------------------- split
def check_split(student_split: Callable[..., Any], X: torch.Tensor, y: torch.Tensor, fraction: float) -> None:
    """The first ``int(n * fraction)`` rows train, the rest test, in the order (X_train, X_test, y_train, y_test)."""
    result = unpack(isolated(student_split, *others("split"))(X, y, fraction), 4,
                    "split(X, y, train_fraction)")
    expected = REF.split(X, y, fraction)
    size = len(expected[0])
    variants = {
        "split-swapped": (X[len(X) - size:], X[:len(X) - size], y[len(X) - size:], y[:len(X) - size]),
        "split-order": (expected[0], expected[2], expected[1], expected[3]),
    }
    if all(same(part, want) for part, want in zip(result, expected)):
        return
    for tag, parts in variants.items():
        if all(same(part, want) for part, want in zip(result, parts)):
            raise mistake(tag, "split(X, y, train_fraction) is not right.")
    shapes = [tuple(as_tensor(part, "each part").shape) for part in result]
    wanted = [tuple(part.shape) for part in expected]
    if shapes != wanted:
        raise mistake("wrong-split", f"split(X, y, {fraction}) returned parts of shapes {shapes}, expected {wanted}.")
    if same_rows(torch.cat([as_tensor(result[0], "X_train"), as_tensor(result[1], "X_test")]), X.double()):
        raise mistake("split-shuffled", "Every row is there, in another order.")
    raise mistake("wrong-split", f"split(X, y, {fraction}) has parts of the right shapes, {shapes}, "
                                 "holding other rows than the first ones for training and the rest for testing.")


def same_rows(actual: torch.Tensor, expected: torch.Tensor) -> bool:
    """True when ``actual`` holds the rows of ``expected``, each once, in any order."""
    def ordered(rows: torch.Tensor) -> torch.Tensor:
        return rows[torch.argsort(rows[:, 0], stable=True)]

    return actual.shape == expected.shape and close(ordered(actual), ordered(expected), 0, 0)


def same(actual: Any, expected: torch.Tensor) -> bool:
    """Exactly the same values and shape."""
    try:
        return close(actual, expected, 0, 0) and tuple(as_tensor(actual, "value").shape) == tuple(expected.shape)
    except Mistake:
        return False


# -------------------------------------------------------------------- fit_sgd
@dataclass(frozen=True)
class Run:
    """How a (possibly mistaken) gradient-descent loop behaves."""

    sign: float = 1.0
    reset: bool = True
    loss: str = "mse"
    stop: bool = True


MISTAKEN_RUNS = {
    "sign-flipped": Run(sign=-1.0),
    "grad-not-reset": Run(reset=False),
    "sum-not-mean": Run(loss="sum"),
    "rmse-not-mse": Run(loss="rmse"),
    "half-mse": Run(loss="half"),
}


def trajectory(X: torch.Tensor, y: torch.Tensor, lr: float, iterations: int, tol: float, run: Run | None = None
               ) -> tuple[list[torch.Tensor], int]:
    """The weights after each update (starting from zeros) and how many updates ran before the stop."""
    run = run or Run()
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    path, last_loss = [w.detach().clone()], None
    for _ in range(iterations):
        errors = (X @ w - y) ** 2
        loss = {"mse": errors.mean, "sum": errors.sum, "rmse": lambda e=errors: e.mean().sqrt(),
                "half": lambda e=errors: e.mean() / 2}[run.loss]()
        if run.stop and last_loss is not None and abs(last_loss - loss.item()) <= tol:
            break
        loss.backward()
        with torch.no_grad():
            w -= run.sign * lr * w.grad
        if run.reset:
            w.grad = None
        last_loss = loss.item()
        path.append(w.detach().clone())
    return path, len(path) - 1


def check_fit_sgd_steps(student_fit: Callable[..., Any], X: torch.Tensor, y: torch.Tensor, lr: float,
                        iterations: int) -> None:
    """The first few updates are exactly gradient descent on the MSE from zeros, and ``w`` is an nn.Parameter."""
    result = isolated(student_fit, *others("fit_sgd"))(X, y, lr, iterations)
    column_weight(result, X)
    expected = trajectory(X, y, lr, iterations, 0.0)[0][-1]
    variants = {tag: trajectory(X, y, lr, iterations, 0.0, run)[0][-1] for tag, run in MISTAKEN_RUNS.items()}
    expect_close(result, expected, f"w after fit_sgd(X, y, lr={lr}, iterations={iterations})", variants,
                 rtol=1e-3, atol=1e-4)
    if getattr(result, "wire_type", type(result).__name__) != "Parameter":
        raise mistake("not-a-parameter", "fit_sgd returned the right numbers but")


def column_weight(result: Any, X: torch.Tensor) -> None:
    """The ``broadcast-shape`` mistake for a ``(d, 1)`` weight (the targets ``y`` have shape ``(n,)``)."""
    if getattr(result, "shape", None) == (X.shape[1], 1):
        raise mistake("broadcast-shape", f"fit_sgd returned w of shape {tuple(result.shape)}, not ({X.shape[1]},).")


def check_fit_sgd_agrees(student_fit: Callable[..., Any], X: torch.Tensor, y: torch.Tensor, lr: float,
                         iterations: int) -> None:
    """``fit_sgd`` lands within ``OLS_TOLERANCE`` of the normal-equation (least-squares) answer."""
    result = as_tensor(isolated(student_fit, *others("fit_sgd"))(X, y, lr, iterations), "fit_sgd's answer")
    column_weight(result, X)
    best = least_squares(X, y)
    if result.shape == best.shape and torch.all((result - best).abs() <= OLS_TOLERANCE):
        return
    what = (f"fit_sgd(X, y, lr={lr}, iterations={iterations}) should land within {OLS_TOLERANCE} of the "
            f"normal-equation answer: got {short(result)}.")
    raise wrong_run(result, what, X, y, lr, iterations, 0.0)


def wrong_run(result: torch.Tensor, what: str, X: torch.Tensor, y: torch.Tensor, lr: float, iterations: int,
              tol: float) -> Mistake:
    """The ``Mistake`` for a wrong ``fit_sgd`` answer, naming the mistaken loop that gives the same result."""
    for tag, run in MISTAKEN_RUNS.items():
        if close(result, trajectory(X, y, lr, iterations, tol, run)[0][-1], 1e-3, 1e-4):
            return mistake(tag, what)
    if result.numel() == 2 and mean_squared(X, y, result.reshape(2)) > mean_squared(X, y, torch.zeros(2)):
        return mistake("diverges", what)
    return Mistake(what)


def check_fit_sgd_stops(student_fit: Callable[..., Any], X: torch.Tensor, y: torch.Tensor, lr: float,
                        iterations: int, tol: float) -> None:
    """``fit_sgd(..., tol=tol)`` stops once the loss changes by at most ``tol`` (one update either way is fine)."""
    result = as_tensor(isolated(student_fit, *others("fit_sgd"))(X, y, lr, iterations, tol=tol), "fit_sgd's answer")
    column_weight(result, X)
    path, stopped = trajectory(X, y, lr, iterations, tol)
    if stopped >= iterations:
        raise ValueError("the hidden test must use a tol at which the reference stops early")
    if any(close(result, path[k], 1e-3, 1e-5) for k in range(stopped - 1, min(stopped + 2, len(path)))):
        return
    what = (f"fit_sgd(X, y, lr={lr}, iterations={iterations}, tol={tol}) should stop after {stopped} updates, "
            f"when the loss changed by at most tol: got {short(result)}.")
    full = trajectory(X, y, lr, iterations, tol, Run(stop=False))[0][-1]
    if close(result, full, 1e-3, 1e-5):
        raise mistake("no-convergence-stop", what)
    raise wrong_run(result, what, X, y, lr, iterations, tol)


# ------------------------------------------------------------ normal equation
SHAPE_ERRORS = {
    "square matri": "inverse-of-x",
    "shapes cannot be multiplied": "normal-equation-transpose",
    "size mismatch": "normal-equation-transpose",
}


def check_normal_equation(student_normal: Callable[..., Any], X: torch.Tensor, y: torch.Tensor,
                          public_answer: torch.Tensor | None = None) -> None:
    """``normal_equation`` returns the least-squares weights ``(X^T X)^-1 X^T y`` (as ``torch.linalg.lstsq``)."""
    try:
        result = isolated(student_normal, *others("normal_equation"))(X, y)
    except Exception as error:  # the student's function raised: a telltale shape error names the mistake
        text = str(getattr(error, "detail", error))
        for pattern, tag in SHAPE_ERRORS.items():
            if pattern in text:
                raise mistake(tag, f"normal_equation raised {text[:200]}") from error
        raise
    X64, y64 = X.double(), y.double()
    variants = {
        "normal-equation-no-inverse": X64.T @ X64 @ X64.T @ y64,
    }
    if public_answer is not None:
        variants["hard-coded"] = public_answer
    expect_close(result, least_squares(X, y), "normal_equation(X, y)", variants, rtol=1e-3, atol=1e-4)


# ------------------------------------------------------------------ test MSE
def check_test_mse(student_mse: Callable[..., Any], X_test: torch.Tensor, y_test: torch.Tensor,
                   w: torch.Tensor) -> None:
    """``test_mse`` is the mean of squared errors on the test set (not RMSE, a sum or a mean absolute error)."""
    result = isolated(student_mse, *others("test_mse"))(X_test, y_test, w)
    errors = (X_test.double() @ w.double() - y_test.double())
    variants = loss_variants(X_test.double() @ w.double(), y_test.double())
    expect_close(result, (errors**2).mean(), "test_mse(X_test, y_test, w)", variants, rtol=1e-4, atol=1e-6)


def check_noise_floor(student_mse: Callable[..., Any], n: int, seed: int) -> None:
    """On fresh data fit by least squares, the student's test MSE is the noise variance 1/9 (within ``MSE_TOLERANCE``)."""
    X, y, _ = hidden_data(n, seed)
    X_train, X_test, y_train, y_test = REF.split(X, y, 0.75)
    w = REF.normal_equation(X_train, y_train)
    value = as_tensor(isolated(student_mse, *others("test_mse"))(X_test, y_test, w), "test_mse")
    if value.numel() == 1 and abs(value.item() - NOISE_VARIANCE) <= MSE_TOLERANCE:
        return
    errors = X_test.double() @ w.double() - y_test.double()
    what = (f"On new data with noise variance 1/9 = {NOISE_VARIANCE:.4f}, the test MSE of the least-squares fit "
            f"should be within {MSE_TOLERANCE} of it: got {short(value)}.")
    if close(value, (errors**2).mean().sqrt(), 1e-3, 1e-5):
        raise mistake("rmse-not-mse", what)
    if close(value, (errors**2).mean() / 2, 1e-3, 1e-5):
        raise mistake("half-mse", what)
    raise Mistake(what)


# ------------------------------------------------------------ learning rates
def check_learning_rates(good_lr: Any, bad_lr: Any, X: torch.Tensor, y: torch.Tensor) -> None:
    """``good_lr`` converges within ``LR_ITERATIONS`` iterations; ``bad_lr`` makes the loss grow."""
    good, bad = (number(value, name) for value, name in ((good_lr, "good_lr"), (bad_lr, "bad_lr")))
    best = least_squares(X, y)
    start = mean_squared(X, y, torch.zeros(2))
    w = REF.fit_sgd(X, y, good, LR_ITERATIONS).detach()
    if not torch.all((w.double() - best).abs() <= OLS_TOLERANCE):
        if mean_squared(X, y, w) > start:
            raise mistake("diverging-lr", f"With good_lr = {good:g}, fit_sgd moved away from the answer.")
        raise mistake("lr-too-small", f"With good_lr = {good:g}, fit_sgd is not within {OLS_TOLERANCE} of the "
                                      f"answer after {LR_ITERATIONS} iterations.")
    if not mean_squared(X, y, REF.fit_sgd(X, y, bad, 100).detach()) > start:
        raise mistake("lr-does-not-diverge", f"With bad_lr = {bad:g}, the loss did not grow.")


def number(value: Any, name: str) -> float:
    """``value`` as a positive finite float, or a ``Mistake``."""
    if is_unanswered(value):
        raise mistake("not-implemented", f"{name} is still `...`.")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise Mistake(f"{name} should be a positive number, not {short(value)}.", "wrong-type")
    return float(value)
