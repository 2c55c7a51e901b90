"""Regrading into the same OUT: earlier results are kept, and regrade.csv says whose grade changed and why."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from autograder.assignments import exec_test
from autograder.reports.regrade import Run, differences
from autograder.results import CaseResult, QuestionResult, SubmissionResult
from tests.corpus import Edit, write_variant
from tests.test_batch import QUICK, grade

NAME = "02-quadratic-fit"
MSE_LINE = "return ((preds - targets) ** 2).mean()  # SOLUTION"
LENIENT_CHECK = ">>> bool(mse(torch.ones(3), torch.zeros(3)) >= 0)\nTrue\n"


def lenient_zip(built: Path, target: Path) -> Path:
    """The autograder zip with q2-mse's hidden test replaced by one every answer passes (a 'fixed' test)."""
    with zipfile.ZipFile(built / "dist" / f"{NAME}.zip") as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "tests/q2-mse.py":
                test = exec_test(data.decode())
                hidden = next(case for case in test["suites"][0]["cases"] if case["hidden"])
                hidden["code"] = LENIENT_CHECK
                data = f"OK_FORMAT = True\n\ntest = {test!r}\n".encode()
            copy.writestr(item, data)
    return target


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_regrade_keeps_earlier_results_and_says_what_changed(built, tmp_path):
    klass = tmp_path / "class"
    write_variant(NAME, (), klass / "ada.ipynb")
    write_variant(NAME, (Edit(MSE_LINE, "return ((preds - targets) ** 2).sum() / 3  # SOLUTION"),), klass / "bob.ipynb")
    write_variant(NAME, (Edit(MSE_LINE, "return ((preds - targets) ** 2).mean().sqrt()  # SOLUTION"),),
                  klass / "cy.ipynb")
    out = tmp_path / "out"
    original = built / "dist" / f"{NAME}.zip"

    first = grade(klass, "--autograder", original, "--out", out, "--quiet", *QUICK)
    assert (out / "run.json").is_file() and not (out / "regrade.csv").exists(), first.stderr
    before = {row["submission"]: row for row in read_csv(out / "grades.csv")}
    assert before["bob"]["q2-mse"] == "0.0" and before["cy"]["q2-mse"] == "0.0"

    again = grade(klass, "--autograder", original, "--out", out, "--quiet", *QUICK)
    assert "regrade: nothing changed" in again.stdout, again.stdout + again.stderr
    assert read_csv(out / "regrade.csv") == [] and not (out / "earlier").exists()
    assert "Nothing changed: the same 3 submissions" in (out / "report.html").read_text()

    fixed = grade(klass, "--autograder", lenient_zip(built, tmp_path / "fixed.zip"), "--out", out, "--quiet", *QUICK)
    assert "regrade: 2 total(s) changed" in fixed.stdout, fixed.stdout + fixed.stderr
    kept = [path for path in (out / "earlier").iterdir()]
    assert len(kept) == 1 and "earlier results (graded differently) kept in" in fixed.stdout
    # nothing lost: the earlier run's files are all there, unchanged
    assert {row["submission"]: row for row in read_csv(kept[0] / "grades.csv")} == before
    assert sorted(p.name for p in (kept[0] / "results").iterdir()) == ["ada.json", "bob.json", "cy.json"]
    assert json.loads((kept[0] / "run.json").read_text())["grader"]["autograder"] != \
        json.loads((out / "run.json").read_text())["grader"]["autograder"]

    rows = {row["submission"]: row for row in read_csv(out / "regrade.csv")}
    assert sorted(rows) == ["bob", "cy"]
    assert (rows["bob"]["q2-mse old"], rows["bob"]["q2-mse new"]) == ("0", "2")
    assert float(rows["cy"]["new_total"]) - float(rows["cy"]["old_total"]) == 2
    assert "q2-mse: its tests changed" in rows["cy"]["why"] and rows["cy"]["q1-func old"] == ""
    report = (out / "report.html").read_text()
    assert "Regrade: changes since the earlier run (2)" in report and "earlier/" in report


def result(key: str, score_passed: bool, tags: tuple[str, ...] = (), status: str = "graded") -> SubmissionResult:
    case = CaseResult("q - 2", True, 2.0, score_passed, "", list(tags))
    return SubmissionResult(key, "a", status, [QuestionResult("q", [case])])


def run(results: list[SubmissionResult], tests: str = "t1", notebooks: dict[str, str] | None = None) -> Run:
    return Run("a", "2026-01-01T00:00:00", {"harness": "h"}, {"q": tests},
               notebooks or {r.submission: "n" for r in results}, results)


def test_reasons_for_each_kind_of_change():
    earlier = run([result("same", True), result("named", False), result("late", False, status="timeout"),
                   result("resubmitted", False), result("gone", True)])
    current = run([result("same", True), result("named", False, ("rmse-not-mse",)), result("late", True),
                   result("resubmitted", True), result("new", True)],
                  notebooks={"same": "n", "named": "n", "late": "n", "resubmitted": "changed", "new": "n"})
    why = {c.submission: c.reasons for c in differences(earlier, current)}
    assert why == {
        "named": ["q: mistake now recognised: rmse-not-mse"],
        "late": ["status changed: timeout → graded"],
        "resubmitted": ["the notebook changed"],
        "new": ["new submission"],
        "gone": ["not in this run"],
    }
    assert differences(earlier, earlier) == []
