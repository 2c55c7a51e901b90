"""Item analysis in report.html: per-question statistics and the groups of unrecognised wrong answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.pipeline import Submission, grade_submission
from autograder.reports import write_reports
from autograder.reports.items import item_stats, unrecognised_groups
from autograder.reports.sources import student_code
from autograder.results import CaseResult, QuestionResult, SubmissionResult
from tests.corpus import Edit, write_variant
from tests.test_reports import ATTACK, assignment, parse  # noqa: F401 - a fixture

MSE_LINE = "return ((preds - targets) ** 2).mean()  # SOLUTION"


def answer(name: str, points: float, public: bool, hidden: bool, message: str = "",
           mistakes: tuple[str, ...] = ()) -> QuestionResult:
    return QuestionResult(name, [CaseResult(f"{name} - 1", False, 0.0, public),
                                 CaseResult(f"{name} - 2", True, float(points), hidden, message, list(mistakes))])


def student(key: str, q1: tuple[bool, bool, str], q2: bool, status: str = "graded",
            mistakes: tuple[str, ...] = ()) -> SubmissionResult:
    public, hidden, message = q1
    return SubmissionResult(key, "99-demo", status, [answer("q1-mse", 2, public, hidden, message, mistakes),
                                                     answer("q2-step", 3, q2, q2)])


def item_row(page, question: str) -> list[str]:
    """The row of ``question`` in the item-analysis table."""
    table = next(t for t in page.tables if t and "Discrimination" in t[0])
    return next(row for row in table if row[0] == question)


GAVE = "mse(preds, targets) is not right (your code gave 7.5), and it matches none of the mistakes"


@pytest.fixture
def klass() -> list[SubmissionResult]:
    return [
        student("a", (True, True, ""), True),
        student("b", (True, True, ""), True),
        student("c", (True, False, GAVE), True),  # passes the public check, fails the hidden one
        student("d", (False, False, "It matches the RMSE."), False, mistakes=("rmse-not-mse",)),
        student("late", (False, False, ""), False, status="timeout"),  # not graded: left out
    ]


def test_pass_rate_mean_discrimination_and_public_only_share(klass):
    q1, q2 = item_stats(klass, {"q1-mse": 2, "q2-step": 3})
    assert (q1.students, q1.pass_rate, q1.mean) == (4, 0.5, 1.0)
    # passing q1 ([1, 1, 0, 0]) against the rest of the total (q2: [3, 3, 3, 0])
    assert q1.discrimination == pytest.approx(0.57735, abs=1e-4)
    assert q1.public_only == pytest.approx(1 / 4)
    assert (q2.pass_rate, q2.mean, q2.public_only) == (0.75, 2.25, 0.0)
    # passing q2 ([1, 1, 1, 0]) against q1 ([2, 2, 0, 0])
    assert q2.discrimination == pytest.approx(0.57735, abs=1e-4)


def test_no_spread_no_discrimination():
    same = [student(key, (True, True, ""), True) for key in "abc"]
    assert [s.discrimination for s in item_stats(same, {"q1-mse": 2, "q2-step": 3})] == [None, None]
    assert item_stats([], {"q1-mse": 2})[0].pass_rate is None


def test_unrecognised_answers_group_by_what_they_returned():
    other = GAVE.replace("7.5", "9.25")
    klass = [student("a", (True, False, GAVE), True), student("b", (False, False, f"  {GAVE} "), True),
             student("c", (True, False, other), True),
             SubmissionResult("d", "99-demo", "graded",
                              [answer("q1-mse", 2, False, False, GAVE, ("rmse-not-mse",))])]
    groups = unrecognised_groups(klass)
    assert [(g.question, g.submissions) for g in groups] == [("q1-mse", ["a", "b"]), ("q1-mse", ["c"])]
    assert groups[0].signature == (f"q1-mse - 2: {GAVE}",)


def test_the_judges_evidence_groups_answers_whose_messages_are_the_same():
    klass = [student(key, (True, False, "A hidden test of this question failed."), True) for key in "abc"]
    for result, evidence in zip(klass, ("1f2e", "1f2e", "9a9a")):
        result.questions[0].cases[1].evidence = evidence
    assert [g.submissions for g in unrecognised_groups(klass)] == [["a", "b"], ["c"]]


def test_report_shows_item_table_and_escapes_groups(assignment, klass, tmp_path):  # noqa: F811
    klass[2].questions[0].cases[1].message = f"{GAVE} {ATTACK}"
    write_reports(klass, assignment, tmp_path, code={"c": [f"def mse_public_check():\n    return '{ATTACK}'"]})
    page = parse(tmp_path / "report.html")
    assert item_row(page, "q1-mse") == ["q1-mse", "2", "50%", "1.00", "+0.58", "25%"]
    text = (tmp_path / "report.html").read_text()
    assert "Unrecognised wrong answers (2 groups)" in text  # c on q1, d on q2
    assert ATTACK not in text and "&lt;script&gt;" in text
    assert "def mse_public_check():" in text  # the representative's code (a function the test reads)


def test_real_class_groups_the_same_unnamed_mistake(built, assignments, sandbox, limits, tmp_path):
    name = "02-quadratic-fit"
    wrong = {  # the same wrong loss written three ways, another unnamed one, a named one, a right one
        "hard-coded-n": "return ((preds - targets) ** 2).sum() / 3  # SOLUTION",
        "hard-coded-n-again": "return torch.sum(torch.pow(targets - preds, 2)) / 3.0  # SOLUTION",
        "doubled": "return 2 * ((preds - targets) ** 2).mean()  # SOLUTION",
        "rmse": "return ((preds - targets) ** 2).mean().sqrt()  # SOLUTION",
        "right": "return torch.mean((targets - preds) ** 2)  # SOLUTION",
    }
    submissions = [Submission(key, write_variant(name, (Edit(MSE_LINE, line),), tmp_path / f"{key}.ipynb"))
                   for key, line in wrong.items()]
    results = [grade_submission(s, assignments[name], sandbox, limits) for s in submissions]
    groups = [g.submissions for g in unrecognised_groups(results) if g.question == "q2-mse"]
    assert groups == [["hard-coded-n", "hard-coded-n-again"], ["doubled"]]

    out = tmp_path / "out"
    write_reports(results, assignments[name], out, code=student_code(submissions))
    page = parse(out / "report.html")
    q2 = item_row(page, "q2-mse")
    assert q2[2] == "20%" and q2[5] == "40%"  # 1 of 5 passes; 2 pass the public check only
    text = (out / "report.html").read_text()
    assert "q2-mse: 2 student(s)" in text and "return ((preds - targets) ** 2).sum() / 3" in text


def test_student_code_skips_what_cannot_be_read(tmp_path: Path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    code = student_code([Submission("broken", broken), Submission("gone", None, problem="no notebook")])
    assert code == {"broken": []}
