"""Write the demo class in ``examples/submissions/`` (graded by a bare ``make grade``).

Run ``.venv/bin/python examples/make_examples.py`` after changing a master notebook, and
commit the result.  Each notebook is what a student would hand in: the student notebook
with the answers filled in (from a fresh ``otter assign`` in a temporary folder, so no
hidden test ever lands here), some with a typical mistake, a crash or an endless loop.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.build import assign_one, master_notebooks  # noqa: E402
from tests.corpus import Edit, write_variant  # noqa: E402
from tests.corpus.mistakes_02 import MISTAKES  # noqa: E402

TARGET = ROOT / "examples" / "submissions"
QUADRATIC = "02-quadratic-fit"
MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION")


@dataclass(frozen=True)
class Example:
    """One student's submission: a solved notebook with edits, or the unanswered stub."""

    file: str
    assignment: str
    edits: tuple[Edit, ...] = ()
    stub: bool = False
    otter_zip: bool = False


def mistake(tag: str) -> tuple[Edit, ...]:
    return next(v.edits for v in MISTAKES if v.id == tag)


ENDLESS = Edit(
    "losses = train_manual(params, time, speed, 1e-5, 100)",
    "losses = train_manual(params, time, speed, 1e-5, 100)\n"
    "while losses[-1] > 1e-3:  # 'train until it fits': it never does\n"
    "    losses += train_manual(params, time, speed, 1e-5, 100)",
)
CRASH = Edit("time = torch.arange(0, 20).float()", "time = torch.arange(0, 20).float()\nspeed_ms = speed / 3.6")

KERNEL_DIES = Edit("print(losses[0], losses[-1])", "print(losses[0], losses[-1])\nimport os\nos._exit(1)  # 'restart the kernel'")

CLASS = [
    Example("ada_correct.ipynb", QUADRATIC),
    Example("ben_rmse.ipynb", QUADRATIC, mistake("rmse")),
    Example("cleo_unanswered.ipynb", QUADRATIC, stub=True),
    Example("dev_crash.ipynb", QUADRATIC, (CRASH,)),
    Example("eve_endless_loop.ipynb", QUADRATIC, (ENDLESS,)),
    Example("finn_grad_not_reset.ipynb", QUADRATIC, mistake("grad-not-reset") + mistake("sum")),
    Example("gus_otter_export.zip", QUADRATIC, mistake("sign-flipped"), otter_zip=True),
    Example("hana_wrong_assignment.ipynb", "03-optimizer-loop"),
    Example("ivy_kernel_dies.ipynb", QUADRATIC, (KERNEL_DIES,)),
]


def strip_markers(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove otter's solution markers and outputs, and number the cells, like a clean hand-in."""
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"
        if cell.cell_type != "code":
            continue
        lines = [line.replace("  # SOLUTION", "") for line in cell.source.splitlines()]
        cell.source = "\n".join(line for line in lines if line.strip() not in MARKERS)
        cell.outputs, cell.execution_count = [], None
    return notebook


def write_example(example: Example, built: Path, target: Path) -> Path:
    """Write one example notebook (or otter zip) into ``target``."""
    name = example.assignment
    base = built / "assignments" / name / f"{name}.ipynb" if example.stub else built / "dist" / name / "autograder" / f"{name}.ipynb"
    notebook_path = target / Path(example.file).with_suffix(".ipynb").name
    write_variant(name, example.edits, notebook_path, base=base)
    nbformat.write(strip_markers(nbformat.read(notebook_path, as_version=4)), notebook_path)
    if not example.otter_zip:
        return notebook_path
    archive_path = target / example.file
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in ((f"{name}.ipynb", notebook_path.read_bytes()), (".OTTER_LOG", b"")):
            archive.writestr(zipfile.ZipInfo(member, date_time=(2026, 10, 1, 12, 0, 0)), data, zipfile.ZIP_DEFLATED)
    notebook_path.unlink()
    return archive_path


def main() -> int:
    masters = {master.stem: master for master in master_notebooks()}
    needed = sorted({example.assignment for example in CLASS if example.assignment in masters})
    shutil.rmtree(TARGET, ignore_errors=True)
    TARGET.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder)
        for name in needed:
            assign_one(masters[name], built / "dist", built / "assignments")
        for example in CLASS:
            if example.assignment in masters:
                print(f"wrote {write_example(example, built, TARGET).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
