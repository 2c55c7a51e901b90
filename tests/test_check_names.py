"""Every `grader.check("...")` a notebook shows a student names a question that exists."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograder.build import master_notebooks

ROOT = Path(__file__).resolve().parent.parent
CHECK = re.compile(r"""grader\.check\(\s*["']([^"']+)["']\s*\)""")


def question_names(master: Path) -> set[str]:
    """The questions a master notebook defines (``# BEGIN QUESTION`` raw cells, ``name: ...``)."""
    notebook = nbformat.read(master, as_version=4)
    return {
        match.group(1)
        for cell in notebook.cells
        if cell.cell_type == "raw" and "# BEGIN QUESTION" in cell.source
        for match in [re.search(r"^name:\s*(\S+)", cell.source, re.MULTILINE)]
        if match
    }


def checks_named(path: Path) -> set[str]:
    """Every question a notebook's cells (code and markdown) tell the student to check."""
    notebook = nbformat.read(path, as_version=4)
    return {name for cell in notebook.cells for name in CHECK.findall(cell.source)}


@pytest.mark.parametrize("master", master_notebooks(), ids=lambda p: p.stem)
def test_every_check_names_an_existing_question(master):
    questions = question_names(master)
    assert questions
    for path in (master, ROOT / "assignments" / master.stem / master.name):
        named = checks_named(path)
        assert named, f"{path.name} never calls grader.check"
        assert named <= questions, f"{path.relative_to(ROOT)} checks {sorted(named - questions)}, not questions"


def test_the_check_pattern_sees_a_wrong_name(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('Run `grader.check("q1")`.')])
    nbformat.write(notebook, tmp_path / "n.ipynb")
    assert checks_named(tmp_path / "n.ipynb") == {"q1"}
