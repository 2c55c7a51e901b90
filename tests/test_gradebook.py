"""``--roster``: submissions joined to the course's students, and a gradebook CSV Canvas imports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from autograder.reports.gradebook import CANVAS_COLUMNS, RosterError, join_roster, read_roster
from autograder.results import SubmissionResult
from tests.corpus import write_variant
from tests.test_batch import QUICK, grade

# A Canvas gradebook export: its "Points Possible" row and an existing assignment column.
CANVAS_EXPORT = """\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (11)
    Points Possible,,,,,10
"Lovelace, Ada",101,S1,ada@example.edu,Mon,9
"Hopper, Grace",102,S2,ghopper,Mon,8
"Noether, Emmy",103,S3,emmy@example.edu,Tue,7
"Turing, Alan",104,S4,aturing,Tue,
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_canvas_export_as_roster(tmp_path):
    students = read_roster(write(tmp_path / "roster.csv", CANVAS_EXPORT))
    assert [s.name for s in students] == ["Lovelace, Ada", "Hopper, Grace", "Noether, Emmy", "Turing, Alan"]
    assert students[0].emails == {"ada@example.edu"} and students[1].emails == set()


def test_match_by_email_then_by_name_groups_and_duplicates(tmp_path):
    students = read_roster(write(tmp_path / "roster.csv", CANVAS_EXPORT))
    results = [
        SubmissionResult("s1", "a", "graded", student="Ada L.", email="ADA@example.edu"),  # email wins
        SubmissionResult("s2", "a", "graded", student="grace  HOPPER"),  # name, in another order and case
        SubmissionResult("s3", "a", "graded", student="Grace Hopper; Alan Turing"),  # a group, and a second
        SubmissionResult("s4", "a", "graded", student="Mallory", email="m@evil.example"),
    ]
    book = join_roster(students, results)
    assert {students[i].name: r.submission for i, r in book.scores.items()} == {
        "Lovelace, Ada": "s1", "Hopper, Grace": "s2", "Turing, Alan": "s3"}
    assert [s.name for s in book.missing] == ["Noether, Emmy"]
    assert [r.submission for r in book.unmatched] == ["s4"]
    assert book.duplicates == {1: ["s2", "s3"]}


@pytest.mark.parametrize("text", ["", "Points,Grade\n1,2\n", "Student\n"])
def test_unusable_rosters_are_refused_with_a_reason(tmp_path, text):
    with pytest.raises(RosterError, match="roster"):
        read_roster(write(tmp_path / "roster.csv", text))


def test_grade_with_roster_writes_a_canvas_import(built, tmp_path):
    export = tmp_path / "assignment_1_export"
    name = "02-quadratic-fit"
    for key in ("submission_1", "submission_2", "submission_3"):
        write_variant(name, (), export / key / f"{name}.ipynb")
    write(export / "submission_metadata.yml", """
submission_1:
  :submitters:
  - :name: Ada Lovelace
    :email: ada@example.edu
submission_2:
  :submitters:
  - :name: Grace Hopper
    :email: grace@elsewhere.example
submission_3:
  :submitters:
  - :name: Someone Else
    :email: else@example.edu
""")
    out = tmp_path / "out"
    source = built / "dist" / f"{name}.zip"
    run = grade(export, "--autograder", source, "--out", out, "--quiet", "--roster",
                write(tmp_path / "roster.csv", CANVAS_EXPORT), *QUICK)
    assert "gradebook: 2 of 4 roster students matched, 2 without a submission, 1 submission(s) matching nobody" \
        in run.stdout, run.stdout + run.stderr
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    totals = {row["submission"]: row["total"] for row in csv.DictReader((out / "grades.csv").open())}
    assert rows[0] == [*CANVAS_COLUMNS, name]
    assert rows[1][:5] == ["Lovelace, Ada", "101", "S1", "ada@example.edu", "Mon"]
    assert float(rows[1][5]) == float(totals["submission_1"]) and float(rows[2][5]) == float(totals["submission_2"])
    assert rows[3][5] == rows[4][5] == ""  # no submission: left empty, Canvas keeps what it has
    report = (out / "report.html").read_text()
    assert "No submission (2)" in report and "Someone Else" in report
    # three students handing in the solution itself share only masked code: no pair flagged
    assert "similarity: 0 pair(s) flagged" in run.stdout and (out / "similarity.html").is_file()

    bad = grade(export, "--autograder", source, "--out", tmp_path / "bad", "--roster", tmp_path / "nope.csv")
    assert bad.returncode == 2 and "cannot read the roster" in bad.stderr
