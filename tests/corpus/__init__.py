"""Notebooks built by editing the solution notebooks: mistaken and hostile variants."""

from __future__ import annotations

import builtins
import importlib
import json
import pkgutil
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.results import SubmissionResult

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


STUB_NAME = re.compile(r"^(?:def (\w+)\(|(\w+) = )", re.MULTILINE)


def defined_name(source: str) -> str | None:
    """The first function or variable a cell defines (``def f(`` or ``f = ``), if any."""
    match = STUB_NAME.search(source)
    return match and (match.group(1) or match.group(2))


def write_student_notebook(built: Path, assignment: str, answers: dict[str, str], target: Path,
                           extra_cells: tuple[str, ...] = (), before: tuple[str, ...] = ()) -> Path:
    """The student notebook of ``assignment`` (from the ``built`` folder) filled in as a student would.

    Each stub cell (``...``) gets the solution's code, or ``answers[name]`` where ``name`` is
    the first thing the cell defines; ``before`` cells open the notebook, ``extra_cells``
    close it.
    """
    student = nbformat.read(built / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    # otter assign's copy for the autograder: the same cells as the student's, solved
    solved = nbformat.read(built / "dist" / assignment / "autograder" / f"{assignment}.ipynb", as_version=4)
    unused = set(answers)
    for cell, solution in zip(student.cells, solved.cells, strict=True):
        if cell.cell_type != "code" or cell.source == solution.source:
            continue
        name = defined_name(cell.source)
        cell.source = answers.get(name, solution.source)
        unused.discard(name)
    assert not unused, f"no stub cell defines {sorted(unused)}"
    student.cells[:0] = [nbformat.v4.new_code_cell(source) for source in before]
    student.cells += [nbformat.v4.new_code_cell(source) for source in extra_cells]
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(student, target)
    return target


def grader_words_only(message: str) -> bool:
    """True when a hidden case's message is made of the grader's fixed sentences and names only."""
    from autograder.judge import HIDDEN_MISMATCH, HIDDEN_UNNAMED
    from autograder.mistakes import MISTAKES
    from autograder.remote import KNOWN_ERRORS

    rest = message
    for sentence in sorted([*MISTAKES.values(), HIDDEN_UNNAMED, HIDDEN_MISMATCH], key=len, reverse=True):
        rest = rest.replace(sentence, "")
    for fixed in ("raised an exception.", "ended unexpectedly.", "returned something the grader cannot read.",
                  "did not finish within the time limit (an endless loop?).", "is not defined in your notebook.",
                  "The process running", "Notebook variables it reads:"):
        rest = rest.replace(fixed, "")
    errors = [name for name in dir(builtins) if isinstance(getattr(builtins, name), type)] + sorted(KNOWN_ERRORS)
    rest = re.sub(rf"raised (?:{'|'.join(errors)})\.", "", rest)
    return all(re.fullmatch(r"`\w+`[,.]?", word) for word in rest.split())


def visible_text(result: SubmissionResult) -> str:
    """Everything a student may read about their submission."""
    return json.dumps(result.to_dict())
