"""Read a submitted notebook and take out what grading needs."""

from __future__ import annotations

import ast
import json
import stat
import warnings
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import nbformat

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
MAX_CONTAINERS = 1_000_000  # JSON lists and objects; a large real notebook holds a few thousand
TOO_DEEP = "its JSON is nested too deeply"


class MalformedNotebook(ValueError):
    """The file is not a notebook we can grade; the message says why."""


@dataclass
class Notebook:
    """The parts of a submitted notebook that grading uses."""

    cells: list[str]
    assignment: str | None


def read_notebook(path: Path) -> Notebook:
    """Parse ``path``; raise ``MalformedNotebook`` with a clear reason if it cannot be graded.

    The file is untrusted: whatever it holds (binary, JSON nested 100,000 deep, wrong types
    anywhere), this raises nothing but ``MalformedNotebook``.
    """
    raw = load_json(path)
    try:
        return notebook_from(raw)
    except MalformedNotebook:
        raise
    except RecursionError as error:
        raise MalformedNotebook(TOO_DEEP) from error
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds on malformed notebooks
        raise MalformedNotebook(f"it is not a valid Jupyter notebook ({type(error).__name__}: "
                                f"{str(error)[:200]})") from error


def load_json(path: Path) -> Any:
    """The file's JSON, within the size limits; ``MalformedNotebook`` if it is not readable JSON."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise MalformedNotebook("it is not a regular file")
        if info.st_size == 0:
            raise MalformedNotebook("the file is empty (0 bytes)")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise MalformedNotebook(f"the file is too large ({info.st_size // 2**20} MB, "
                                    f"at most {MAX_NOTEBOOK_BYTES // 2**20} MB)")
        data = path.read_bytes()
    except OSError as error:
        raise MalformedNotebook(f"the file cannot be read ({error.strerror or type(error).__name__})") from error
    containers = data.count(b"[") + data.count(b"{")
    if containers > MAX_CONTAINERS:  # each costs memory to parse: 50 MB of "[]" would take over 1 GB
        raise MalformedNotebook(f"the file is too large ({containers} JSON lists and objects, "
                                f"at most {MAX_CONTAINERS})")
    try:
        return json.loads(data.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as error:
        raise MalformedNotebook(f"the file is not valid JSON ({error.msg} at line {error.lineno})") from error
    except RecursionError as error:
        raise MalformedNotebook(TOO_DEEP) from error


def notebook_from(raw: Any) -> Notebook:
    """The code cells and assignment name of a parsed notebook, converted to nbformat 4 first."""
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise MalformedNotebook("the file is JSON but not a Jupyter notebook (no cells)")
    with warnings.catch_warnings():  # nbformat's warnings quote the file (cell ids) on the terminal
        warnings.simplefilter("ignore")
        notebook = nbformat.reads(json.dumps(raw), as_version=4, capture_validation_error={})
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise MalformedNotebook("its cells are not a list")
    code = [source for index, cell in enumerate(cells) if (source := code_source(cell, index)) is not None]
    if not any(source.strip() for source in code):
        raise MalformedNotebook("the notebook has no code")
    return Notebook(code, assignment_name(notebook))


def code_source(cell: Any, index: int) -> str | None:
    """A code cell's text, None for other cells; ``MalformedNotebook`` if the cell is not one."""
    if not isinstance(cell, dict):
        raise MalformedNotebook(f"cell {index + 1} is not a cell (a JSON {type(cell).__name__})")
    if cell.get("cell_type") != "code":
        return None
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if not isinstance(source, str):
        raise MalformedNotebook(f"code cell {index + 1} has no text (its source is not a string)")
    return source


def assignment_name(notebook: dict[str, Any]) -> str | None:
    """The assignment an otter notebook says it belongs to, if any."""
    metadata = notebook.get("metadata")
    otter = metadata.get("otter") if isinstance(metadata, dict) else None
    name = otter.get("assignment_name") if isinstance(otter, dict) else None
    return name if isinstance(name, str) else None


def as_python(source: str) -> str:
    """A cell as plain Python, the way IPython runs it: ``%time x = f()`` becomes
    ``get_ipython().run_line_magic('time', 'x = f()')``, ``!pip ...`` a ``system`` call.

    A cell IPython cannot transform is returned as it is (compiling it then reports the error).
    Most cells of a class are the same few (given code, common answers): short ones are
    transformed once per process.
    """
    return transformed_short_cell(source) if len(source) <= SHORT_CELL else transformed(source)


SHORT_CELL = 4000  # characters: the cache below holds at most 2048 cells of this size


def transformed(source: str) -> str:
    try:
        return transformer().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython raises many kinds on broken input
        return source


transformed_short_cell = lru_cache(maxsize=2048)(transformed)


def syntax_tree(code: str) -> ast.Module | None:
    """The syntax tree of Python ``code`` (a cell after ``as_python``), or None if it does not parse.

    Deeply nested code (``-(-(-...x))``, 400 chained calls) is valid Python the parser may
    refuse with a RecursionError or MemoryError: that is "does not parse" too.
    """
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: a NUL byte in the source
        return None


@cache
def transformer():  # -> IPython.core.inputtransformer2.TransformerManager
    """IPython's own cell transformer (imported on first use)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()
