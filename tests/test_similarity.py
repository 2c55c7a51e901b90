"""similarity.html: copied pairs are flagged, independent right and wrong answers are not.

The class is the alternatives and mistake corpora of one assignment (independently written right
answers, and the named mistakes, each written once), plus two copies made the way students
disguise them: variables renamed, statements and functions reordered, the code reformatted and
comments added.
"""

from __future__ import annotations

import ast
import builtins
import random
from pathlib import Path

import nbformat
import pytest

from autograder.reports.similarity import compare_class, render_similarity
from autograder.reports.sources import given_code, notebook_code
from autograder.results import CaseResult, QuestionResult, SubmissionResult
from tests.corpus import all_mistakes, write_student_notebook, write_variant
from tests.corpus.alternatives import ALTERNATIVES

KEEP = set(dir(builtins)) | {"torch", "nn", "F", "np", "math", "plt", "self"}


class Rename(ast.NodeTransformer):
    """Renames every argument and local variable of each function (what the tests call stays)."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        local = {a.arg for a in node.args.args} | {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        names = {name: f"my_{name[::-1]}_{len(name)}" for name in local - KEEP}
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and child.id in names:
                child.id = names[child.id]
            elif isinstance(child, ast.arg) and child.arg in names:
                child.arg = names[child.arg]
        return node


def disguise(source: str, seed: int) -> str:
    """A cell as a student who copied it would hand it in: renamed, reordered, reformatted, commented."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source  # magics: left as they are
    tree = Rename().visit(tree)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    random.Random(seed).shuffle(functions)  # functions of a cell in another order
    others = [n for n in tree.body if not isinstance(n, ast.FunctionDef)]
    imports = [n for n in others if isinstance(n, (ast.Import, ast.ImportFrom))]
    tree.body = imports + functions + [n for n in others if n not in imports]
    text = ast.unparse(tree)  # reformatted: the original layout and comments are gone
    return "\n".join(f"{line}  # my own work" if line.strip().startswith("return") else line
                     for line in text.splitlines()).replace("    ", "  ")


def copy_notebook(source: Path, target: Path, seed: int) -> Path:
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = disguise(cell.source, seed)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    code_cells.reverse()  # cells in the opposite order
    positions = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    for position, cell in zip(positions, code_cells):
        notebook.cells[position] = cell
    nbformat.write(notebook, target)
    return target


def graded(key: str, wrong_values: str | None = None) -> SubmissionResult:
    """A result; ``wrong_values`` makes q2-mse an unrecognised wrong answer with that message."""
    case = CaseResult("q2-mse - 2", True, 2.0, wrong_values is None, wrong_values or "")
    return SubmissionResult(key, "02-quadratic-fit", "graded", [QuestionResult("q2-mse", [case])])


@pytest.fixture(scope="module")
def klass(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Alternatives and mistakes of 02-quadratic-fit and 03-optimizer-loop... of one assignment, plus two copies."""
    folder = tmp_path_factory.mktemp("similarity")
    name = "02-quadratic-fit"
    notebooks = {}
    for alternative in (a for a in ALTERNATIVES if a.assignment == name):
        notebooks[alternative.id] = write_student_notebook(
            built, name, alternative.answers, folder / f"{alternative.id}.ipynb",
            alternative.extra_cells, alternative.before)
    solved = built / "dist" / name / "autograder" / f"{name}.ipynb"
    for variant in (v for v in all_mistakes() if v.assignment == name):
        notebooks[variant.id] = write_variant(name, variant.edits, folder / f"{variant.id}.ipynb", base=solved)
    notebooks["solution-as-handed-in"] = write_variant(name, (), folder / "solution.ipynb", base=solved)
    notebooks["copy-of-indexing"] = copy_notebook(notebooks["indexing-functional-zero"],
                                                  folder / "copy-1.ipynb", seed=1)
    notebooks["copy-of-matrix"] = copy_notebook(notebooks["matrix-sum-inlined-loop"], folder / "copy-2.ipynb", seed=2)
    return notebooks


def test_both_copied_pairs_flagged_and_no_other(klass):
    code = {key: notebook_code(path) for key, path in klass.items()}
    pairs = compare_class(code, given_code("02-quadratic-fit"), [graded(key) for key in code])
    flagged = {frozenset((p.first, p.second)) for p in pairs if p.flagged}
    assert flagged == {frozenset(("indexing-functional-zero", "copy-of-indexing")),
                       frozenset(("matrix-sum-inlined-loop", "copy-of-matrix"))}, [
        (p.first, p.second, round(p.code, 2), p.shared) for p in pairs]


def test_the_same_uncommon_wrong_answer_is_evidence(klass):
    code = {key: notebook_code(path) for key, path in klass.items()}
    # a partial copy: the solution, with train_manual taken from one alternative
    taken = [cell for cell in code["matrix-sum-inlined-loop"] if "def train_manual" in cell]
    code = {"original": code["matrix-sum-inlined-loop"], "partial": [*code["solution-as-handed-in"], *taken],
            **{k: v for k, v in code.items() if k not in ("matrix-sum-inlined-loop", "copy-of-matrix")}}
    gave = "mse(preds, targets) is not right (your code gave 12.34)"
    without = compare_class(code, given_code("02-quadratic-fit"), [graded(k) for k in code])
    before = next(p for p in without if {p.first, p.second} == {"original", "partial"})
    assert not before.flagged and before.behaviour == []
    # the same unnamed wrong value on the hidden inputs, given by these two only; a third student's
    # different wrong value, and the catalogued mistakes, are no evidence
    results = [graded(k, gave if k in ("original", "partial") else None) for k in code]
    results[2] = graded(results[2].submission, gave.replace("12.34", "5.5"))
    pairs = compare_class(code, given_code("02-quadratic-fit"), results)
    pair = next(p for p in pairs if {p.first, p.second} == {"original", "partial"})
    assert pair.flagged and pair.behaviour == [f"q2-mse: q2-mse - 2: {gave}"]
    assert [(p.first, p.second) for p in pairs if p.flagged] == [("copy-of-indexing", "indexing-functional-zero"),
                                                                  ("original", "partial")]


def test_page_shows_pairs_side_by_side_escaped(klass, tmp_path):
    code = {key: notebook_code(path) for key, path in klass.items()}
    code["copy-of-indexing"].append("x = '<script>alert(1)</script>'")
    pairs = compare_class(code, given_code("02-quadratic-fit"), [graded(key) for key in code])
    page = render_similarity(pairs, "02-quadratic-fit", {"copy-of-indexing": "<b>Mallory</b>"})
    assert "<script>" not in page and "<b>Mallory" not in page and "&lt;b&gt;Mallory" in page
    assert page.count('class="side"') == 2 and "<mark>" in page
    assert "F.mse_loss" in page  # the shared code itself is shown
