"""The reports: feedback pages, the class report and grades.csv, read back and checked.

A small synthetic class (real otter test files, plain result objects) covers the odd cases;
one end-to-end test grades real notebooks of 02-quadratic-fit in the sandbox and renders them.
"""

from __future__ import annotations

import base64
import csv
import html
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy
import pytest
from otter.test_files import OKTestFile

from autograder.assignments import Assignment
from autograder.mistakes import MISTAKES
from autograder.pipeline import Submission, grade_submission
from autograder.reports import charts, write_grades_csv, write_reports
from autograder.reports.gradebook import Gradebook, Student, render_gradebook
from autograder.reports.regrade import Change, Run, render_regrade
from autograder.reports.similarity import Pair, highlighted, render_similarity, similarity_section
from autograder.results import CaseResult, QuestionResult, SubmissionResult
from tests.corpus import write_variant
from tests.corpus.mistakes_02 import MISTAKES as MISTAKES_02

SECRET = "HIDDEN_EXPECTED_VALUE_31337"
SVG = "{http://www.w3.org/2000/svg}"
ATTACK = '<script>alert("pwned")</script>'


# ---------------------------------------------------------------- reading the pages back


class Tables(HTMLParser):
    """Every table of a page as rows of cell texts, plus every image source and link target."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "img":
            self.images.append(values.get("src") or "")
        elif tag == "a":
            self.links.append(values.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def parse(path: Path) -> Tables:
    parser = Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def rows_starting(page: Tables, first: str) -> list[list[str]]:
    return [row for table in page.tables for row in table if row and row[0] == first]


def pictures(page: Tables) -> list[ET.Element]:
    """The page's pictures: every one an SVG embedded as a data URI, parsed as XML."""
    prefix = "data:image/svg+xml;base64,"
    assert all(source.startswith(prefix) for source in page.images), "every image is embedded"
    svgs = [ET.fromstring(base64.b64decode(source[len(prefix):]).decode("utf-8")) for source in page.images]
    assert all(svg.tag == f"{SVG}svg" for svg in svgs)
    return svgs


def texts(svg: ET.Element, kind: str) -> list[str]:
    """The chart's texts of one class: ``title``, ``x-tick``, ``y-tick``, ``x-label``, ``y-label``,
    ``count``, ``legend``."""
    return [element.text for element in svg.iter(f"{SVG}text") if element.get("class") == kind]


def bars(svg: ET.Element) -> list[tuple[str, str, float, float, float]]:
    """The chart's bars (tooltip, colour, width, height, left edge) in drawing order."""
    return [(rect.find(f"{SVG}title").text, rect.get("fill"), float(rect.get("width")), float(rect.get("height")),
             float(rect.get("x"))) for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "bar"]


def proportional(sizes: list[float], counts: list[int]) -> bool:
    """Each bar's size is its count times one scale (to the 0.1 px the charts round to)."""
    unit = sizes[0] / counts[0]
    return all(abs(size - count * unit) <= 0.25 for size, count in zip(sizes, counts))


# ---------------------------------------------------------------- a small class


def ok_test_file(name: str, points: float) -> OKTestFile:
    """A real otter test file with a public case worth nothing and a hidden case holding SECRET."""
    return OKTestFile.from_spec({
        "name": name, "points": None,
        "suites": [{"type": "doctest", "scored": True, "setup": "", "teardown": "", "cases": [
            {"code": f">>> {name}_public_check()\nTrue", "hidden": False, "locked": False, "points": 0},
            {"code": f">>> abs(result - {SECRET}) < 1e-6\nTrue", "hidden": True, "locked": False,
             "points": points},
        ]}],
    }, path=f"tests/{name}.py")


@pytest.fixture
def assignment() -> Assignment:
    return Assignment("99-demo", [ok_test_file("q1-mse", 2), ok_test_file("q2-step", 3)])


def question(name: str, points: float, hidden_passed: bool, message: str = "",
             mistakes: tuple[str, ...] = ()) -> QuestionResult:
    return QuestionResult(name, [
        CaseResult(f"{name} - 1", False, 0.0, True),
        CaseResult(f"{name} - 2", True, float(points), hidden_passed, message, list(mistakes)),
    ])


def rmse(message: str = "It matches the RMSE.", *also: str) -> QuestionResult:
    return question("q1-mse", 2, False, message, ("rmse-not-mse", *also))


