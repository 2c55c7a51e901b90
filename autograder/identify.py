"""Which assignment a notebook is for: its otter metadata, else the answers its code defines.

Notebooks copied into a fresh file, or saved by Colab or VS Code, can lose otter's metadata;
their code still defines the functions and variables one assignment's tests ask for.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from autograder.assignments import Assignment
from autograder.judge import names_read_by
from autograder.notebook import Notebook, as_python, syntax_tree


def defined_names(cells: Iterable[str]) -> set[str]:
    """Functions, classes and variables the cells define at top level (cells that do not parse are skipped)."""
    names: set[str] = set()
    for source in cells:
        tree = syntax_tree(as_python(source))
        for node in tree.body if tree else []:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {leaf.id for target in targets for leaf in ast.walk(target) if isinstance(leaf, ast.Name)}
    return names


def answer_names(assignment: Assignment) -> set[str]:
    """Names the assignment's tests (public and hidden) read from a notebook."""
    return set().union(*(names_read_by(test_file) for test_file in assignment.tests))


def identify(notebook: Notebook, assignments: dict[str, set[str]]) -> str | None:
    """The notebook's assignment: from its metadata, else the one whose answer names (in
    ``assignments``: name -> answer names) it defines most of; None when nothing or a tie decides."""
    if notebook.assignment is not None:
        return notebook.assignment
    defined = defined_names(notebook.cells)
    overlap = sorted(((len(defined & names), name) for name, names in assignments.items()), reverse=True)
    if not overlap or overlap[0][0] == 0 or len(overlap) > 1 and overlap[1][0] == overlap[0][0]:
        return None
    return overlap[0][1]
