"""Finding the submissions of a class in folders, otter zips and Gradescope exports."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.inputs import SubmissionsError, discover

METADATA = """\
submission_1001:
  :submitters:
  - :name: Ada Student
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2026-10-01 12:00:00.000000000 -07:00
  :score: 8.0
submission_1002:
  :submitters:
  - :name: Ben Pair
    :sid: '1002'
    :email: ben@example.edu
  - :name: Cleo Pair
    :sid: '1003'
    :email: cleo@example.edu
  :created_at: !ruby/object:ActiveSupport::TimeWithZone
    utc: 2026-10-01 19:00:00.000000000 Z
submission_1004:
  :submitters:
  - :name: Dev Missing
    :email: dev@example.edu
"""


def notebook_bytes(tag: str = "") -> bytes:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = 1  # {tag}", id="cell-0")])
    return nbformat.writes(notebook).encode()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def by_key(submissions):
    return {s.key: s for s in submissions}


def test_folder_of_notebooks_skips_checkpoints_hidden_files_and_macos_folders(tmp_path):
    classroom = tmp_path / "class"
    write(classroom / "ada.ipynb", notebook_bytes("ada"))
    write(classroom / "ben.ipynb", notebook_bytes("ben"))
    write(classroom / ".ipynb_checkpoints" / "ada-checkpoint.ipynb", notebook_bytes())
    write(classroom / "__MACOSX" / "._ada.ipynb", b"junk")
    write(classroom / ".hidden.ipynb", notebook_bytes())
    write(classroom / "notes.txt", b"not a submission")
    skipped: list[str] = []
    found = discover(classroom, tmp_path / "work", skipped)
    assert [s.key for s in found] == ["ada", "ben"]
    assert skipped == ["notes.txt"]
    assert all(s.path is not None and s.problem == "" for s in found)
    assert found[0].path.read_bytes() == notebook_bytes("ada")


def test_per_student_folders_need_one_notebook_to_grade(tmp_path):
    classroom = tmp_path / "class"
    write(classroom / "ada" / "work" / "hw.ipynb", notebook_bytes())
    write(classroom / "ada" / ".ipynb_checkpoints" / "hw-checkpoint.ipynb", notebook_bytes())
    write(classroom / "ben" / "a.ipynb", notebook_bytes("a"))
    write(classroom / "ben" / "b.ipynb", notebook_bytes("b"))
    (classroom / "cleo").mkdir()
    make_zip(classroom / "dev" / "dev_export.zip", {"hw.ipynb": notebook_bytes("dev")})
    found = by_key(discover(classroom, tmp_path / "work"))
    assert found["ada"].path.name == "hw.ipynb" and not found["ada"].problem and not found["ada"].note
    assert found["ben"].path is None and "2 notebooks (a.ipynb, b.ipynb) whose code differs" in found["ben"].problem
    assert found["cleo"].path is None and "no notebook" in found["cleo"].problem
    assert found["dev"].path.read_bytes() == notebook_bytes("dev")


def test_a_per_student_folder_is_the_students_name(tmp_path):
    """The feedback page names the student by the folder, not "(unknown)"."""
    from autograder.reports.feedback import render_feedback
    from autograder.results import SubmissionResult

    write(tmp_path / "class" / "Ada Lovelace" / "hw.ipynb", notebook_bytes())
    write(tmp_path / "class" / "ben.ipynb", notebook_bytes())
    found = by_key(discover(tmp_path / "class", tmp_path / "work"))
    ada = next(submission for key, submission in found.items() if key.startswith("Ada"))
    assert ada.student == "Ada Lovelace"
    assert found["ben"].student == ""  # a notebook file's name is not taken for a person's
    page = render_feedback(SubmissionResult(ada.key, "hw", "graded", student=ada.student), "hw", 1.0)
    assert "Ada Lovelace" in page and "<td>Student</td><td>(unknown)" not in page


def otter_notebook(assignment: str, code: str) -> bytes:
    """A notebook whose otter metadata names ``assignment``, with one code cell."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code, id="cell-0")])
    notebook.metadata["otter"] = {"assignment_name": assignment}
    return nbformat.writes(notebook).encode()


