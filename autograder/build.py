"""Build the student notebooks and autograder folders from ``solutions/`` with otter assign.

``python -m autograder.build assign`` runs ``otter assign`` on every master notebook,
keeps the autograder part (with hidden tests, and ``references.py``: the solution code the
checks compare with, see ``autograder.checks.references``) under ``autograder/dist/<name>/`` and
copies the student part to ``assignments/<name>/``: one notebook that carries its public
tests in its metadata (``tests: files: false``) and opens with a set-up cell
(``SETUP_CELL``) that installs what is missing, so the notebook alone is all a student needs.
Cell ids are renumbered so the output is the same on every run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from autograder import public_checks
from autograder.assignments import DIST, PROJECT_ROOT
from autograder.checks import references
from autograder.sandbox import Limits

SOLUTIONS = PROJECT_ROOT / "solutions"
ASSIGNMENTS = PROJECT_ROOT / "assignments"


def master_notebooks() -> list[Path]:
    return sorted(SOLUTIONS.glob("*.ipynb"))


# Replaces otter's init cell.  Works in Colab (which keeps the notebook in the browser, so the
# tests come from it), JupyterLab, VS Code and `jupyter nbconvert --execute`; in the grader's
# sandbox the `%pip` lines do nothing.  Export runs the checks from CHECKS (otter's export reads
# test files only), so they are written there from the notebook's metadata.
SETUP_CELL = """\
# Set-up: run this cell first. It installs what is missing (otter-grader, and the CPU build of
# torch if torch is absent) and loads the public checks this notebook carries with it.
try:
    import torch
except ImportError:
    %pip install -q torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
try:
    import otter
except ImportError:
    %pip install -q otter-grader==7.0.0
import glob
import json
import os

import otter

NOTEBOOK, CHECKS = "{notebook}", ".public_checks"
if not os.path.isfile(NOTEBOOK) and len(glob.glob("*.ipynb")) == 1:
    NOTEBOOK = glob.glob("*.ipynb")[0]  # the notebook was renamed
try:
    from google.colab import _message  # Colab: the notebook is in the browser, not on disk
    _notebook = _message.blocking_request("get_ipynb")["ipynb"]
except ImportError:
    _notebook = json.load(open(NOTEBOOK, encoding="utf-8")) if os.path.isfile(NOTEBOOK) else {{}}
os.makedirs(CHECKS, exist_ok=True)
for _name, _test in _notebook.get("metadata", {{}}).get("otter", {{}}).get("tests", {{}}).items():
    with open(os.path.join(CHECKS, _name + ".py"), "w", encoding="utf-8") as _file:
        _file.write(f"OK_FORMAT = True\\ntest = {{_test!r}}\\n")
grader = otter.Notebook(NOTEBOOK if os.path.isfile(NOTEBOOK) else None, tests_dir=CHECKS)"""


def finish_notebook(path: Path) -> None:
    """Put ``SETUP_CELL`` in place of otter's init cell and give every cell a stable id
    (otter assign makes random ones)."""
    notebook = nbformat.read(path, as_version=4)
    init = [cell for cell in notebook.cells if cell.cell_type == "code" and "otter.Notebook(" in cell.source]
    if len(init) != 1:
        raise SystemExit(f"{path.name}: expected one otter init cell (init_cell: true), found {len(init)}")
    init[0].source = SETUP_CELL.format(notebook=path.name)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"
    nbformat.write(notebook, path)


def keep_test_files(autograder: Path) -> None:
    """Unpack the test files (public and hidden) from otter's generated zip into ``autograder/tests``.

    With ``tests: files: false`` otter keeps tests in the notebooks' metadata; the
    Gradescope zip and the judge read them as files, as otter's own zip has them.
    """
    generated = sorted(autograder.glob("*.zip"))
    if len(generated) != 1:
        raise SystemExit(f"otter assign wrote {len(generated)} zips in {autograder}, expected one (generate: true)")
    with zipfile.ZipFile(generated[0]) as archive:
        names = [name for name in archive.namelist() if name.startswith("tests/") and name.endswith(".py")]
        if not names:
            raise SystemExit(f"{generated[0].name} holds no tests")
        for name in names:
            target = autograder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
    generated[0].unlink()


def with_public_checks(master: Path, target: Path) -> Path:
    """A copy of ``master`` whose public tests carry the helpers of ``autograder.public_checks``."""
    notebook = nbformat.read(master, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "hidden: true" not in cell.source:
            cell.source = public_checks.inline(cell.source)
    nbformat.write(notebook, target)
    return target


def assign_one(master: Path, dist: Path, assignments: Path) -> None:
    """otter assign one master notebook; fail loudly if its own tests fail on it."""
    name = master.stem
    output = dist / name
    shutil.rmtree(output, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="assign-") as folder:
        source = with_public_checks(master, Path(folder) / master.name)
        command = [sys.executable, "-m", "otter", "assign", "--no-pdfs", str(source), str(output)]
        # its hidden tests run the checks, whose references come from this master (not solutions/'s)
        env = {**os.environ, references.SOLUTIONS_VARIABLE: str(master.resolve().parent)}
        run = subprocess.run(command, capture_output=True, text=True, env=env)
    log = run.stdout + run.stderr
    if run.returncode != 0 or "Test case failed" in log:
        sys.stderr.write(log)
        raise SystemExit(f"otter assign failed for {master.name}: its solution does not pass its own tests")
    keep_test_files(output / "autograder")
    (output / "autograder" / references.FILE_NAME).write_text(references.extract(master))
    student = output / "student"
    finish_notebook(student / f"{name}.ipynb")
    finish_notebook(output / "autograder" / f"{name}.ipynb")
    target = assignments / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(student, target)
    print(f"assigned {name}: {target}, {output / 'autograder'}")


def assign_all(dist: Path, assignments: Path, jobs: int = 2) -> None:
    """``assign_one`` every master notebook, ``jobs`` at a time (each otter assign runs its own kernel)."""
    with ThreadPoolExecutor(jobs) as pool:
        for future in [pool.submit(assign_one, master, dist, assignments) for master in master_notebooks()]:
            future.result()


def write_zip(folder: Path, target: Path, extra: dict[str, bytes] | None = None) -> None:
    """Zip ``folder`` into ``target`` with fixed timestamps, so the bytes are reproducible."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(str(path.relative_to(folder)), date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)


