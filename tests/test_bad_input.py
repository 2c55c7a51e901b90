"""Bad submissions, each a real notebook graded end to end in one shared sandbox.

Every one gets a status and a clear message, and an honest notebook graded after
all of them (in the same sandbox) still gets full marks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from autograder.pipeline import Submission, grade_submission
from autograder.results import SubmissionResult
from autograder.sandbox import Limits
from tests.corpus import Edit, solution_path, write_variant

A = "02-quadratic-fit"
LIMITS = Limits(notebook_seconds=40, cell_seconds=4, call_seconds=4, memory_mb=1200)


class Every:
    """Every question of the assignment but ``but``: those a case must leave with full marks."""

    def __init__(self, *but: str) -> None:
        self.but = but

    def of(self, questions: list[str]) -> list[str]:
        return [question for question in questions if question not in self.but]


ALL = Every()
BUT_MSE = Every("q2-mse")  # a broken `mse` costs its own question only: the others are graded with the reference
MSE_LINE = "return ((preds - targets) ** 2).mean()  # SOLUTION"


def with_cell(source: str, target: Path, before: str = "def mse") -> Path:
    """The solution with a new code cell inserted just before the cell containing ``before``."""
    notebook = nbformat.read(solution_path(A), as_version=4)
    index = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code" and before in cell.source)
    notebook.cells.insert(index, nbformat.v4.new_code_cell(source))
    nbformat.write(notebook, target)
    return target


def raw(text: str | bytes, target: Path) -> Path:
    target.write_bytes(text.encode() if isinstance(text, str) else text)
    return target


def old_format(version: int, target: Path) -> Path:
    """The solution converted down to an older nbformat (v3 keeps its code in worksheets)."""
    notebook = nbformat.convert(nbformat.read(solution_path(A), as_version=4), version)
    nbformat.write(notebook, target, version=version)
    return target


def ancient(version: int, target: Path) -> Path:
    """The solution's code cells in nbformat 1 or 2, which keep code under other keys."""
    sources = [c.source for c in nbformat.read(solution_path(A), as_version=4).cells if c.cell_type == "code"]
    if version == 1:
        notebook = {"nbformat": 1, "cells": [{"cell_type": "code", "code": s} for s in sources]}
    else:
        cells = [{"cell_type": "code", "input": s, "language": "python", "outputs": []} for s in sources]
        notebook = {"nbformat": 2, "nbformat_minor": 0, "metadata": {"name": A}, "worksheets": [{"cells": cells}]}
    return raw(json.dumps(notebook), target)


def versioned(version: int, target: Path) -> Path:
    """A notebook claiming an nbformat version nbformat cannot read."""
    cell = {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [], "execution_count": None}
    text = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.from_dict(cell)]))
    return raw(text.replace('"nbformat": 4', f'"nbformat": {version}'), target)


def no_code(target: Path) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("I ran out of time, sorry.")])
    nbformat.write(notebook, target)
    return target


@dataclass(frozen=True)
class Case:
    """A bad submission and what grading it must report."""

    id: str
    make: object  # Callable[[Path], Path]
    status: str
    message: str  # a piece of the result's message (or of a failing case's message)
    full: Every | None = None  # the questions that must still get full marks


