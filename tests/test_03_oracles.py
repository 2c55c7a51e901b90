"""03-optimizer-loop: the course notes' tables, the checks on their own, and hard-coding.

The tables are copied from seed 002 (the printed output of ``torch.optim.SGD`` on
``(t0 - 3)**2 + (t1 + 2)**2 + 8`` from ``[10, 10]``), to the 4 decimals printed there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from autograder.checks import Mistake
from autograder.checks import optim as checks
from autograder.mistakes import mistake_for_exception
from autograder.notebook import read_notebook
from autograder.pipeline import Submission, grade_submission
from autograder.remote import StudentNotebook
from autograder.wire import SourceCode
from tests.corpus import solution_path, write_variant

A = "03-optimizer-loop"
SEED_LOSS = SourceCode("lambda t: (t[0] - 3)**2 + (t[1] + 2)**2 + 8")
START = (10.0, 10.0)

# lr = 0.1, 20 epochs: (params after the step, loss computed in the epoch).
TABLE_LR_01 = (
    ((8.6000, 7.6000), 201.0), ((7.4800, 5.6800), 131.5200), ((6.5840, 4.1440), 87.0528),
    ((5.8672, 2.9152), 58.5938), ((5.2938, 1.9322), 40.3800), ((4.8350, 1.1457), 28.7232),
    ((4.4680, 0.5166), 21.2629), ((4.1744, 0.0133), 16.4882), ((3.9395, -0.3894), 13.4325),
    ((3.7516, -0.7115), 11.4768), ((3.6013, -0.9692), 10.2251), ((3.4810, -1.1754), 9.4241),
    ((3.3848, -1.3403), 8.9114), ((3.3079, -1.4722), 8.5833), ((3.2463, -1.5778), 8.3733),
    ((3.1970, -1.6622), 8.2389), ((3.1576, -1.7298), 8.1529), ((3.1261, -1.7838), 8.0979),
    ((3.1009, -1.8271), 8.0626), ((3.0807, -1.8616), 8.0401),
)
# lr = 0.25 reaches (3, -2).
TABLE_LR_025 = (
    ((6.5000, 4.0000), 201.0), ((4.7500, 1.0000), 56.2500), ((3.8750, -0.5000), 20.0625),
    ((3.4375, -1.2500), 11.0156), ((3.2188, -1.6250), 8.7539), ((3.1094, -1.8125), 8.1885),
    ((3.0547, -1.9062), 8.0471), ((3.0273, -1.9531), 8.0118), ((3.0137, -1.9766), 8.0029),
    ((3.0068, -1.9883), 8.0007), ((3.0034, -1.9941), 8.0002), ((3.0017, -1.9971), 8.0000),
    ((3.0009, -1.9985), 8.0000), ((3.0004, -1.9993), 8.0000), ((3.0002, -1.9996), 8.0000),
    ((3.0001, -1.9998), 8.0), ((3.0001, -1.9999), 8.0), ((3.0000, -2.0000), 8.0),
    ((3.0000, -2.0000), 8.0), ((3.0000, -2.0000), 8.0),
)
# lr = 10 diverges: some rows (epoch, params, loss), printed to 5 significant digits.
ROWS_LR_10 = (
    (0, (-130.0, -230.0), 201.0), (1, (2530.0, 4330.0), 69681.0), (2, (-48010.0, -82310.0), 25151960.0),
    (4, (-17332690.0, -29713190.0), 3.2778e12), (9, (4.2917e13, 7.3573e13), 2.0097e25),
    (14, (-1.0627e20, -1.8217e20), 1.2321e38), (15, (2.0191e21, 3.4613e21), math.inf),
    (19, (2.6313e26, 4.5108e26), math.inf),
)


def run(train: Callable[..., Any], lr: float, epochs: int = 20) -> tuple[list[list[float]], list[float]]:
    """A ``train_sgd`` run on the seed's example, as plain lists."""
    params, losses = train(SEED_LOSS, torch.tensor(START), lr, epochs)
    return [p.tolist() for p in params], [float(loss) for loss in losses]


