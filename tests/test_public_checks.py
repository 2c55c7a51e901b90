"""`grader.check` names the mistake on public inputs, and never for a right answer.

Each notebook of the mistake corpus and of the alternatives corpus is run in this process
(trusted code) and its public checks are run the way `grader.check` runs them: otter's own
test file, taken from the student notebook's metadata, against the notebook's globals.
"""

from __future__ import annotations

import contextlib
import io
import re
import signal
import warnings
from pathlib import Path

import nbformat
import pytest
from otter.test_files import OKTestFile

from autograder.mistakes import MISTAKES
from autograder.notebook import as_python
from autograder.worker import Shell
from tests.corpus import all_mistakes, hidden_test_lines, write_student_notebook
from tests.corpus.alternatives import ALTERNATIVES
from tests.corpus.realworld import all_real_cases

NAMED_AT_LEAST = 0.8


class CellInterrupted(BaseException):
    """A cell ran past ``CELL_SECONDS`` (a BaseException, as a student's Ctrl-C, so ``except Exception`` lets it by)."""


CELL_SECONDS = 5  # the notebook's own training cells are not what is tested here; slow code is stopped


@contextlib.contextmanager
def interrupted_after(seconds: float):
    """Raise ``CellInterrupted`` in the block once it has run ``seconds``, as a student stops a slow cell."""
    def interrupt(signum: int, frame: object) -> None:
        raise CellInterrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_notebook(path: Path) -> dict:
    """The globals after running a notebook's code cells, without otter's set-up and grader calls."""
    namespace: dict = {"__name__": "__main__"}
    namespace["get_ipython"] = Shell(namespace).get_ipython  # %%time and other magics, as in the sandbox
    notebook = nbformat.read(path, as_version=4)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in notebook.cells:
            if cell.cell_type != "code" or "grader." in cell.source or "otter" in cell.source:
                continue
            try:
                with interrupted_after(CELL_SECONDS):
                    exec(compile(as_python(cell.source), str(path), "exec"), namespace)
            except (Exception, CellInterrupted):  # noqa: BLE001 - a mistaken cell may raise, as in a notebook
                continue
    return namespace


def public_check(path: Path, question: str, namespace: dict) -> str:
    """The failure ``grader.check(question)`` shows for the notebook at ``path`` ('' when it passes).

    Only the exceptions' messages: the transcript around them quotes the test's own code,
    which holds every sentence the test may use.
    """
    spec = nbformat.read(path, as_version=4).metadata["otter"]["tests"][question]
    test = OKTestFile.from_spec(spec, path=question)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        test.run(namespace)
    return "" if test.passed_all else failure_messages(repr(test))


def failure_messages(transcript: str) -> str:
    """The ``SomeError: message`` lines of a doctest transcript, whitespace collapsed."""
    text = " ".join(transcript.split())
    found = re.findall(r"\b(\w+Error(?:: .*?)?)(?= Trying:| \*{20,}|$)", text)
    assert found, text[-2000:]
    return " | ".join(found)


def test_public_checks_name_the_mistake_for_most_of_the_corpus(built, tmp_path):
    named, missed = [], []
    for variant in all_mistakes():
        path = write_student_notebook(built, variant.assignment, {}, tmp_path / f"{variant.id}.ipynb")
        notebook = nbformat.read(path, as_version=4)
        for edit in variant.edits:
            hits = [cell for cell in notebook.cells if cell.cell_type == "code" and edit.old in cell.source]
            hits[0].source = hits[0].source.replace(edit.old, edit.new)
        nbformat.write(notebook, path)
        shown = public_check(path, variant.question, run_notebook(path))
        ok = variant.tag is not None and MISTAKES[variant.tag] in shown
        (named if ok else missed).append(f"{variant.assignment}:{variant.id}")
    share = len(named) / (len(named) + len(missed))
    print(f"public checks name {len(named)}/{len(named) + len(missed)} mistakes ({share:.0%}); missed: {missed}")
    assert share >= NAMED_AT_LEAST, f"named {len(named)}, missed {missed}"


# Right answers: the alternatives (some print inside their functions) and the real-world ones.
RIGHT = [(a.assignment, a.id, a.answers, a.extra_cells, a.before) for a in ALTERNATIVES] + [
    (c.assignment, f"realworld-{c.id}", c.answers, (), ()) for c in all_real_cases() if c.right]


@pytest.mark.parametrize("right", RIGHT, ids=lambda r: f"{r[0]}:{r[1]}")
def test_public_checks_pass_right_answers(right, built, tmp_path):
    assignment, key, answers, extra_cells, before = right
    path = write_student_notebook(built, assignment, answers, tmp_path / f"{key}.ipynb", extra_cells, before)
    namespace = run_notebook(path)
    for question in nbformat.read(path, as_version=4).metadata["otter"]["tests"]:
        shown = public_check(path, question, namespace)
        assert shown == "", shown
        assert not [sentence for sentence in MISTAKES.values() if sentence in shown]


@pytest.mark.parametrize("case", [c for c in all_real_cases() if not c.right], ids=lambda c: f"{c.assignment}:{c.id}")
def test_public_checks_never_name_another_mistake_for_real_code(case, built, tmp_path):
    """On code people wrote, a public check names the real mistake or none (a wrong name misleads)."""
    path = write_student_notebook(built, case.assignment, case.answers, tmp_path / f"{case.id}.ipynb")
    namespace = run_notebook(path)
    for question in nbformat.read(path, as_version=4).metadata["otter"]["tests"]:
        shown = public_check(path, question, namespace)
        named = [tag for tag, sentence in MISTAKES.items() if sentence in shown]
        assert named in ([], [case.tag]), f"{question}: {shown}"


def test_public_checks_show_what_was_checked(built, tmp_path):
    """A failing check says the call, what it returned and what was expected, and nothing hidden."""
    variant = next(v for v in all_mistakes() if v.id == "rmse")
    path = write_student_notebook(built, variant.assignment, {"mse": "def mse(preds, targets):\n"
                                  "    return ((preds - targets) ** 2).mean().sqrt()"}, tmp_path / "rmse.ipynb")
    shown = public_check(path, "q2-mse", run_notebook(path))
    assert "mse(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.0, 2.0, 6.0])) returned 1.82574" in shown
    assert "expected 3.33333" in shown and MISTAKES["rmse-not-mse"] in shown
    student = (built / "assignments" / variant.assignment / f"{variant.assignment}.ipynb").read_text()
    assert not [line for line in hidden_test_lines(built / "dist" / f"{variant.assignment}.zip") if line in student]
    assert "autograder" not in student.replace("autograder.public_checks", "")


def test_a_check_says_when_another_question_is_to_blame(built, tmp_path):
    """q4's check uses apply_step of q3: when apply_step is wrong, q4's failure says so."""
    wrong_step = ("def apply_step(params, t, targets, lr):\n    loss = mse(func(t, params), targets)\n"
                  "    loss.backward()\n    params.data += lr * params.grad\n    params.grad = None\n    return loss.item()")
    path = write_student_notebook(built, "02-quadratic-fit", {"apply_step": wrong_step}, tmp_path / "n.ipynb")
    namespace = run_notebook(path)
    shown = public_check(path, "q4-train-manual", namespace)
    assert "uses your apply_step (question 3), which fails its own public check" in shown
    assert MISTAKES["sign-flipped"] in public_check(path, "q3-apply-step", namespace)
    right = write_student_notebook(built, "02-quadratic-fit", {}, tmp_path / "right.ipynb")
    assert public_check(right, "q4-train-manual", run_notebook(right)) == ""
