"""``--roster roster.csv``: join the submissions to the course's students and export a gradebook column.

The roster is a CSV with a header row: a Canvas gradebook export works as it is (``Student``,
``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``), and so does any list with a name
and/or an email column.  A submission matches a student by email, else by name (case, accents,
spacing and "Last, First" order ignored; a submission without names uses its file name, so
``ada_lovelace.ipynb`` is Ada Lovelace); a group submission matches each of its submitters.

``gradebook.csv`` is what Canvas's *Grades → Import* takes: the five student columns Canvas
exports, then one column named after the assignment holding each student's total.  A student
with no submission gets an empty cell, which Canvas leaves unchanged.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from autograder.reports.page import Markup, fragment, number
from autograder.results import SubmissionResult

GRADEBOOK_CSV = "gradebook.csv"
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Header names accepted for each field (compared lower-case, without spaces, dashes or underscores).
HEADERS = {
    "name": ("student", "name", "studentname", "fullname"),
    "id": ("id", "canvasid", "studentid", "userid"),
    "sis_user": ("sisuserid", "sid", "sisid"),
    "sis_login": ("sisloginid", "login", "loginid", "username"),
    "section": ("section", "sections"),
    "email": ("email", "emailaddress", "mail"),
}


class RosterError(ValueError):
    """The roster cannot be used (a usage error); the message says why."""


@dataclass
class Student:
    """One row of the roster."""

    name: str = ""
    id: str = ""
    sis_user: str = ""
    sis_login: str = ""
    section: str = ""
    email: str = ""

    @property
    def emails(self) -> set[str]:
        found = {self.email.strip().lower()} if self.email.strip() else set()
        if "@" in self.sis_login:
            found.add(self.sis_login.strip().lower())
        return found


def header_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def read_roster(path: Path) -> list[Student]:
    """The students of a roster CSV; ``RosterError`` if it cannot be read or names nobody."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"cannot read the roster {path}: {error}") from error
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise RosterError(f"the roster {path} is empty")
    columns: dict[str, int] = {}
    for index, heading in enumerate(rows[0]):
        for field_name, names in HEADERS.items():
            if header_key(heading) in names and field_name not in columns:
                columns[field_name] = index
    if not {"name", "email", "sis_login"} & columns.keys():
        raise RosterError(f"the roster {path} needs a header row with a name, email or login column "
                          f"(for example a Canvas gradebook export: {', '.join(CANVAS_COLUMNS)}); "
                          f"its header is {', '.join(rows[0])[:200]}")
    students = []
    for row in rows[1:]:
        values = {name: row[index].strip() if index < len(row) else "" for name, index in columns.items()}
        if not any(values.values()) or "points possible" in values.get("name", "").lower():
            continue  # blank lines, and the "Points Possible" row of a Canvas export
        students.append(Student(**values))
    if not students:
        raise RosterError(f"the roster {path} lists no students")
    return students


def name_key(name: str) -> str:
    """A name compared loosely: "Lovelace, Ada" and "ada  LOVELACE" are the same person."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return " ".join(sorted(words))


@dataclass
class Gradebook:
    """The roster joined with the results."""

    students: list[Student]
    scores: dict[int, SubmissionResult] = field(default_factory=dict)  # roster index -> its submission
    unmatched: list[SubmissionResult] = field(default_factory=list)  # submissions matching no student
    duplicates: dict[int, list[str]] = field(default_factory=dict)  # roster index -> all its submissions

    @property
    def missing(self) -> list[Student]:
        return [s for i, s in enumerate(self.students) if i not in self.scores]


def join_roster(students: list[Student], results: list[SubmissionResult]) -> Gradebook:
    """Match every submission to the roster; a student with several submissions keeps the best total."""
    by_email = {email: i for i, s in enumerate(students) for email in s.emails}
    by_name: dict[str, int] = {}
    for i, s in enumerate(students):
        if s.name:
            by_name.setdefault(name_key(s.name), i)
    book = Gradebook(students)
    for result in results:
        emails = [e.strip().lower() for e in result.email.split(";") if e.strip()]
        names = [n for n in result.student.split(";") if n.strip()] or [result.submission]  # e.g. ada_lovelace.ipynb
        found = {by_email[e] for e in emails if e in by_email} or {
            by_name[name_key(n)] for n in names if name_key(n) in by_name}
        if not found:
            book.unmatched.append(result)
        for index in found:
            earlier = book.scores.get(index)
            if earlier is not None:
                book.duplicates.setdefault(index, [earlier.submission]).append(result.submission)
            if earlier is None or result.total > earlier.total:
                book.scores[index] = result
    return book


def write_gradebook_csv(book: Gradebook, column: str, path: Path) -> None:
    """The Canvas import file: the student columns, then ``column`` with each student's total."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CANVAS_COLUMNS, column])
        for index, s in enumerate(book.students):
            result = book.scores.get(index)
            writer.writerow([s.name, s.id, s.sis_user, s.sis_login, s.section,
                             "" if result is None else number(result.total)])


def render_gradebook(book: Gradebook) -> Markup:
    """The report's section: who matched, who has no submission, which submissions match nobody
    (``templates/section_gradebook.html``)."""
    return fragment("section_gradebook.html", book=book, csv=GRADEBOOK_CSV)
