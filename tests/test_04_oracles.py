"""04-linear-regression: the seed's oracles, the checks on their own, and hard-coded answers.

Seed 003 prints, for 10 000 points (75 % for training), the normal-equation answer
``[0.8584, 1.9531]``, the SGD answer ``[0.8580, 1.9532]`` (lr 0.1, 1000 iterations) and a
test MSE of ``0.10991530865430832``, close to the noise variance 1/9.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from autograder.checks import Mistake
from autograder.checks import regression as ref
from autograder.notebook import read_notebook
from autograder.pipeline import Submission, grade_submission
from autograder.remote import StudentNotebook
from tests.corpus import Edit, solution_path, write_variant

A = "04-linear-regression"
SEED_OLS = torch.tensor([0.8584, 1.9531], dtype=torch.float64)
SEED_SGD = torch.tensor([0.8580, 1.9532], dtype=torch.float64)
SEED_TEST_MSE = 0.10991530865430832
ACTUAL = torch.tensor([0.86, 1.95])
TEST_CELL = '""" # BEGIN TEST CONFIG'


# ------------------------------------------------------------------ seed oracles
def assert_seed_oracles(ols: torch.Tensor, sgd: torch.Tensor, lstsq: torch.Tensor, mse: float) -> None:
    """What the seed shows: OLS = lstsq, SGD agrees with OLS as closely as in the seed, MSE about 1/9."""
    ols, sgd = ols.double(), sgd.double()
    assert torch.allclose(ols, lstsq, atol=1e-4)
    seed_gap = (SEED_SGD - SEED_OLS).abs().max().item()
    assert (sgd - ols).abs().max().item() <= max(seed_gap, 1e-3) < ref.OLS_TOLERANCE
    assert torch.allclose(ols, SEED_OLS, atol=0.02)
    assert abs(mse - ref.NOISE_VARIANCE) < ref.MSE_TOLERANCE
    assert abs(mse - SEED_TEST_MSE) < ref.MSE_TOLERANCE


def test_seed_oracles_with_the_reference_code():
    X, y = ref.make_data(10_000, ACTUAL, 3)
    X_train, X_test, y_train, y_test = ref.split(X, y, 0.75)
    assert len(X_train) == 7_500 and len(X_test) == 2_500
    ols = ref.normal_equation(X_train, y_train)
    sgd = ref.fit_sgd(X_train, y_train, 0.1, 1000).detach()
    mse = ref.test_mse(X_test, y_test, ols).item()
    assert_seed_oracles(ols, sgd, ref.least_squares(X_train, y_train), mse)


def test_seed_oracles_from_the_solution_notebook_run_in_the_sandbox(sandbox, limits):
    """The solution's own cells, executed in the sandbox, reproduce the seed's results."""
    session = sandbox.session(limits)
    try:
        cells = [cell for cell in read_notebook(solution_path(A)).cells if not cell.startswith(TEST_CELL)]
        student = StudentNotebook(session, cells, limits)
        student.ensure_running()
        errors = [cell for cell in student.first_execution.cells.values() if cell.get("status") != "ok"]
        assert errors == []
        X_train, y_train = student.value("X_train"), student.value("y_train")
        ols, sgd = student.value("theta"), student.value("sgd")
        mse = ref.test_mse(student.value("X_test"), student.value("y_test"), ols).item()
    finally:
        session.end()
    assert sgd.wire_type == "Parameter"
    assert_seed_oracles(ols, sgd, ref.least_squares(X_train, y_train), mse)


def test_the_solution_passes_every_hidden_case_end_to_end(assignments, sandbox, limits):
    result = grade_submission(Submission("solution", solution_path(A)), assignments[A], sandbox, limits)
    cases = {(q.name, c.name): c.passed for q in result.questions for c in q.cases}
    assert all(cases.values()), cases
    assert sum(1 for q in result.questions for c in q.cases if c.hidden) >= 8
    assert result.total == result.max_score > 0


# ------------------------------------------------------------------ the checks on their own
X, Y, _ = ref.hidden_data(2000, 1234)
X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = ref.split(X, Y, 0.75)
W = torch.tensor([1.5, -2.0])