CASES = [
    Case("invalid-json", lambda p: raw('{"cells": [', p), "malformed", "not valid JSON"),
    Case("empty-file", lambda p: raw(b"", p), "malformed", "empty"),
    Case("binary-garbage", lambda p: raw(bytes(range(256)) * 10, p), "malformed", "not valid JSON"),
    Case("json-not-notebook", lambda p: raw('{"hello": "world"}', p), "malformed", "not a Jupyter notebook"),
    Case("nbformat-v3", lambda p: old_format(3, p), "graded", "", ALL),
    Case("nbformat-unknown", lambda p: versioned(99, p), "malformed", "nbformat"),
    Case("nbformat-v2", lambda p: ancient(2, p), "graded", "", ALL),
    Case("nbformat-v1", lambda p: ancient(1, p), "graded", "", ALL),
    Case("no-code", no_code, "malformed", "no code"),
    Case("missing-function", lambda p: write_variant(A, (Edit("def mse(preds, targets):", "def mean_sq(preds, targets):"),), p),
         "graded", "`mse` is not defined", BUT_MSE),
    Case("syntax-error", lambda p: with_cell("def broken(:\n    pass", p), "graded", "SyntaxError", ALL),
    Case("nul-byte", lambda p: with_cell("x = 1\0", p), "graded", "null bytes", ALL),
    Case("cell-raises", lambda p: with_cell("1 / 0", p), "graded", "ZeroDivisionError", ALL),
    Case("sys-exit", lambda p: with_cell("import sys\nsys.exit(3)", p), "graded", "SystemExit(3)", ALL),
    Case("os-exit", lambda p: with_cell("import os\nos._exit(0)", p), "graded", "exited with code 0", ALL),
    Case("segfault", lambda p: with_cell("import ctypes\nctypes.string_at(0)", p), "graded", "SIGSEGV", ALL),
    # PID 1 of its namespace, the notebook's process ignores the signals it sends itself.
    Case("kills-itself", lambda p: with_cell("import os, signal\nos.kill(os.getpid(), signal.SIGRTMIN + 6)", p),
         "graded", "", ALL),
    Case("loop-top-level", lambda p: with_cell("while True:\n    pass", p), "graded", "time limit", ALL),
    Case("loop-in-function", lambda p: write_variant(A, (Edit(MSE_LINE, "while True:\n        pass"),), p),
         "graded", "`mse` did not finish", BUT_MSE),
    Case("loop-ignoring-interrupts", lambda p: with_cell(
        "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\nwhile True:\n    pass", p),
         "graded", "time limit", ALL),
    Case("memory-hog", lambda p: with_cell("hog = torch.ones(2_000_000_000, dtype=torch.float64)", p),
         "graded", "over the memory limit of 1200 MB", ALL),
    Case("memory-hog-in-function", lambda p: write_variant(A, (Edit(MSE_LINE, "return torch.ones(10**10).mean()"),), p),
         "graded", "over the memory limit of 1200 MB", BUT_MSE),
    Case("huge-output", lambda p: with_cell("print('x' * 10_000_000)\nfor i in range(200_000):\n    print(i, 'line')", p),
         "graded", "", ALL),
]


@pytest.fixture(scope="module")
def class_results(tmp_path_factory, assignments, sandbox) -> dict[str, SubmissionResult]:
    """Grade every bad submission in turn, in one sandbox, then the honest solution."""
    folder = tmp_path_factory.mktemp("bad")
    results = {}
    for case in CASES:
        path = case.make(folder / f"{case.id}.ipynb")
        results[case.id] = grade_submission(Submission(case.id, path), assignments[A], sandbox, LIMITS)
    results["honest"] = grade_submission(Submission("honest", solution_path(A)), assignments[A], sandbox, LIMITS)
    return results


def all_text(result: SubmissionResult) -> str:
    messages = [result.message, *result.cell_errors]
    messages += [case.message for question in result.questions for case in question.cases]
    return " | ".join(messages)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_gets_a_status_and_a_clear_message(case, class_results, assignments):
    result = class_results[case.id]
    assert result.status == case.status, (result.status, result.message)
    if case.status != "graded":
        assert result.message, "a submission that was not fully graded must say why"
    assert case.message in all_text(result), all_text(result)[:2000]
    scores = {q.name: (q.score, q.max_score) for q in result.questions}
    assert list(scores) == assignments[A].questions
    full = case.full.of(list(scores)) if case.full is not None else []
    assert all(scores[name][0] == scores[name][1] for name in full), scores


def test_cells_after_a_crash_are_still_run(class_results):
    """After os._exit / a segfault, the notebook is run again without that cell only."""
    for key in ("os-exit", "segfault"):
        result = class_results[key]
        assert result.total == result.max_score
        assert "in cell" in result.message


def test_the_rest_of_the_class_is_unaffected(class_results):
    honest = class_results["honest"]
    assert (honest.status, honest.flags, honest.total) == ("graded", [], honest.max_score)