HARNESS = PROJECT_ROOT / "autograder"
GRADESCOPE_FILES = HARNESS / "gradescope"
RUNTIME_PACKAGES = ("torch", "otter-grader", "nbformat", "ipython", "numpy", "matplotlib", "PyYAML")


def runtime_requirements(requirements: Path = PROJECT_ROOT / "requirements.txt") -> str:
    """The pins grading needs, taken from the project's requirements (no test or lint tools)."""
    pins = {}
    for line in requirements.read_text().splitlines():
        name = line.split("#")[0].strip().split("==")[0].strip()
        if name in RUNTIME_PACKAGES and "==" in line:
            pins[name] = line.split("#")[0].strip()
    missing = [name for name in RUNTIME_PACKAGES if name not in pins]
    if missing:
        raise SystemExit(f"requirements.txt pins no version of {', '.join(missing)}")
    return "".join(f"{pins[name]}\n" for name in RUNTIME_PACKAGES)


def harness_files() -> list[Path]:
    """The harness package's own files (no built zips, no caches)."""
    return sorted(
        path for path in HARNESS.rglob("*")
        if path.is_file() and path.suffix != ".pyc"
        and not {"dist", "__pycache__"} & set(path.relative_to(HARNESS).parts)
    )


def stage_gradescope(name: str, dist: Path, stage: Path) -> None:
    """Lay out the Gradescope autograder: scripts, pins, tests, config and the harness source."""
    built = dist / name / "autograder"
    shutil.copyfile(built / "otter_config.json", stage / "otter_config.json")
    shutil.copytree(built / "tests", stage / "tests")
    shutil.copyfile(built / references.FILE_NAME, stage / references.FILE_NAME)
    (stage / "requirements.txt").write_text(runtime_requirements())
    for script in ("setup.sh", "run_autograder"):
        shutil.copyfile(GRADESCOPE_FILES / script, stage / script)
    for path in harness_files():
        target = stage / "harness" / "autograder" / path.relative_to(HARNESS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    for path in stage.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() or path.name in ("setup.sh", "run_autograder") else 0o644)


def build_zip(name: str, dist: Path) -> Path:
    """The Gradescope autograder zip of one assignment, also what ``make grade`` reads tests from."""
    target = dist / f"{name}.zip"
    with tempfile.TemporaryDirectory(prefix="gd-zip-") as stage:
        stage_gradescope(name, dist, Path(stage))
        write_zip(Path(stage), target)
    return target


UPLOAD_STEPS = """\
Upload to Gradescope (once per assignment, one zip each):
{zips}
  1. Create a "Programming Assignment" with the assignment's points.
  2. Configure Autograder -> Zip file upload -> choose the assignment's zip above.
  3. Base image: Ubuntu 22.04; memory: 768 MB or more (1 GB is comfortable);
     timeout: 10 minutes (student code gets {timeout:.0f} s); then "Update Autograder"
     and wait for the image to build (a few minutes: CPU torch, no LaTeX).
  4. Test it with "Test Autograder" and the solution notebook: it must score full marks.
"""


def build_release(assignments: Path, target: Path) -> Path:
    """A zip of the student notebooks and public tests, safe to hand out."""
    write_zip(assignments, target)
    return target


def upload_steps(zips: list[Path]) -> str:
    return UPLOAD_STEPS.format(zips="\n".join(f"     {z}" for z in zips), timeout=Limits.notebook_seconds)


def main(argv: list[str] | None = None) -> int:
    """``assign``, ``zip`` (which prints the upload steps), ``steps`` (prints them again) or ``release``.

    ``make`` runs ``zip`` only when a master notebook, the harness or the pins changed.
    """
    parser = argparse.ArgumentParser(prog="python -m autograder.build", description=__doc__)
    parser.add_argument("command", choices=["assign", "zip", "steps", "release"])
    parser.add_argument("--dist", type=Path, default=DIST)
    parser.add_argument("--assignments", type=Path, default=ASSIGNMENTS)
    args = parser.parse_args(argv)
    if args.command == "assign":
        assign_all(args.dist, args.assignments)
    elif args.command == "zip":
        zips = [build_zip(master.stem, args.dist) for master in master_notebooks()]
        for target in zips:
            print(f"built {target}")
        print(upload_steps(zips))
    elif args.command == "steps":
        zips = [args.dist / f"{master.stem}.zip" for master in master_notebooks()]
        missing = [str(z) for z in zips if not z.is_file()]
        if missing:
            raise SystemExit(f"not built yet: {', '.join(missing)} (run `make autograder`)")
        print(upload_steps(zips))
    else:
        target = build_release(args.assignments, PROJECT_ROOT / "release" / "assignments.zip")
        print(f"student release (notebooks and public tests only): {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
