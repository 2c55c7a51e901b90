"""A class never loses its outputs: ``python -m autograder grade`` end to end on a class holding
malformed notebooks, awkward file names, clashing keys, terminal escapes and honest code the
grader's analyses cannot handle.  Every submission gets a row, a feedback page and a result,
and every honest one keeps its grade.
"""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.batch import write_outputs
from autograder.notebook import MalformedNotebook, read_notebook
from autograder.pipeline import zero_questions
from autograder.results import SubmissionResult
from tests.test_batch import NAME, QUICK, ROOT, rows, solved, stub, variant

LONG_SUM = " + ".join(f"x{i % 3}" for i in range(400))
HELPERS = {  # honest helpers whose syntax trees are deeper than Python's recursion limit
    "helper-long-sum": f"def helper(x0, x1, x2):\n    return {LONG_SUM}\n",
    "helper-base": f"x0 = x1 = x2 = 1\n\n\nclass Helper(dict if {LONG_SUM} else list):\n    pass\n",
    "helper-nested": "def helper(x):\n    return " + "-" * 400 + "x\n",
}
LOUD = "\x1b[2J\x1b]0;owned\x07\x1b[31m"  # clear the screen, retitle the window, turn red
LONG_NAME = "a" * 251
WORDY = "Thirty-seven extraordinarily verbose words describing a submission nobody could grade"
MALFORMED = {  # name: (file content, piece of the message)
    "deep": ('{"cells": [], "metadata": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}", "nested too deeply"),
    "cells-a-number": ('{"cells": 5, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a valid"),
    "source-numbers": ('{"cells": [{"cell_type": "code", "source": [1, 2], "metadata": {}, "outputs": []}], '
                       '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a valid"),
    "cell-a-string": ('{"cells": ["x = 1"], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "not a valid"),
    "binary": (bytes(range(256)) * 64, "not valid JSON"),
    "brackets": ("[" + ",".join(["[]"] * 1_200_000) + "]", "too large"),
}


def without_metadata(source: Path, target: Path, cell: str) -> Path:
    """``source`` with one more code cell and no otter metadata (as Colab saves it)."""
    notebook = nbformat.read(source, as_version=4)
    notebook.metadata.pop("otter", None)
    notebook.cells.append(nbformat.v4.new_code_cell(cell))
    nbformat.write(notebook, target)
    return target


def cli(dist: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m autograder grade ARGS`` with ``dist`` as the built assignments (autograder/dist)."""
    code = ("import runpy, sys; from pathlib import Path; import autograder.assignments as a; "
            "a.DIST = Path(sys.argv.pop(1)); runpy.run_module('autograder', run_name='__main__')")
    command = [sys.executable, "-c", code, str(dist), "grade", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)


@pytest.fixture(scope="module")
def classroom(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    for key in ("correct", "alice", f"{LONG_NAME[:-6]}"):  # and a 251-character file name
        (folder / f"{key}.ipynb").write_bytes(solved(built).read_bytes())
    (folder / "alice!.ipynb").write_bytes(stub(built).read_bytes())  # cleans to alice's key
    (folder / LONG_NAME).mkdir()  # a 251-character folder name
    (folder / LONG_NAME / "mine.ipynb").write_bytes(solved(built).read_bytes())
    for key, cell in HELPERS.items():
        without_metadata(solved(built), folder / f"{key}.ipynb", cell)
    for key, (content, _) in MALFORMED.items():
        target = folder / f"{key}.ipynb"
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    with open(folder / "huge.ipynb", "wb") as handle:  # 60 MB, sparse
        handle.truncate(60 * 2**20)
    os.mkfifo(folder / "pipe.ipynb")
    variant(built, folder / "Loud.ipynb", f"raise ValueError({LOUD!r} + 'boom')", "while True:\n    pass")
    (folder / f"{LOUD}evil.zip").write_bytes(b"")
    (folder / f"{WORDY}.zip").write_bytes(b"")
    (folder / f"{LOUD}notes.txt").write_text("not a submission")
    return folder


MALFORMED_KEYS = {*MALFORMED, "huge", "pipe"}
HONEST = {"correct", "alice", *HELPERS}


@pytest.fixture(scope="module")
def graded(built: Path, classroom: Path, tmp_path_factory: pytest.TempPathFactory):
    """The class graded without --assignment, then again with it (reusing finished results)."""
    out = tmp_path_factory.mktemp("out")
    first = cli(built / "dist", classroom, "--out", out, "--workers", "2", *QUICK)
    before = {row["submission"]: row for row in rows(out, built)}
    second = cli(built / "dist", classroom, "--out", out, "--assignment", NAME, *QUICK)
    return first, second, out, before, {row["submission"]: row for row in rows(out, built)}


def by_prefix(table: dict[str, dict[str, str]], prefix: str) -> dict[str, str]:
    found = [row for key, row in table.items() if key.startswith(prefix)]
    assert len(found) == 1, (prefix, list(table))
    return found[0]


def test_every_submission_gets_a_row_a_result_and_a_page(graded, classroom):
    first, second, out, table, again = graded
    for run in (first, second):
        assert run.returncode == 1, run.stderr[-3000:]
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
    entries = [p for p in classroom.iterdir() if not p.name.endswith(".txt")]
    assert len(table) == len(entries) == 19
    assert set(again) == set(table), "the same class must get the same keys on every run"
    for key in table:
        assert len(key) <= 90 and "/" not in key
        result = json.loads((out / "results" / f"{key}.json").read_text())
        assert result["score"] == float(again[key]["total"]), (key, again[key])
        assert (out / "feedback" / f"{key}.html").is_file(), key
        assert f'href="feedback/{key}.html"' in (out / "report.html").read_text()


def test_malformed_notebooks_are_rows_with_a_clear_message(graded):
    _, _, _, first, second = graded
    for table in (first, second):  # without and with --assignment
        for key, (_, message) in MALFORMED.items():
            assert (table[key]["status"], float(table[key]["total"])) == ("malformed", 0), table[key]
            assert message in table[key]["message"], table[key]
        assert "too large" in table["huge"]["message"] and "not a regular file" in table["pipe"]["message"]


def test_honest_submissions_keep_their_grade(graded):
    _, _, _, first, second = graded
    for table in (first, second):
        honest = [table[key] for key in HONEST] + [row for key, row in table.items() if key.startswith("a" * 60)]
        for row in honest:  # flagged at most for code the integrity scan could not read
            assert (row["status"], row["total"]) == ("graded", row["max"]), row
            assert row["flags"] in ("", "the integrity scan could not read this code (RecursionError)"), row


def test_long_names_get_bounded_keys(graded):
    _, _, out, table, _ = graded
    long_keys = [key for key in table if key.startswith("a" * 60)]
    assert len(long_keys) == 2  # the 251-character file and folder
    for key in long_keys:
        assert table[key]["status"] == "graded" and table[key]["total"] == table[key]["max"]
        assert (out / "feedback" / f"{key}.html").is_file()


def test_a_name_that_cleans_to_another_students_key_does_not_take_it(graded):
    _, _, out, table, _ = graded
    assert table["alice"]["total"] == table["alice"]["max"]  # alice.ipynb, the solution
    other = [key for key in table if key.startswith("alice") and key != "alice"]
    assert len(other) == 1 and float(table[other[0]]["total"]) == 0  # alice!.ipynb, the stub
    assert json.loads((out / "results" / "alice.json").read_text())["score"] == float(table["alice"]["max"])


def test_the_terminal_gets_no_escape_sequences(graded):
    first, second, _, table, _ = graded
    loud = table["Loud"]
    assert loud["status"] == "graded" and "boom" in loud["message"] and "time limit" in loud["message"]
    for run in (first, second):
        text = run.stdout + run.stderr
        bad = {char for char in text if char != "\n" and unicodedata.category(char) in ("Cc", "Cf")}
        assert not bad, bad
    assert "evil.zip cannot be graded" in first.stdout  # a name full of escape sequences, printed clean
    assert "notes.txt" in first.stderr


def test_the_summary_cuts_messages_between_words(graded):
    first, _, _, table, _ = graded
    row = by_prefix(table, "Thirty-seven")
    line = next(line for line in first.stdout.splitlines() if line.strip().startswith(row["submission"]))
    shown = line.split(": ", 2)[2]
    assert shown.endswith(" ...") and len(shown) <= 100
    kept = shown.removesuffix(" ...")
    assert row["message"].startswith(kept) and row["message"][len(kept)] == " ", (kept, row["message"])


def test_an_output_that_cannot_be_written_costs_no_other_output(assignments, built, tmp_path):
    """One student's feedback page has a folder in its way: every other output is still written."""
    assignment = assignments[NAME]
    results = [SubmissionResult(key, NAME, "graded", questions=zero_questions(assignment)) for key in ("ada", "ben", "cleo")]
    (tmp_path / "feedback" / "ben.html").mkdir(parents=True)
    failures = write_outputs(results, assignment, tmp_path)
    assert len(failures) == 1 and failures[0].startswith("feedback/ben.html: IsADirectoryError"), failures
    assert [row["submission"] for row in rows(tmp_path, built)] == ["ada", "ben", "cleo"]
    assert {p.name for p in (tmp_path / "results").iterdir()} == {"ada.json", "ben.json", "cleo.json"}
    assert (tmp_path / "feedback" / "ada.html").is_file() and (tmp_path / "feedback" / "cleo.html").is_file()
    assert 'href="feedback/cleo.html"' in (tmp_path / "report.html").read_text()


def paths(node: object, prefix: tuple = ()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from paths(child, (*prefix, key))


def test_wrong_types_anywhere_are_malformed_or_graded_never_a_crash(tmp_path):
    """Every value of a real notebook replaced by every JSON type (and by deep nesting)."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", id="c0"),
                                               nbformat.v4.new_markdown_cell("hi", id="m0")],
                                        metadata={"otter": {"assignment_name": NAME}})
    notebook.cells[0].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    base = json.loads(nbformat.writes(notebook))
    deep = "[" * 5000 + "]" * 5000
    target = tmp_path / "n.ipynb"
    outcomes = set()
    for path in list(paths(base)):
        for value in (None, 0, 1.5, True, "x", [], {}, [1, "a"], {"a": None}, "DEEP"):
            document = copy.deepcopy(base)
            if not path:
                document = value
            else:
                node = document
                for key in path[:-1]:
                    node = node[key]
                node[path[-1]] = value
            target.write_text(json.dumps(document).replace('"DEEP"', deep))
            try:
                read_notebook(target)
                outcomes.add("read")
            except MalformedNotebook as error:
                assert str(error), path
                outcomes.add("malformed")
    assert outcomes == {"read", "malformed"}


def test_zip_members_that_cannot_be_unpacked_are_malformed(tmp_path):
    from autograder.inputs import discover

    folder = tmp_path / "class"
    folder.mkdir()
    with zipfile.ZipFile(folder / "ada.zip", "w") as archive:
        archive.writestr("x" * 300 + ".ipynb", b"{}")
    [found] = discover(folder, tmp_path / "work")
    assert found.path is None and "cannot be graded" in found.problem


def test_progress_lines_show_names_without_escapes():
    from autograder.progress import Progress

    lines = io.StringIO()
    Progress(1, "lines", lines).update(SubmissionResult("ada", NAME, "graded", student=f"Ada{LOUD}\u202eevil\r\n"))
    assert lines.getvalue().startswith("[1/1] ada Adaevil: graded"), repr(lines.getvalue())