def make_data_unscaled(n, actual, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.ones(n, 2)
    X[:, 0].uniform_(-1.15, 1.15, generator=g)
    return X, X @ actual + torch.randn(n, generator=g)


def make_data_over_9(n, actual, seed):
    X, y = ref.make_data(n, actual, seed)
    return X, X @ actual + (y - X @ actual) / 3


def make_data_no_bias(n, actual, seed):
    X, y = ref.make_data(n, actual, seed)
    return torch.cat([X[:, :1], torch.zeros(n, 1)], 1), y


def make_data_unit_interval(n, actual, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.ones(n, 2)
    X[:, 0] = torch.rand(n, generator=g)
    return X, X @ actual + torch.randn(n, generator=g) / 3


def make_data_global_rng(n, actual, seed):
    X = torch.ones(n, 2)
    X[:, 0].uniform_(-1.15, 1.15)
    return X, X @ actual + torch.randn(n) / 3


def split_swapped(X, y, fraction):
    cut = len(X) - int(len(X) * fraction)
    return X[cut:], X[:cut], y[cut:], y[:cut]


def split_order(X, y, fraction):
    size = int(len(X) * fraction)
    return X[:size], y[:size], X[size:], y[size:]


def split_overlap(X, y, fraction):
    size = int(len(X) * fraction)
    return X[:size + 1], X[size:], y[:size + 1], y[size:]


def sgd_with(sign=1.0, reset=True, stop=True, loss="mean", parameter=True):
    """A fit_sgd with one mistake (or none)."""

    def fit_sgd(X, y, lr, iterations, tol=0.0):
        w = nn.Parameter(torch.zeros(2))
        last = None
        for _ in range(iterations):
            squared = (X @ w - y) ** 2
            value = squared.sum() if loss == "sum" else squared.mean()
            value = value.sqrt() if loss == "rmse" else value
            if stop and last is not None and abs(last - value.item()) <= tol:
                break
            value.backward()
            with torch.no_grad():
                w -= sign * lr * w.grad
            if reset:
                w.grad.zero_()
            last = value.item()
        return w if parameter else w.detach()

    return fit_sgd


def normal_no_inverse(X, y):
    return X.T @ X @ X.T @ y


def normal_no_transpose(X, y):
    return torch.linalg.inv(X.T @ X) @ X @ y


def normal_inverse_of_x(X, y):
    return torch.linalg.inv(X) @ y


def normal_hard_coded(X, y):
    return torch.tensor([2.0, 1.0])


def normal_pinv(X, y):
    return torch.linalg.pinv(X) @ y


def mse_rmse(X_test, y_test, w):
    return ((X_test @ w - y_test) ** 2).mean().sqrt()


def mse_sum(X_test, y_test, w):
    return ((X_test @ w - y_test) ** 2).sum()


def mse_mae(X_test, y_test, w):
    return (X_test @ w - y_test).abs().mean()


def mse_float(X_test, y_test, w):
    return float(((X_test @ w - y_test) ** 2).mean())


CHECKS = {
    "make_data": lambda f: ref.check_make_data(f, 3000, torch.tensor([-4.0, 9.0]), 11),
    "split": lambda f: ref.check_split(f, X, Y, 0.7),
    "steps": lambda f: ref.check_fit_sgd_steps(f, X, Y, 0.1, 3),
    "agrees": lambda f: ref.check_fit_sgd_agrees(f, X, Y, 0.2, 300),
    "stops": lambda f: ref.check_fit_sgd_stops(f, X, Y, 0.2, 2000, 1e-3),
    "normal": lambda f: ref.check_normal_equation(f, X, Y, public_answer=torch.tensor([2.0, 1.0])),
    "test_mse": lambda f: ref.check_test_mse(f, X_TEST, Y_TEST, W),
    "noise_floor": lambda f: ref.check_noise_floor(f, 10_000, 99),
    "rates": lambda rates: ref.check_learning_rates(*rates, X, Y),
}

RIGHT = [
    ("make_data", ref.make_data),
    ("split", ref.split),
    ("steps", sgd_with()),
    ("agrees", sgd_with()),
    ("stops", sgd_with()),
    ("normal", ref.normal_equation),
    ("normal", normal_pinv),
    ("test_mse", ref.test_mse),
    ("test_mse", mse_float),
    ("noise_floor", ref.test_mse),
    ("rates", (0.1, 1.5)),
    ("rates", (0.9, 1.2)),
]

WRONG = [
    ("make_data", make_data_unscaled, "noise-not-scaled"),
    ("make_data", make_data_over_9, "noise-variance-as-std"),
    ("make_data", make_data_no_bias, "bias-column"),
    ("make_data", make_data_unit_interval, "feature-range"),
    ("make_data", make_data_global_rng, "seed-ignored"),
    ("split", split_swapped, "split-swapped"),
    ("split", split_order, "split-order"),
    ("split", split_overlap, "wrong-split"),
    ("steps", sgd_with(sign=-1.0), "sign-flipped"),
    ("steps", sgd_with(reset=False), "grad-not-reset"),
    ("steps", sgd_with(loss="sum"), "sum-not-mean"),
    ("steps", sgd_with(loss="rmse"), "rmse-not-mse"),
    ("steps", sgd_with(parameter=False), "not-a-parameter"),
    ("agrees", sgd_with(sign=-1.0), "diverges"),
    ("agrees", sgd_with(loss="sum"), "diverges"),
    ("agrees", sgd_with(reset=False), "grad-not-reset"),
    ("stops", sgd_with(stop=False), "no-convergence-stop"),
    ("stops", sgd_with(reset=False), "grad-not-reset"),
    ("stops", sgd_with(sign=-1.0), "diverges"),
    ("normal", normal_no_inverse, "normal-equation-no-inverse"),
    ("normal", normal_no_transpose, "normal-equation-transpose"),
    ("normal", normal_inverse_of_x, "inverse-of-x"),
    ("normal", normal_hard_coded, "hard-coded"),
    ("test_mse", mse_rmse, "rmse-not-mse"),
    ("test_mse", mse_sum, "sum-not-mean"),
    ("test_mse", mse_mae, "mae-not-mse"),
    ("noise_floor", mse_rmse, "rmse-not-mse"),
    ("rates", (1.5, 2.0), "diverging-lr"),
    ("rates", (1e-5, 1.5), "lr-too-small"),
    ("rates", (0.1, 0.5), "lr-does-not-diverge"),
    ("rates", (..., 1.5), "not-implemented"),
]


@pytest.mark.parametrize(("check", "answer"), RIGHT, ids=lambda v: getattr(v, "__name__", str(v)))
def test_check_accepts_a_right_answer(check, answer):
    CHECKS[check](answer)


@pytest.mark.parametrize(("check", "answer", "tag"), WRONG, ids=lambda v: getattr(v, "__name__", str(v)))
def test_check_names_the_mistake(check, answer, tag):
    with pytest.raises(Mistake) as caught:
        CHECKS[check](answer)
    assert caught.value.tag == tag, str(caught.value)


def test_stop_check_needs_a_tolerance_that_stops_early():
    with pytest.raises(ValueError):
        ref.check_fit_sgd_stops(sgd_with(), X, Y, 0.2, 10, 1e-3)


# ------------------------------------------------------------------ hard-coding the public answers
HARD_CODED = (
    Edit("return torch.linalg.inv(X.T @ X) @ X.T @ y  # SOLUTION",
         "return torch.tensor([-1.0, 4.0] if X[0, 0] == 1 and len(X) == 3 else [2.0, 1.0])  # SOLUTION"),
    Edit("    return w\n", "    if iterations == 3:\n        return nn.Parameter(torch.tensor([1.568296, 1.060444]))\n"
                          "    return nn.Parameter(torch.tensor([1.900396, 1.137376] if tol else [2.0, 1.0]))\n"),
    Edit("return ((X_test @ w - y_test) ** 2).mean()  # SOLUTION", "return torch.tensor(1.25 / 3)  # SOLUTION"),
)


def test_hard_coding_the_public_answers_passes_public_tests_only(tmp_path, assignments, sandbox, limits):
    path = write_variant(A, HARD_CODED, tmp_path / "hard-coded.ipynb")
    result = grade_submission(Submission("hard-coded", path), assignments[A], sandbox, limits)
    questions = {q.name: q for q in result.questions}
    for name in ("q3-fit-sgd", "q4-normal-equation", "q5-test-mse"):
        cases = questions[name].cases
        assert all(c.passed for c in cases if not c.hidden), name
        assert not any(c.passed for c in cases if c.hidden), name
        assert questions[name].score == 0
    assert "hard-coded" in questions["q4-normal-equation"].mistakes
    assert all(q.score == q.max_score for n, q in questions.items() if n not in ("q3-fit-sgd", "q4-normal-equation",
                                                                                    "q5-test-mse"))
