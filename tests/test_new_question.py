"""Adding a question takes only its master notebook: a fifth question, written into a copy of a
master (a public test, a hidden test with points and one named mistake), is assigned on its own
and graded end to end, its reference answer coming from the master's solution code.

The question is the README's worked example ("Writing or changing an assignment").
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_raw_cell

from autograder.assignments import load_assignment
from autograder.build import assign_one, build_zip, master_notebooks
from autograder.checks import references
from autograder.pipeline import Submission, grade_submission

NAME = "02-quadratic-fit"
QUESTION, POINTS = "q5-loss-at", 2
SOLUTION = "return mse(func(t, params), targets)"
MISTAKE = "return mse(func(t, params), targets).sqrt()"  # RMSE: a mistake the check names

CELLS = [
    new_raw_cell(f"# BEGIN QUESTION\nname: {QUESTION}\npoints: {POINTS}"),
    new_markdown_cell("**Question 5.** Write `loss_at(params, t, targets)`: the MSE of the model `func` "
                      "with `params` on the data `(t, targets)`."),
    new_raw_cell("# BEGIN SOLUTION"),
    new_code_cell(f"def loss_at(params, t, targets):\n    {SOLUTION}  # SOLUTION"),
    new_raw_cell("# END SOLUTION"),
    new_raw_cell("# BEGIN TESTS"),
    new_code_cell('""" # BEGIN TEST CONFIG\npoints: 0\n""" # END TEST CONFIG\n'
                  "_loss = loss_at(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))\n"
                  "assert torch.isclose(_loss, torch.tensor(8.5)), f'loss_at(...) should be 8.5, got {_loss}'"),
    new_code_cell('""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n'
                  "from autograder.checks import quadratic\n"
                  "from autograder.checks.core import expect_close, isolated\n"
                  "g = torch.Generator().manual_seed(404)\n"
                  "t, params, targets = torch.linspace(-2, 2, 13), torch.randn(3, generator=g), torch.randn(13, generator=g)\n"
                  "answer = isolated(loss_at, quadratic.REF.mse, quadratic.REF.func)(params, t, targets)\n"
                  "expected = quadratic.REF.loss_at(params.double(), t.double(), targets.double())\n"
                  "preds = quadratic.REF.func(t.double(), params.double())\n"
                  "expect_close(answer, expected, 'loss_at(params, t, targets)', quadratic.loss_variants(preds, targets))"),
    new_raw_cell("# END TESTS"),
    new_raw_cell("# END QUESTION"),
]


def with_fifth_question(master: Path, folder: Path) -> Path:
    """A copy of ``master`` (same name) with ``CELLS`` at its end."""
    notebook = nbformat.read(master, as_version=4)
    notebook.cells += CELLS
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / master.name)
    return folder / master.name


def with_mistake(solution: Path, folder: Path) -> Path:
    """The solution notebook with ``MISTAKE`` in place of ``SOLUTION``."""
    notebook = nbformat.read(solution, as_version=4)
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and SOLUTION in cell.source]
    assert len(cells) == 1
    cells[0].source = cells[0].source.replace(SOLUTION, MISTAKE)
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / solution.name)
    return folder / solution.name


def test_a_fifth_question_is_assigned_and_graded_from_its_master_alone(assignments, sandbox, limits, tmp_path):
    master = next(path for path in master_notebooks() if path.stem == NAME)
    before = assignments[NAME]
    dist = tmp_path / "dist"
    assign_one(with_fifth_question(master, tmp_path / "solutions"), dist, tmp_path / "assignments")
    try:
        assignment = load_assignment(build_zip(NAME, dist))
        assert assignment.questions == [*before.questions, QUESTION]
        assert assignment.max_score == before.max_score + POINTS
        assert "loss_at" in references.functions(references.of(NAME))  # the checks' reference, from the master

        stub = (tmp_path / "assignments" / NAME / f"{NAME}.ipynb").read_text()
        assert "def loss_at" in stub and SOLUTION not in stub

        solution = dist / NAME / "autograder" / f"{NAME}.ipynb"
        mistaken = with_mistake(solution, tmp_path / "mistaken")

        right = grade_submission(Submission("solution", solution), assignment, sandbox, limits)
        assert (right.status, right.total) == ("graded", assignment.max_score), right.message

        wrong = grade_submission(Submission("mistaken", mistaken), assignment, sandbox, limits)
        scores = {q.name: (q.score, q.max_score, q.mistakes) for q in wrong.questions}
        assert scores.pop(QUESTION) == (0, POINTS, ["rmse-not-mse"])
        assert all(score == maximum for score, maximum, _ in scores.values()), scores
    finally:
        references.install(NAME, before.references)  # the other tests grade the real 02 again
