"""What a student sees before answering: the stub notebook runs in Jupyter and its public checks fail.

(The solved notebook's checks and export, in a kernel with nothing but the released notebook and
the pinned packages, are in ``test_single_notebook``.)
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.build import master_notebooks

NAMES = [master.stem for master in master_notebooks()]


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
