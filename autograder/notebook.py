"""Read a submitted notebook and take out what grading needs."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


class MalformedNotebook(ValueError):
    """The file is not a notebook we can grade; the message says why."""


@dataclass
class Notebook:
    """The parts of a submitted notebook that grading uses."""

    cells: list[str]
    assignment: str | None


def read_notebook(path: Path) -> Notebook:
    """Parse ``path``; raise ``MalformedNotebook`` with a clear reason if it cannot be graded."""
    size = path.stat().st_size
    if size == 0:
        raise MalformedNotebook("the file is empty (0 bytes)")
    if size > MAX_NOTEBOOK_BYTES:
        raise MalformedNotebook(f"the file is too large ({size // 2**20} MB)")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
    except json.JSONDecodeError as error:
        raise MalformedNotebook(f"the file is not valid JSON ({error.msg} at line {error.lineno})") from error
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise MalformedNotebook("the file is JSON but not a Jupyter notebook (no cells)")
    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds
        raise MalformedNotebook(f"nbformat cannot read it ({type(error).__name__}: {error})") from error
    cells = [
        cell.source if isinstance(cell.source, str) else "".join(cell.source)
        for cell in notebook.cells
        if cell.get("cell_type") == "code"
    ]
    if not any(source.strip() for source in cells):
        raise MalformedNotebook("the notebook has no code")
    return Notebook(cells, assignment_name(notebook))


def assignment_name(notebook: nbformat.NotebookNode) -> str | None:
    """The assignment an otter notebook says it belongs to, if any."""
    otter = notebook.metadata.get("otter", {})
    name = otter.get("assignment_name") if isinstance(otter, dict) else None
    return name if isinstance(name, str) else None


def as_python(source: str) -> str:
    """A cell as plain Python, the way IPython runs it: ``%time x = f()`` becomes
    ``get_ipython().run_line_magic('time', 'x = f()')``, ``!pip ...`` a ``system`` call.

    A cell IPython cannot transform is returned as it is (compiling it then reports the error).
    """
    try:
        return transformer().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython raises many kinds on broken input
        return source


def syntax_tree(code: str) -> ast.Module | None:
    """The syntax tree of Python ``code`` (a cell after ``as_python``), or None if it does not parse."""
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):  # ValueError: a NUL byte in the source
        return None


@cache
def transformer():  # -> IPython.core.inputtransformer2.TransformerManager
    """IPython's own cell transformer (imported on first use)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()
