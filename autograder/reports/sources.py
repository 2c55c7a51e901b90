"""The code students wrote, read from their notebooks for the instructor's pages.

Read while the submissions are still on disk (zips are unpacked to a temporary folder), as
plain Python (magics turned into calls the way IPython runs them).  Never sent to students.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from autograder.notebook import MalformedNotebook, as_python, read_notebook, syntax_tree
from autograder.pipeline import Submission

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The code cells of a notebook, as Python, by submission key.
Code = dict[str, list[str]]


def notebook_code(path: Path) -> list[str]:
    """A notebook's code cells as Python; empty for a file that is not a readable notebook."""
    try:
        return [as_python(cell) for cell in read_notebook(path).cells]
    except (MalformedNotebook, OSError, ValueError):
        return []


def student_code(submissions: Iterable[Submission]) -> Code:
    """Every readable submission's code cells, by submission key."""
    return {s.key: notebook_code(s.path) for s in submissions if s.path is not None and not s.problem}


def given_code(assignment: str, root: Path = PROJECT_ROOT) -> list[str]:
    """Code every student starts from or is expected to converge on: the student notebook of
    ``assignments/`` (the starter code) and, where the project has it, the solution notebook."""
    cells: list[str] = []
    for path in (root / "assignments" / assignment / f"{assignment}.ipynb", root / "solutions" / f"{assignment}.ipynb"):
        if path.is_file():
            cells += notebook_code(path)
    return cells


def definitions(cells: list[str], names: set[str]) -> str:
    """The source of the top-level functions (or assignments) named ``names``, as the notebook
    last defines them; empty if there are none."""
    found: dict[str, str] = {}
    for code in cells:
        tree = syntax_tree(code)
        for node in tree.body if tree else []:
            defined = top_level_names(node)
            for name in defined & names:
                found[name] = ast.get_source_segment(code, node) or ast.unparse(node)
    return "\n\n".join(dict.fromkeys(found.values()))


def top_level_names(node: ast.stmt) -> set[str]:
    """The names a top-level statement binds (``def f``, ``x = ...``)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()
