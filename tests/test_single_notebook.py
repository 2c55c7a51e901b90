"""The released notebook is all a student needs.

Each student notebook is copied alone into an empty folder (no ``tests/``, no project code)
and executed top to bottom with plain ``jupyter nbconvert --execute`` in a virtual
environment built only from PyPI packages: otter-grader, ipykernel and torch, the pins of
``requirements.txt``.  Its public checks pass for the solution, fail naming the mistake for a
mistaken answer, and ``grader.export()`` runs them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock

from autograder.build import SETUP_CELL, master_notebooks
from autograder.mistakes import MISTAKES
from tests.corpus import Edit, all_mistakes, write_student_notebook
from tests.test_public_checks import failure_messages

ROOT = Path(__file__).resolve().parent.parent
NAMES = [master.stem for master in master_notebooks()]


def pins() -> list[str]:
    """``torch`` and ``otter-grader`` as ``requirements.txt`` pins them, and ipykernel (to execute)."""
    wanted = {"torch", "otter-grader"}
    found = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.split("==")[0].strip() in wanted]
    assert len(found) == len(wanted), found
    return sorted(found) + ["ipykernel"]


@pytest.fixture(scope="session")
def student_venv() -> Path:
    """A virtual environment with only the PyPI packages a student installs, cached across runs.

    It lives in the temp folder under a name made of its pins; ``.ready`` marks a complete one.
    A file lock beside it lets one process build it while others (xdist workers, other runs) wait.
    """
    key = hashlib.sha256(" ".join(pins()).encode()).hexdigest()[:12]
    venv = Path(tempfile.gettempdir()) / f"autograder-student-venv-{key}"
    with FileLock(venv.with_name(venv.name + ".lock")):
        if not (venv / ".ready").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *pins()], check=True)
            (venv / ".ready").touch()
    return venv


def clean_env(venv: Path) -> dict[str, str]:
    """The environment of a student's shell with ``venv`` activated: nothing of this project."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "JUPYTER_PATH")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def execute_alone(venv: Path, notebook: Path, folder: Path) -> nbformat.NotebookNode:
    """Copy ``notebook`` alone into ``folder`` and run ``jupyter nbconvert --execute`` there."""
    folder.mkdir(parents=True, exist_ok=True)
    assert not list(folder.iterdir()), "the notebook must be alone in its folder"
    target = Path(shutil.copy(notebook, folder / notebook.name))
    subprocess.run(
        [str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb",
         "--ExecutePreprocessor.timeout=600", target.name],
        cwd=folder, env=clean_env(venv), check=True, capture_output=True,
    )
    return nbformat.read(folder / "executed.ipynb", as_version=4)


def outputs_of(notebook: nbformat.NotebookNode, text: str) -> list[str]:
    """The printed output of every code cell whose source contains ``text``."""
    return [
        "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", []))
        for cell in notebook.cells
        if cell.cell_type == "code" and text in cell.source
    ]


def test_the_student_venv_has_no_project_code(student_venv, tmp_path):
    run = subprocess.run([str(student_venv / "bin" / "python"), "-c", "import autograder"],
                         cwd=tmp_path, env=clean_env(student_venv), capture_output=True, text=True)
    assert run.returncode != 0 and "No module named 'autograder'" in run.stderr


def test_the_setup_cell_pins_what_requirements_pin():
    installed = set(re.findall(r"%pip install -q (\S+==\S+)", SETUP_CELL))
    assert installed == {pin for pin in pins() if "==" in pin}


@pytest.mark.parametrize("name", NAMES)
def test_released_notebook_alone_passes_its_checks_and_exports(name, built, student_venv, tmp_path):
    solved = write_student_notebook(built, name, {}, tmp_path / "solved" / f"{name}.ipynb")
    executed = execute_alone(student_venv, solved, tmp_path / "student")
    checks = outputs_of(executed, "grader.check(")
    assert checks and all("All test cases passed!" in text for text in checks), checks
    export = outputs_of(executed, "grader.export(")
    assert len(export) == 1 and "Running your submission against local test cases" in export[0]
    assert export[0].count("All test cases passed!") == len(checks), export[0]
    exports = list((tmp_path / "student").glob(f"{name}_*.zip"))
    assert len(exports) == 1, "grader.export(pdf=False) should write one zip without LaTeX"
    with zipfile.ZipFile(exports[0]) as archive:
        assert f"{name}.ipynb" in archive.namelist()


# One mistake per assignment, from the corpus: the public check must fail and name it.
MISTAKEN = {"01-autograd": "rss-missing-1-over-n", "02-quadratic-fit": "rmse",
            "03-optimizer-loop": "mse-loss-sum", "04-linear-regression": "sum"}


def mistaken_notebook(built: Path, name: str, edits: tuple[Edit, ...], target: Path) -> Path:
    """The student notebook filled in from the solution, with a corpus variant's edits."""
    write_student_notebook(built, name, {}, target)
    notebook = nbformat.read(target, as_version=4)
    for edit in edits:
        hits = [cell for cell in notebook.cells if cell.cell_type == "code" and edit.old in cell.source]
        assert len(hits) == 1, edit.old
        hits[0].source = hits[0].source.replace(edit.old, edit.new)
    nbformat.write(notebook, target)
    return target


@pytest.mark.parametrize("name", NAMES)
def test_released_notebook_alone_names_a_mistake(name, built, student_venv, tmp_path):
    variant = next(v for v in all_mistakes() if v.assignment == name and v.id == MISTAKEN[name])
    notebook = mistaken_notebook(built, name, variant.edits, tmp_path / "mistaken" / f"{name}.ipynb")
    executed = execute_alone(student_venv, notebook, tmp_path / "student")
    check = outputs_of(executed, f'grader.check("{variant.question}")')
    assert len(check) == 1 and "All test cases passed!" not in check[0]
    assert MISTAKES[variant.tag] in failure_messages(check[0]), check[0]
    export = outputs_of(executed, "grader.export(")[0]
    assert f"{variant.question} results:" in export and MISTAKES[variant.tag] in failure_messages(export)


def test_tests_in_metadata_only(built):
    """No ``tests/`` folder ships: the public tests are in the notebook's metadata, hidden ones nowhere."""
    for name in NAMES:
        folder = built / "assignments" / name
        assert sorted(p.name for p in folder.iterdir()) == [f"{name}.ipynb"]
        tests = json.loads((folder / f"{name}.ipynb").read_text())["metadata"]["otter"]["tests"]
        assert tests and all(not case.get("hidden") for test in tests.values()
                             for suite in test["suites"] for case in suite["cases"])