@pytest.fixture
def klass() -> list[SubmissionResult]:
    full = [question("q1-mse", 2, True), question("q2-step", 3, True)]
    return [
        SubmissionResult("alice", "99-demo", "graded", full, student="Alice", email="alice@example.edu"),
        SubmissionResult("bob", "99-demo", "graded",
                         # the same mistake in two questions of one submission counts once
                         [rmse("RMSE.", "wrong-shape"),
                          question("q2-step", 3, False, "Going up.", ("sign-flipped", "wrong-shape"))],
                         student="Bob", flags=["torch.allclose patched: allclose replaced"]),
        # the same mistake in two cases of one submission counts once
        SubmissionResult("carol", "99-demo", "graded",
                         [QuestionResult("q1-mse", rmse(f"RMSE {ATTACK}").cases + rmse().cases[1:]),
                          question("q2-step", 3, True)],
                         student=ATTACK, email=f"{ATTACK}@x", message=f"=HYPERLINK(\"x\") {ATTACK}",
                         cell_errors=[f"ValueError: {ATTACK}"]),
        SubmissionResult("dave", "99-demo", "malformed", [], student="Dave", message="Not a gradable notebook."),
        SubmissionResult("eve", "99-demo", "timeout", [question("q1-mse", 2, False), question("q2-step", 3, False)],
                         message="Time limit reached."),
        SubmissionResult("../../escape me", "99-demo", "error", [], message="The grader's sandbox failed."),
    ]


@pytest.fixture
def written(klass, assignment, tmp_path) -> Path:
    (tmp_path / "feedback").mkdir()
    (tmp_path / "feedback" / "left-from-last-run.html").write_text("old")
    write_reports(klass, assignment, tmp_path)
    return tmp_path


def every_page(out: Path) -> list[Path]:
    return [out / "report.html", *sorted((out / "feedback").iterdir())]


def test_one_feedback_page_per_submission_and_nothing_else(written, klass):
    pages = sorted(path.name for path in (written / "feedback").iterdir())
    assert len(pages) == len(klass)
    assert {"alice.html", "bob.html", "carol.html", "dave.html", "eve.html"} <= set(pages)
    assert "left-from-last-run.html" not in pages
    assert sorted(path.name for path in written.iterdir()) == ["feedback", "report.html"]


def test_the_report_links_every_feedback_page(written, klass):
    links = [link for link in parse(written / "report.html").links]
    targets = {written / link for link in links}
    assert targets == set((written / "feedback").iterdir())
    roster = [row[0] for row in parse(written / "report.html").tables[-1][1:]]
    assert roster == [result.submission for result in klass]


def test_pictures_are_embedded_svgs(written):
    report = parse(written / "report.html")
    images = pictures(report)
    assert [texts(image, "title") for image in images] == [["Totals"], ["Score per question"], ["Mistakes diagnosed"]]
    for page in every_page(written):
        text = page.read_text()
        assert "src=\"http" not in text and "<link" not in text and "<script" not in text.lower()


def test_the_histogram_has_one_bar_per_total(written):
    histogram = pictures(parse(written / "report.html"))[0]
    # totals 5, 0, 3, 0, 0, 0 out of 5
    drawn = bars(histogram)
    assert [title for title, *_ in drawn] == ["total 0: 4", "total 3: 1", "total 5: 1"]
    assert texts(histogram, "count") == ["4", "1", "1"]
    assert proportional([height for _, _, _, height, _ in drawn], [4, 1, 1])
    assert len({width for _, _, width, _, _ in drawn}) == 1
    assert texts(histogram, "x-tick") == ["0", "1", "2", "3", "4", "5"]  # one bar per point, integer ticks
    assert texts(histogram, "y-tick") == ["0", "1", "2", "3", "4"]
    assert texts(histogram, "x-label") == ["total score (out of 5)"]
    assert texts(histogram, "y-label") == ["submissions"]