def test_the_notebook_named_after_the_assignment_is_graded_and_the_note_says_so(tmp_path):
    classroom = tmp_path / "class"
    write(classroom / "ada" / "hw.ipynb", otter_notebook("hw", "x = 2"))
    write(classroom / "ada" / "hw-draft.ipynb", otter_notebook("hw", "x = 1"))
    ada = by_key(discover(classroom, tmp_path / "work"))["ada"]
    assert ada.path.name == "hw.ipynb" and not ada.problem
    assert ada.note == ("The folder ada holds 2 notebooks (hw-draft.ipynb, hw.ipynb) whose code differs: hw.ipynb, "
                        "the one named after the assignment, was graded.")


def test_notebooks_with_the_same_code_count_once(tmp_path):
    """Saved twice (other outputs, other metadata), the same code is one notebook: no problem, a note."""
    saved_again = nbformat.reads(otter_notebook("hw", "x = 1").decode(), as_version=4)
    saved_again.cells[0].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    classroom = tmp_path / "class"
    write(classroom / "ada" / "copy.ipynb", otter_notebook("hw", "x = 1"))
    write(classroom / "ada" / "mine.ipynb", nbformat.writes(saved_again).encode())
    ada = by_key(discover(classroom, tmp_path / "work"))["ada"]
    assert ada.path is not None and not ada.problem
    assert "2 notebooks (copy.ipynb, mine.ipynb) with the same code: copy.ipynb was graded" in ada.note


def test_two_notebooks_named_after_the_assignment_with_different_code_are_a_problem(tmp_path):
    classroom = tmp_path / "class"
    write(classroom / "ada" / "hw.ipynb", otter_notebook("hw", "x = 1"))
    write(classroom / "ada" / "old" / "hw.ipynb", otter_notebook("hw", "x = 2"))
    ada = by_key(discover(classroom, tmp_path / "work"))["ada"]
    assert ada.path is None and "more than one is named hw.ipynb: submit exactly one" in ada.problem
    assert "(hw.ipynb, old/hw.ipynb)" in ada.problem


def test_otter_zips_are_unpacked_privately(tmp_path):
    classroom = tmp_path / "class"
    make_zip(classroom / "ada_2026_10_01T12_00_00.zip",
             {"hw.ipynb": notebook_bytes("ada"), ".OTTER_LOG": b"log", "hw.pdf": b"%PDF"})
    work = tmp_path / "work"
    (found,) = discover(classroom, work)
    assert found.key == "ada_2026_10_01T12_00_00" and not found.problem
    assert found.path.read_bytes() == notebook_bytes("ada")
    assert work in found.path.parents
    assert not list(work.rglob("*.pdf")), "only notebooks, zips and metadata are unpacked"


