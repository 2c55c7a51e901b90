"""What `make assign` produces: current, and free of hidden tests."""

from __future__ import annotations

import filecmp
import json
import zipfile
from pathlib import Path

from autograder.build import master_notebooks
from tests.corpus import hidden_test_lines

ROOT = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_every_master_notebook_has_an_assignment():
    names = {m.stem for m in master_notebooks()}
    assert names and names == {p.name for p in (ROOT / "assignments").iterdir() if p.is_dir()}


def test_assignments_folder_is_what_make_assign_produces(built):
    """A stale or hand-edited copy in assignments/ fails here: run `make assign` and commit."""
    for master in master_notebooks():
        fresh, committed = built / "assignments" / master.stem, ROOT / "assignments" / master.stem
        assert tree(fresh) == tree(committed), f"assignments/{master.stem} is stale: run `make assign`"
    assert not filecmp.dircmp(built / "assignments", ROOT / "assignments").left_only


def test_assign_is_reproducible(built, tmp_path):
    from autograder.build import assign_one

    master = master_notebooks()[0]
    assign_one(master, tmp_path / "dist", tmp_path / "assignments")
    assert tree(tmp_path / "assignments" / master.stem) == tree(built / "assignments" / master.stem)


def test_no_hidden_test_code_in_assignments(built):
    student_text = "\n".join(
        data.decode(errors="replace") for data in tree(ROOT / "assignments").values()
    )
    for master in master_notebooks():
        hidden = hidden_test_lines(built / "dist" / f"{master.stem}.zip")
        assert hidden, f"{master.stem} has no hidden tests"
        leaked = sorted(line for line in hidden if line in student_text)
        assert leaked == [], f"hidden test code leaked into assignments/: {leaked[:3]}"


def test_student_notebooks_have_no_solutions_and_name_their_assignment():
    for master in master_notebooks():
        notebook = json.loads((ROOT / "assignments" / master.stem / f"{master.stem}.ipynb").read_text())
        assert notebook["metadata"]["otter"]["assignment_name"] == master.stem
        sources = ["".join(cell["source"]) for cell in notebook["cells"]]
        assert not any("# SOLUTION" in s or "BEGIN SOLUTION" in s for s in sources)
        assert not any("BEGIN TEST CONFIG" in s or "hidden: true" in s for s in sources)
        assert all(not cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")


def test_release_holds_the_student_material_only(built, tmp_path):
    from autograder.build import build_release

    release = build_release(ROOT / "assignments", tmp_path / "assignments.zip")
    with zipfile.ZipFile(release) as archive:
        names = set(archive.namelist())
        text = "\n".join(archive.read(name).decode(errors="replace") for name in names)
    assert names == set(tree(ROOT / "assignments"))
    for master in master_notebooks():
        assert not [line for line in hidden_test_lines(built / "dist" / f"{master.stem}.zip") if line in text]
    assert "BEGIN SOLUTION" not in text and "# SOLUTION" not in text