def test_the_question_chart_stacks_full_partial_and_zero_marks(written):
    chart = pictures(parse(written / "report.html"))[1]
    assert texts(chart, "y-tick") == ["q1-mse", "q2-step"]  # in the assignment's order, first on top
    drawn = bars(chart)
    assert [(title, colour) for title, colour, *_ in drawn] == [
        ("q1-mse, full marks: 1", charts.FULL), ("q1-mse, zero: 5", charts.ZERO),
        ("q2-step, full marks: 2", charts.FULL), ("q2-step, zero: 4", charts.ZERO)]
    assert proportional([width for _, _, width, _, _ in drawn], [1, 5, 2, 4])
    (_, _, full_1, _, left_1), (_, _, _, _, zero_1), (_, _, full_2, _, left_2), (_, _, _, _, zero_2) = drawn
    assert left_1 == left_2 and zero_1 == round(left_1 + full_1, 1) and zero_2 == round(left_2 + full_2, 1)
    assert texts(chart, "legend") == ["full marks", "partial", "zero"]


def test_the_mistake_chart_counts_students_most_common_on_top(written):
    chart = pictures(parse(written / "report.html"))[2]
    assert texts(chart, "y-tick") == ["rmse-not-mse", "sign-flipped", "wrong-shape"]
    assert texts(chart, "count") == ["2", "1", "1"]
    assert proportional([width for _, _, width, _, _ in bars(chart)], [2, 1, 1])
    assert len({left for *_, left in bars(chart)}) == 1


def test_chart_labels_are_escaped():
    attack = '<script>alert("x")</script>'
    for picture in (charts.question_bars([attack, "q2\x00\x1b[31m"], [1, 0], [0, 1], [0, 0]),
                    charts.mistake_bars([(attack, 3), ("q2\x00\x1b[31m", 1)])):
        assert "<script" not in picture and "&lt;script&gt;" in picture
        chart = ET.fromstring(picture)  # well-formed, control characters dropped
        assert texts(chart, "y-tick") == [attack, "q2[31m"]
        assert bars(chart)[0][0].startswith(attack)


def test_long_labels_are_cut_and_every_total_is_counted():
    chart = ET.fromstring(charts.mistake_bars([("x" * 500, 2)]))
    assert texts(chart, "y-tick") == ["x" * (charts.LABEL_CHARS - 1) + "\u2026"]
    assert float(chart.get("width")) < 900
    assert charts.histogram_bins([9.7, 9.7, 0, 4.5], 9.7) == (1.0, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2])
    width, counts = charts.histogram_bins([float(i) for i in range(101)], 100)
    assert width == 5 and len(counts) == 21 and sum(counts) == 101


def test_the_reports_do_not_load_matplotlib():
    code = "import sys, autograder.reports; print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_summary_counts_statuses_and_totals(written):
    report = parse(written / "report.html")
    assert rows_starting(report, "submissions") == [["submissions", "6"]]
    counts = {status: rows_starting(report, status)[0][1]
              for status in ("graded", "error", "timeout", "malformed", "wrong-assignment")}
    assert counts == {"graded": "3", "error": "1", "timeout": "1", "malformed": "1", "wrong-assignment": "0"}
    # totals 5, 0, 3, 0, 0, 0 out of 5
    assert rows_starting(report, "mean / median total, all submissions")[0][1] == "1.33 / 0 (out of 5)"
    assert rows_starting(report, "mean / median total, graded only")[0][1] == "2.67 / 3 (out of 5)"


def test_question_distribution_table(written):
    report = parse(written / "report.html")
    # Question, Points, Mean, Full marks, Partial, Zero
    assert rows_starting(report, "q1-mse")[0] == ["q1-mse", "2", "0.33", "1", "0", "5"]
    assert rows_starting(report, "q2-step")[0] == ["q2-step", "3", "1.00", "2", "0", "4"]


def test_mistakes_are_counted_once_per_student_with_their_sentence(written):
    report = parse(written / "report.html")
    assert rows_starting(report, "rmse-not-mse") == [
        ["rmse-not-mse", "2", "q1-mse", MISTAKES["rmse-not-mse"]]]
    assert rows_starting(report, "sign-flipped") == [
        ["sign-flipped", "1", "q2-step", MISTAKES["sign-flipped"]]]
    mistake_table = next(t for t in report.tables if t[0][:2] == ["Mistake", "Students"])
    assert rows_starting(report, "wrong-shape") == [
        ["wrong-shape", "1", "q1-mse, q2-step", MISTAKES["wrong-shape"]]]
    assert [row[0] for row in mistake_table[1:]] == ["rmse-not-mse", "sign-flipped", "wrong-shape"]