def assert_table(params: list[list[float]], losses: list[float], table: tuple) -> None:
    """Every printed value matches to the 4 decimals printed."""
    assert len(params) == len(losses) == len(table)
    for epoch, ((row, loss), got_row, got_loss) in enumerate(zip(table, params, losses)):
        assert got_row == pytest.approx(list(row), abs=5e-5 + 1e-6), f"epoch {epoch}"
        assert got_loss == pytest.approx(loss, abs=5e-5 + 1e-6), f"epoch {epoch}"


def assert_diverging_rows(params: list[list[float]], losses: list[float]) -> None:
    for epoch, row, loss in ROWS_LR_10:
        assert params[epoch] == pytest.approx(list(row), rel=1e-4), f"epoch {epoch}"
        assert losses[epoch] == pytest.approx(loss, rel=1e-4), f"epoch {epoch}"


# -- the seed's tables against the reference


def test_reference_reproduces_the_lr_01_table():
    assert_table(*run(checks.train_sgd, 0.1), TABLE_LR_01)


def test_reference_reaches_the_minimum_with_lr_025():
    params, losses = run(checks.train_sgd, 0.25)
    assert_table(params, losses, TABLE_LR_025)
    assert params[-1] == pytest.approx([3.0, -2.0], abs=1e-4) and losses[-1] == pytest.approx(8.0)


def test_reference_diverges_with_lr_10_and_says_so():
    params, losses = run(checks.train_sgd, 10.0)
    assert_diverging_rows(params, losses)
    assert checks.has_diverged(losses) and not checks.has_diverged(run(checks.train_sgd, 0.1)[1])
    assert checks.pick_lr(SEED_LOSS, torch.tensor(START), [10.0, 0.1, 0.25], 20) == 0.25


def test_mistake_simulator_without_mistake_is_the_reference():
    assert run(lambda *args: checks.trajectory(*args), 0.1) == run(checks.train_sgd, 0.1)


# -- the solution notebook, run in the sandbox


def test_solution_in_the_sandbox_reproduces_the_seed(sandbox, limits):
    session = sandbox.session(limits)
    student = StudentNotebook(session, read_notebook(solution_path(A)).cells, limits)
    try:
        train, diverged = student.resolve("train_sgd"), student.resolve("has_diverged")
        assert_table(*run(train, 0.1), TABLE_LR_01)
        assert_table(*run(train, 0.25), TABLE_LR_025)
        params, losses = run(train, 10.0)
        assert_diverging_rows(params, losses)
        assert diverged(losses) is True and diverged(run(train, 0.1)[1]) is False
        assert student.resolve("pick_lr")(SEED_LOSS, torch.tensor(START), [10.0, 0.1, 0.25], 20) == 0.25
        assert student.resolve("typeerror_answer") == "b"
    finally:
        session.end()


# -- the checks on their own, with local functions


def student_train(zero_grad: bool = True, step_first: bool = False, sign: float = 1.0,
                  record_after: bool = False, copy_start: bool = True, copy_params: bool = True) -> Callable[..., Any]:
    """A ``train_sgd`` written the way students write it, with one mistake switched on."""

    def train_sgd(loss_fn, start, lr, epochs):
        a = start.detach().clone().requires_grad_(True) if copy_start else start.requires_grad_(True)
        optimizer = torch.optim.SGD([a], lr=lr)
        params_history, loss_history = [], []
        for _ in range(epochs):
            loss = loss_fn(a)
            if zero_grad:
                optimizer.zero_grad()
            if step_first:
                optimizer.step()
            (sign * loss).backward()
            if not step_first:
                optimizer.step()
            params_history.append(a.detach().clone() if copy_params else a)
            loss_history.append(loss_fn(a).item() if record_after else loss.item())
        return params_history, loss_history

    return train_sgd


HIDDEN_LOSS = SourceCode("lambda t: (t[0] + 1.5)**2 + 2*(t[1] - 0.5)**2 + 5")
HIDDEN_START = torch.tensor([-0.6, 3.1])


