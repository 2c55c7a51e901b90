"""Notebooks built by editing the solution notebooks: mistaken and hostile variants."""

from __future__ import annotations

import importlib
import pkgutil
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` (which must occur exactly once in the code cells) by ``new``."""

    old: str
    new: str


@dataclass(frozen=True)
class Variant:
    """A solution notebook with edits: ``question`` should lose points and name ``tag``."""

    id: str
    assignment: str
    question: str
    tag: str | None
    edits: tuple[Edit, ...]


def solution_path(assignment: str) -> Path:
    return ROOT / "solutions" / f"{assignment}.ipynb"


def write_variant(assignment: str, edits: tuple[Edit, ...], target: Path, extra_cells: tuple[str, ...] = (),
                  base: Path | None = None) -> Path:
    """Write the solution notebook of ``assignment`` (or ``base``) with ``edits`` applied, plus extra code cells."""
    notebook = nbformat.read(base or solution_path(assignment), as_version=4)
    for edit in edits:
        hits = [cell for cell in notebook.cells if cell.cell_type == "code" and edit.old in cell.source]
        assert len(hits) == 1 and hits[0].source.count(edit.old) == 1, f"{edit.old!r} must occur exactly once"
        hits[0].source = hits[0].source.replace(edit.old, edit.new)
    for source in extra_cells:
        notebook.cells.append(nbformat.v4.new_code_cell(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def all_mistakes() -> list[Variant]:
    """Every ``Variant`` of every ``tests/corpus/mistakes_*.py`` module."""
    found: list[Variant] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("mistakes_"):
            found += importlib.import_module(f"{__name__}.{module.name}").MISTAKES
    return found


def hidden_test_lines(zip_path: Path) -> set[str]:
    """Every meaningful line (12+ characters) of hidden test code in an autograder zip."""
    from autograder.assignments import exec_test

    lines: set[str] = set()
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if name.startswith("tests/") and name.endswith(".py"):
                for suite in exec_test(archive.read(name).decode())["suites"]:
                    for case in suite["cases"]:
                        if case.get("hidden"):
                            lines |= {re.sub(r"^(>>>|\.\.\.) ?", "", line).strip() for line in case["code"].splitlines()}
    return {line for line in lines if len(line) >= 12}