def test_flagged_submissions_are_listed(written):
    report = parse(written / "report.html")
    flagged = next(t for t in report.tables if t[0] == ["Submission", "Student", "Flags"])
    assert flagged[1:] == [["bob", "Bob", "torch.allclose patched: allclose replaced"]]


def test_student_strings_are_escaped_everywhere(written):
    for page in every_page(written):
        text = page.read_text()
        assert ATTACK not in text
        assert "<script" not in text.lower()
    carol = (written / "feedback" / "carol.html").read_text()
    assert html.escape(ATTACK) in carol
    assert carol.count(html.escape(ATTACK)) >= 4  # name, email, message, case diagnosis, cell error
    assert f"<title>99-demo: feedback for {html.escape(ATTACK)}</title>" in carol


def test_unsafe_submission_keys_stay_inside_the_feedback_folder(written):
    pages = list((written / "feedback").iterdir())
    assert all(page.parent == written / "feedback" for page in pages)
    assert not (written.parent / "escape me.html").exists()
    assert any("escape_me" in page.name for page in pages)


def test_test_code_never_appears(written):
    for page in every_page(written):
        text = page.read_text()
        assert SECRET not in text
        assert "_public_check" not in text


def test_feedback_page_shows_each_case(written):
    bob = parse(written / "feedback" / "bob.html")
    assert rows_starting(bob, "Score") == [["Score", "0 / 5"]]
    assert rows_starting(bob, "Student") == [["Student", "Bob"]]
    assert rows_starting(bob, "Assignment") == [["Assignment", "99-demo"]]
    assert rows_starting(bob, "q1-mse - 1") == [["q1-mse - 1", "public", "0 / 0", "passed", ""]]
    assert rows_starting(bob, "q2-step - 2") == [["q2-step - 2", "hidden", "0 / 3", "failed",
                                                    "sign-flipped wrong-shape Going up."]]
    assert "flag" not in (written / "feedback" / "bob.html").read_text().lower()
    alice = parse(written / "feedback" / "alice.html")
    assert rows_starting(alice, "Score") == [["Score", "5 / 5"]]
    assert rows_starting(alice, "q2-step - 2") == [["q2-step - 2", "hidden", "3 / 3", "passed", ""]]


def test_ungraded_submissions_say_why(written):
    dave = written / "feedback" / "dave.html"
    assert rows_starting(parse(dave), "Message") == [["Message", "Not a gradable notebook."]]
    assert "No question was graded." in dave.read_text()
    eve = parse(written / "feedback" / "eve.html")
    assert rows_starting(eve, "Status") == [["Status", "not graded: the cells did not finish within the time limit"]]


def test_an_empty_class_still_gets_a_report(assignment, tmp_path):
    write_reports([], assignment, tmp_path)
    report = parse(tmp_path / "report.html")
    assert rows_starting(report, "submissions") == [["submissions", "0"]]
    assert report.images == []
    assert list((tmp_path / "feedback").iterdir()) == []


def test_a_class_with_no_mistakes(assignment, klass, tmp_path):
    write_reports(klass[:1], assignment, tmp_path)
    text = (tmp_path / "report.html").read_text()
    assert "No mistake was diagnosed." in text and "No submission was flagged." in text
    assert [texts(image, "title") for image in pictures(parse(tmp_path / "report.html"))] == [
        ["Totals"], ["Score per question"]]


def instructor_outputs(key: str, tmp_path: Path) -> dict[str, str]:
    """The regrade, gradebook and similarity outputs with ``key`` as every student-controlled text."""
    earlier = Run("a", "2026-01-01", {"harness": "1"}, {key: "old"}, {key: "n"})
    current = Run("a", "2026-02-01", {"harness": "2"}, {key: "new"}, {key: "n"}, [SubmissionResult(key, "a", "graded")])
    change = Change(key, key, key, "graded", "graded", 0.0, 1.0, {key: (0.0, 1.0)}, [f"{key}: its tests changed"])
    book = Gradebook([Student(key, sis_login=key, section=key), Student("Ada")],
                     {1: SubmissionResult("ada", "a", "graded")}, [SubmissionResult(key, "a", "graded", student=key,
                                                                                    email=key)], {1: [key, "ada"]})
    code = f"x = '{key}'\ny = 1\n"
    pair = Pair(key, "ada", 0.5, 120, [f"q: {key}"], True, (highlighted(code, numpy.array([[0], [len(code)]])),
                                                             highlighted(code, numpy.array([]))))
    unflagged = Pair(key, "bo", 0.1, 60, [key])
    return {"regrade": render_regrade(earlier, current, [change], tmp_path / "out" / key, tmp_path / "out"),
            "gradebook": render_gradebook(book),
            "similarity section": similarity_section([pair]),
            "similarity page": render_similarity([pair, unflagged], key, {key: key})}