def test_bad_zips_become_malformed_rows_not_exceptions(tmp_path):
    classroom = tmp_path / "class"
    write(classroom / "empty.zip", b"")
    write(classroom / "corrupt.zip", b"PK\x03\x04 this is not really a zip")
    make_zip(classroom / "two.zip", {"a.ipynb": notebook_bytes("a"), "sub/b.ipynb": notebook_bytes("b")})
    make_zip(classroom / "none.zip", {"README.md": b"hello"})
    make_zip(classroom / "escape.zip", {"../../escaped.ipynb": notebook_bytes()})
    link = zipfile.ZipInfo("link.ipynb")
    link.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(classroom / "link.zip", "w") as archive:
        archive.writestr(link, "/etc/passwd")
    bomb = zipfile.ZipInfo("bomb.ipynb")
    with zipfile.ZipFile(classroom / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(bomb, b"\0" * (80 * 2**20))
    found = by_key(discover(classroom, tmp_path / "work"))
    assert set(found) == {"empty", "corrupt", "two", "none", "escape", "link", "bomb"}
    assert all(s.path is None for s in found.values())
    assert "empty (0 bytes)" in found["empty"].problem
    assert "not a readable zip" in found["corrupt"].problem
    assert "2 notebooks (a.ipynb, sub/b.ipynb) whose code differs" in found["two"].problem
    assert "no notebook" in found["none"].problem
    assert "unsafe path" in found["escape"].problem
    assert "symbolic link" in found["link"].problem
    assert "zip bomb" in found["bomb"].problem
    assert not (tmp_path / "escaped.ipynb").exists() and not list(tmp_path.rglob("escaped.ipynb"))


def gradescope_export(folder: Path) -> Path:
    root = folder / "assignment_777_export"
    write(root / "submission_metadata.yml", METADATA.encode())
    write(root / "submission_1001" / "02-quadratic-fit.ipynb", notebook_bytes("ada"))
    make_zip(root / "submission_1002" / "pair.zip", {"02-quadratic-fit.ipynb": notebook_bytes("pair")})
    write(root / "submission_1003" / "02-quadratic-fit.ipynb", notebook_bytes("unlisted"))
    return root


def check_export(found: dict) -> None:
    assert set(found) == {"submission_1001", "submission_1002", "submission_1003", "submission_1004"}
    ada, pair, unlisted, missing = (found[k] for k in sorted(found))
    assert (ada.student, ada.email) == ("Ada Student", "ada@example.edu")
    assert ada.path.read_bytes() == notebook_bytes("ada")
    assert (pair.student, pair.email) == ("Ben Pair; Cleo Pair", "ben@example.edu; cleo@example.edu")
    assert pair.path.read_bytes() == notebook_bytes("pair")
    assert (unlisted.student, unlisted.email, unlisted.problem) == ("", "", "")
    assert missing.student == "Dev Missing" and missing.path is None and "no folder" in missing.problem


def test_gradescope_export_folder_with_metadata(tmp_path):
    root = gradescope_export(tmp_path / "download")
    check_export(by_key(discover(root.parent, tmp_path / "work")))
    check_export(by_key(discover(root, tmp_path / "work2")))


def test_gradescope_export_zip_with_metadata(tmp_path):
    root = gradescope_export(tmp_path / "download")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, str(path.relative_to(root.parent)))
    export = write(tmp_path / "export.zip", buffer.getvalue())
    check_export(by_key(discover(export, tmp_path / "work")))


def test_keys_are_unique_and_safe_file_names(tmp_path):
    classroom = tmp_path / "class"
    write(classroom / "ada lovelace.ipynb", notebook_bytes("1"))
    make_zip(classroom / "ada lovelace.zip", {"x.ipynb": notebook_bytes("2")})
    write(classroom / "Ada_Lovelace" / "x.ipynb", notebook_bytes("3"))
    keys = [s.key for s in discover(classroom, tmp_path / "work")]
    assert len(set(k.lower() for k in keys)) == 3
    assert all(" " not in k and "/" not in k for k in keys)


def test_a_single_notebook_and_a_missing_path(tmp_path):
    single = write(tmp_path / "ada.ipynb", notebook_bytes())
    assert [s.key for s in discover(single, tmp_path / "work")] == ["ada"]
    with pytest.raises(SubmissionsError, match="does not exist"):
        discover(tmp_path / "nowhere", tmp_path / "work")


def test_keys_are_stable_and_never_displace_an_exact_name(tmp_path):
    """``alice!`` cleans to ``alice`` but never takes it, whatever the order submissions come in."""
    import itertools

    from autograder.inputs import unique_keys
    from autograder.pipeline import Submission

    names = ["alice!.ipynb", "alice.ipynb", "alice .zip", "a" * 251, "a" * 250 + "b", "\x1b[2J.zip", "ada.ipynb", "ada.zip"]

    def keys(order: list[str]) -> dict[str, str]:
        found = [(name, Submission(name.rsplit(".", 1)[0] if "." in name else name, None)) for name in order]
        return {name: submission.key for name, submission in zip(order, unique_keys(found))}

    expected = keys(names)
    assert expected["alice.ipynb"] == "alice" and expected["ada.ipynb"] == "ada"
    assert len({key.lower() for key in expected.values()}) == len(names)
    assert all(len(key) <= 80 and key.isprintable() and "/" not in key for key in expected.values())
    for order in itertools.islice(itertools.permutations(names), 0, None, 997):
        assert keys(list(order)) == expected
    write(tmp_path / "class" / "alice!.ipynb", notebook_bytes("1"))
    write(tmp_path / "class" / "alice.ipynb", notebook_bytes("2"))
    found = by_key(discover(tmp_path / "class", tmp_path / "work"))
    assert found["alice"].path.name == "alice.ipynb" and len(found) == 2
