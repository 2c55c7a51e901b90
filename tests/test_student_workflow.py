"""What a student does: run the notebook in Jupyter, `grader.check(...)`, export without LaTeX."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.build import master_notebooks

NAMES = [master.stem for master in master_notebooks()]


def fill_in_solutions(student: Path, solved: Path) -> nbformat.NotebookNode:
    """The student notebook with its answer cells filled in as the solution does.

    otter assign writes both notebooks cell for cell; only the answer cells differ.
    """
    notebook = nbformat.read(student, as_version=4)
    answers = nbformat.read(solved, as_version=4).cells
    assert len(answers) == len(notebook.cells)
    for cell, answer in zip(notebook.cells, answers):
        if cell.cell_type == "code" and "..." in cell.source:
            cell.source = answer.source
    return notebook


@pytest.mark.parametrize("name", NAMES)
def test_student_checks_and_exports_in_a_real_kernel(name, built, tmp_path):
    student_dir = built / "assignments" / name
    shutil.copytree(student_dir, tmp_path, dirs_exist_ok=True)
    solved = built / "dist" / name / "autograder" / f"{name}.ipynb"
    notebook = fill_in_solutions(student_dir / f"{name}.ipynb", solved)
    NotebookClient(notebook, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [
        "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in cell.get("outputs", []))
        for cell in notebook.cells
        if cell.cell_type == "code" and "grader.check(" in cell.source
    ]
    assert outputs and all("passed" in text for text in outputs), outputs
    exports = list(tmp_path.glob("*.zip"))
    assert len(exports) == 1, "grader.export(pdf=False) should write one zip without LaTeX"
    with zipfile.ZipFile(exports[0]) as archive:
        assert f"{name}.ipynb" in archive.namelist()


@pytest.mark.parametrize("name", NAMES)
def test_public_tests_fail_on_the_stub(name, built, tmp_path):
    shutil.copytree(built / "assignments" / name, tmp_path, dirs_exist_ok=True)
    notebook = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
    notebook.cells = [c for c in notebook.cells if "grader.export" not in c.source]
    NotebookClient(
        notebook, kernel_name="python3", timeout=300, allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    checks = [c for c in notebook.cells if c.cell_type == "code" and "grader.check(" in c.source]
    text = " ".join(str(o) for c in checks for o in c.get("outputs", []))
    assert checks and "failed" in text.lower()