def test_instructor_outputs_escape_student_text(tmp_path):
    attack = "<script>alert(1)</script>"
    outputs = instructor_outputs(attack, tmp_path)
    for name, text in outputs.items():
        assert "<script" not in text.lower(), name
        assert html.escape(attack) in text, name
    assert outputs["regrade"].count(html.escape(attack)) >= 6  # question, submission, student, reason, folder
    assert outputs["gradebook"].count(html.escape(attack)) >= 6  # names, emails, section, keys
    page = outputs["similarity page"]
    assert page.count(html.escape(attack)) >= 8  # title, pair names, student names, answers, both codes
    assert "<mark>x = &#39;&lt;script&gt;" in page  # copydetect's highlighting kept, the code escaped once
    assert page.count('class="side"') == 1 and page.count('<td class="num">') == 2


# ---------------------------------------------------------------- grades.csv


def test_grades_csv(klass, assignment, tmp_path):
    path = tmp_path / "grades.csv"
    write_grades_csv(klass, assignment.questions, path)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["submission", "student", "email", "q1-mse", "q2-step", "total", "max", "status",
                             "flags", "message"]
    assert [row["submission"] for row in rows] == [result.submission for result in klass]
    assert rows[0] == {"submission": "alice", "student": "Alice", "email": "alice@example.edu",
                            "q1-mse": "2.0", "q2-step": "3.0", "total": "5.0", "max": "5.0",
                            "status": "graded", "flags": "", "message": ""}
    assert rows[1]["flags"] == "torch.allclose patched: allclose replaced"
    assert rows[3]["q1-mse"] == "0" and rows[3]["status"] == "malformed"
    # a spreadsheet must not run a student's text as a formula
    assert rows[2]["message"].startswith("'=HYPERLINK")


# ---------------------------------------------------------------- end to end


def test_real_class_end_to_end(built, assignments, sandbox, limits, tmp_path):
    name = "02-quadratic-fit"
    assignment = assignments[name]
    rmse_variant = next(v for v in MISTAKES_02 if v.tag == "rmse-not-mse")
    notebooks = {
        "solution": Path("solutions") / f"{name}.ipynb",
        "stub": built / "assignments" / name / f"{name}.ipynb",
        "rmse": write_variant(name, rmse_variant.edits, tmp_path / "rmse.ipynb"),
    }
    results = [grade_submission(Submission(key, path, student=key.title()), assignment, sandbox, limits)
               for key, path in notebooks.items()]
    out = tmp_path / "out"
    write_reports(results, assignment, out)

    solution = parse(out / "feedback" / "solution.html")
    maximum = f"{assignment.max_score:g}"
    assert rows_starting(solution, "Score") == [["Score", f"{maximum} / {maximum}"]]
    assert rows_starting(parse(out / "feedback" / "stub.html"), "Score") == [["Score", f"0 / {maximum}"]]
    stub_cases = [row for table in parse(out / "feedback" / "stub.html").tables[1:] for row in table[1:]]
    assert stub_cases and all(row[3] == "failed" for row in stub_cases if row[1] == "hidden")

    report = parse(out / "report.html")
    histogram, questions, mistakes = pictures(report)
    assert sum(int(count) for count in texts(histogram, "count")) == 3
    assert texts(questions, "y-tick") == list(assignment.questions)
    assert "rmse-not-mse" in texts(mistakes, "y-tick")
    assert rows_starting(report, "rmse-not-mse")[0][:3] == ["rmse-not-mse", "1", "q2-mse"]
    assert sorted(report.links) == ["feedback/rmse.html", "feedback/solution.html", "feedback/stub.html"]

    hidden_code = [line.strip() for test in assignment.tests for case in test.test_cases if case.hidden
                   for line in case.body.splitlines() if len(line.strip()) > 20]
    assert hidden_code
    for page in every_page(out):
        text = page.read_text()
        leaked = [line for line in hidden_code if line in text or html.escape(line) in text]
        assert leaked == [], page.name
