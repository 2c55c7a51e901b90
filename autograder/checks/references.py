"""The reference answers the checks compare with, taken from the master notebooks.

An assignment's master notebook (``solutions/<name>.ipynb``) is its one source of truth: its
solution code, what ``otter assign`` strips from the student notebook (the code cells between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` raw cells, without the ``# SOLUTION`` markers),
defines the graded functions.  ``extract`` turns it into the source of a module (the functions
and the imports they use); ``autograder.build`` writes it next to the hidden tests
(``references.py`` in the autograder folder and zip, never in ``assignments/``),
``load_assignment`` installs it, and a check module reads its references through
``References(<assignment>)``: ``REF.mse(preds, targets)``.  Where no built assignment was
loaded (otter's own ``otter run`` and ``otter assign``, a test calling a check directly), the
module is extracted from the master notebook in ``solutions/`` (or in the folder named by the
environment variable ``AUTOGRADER_SOLUTIONS``: ``autograder.build`` sets it to the master's own).
"""

from __future__ import annotations

import ast
import itertools
import linecache
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
SOLUTIONS_VARIABLE = "AUTOGRADER_SOLUTIONS"  # another folder of master notebooks
FILE_NAME = "references.py"  # in an assignment's autograder folder and zip
IMPORTS = "__reference_imports__"  # the module's import lines, sent with a reference to the sandbox

SOLUTION_SUFFIX = re.compile(r"\s*# ?SOLUTION( NO PROMPT)?\s*$")
MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION")


class ReferencesError(RuntimeError):
    """An assignment's references cannot be found or built."""


def solution_code(source: str) -> str:
    """A master cell's code as the solution runs it: markers removed, prompt blocks left out."""
    kept, in_prompt = [], False
    for line in source.splitlines():
        stripped = line.rstrip()
        if stripped.endswith("# BEGIN PROMPT"):
            in_prompt = True
        elif stripped.endswith("# END PROMPT"):
            in_prompt = False
        elif not in_prompt and not any(stripped.lstrip().startswith(marker) for marker in MARKERS):
            kept.append(SOLUTION_SUFFIX.sub("", line))
    return "\n".join(kept)


def code_cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """Each code cell of a master notebook as ``(kind, source)``: kind ``solution``, ``test`` or ``other``."""
    found, block = [], "other"
    for cell in notebook.cells:
        first = cell.source.strip().split("\n")[0]
        if cell.cell_type == "raw" and first.startswith(("# BEGIN SOLUTION", "# BEGIN TESTS")):
            block = "solution" if "SOLUTION" in first else "test"
        elif cell.cell_type == "raw" and first.startswith(("# END SOLUTION", "# END TESTS")):
            block = "other"
        elif cell.cell_type == "code":
            found.append((block, cell.source))
    return found


def segment(source: str, node: ast.stmt) -> str:
    """The source lines of a top-level statement, decorators included."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return "\n".join(source.splitlines()[first - 1:node.end_lineno])


def top_level(source: str, kinds: tuple[type, ...], where: str) -> list[tuple[ast.stmt, str]]:
    """The top-level statements of ``kinds`` in a cell's code, with their text."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ReferencesError(f"{where}: a cell is not valid Python ({error})") from error
    return [(node, segment(source, node)) for node in tree.body if isinstance(node, kinds)]


def extract(master: Path) -> str:
    """The source of the references module of one master notebook.

    Its functions are those its solution cells define (a later definition replaces an
    earlier one, as in the notebook); its imports are every top-level import of the
    notebook's non-test cells.  Answers that are values (``good_lr = 0.1``) stay in the
    hidden tests.
    """
    cells = code_cells(nbformat.read(master, as_version=4))
    solutions = [solution_code(source) for kind, source in cells if kind == "solution"]
    others = [source for kind, source in cells if kind == "other"]
    imports: dict[str, None] = {}
    functions: dict[str, str] = {}
    for code in others + solutions:
        for _, text in top_level(code, (ast.Import, ast.ImportFrom), master.name):
            imports[text] = None
    for code in solutions:
        for node, text in top_level(code, (ast.FunctionDef,), master.name):
            functions.pop(node.name, None)
            functions[node.name] = text
    header = (f'"""Reference answers of {master.stem}: the solution code of {master.name}, '
              'extracted by autograder.build. Never hand out."""')
    return "\n\n\n".join([header + "\n\n" + "\n".join(imports), *functions.values()]) + "\n"


_installed: dict[str, ModuleType] = {}
_counter = itertools.count()


def install(assignment: str, source: str) -> ModuleType:
    """Make ``source`` (what ``extract`` wrote) the references of ``assignment``; returns the module.

    The source is registered with ``linecache``, so ``inspect.getsource`` (which sends a
    reference to the sandbox) and tracebacks see it as they would a file.
    """
    filename = f"<references of {assignment} #{next(_counter)}>"
    module = ModuleType(f"references_{assignment}", f"The reference answers of {assignment}.")
    module.__file__ = filename
    tree = ast.parse(source, filename)
    module.__dict__[IMPORTS] = "\n".join(
        ast.get_source_segment(source, node) or "" for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
    )
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(tree, filename, "exec"), module.__dict__)
    _installed[assignment] = module
    return module


def from_master(assignment: str) -> str:
    """The references of ``assignment`` extracted from its master notebook, where there is one."""
    master = Path(os.environ.get(SOLUTIONS_VARIABLE) or SOLUTIONS) / f"{assignment}.ipynb"
    if not master.is_file():
        raise ReferencesError(
            f"No reference answers for {assignment}: its autograder has no {FILE_NAME} (build it again "
            f"with `make autograder`) and there is no master notebook at {master}."
        )
    return extract(master)


def of(assignment: str) -> ModuleType:
    """The references of ``assignment``: those installed last, else extracted from its master notebook."""
    if assignment not in _installed:
        install(assignment, from_master(assignment))
    return _installed[assignment]


def functions(module: ModuleType) -> dict[str, Any]:
    """The reference functions a references module defines, in the notebook's order."""
    return {name: value for name, value in vars(module).items()
            if callable(value) and getattr(value, "__module__", None) == module.__name__}


class References:
    """The reference answers of one assignment, looked up when used: ``REF.func(t, params)``."""

    def __init__(self, assignment: str) -> None:
        self.assignment = assignment

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        module = of(self.assignment)
        if not hasattr(module, name):
            raise AttributeError(f"{self.assignment}'s master notebook defines no solution function {name!r}")
        return getattr(module, name)

    def functions(self) -> dict[str, Any]:
        return functions(of(self.assignment))

    def __repr__(self) -> str:
        return f"References({self.assignment!r})"