def hard_coded_train(loss_fn, start, lr, epochs):
    """The public answer, whatever the inputs."""
    return checks.train_sgd(SEED_LOSS, torch.tensor(START), 0.1, epochs)


@pytest.mark.parametrize(("train", "tag"), [
    (student_train(zero_grad=False), "forgot-zero-grad"),
    (student_train(step_first=True), "step-before-backward"),
    (student_train(sign=-1.0), "sign-flipped"),
    (student_train(record_after=True), "loss-after-step"),
    (student_train(copy_start=False), "start-not-copied"),
    (student_train(copy_params=False), "history-aliased"),
    (hard_coded_train, "hard-coded"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_check_train_sgd_names_each_mistake(train, tag):
    checks.check_train_sgd(student_train(), HIDDEN_LOSS, HIDDEN_START, 0.15, 20)
    with pytest.raises(Mistake) as caught:
        checks.check_train_sgd(train, HIDDEN_LOSS, HIDDEN_START, 0.15, 20)
    assert caught.value.tag == tag, str(caught.value)


def test_check_train_sgd_wants_every_epoch_of_a_diverging_run():
    loss = SourceCode("lambda t: (t[0] + 1)**2 + 3*(t[1] - 2)**2 + t[2]**2")
    start = torch.tensor([0.5, -1.0, 2.0])
    checks.check_train_sgd(student_train(), loss, start, 1.5, 25)

    def stops_early(loss_fn, start, lr, epochs):
        params, losses = student_train()(loss_fn, start, lr, epochs)
        finite = [i for i, value in enumerate(losses) if math.isfinite(value)]
        return params[: len(finite)], losses[: len(finite)]

    with pytest.raises(Mistake, match="one entry per epoch"):
        checks.check_train_sgd(stops_early, loss, start, 1.5, 25)


def inf_only(losses):
    return any(math.isinf(loss) for loss in losses)


def growth_only(losses):
    return losses[-1] > losses[0]


DIVERGENCE = (SourceCode("lambda t: 2*(t[0] - 1)**2 + (t[1] + 0.5)**2 + 1"), torch.tensor([2.0, -3.0]), [0.1, 0.6, 5.0], 30)


@pytest.mark.parametrize(("student", "tag"), [
    (inf_only, "no-divergence-check"),
    (growth_only, "no-divergence-check"),
    (lambda losses: False, "no-divergence-check"),
    (lambda losses: True, None),
    (lambda losses: "yes", "wrong-type"),
])
def test_check_has_diverged_names_each_mistake(student, tag):
    checks.check_has_diverged(checks.has_diverged, *DIVERGENCE)
    with pytest.raises(Mistake) as caught:
        checks.check_has_diverged(student, *DIVERGENCE)
    assert caught.value.tag == tag, str(caught.value)


def pick_by_min(loss_fn, start, lrs, epochs):
    return min(lrs, key=lambda lr: checks.train_sgd(loss_fn, start, lr, epochs)[1][-1])


PICK = (SourceCode("lambda t: (t[0] - 2)**2 + 0.5*(t[1] + 1)**2 + 0.25*(t[2] - 0.5)**2"),
        torch.tensor([0.3, -1.2, 0.8]), [12.0, 0.05, 0.3, 1.1, 2.5], 40)


@pytest.mark.parametrize(("student", "tag"), [
    (pick_by_min, "diverging-lr"),
    (lambda loss_fn, start, lrs, epochs: min(lrs), None),
    (lambda loss_fn, start, lrs, epochs: None, "wrong-type"),
])
def test_check_pick_lr_names_each_mistake(student, tag):
    checks.check_pick_lr(checks.pick_lr, *PICK)
    with pytest.raises(Mistake) as caught:
        checks.check_pick_lr(student, *PICK)
    assert caught.value.tag == tag, str(caught.value)


@pytest.mark.parametrize(("make", "tag"), [
    (lambda a, lr: torch.optim.SGD([a], lr=0.1), "hard-coded"),
    (lambda a, lr: torch.optim.Adam([a], lr=lr), "not-sgd"),
    (lambda a, lr: torch.optim.SGD([a], lr=lr, momentum=0.9), "momentum"),
    (lambda a, lr: [a], "wrong-type"),
])
def test_check_make_optimizer_names_each_mistake(make, tag):
    a = torch.tensor([1.0, -2.0, 0.5])
    checks.check_make_optimizer(lambda a, lr: torch.optim.SGD([a], lr=lr), a, 0.37)
    with pytest.raises(Mistake) as caught:
        checks.check_make_optimizer(make, a, 0.37)
    assert caught.value.tag == tag, str(caught.value)


def test_optimizer_given_a_single_tensor_is_named_by_its_error():
    with pytest.raises(TypeError) as caught:
        checks.check_make_optimizer(lambda a, lr: torch.optim.SGD(a, lr=lr), torch.ones(2), 0.37)
    assert mistake_for_exception(str(caught.value)) == "optimizer-needs-iterable"


@pytest.mark.parametrize(("answer", "tag"), [("a", "optimizer-needs-iterable"), ("D", "optimizer-needs-iterable"),
                                              ("iterable", "wrong-type"), (Ellipsis, "not-implemented")])
def test_check_typeerror_answer(answer, tag):
    checks.check_typeerror_answer(" B ", "b")
    with pytest.raises(Mistake) as caught:
        checks.check_typeerror_answer(answer, "b")
    assert caught.value.tag == tag


@pytest.mark.parametrize(("loss", "tag"), [
    (lambda p, t: torch.nn.MSELoss(reduction="sum")(p, t), "sum-not-mean"),
    (lambda p, t: torch.nn.MSELoss()(p, t).sqrt(), "rmse-not-mse"),
    (lambda p, t: torch.nn.L1Loss()(p, t), "mae-not-mse"),
    (lambda p, t: torch.nn.MSELoss()(p, t).detach(), "no-autograd"),
])
def test_check_mse_loss_names_each_mistake(loss, tag):
    preds, targets = torch.linspace(-2, 3, 11), torch.linspace(1, -1, 11) ** 2
    checks.check_mse_loss(lambda p, t: torch.nn.MSELoss()(p, t), preds, targets)
    with pytest.raises(Mistake) as caught:
        checks.check_mse_loss(loss, preds, targets)
    assert caught.value.tag == tag


# -- hard-coding the public answers passes the public tests and fails the hidden ones


def hard_coded_cells() -> tuple[str, ...]:
    params = [list(row) for row, _ in TABLE_LR_01]
    losses = [loss for _, loss in TABLE_LR_01]
    return (
        f"def train_sgd(loss_fn, start, lr, epochs):\n"
        f"    return [torch.tensor(row) for row in {params!r}], {losses!r}\n",
        "def pick_lr(loss_fn, start, lrs, epochs):\n    return 0.25\n",
    )


def test_hard_coding_the_public_answers_fails_the_hidden_tests(tmp_path: Path, assignments, sandbox, limits):
    path = write_variant(A, (), tmp_path / "hard-coded.ipynb", hard_coded_cells())
    result = grade_submission(Submission("hard-coded", path), assignments[A], sandbox, limits)
    questions = {q.name: q for q in result.questions}
    for name in ("q2-train-sgd", "q4-pick-lr"):
        public = [case for case in questions[name].cases if not case.hidden]
        assert public and all(case.passed for case in public), name
        assert questions[name].score == 0, [case.message for case in questions[name].cases]
    assert "hard-coded" in questions["q2-train-sgd"].mistakes
    assert all(q.score == q.max_score for name, q in questions.items() if name not in ("q2-train-sgd", "q4-pick-lr"))


def test_solution_passes_the_public_tests_too(assignments, sandbox, limits):
    """Public tests carry no points, so a full score alone would not show that they pass when judged."""
    result = grade_submission(Submission("solution", solution_path(A)), assignments[A], sandbox, limits)
    assert [(q.name, c.name, c.message) for q in result.questions for c in q.cases if not c.passed] == []
