"""Regrading: keep what an earlier run of ``make grade`` wrote, and say whose grade changed and why.

Every run records itself in ``OUT/run.json``: how it graded (harness, autograder, limits,
sandbox, a digest of each question's tests), each notebook's digest and every result.  The
next run into the same ``OUT`` compares with it.  When the grader differs, the earlier
outputs are first moved to ``OUT/earlier/<time>/``, so nothing is overwritten.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from autograder.reports.grades_csv import text_cell
from autograder.reports.page import Markup, fragment, number
from autograder.results import QuestionResult, SubmissionResult

RUN_FILE = "run.json"
EARLIER = "earlier"
REGRADE_CSV = "regrade.csv"
# What a run writes into OUT; moved together to OUT/earlier/<time>/ when the grader changes.
OUTPUTS = ("grades.csv", "results", "feedback", "report.html", REGRADE_CSV, "gradebook.csv",
           "similarity.html", RUN_FILE)
GRADER_PARTS = ("harness", "autograder", "limits", "sandbox")  # the keys of Run.grader, in the report's order


@dataclass
class Run:
    """One run of ``make grade``: how it graded and what it found."""

    assignment: str
    graded_at: str
    grader: dict[str, Any]  # harness, autograder, limits, sandbox
    tests: dict[str, str]  # question -> digest of its test cases
    notebooks: dict[str, str]  # submission -> digest of its notebook ("" if none)
    results: list[SubmissionResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"format": 1, "assignment": self.assignment, "graded_at": self.graded_at, "grader": self.grader,
                "tests": self.tests, "notebooks": self.notebooks, "results": [r.to_dict() for r in self.results]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Run:
        return cls(str(data["assignment"]), str(data["graded_at"]), dict(data["grader"]), dict(data["tests"]),
                   dict(data["notebooks"]), [SubmissionResult.from_dict(r) for r in data["results"]])


def test_digests(assignment: Any) -> dict[str, str]:
    """A digest of each question's test cases (code, visibility, points), so a changed test shows."""
    digests = {}
    for test in assignment.tests:
        digest = hashlib.sha256()
        for case in test.test_cases:
            digest.update(json.dumps([case.name, bool(case.hidden), float(case.points or 0), case.body]).encode())
        digests[test.name] = digest.hexdigest()[:16]
    return digests


def file_digest(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def load_run(out: Path) -> Run | None:
    """The run recorded in ``OUT/run.json``, or None if there is none or it cannot be read."""
    try:
        return Run.from_dict(json.loads((out / RUN_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save_run(run: Run, out: Path) -> None:
    (out / RUN_FILE).write_text(json.dumps(run.to_dict()), encoding="utf-8")


def keep_earlier(out: Path, earlier: Run | None, current: Run) -> Path | None:
    """Move the outputs of an earlier run graded differently (or not recorded) to ``OUT/earlier/<time>/``.

    Returns that folder, or None when there was nothing to keep apart (no earlier outputs, or the
    same grader, whose results this run reproduces).
    """
    present = [name for name in OUTPUTS if (out / name).exists()]
    if not present or (earlier is not None and earlier.grader == current.grader
                       and earlier.assignment == current.assignment):
        return None
    stamp = (earlier.graded_at if earlier else "unrecorded").replace(":", "").replace("+", "_")
    folder = out / EARLIER / stamp
    count = 1
    while folder.exists():
        count += 1
        folder = out / EARLIER / f"{stamp}-{count}"
    folder.mkdir(parents=True)
    for name in present:
        shutil.move(str(out / name), str(folder / name))
    return folder


# ---------------------------------------------------------------- the difference


@dataclass
class Change:
    """A submission whose grade or diagnosis differs from the earlier run."""

    submission: str
    student: str
    email: str
    old_status: str
    new_status: str
    old_total: float | None
    new_total: float | None
    scores: dict[str, tuple[float | None, float | None]]  # question -> (old, new), changed ones only
    reasons: list[str]


def mistakes_text(tags: list[str]) -> str:
    return ", ".join(tags) or "none"


def question_reasons(name: str, old: QuestionResult | None, new: QuestionResult | None, earlier: Run,
                     current: Run) -> list[str]:
    """Why a question's outcome changed."""
    reasons = []
    if earlier.tests.get(name) != current.tests.get(name):
        reasons.append(f"{name}: its tests changed")
    old_tags, new_tags = (old.mistakes if old else []), (new.mistakes if new else [])
    added = [t for t in new_tags if t not in old_tags]
    dropped = [t for t in old_tags if t not in new_tags]
    if added and (old is None or old.score == 0 or not old_tags):
        reasons.append(f"{name}: mistake now recognised: {', '.join(added)}")
    elif added or dropped:
        reasons.append(f"{name}: diagnosis {mistakes_text(old_tags)} → {mistakes_text(new_tags)}")
    return reasons


def compare(old: SubmissionResult, new: SubmissionResult, earlier: Run, current: Run) -> Change | None:
    """What changed for one submission graded in both runs, or None."""
    olds = {q.name: q for q in old.questions}
    news = {q.name: q for q in new.questions}
    scores, reasons = {}, []
    if earlier.notebooks.get(old.submission) != current.notebooks.get(new.submission):
        reasons.append("the notebook changed")
    if old.status != new.status:
        reasons.append(f"status changed: {old.status} → {new.status}")
    for name in dict.fromkeys([*olds, *news]):
        before, after = olds.get(name), news.get(name)
        old_score = before.score if before else None
        new_score = after.score if after else None
        if old_score != new_score:
            scores[name] = (old_score, new_score)
        if old_score != new_score or (before.mistakes if before else []) != (after.mistakes if after else []):
            reasons += question_reasons(name, before, after, earlier, current)
    if not scores and not reasons and old.total == new.total:
        return None
    if scores and not reasons:
        reasons.append("the grading code changed" if earlier.grader != current.grader else "unexplained")
    return Change(new.submission, new.student, new.email, old.status, new.status, old.total, new.total,
                  scores, reasons)


def differences(earlier: Run, current: Run) -> list[Change]:
    """Every submission whose grade, status or diagnosis changed, was added or is gone."""
    olds = {r.submission: r for r in earlier.results}
    news = {r.submission: r for r in current.results}
    changes = []
    for key, new in news.items():
        old = olds.get(key)
        if old is None:
            changes.append(Change(key, new.student, new.email, "", new.status, None, new.total,
                                  {q.name: (None, q.score) for q in new.questions}, ["new submission"]))
        elif (change := compare(old, new, earlier, current)) is not None:
            changes.append(change)
    for key, old in olds.items():
        if key not in news:
            changes.append(Change(key, old.student, old.email, old.status, "", old.total, None,
                                  {q.name: (q.score, None) for q in old.questions}, ["not in this run"]))
    return changes


def score_text(value: float | None) -> str:
    return "" if value is None else number(value)


def write_regrade_csv(changes: list[Change], questions: list[str], path: Path) -> None:
    """One row per changed submission: old and new status, total and per-question scores, and why."""
    columns = ["submission", "student", "email", "old_status", "new_status", "old_total", "new_total",
               *[f"{q} {side}" for q in questions for side in ("old", "new")], "why"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for c in changes:
            pairs = [cell for q in questions for cell in score_cells(c, q)]
            writer.writerow([text_cell(c.submission), text_cell(c.student), text_cell(c.email), c.old_status,
                             c.new_status, score_text(c.old_total), score_text(c.new_total), *pairs,
                             text_cell("; ".join(c.reasons))])


def score_cells(change: Change, question: str) -> tuple[str, str]:
    """Old and new score of a question, blank when unchanged."""
    if question not in change.scores:
        return "", ""
    old, new = change.scores[question]
    return score_text(old), score_text(new)


def totals_moved(changes: list[Change]) -> int:
    """How many of the changed submissions have another total."""
    return sum(1 for c in changes if c.old_total != c.new_total)


def changed_parts(earlier: Run, current: Run) -> list[str]:
    """The parts of the grader (``GRADER_PARTS``) that differ between the two runs."""
    return [part for part in GRADER_PARTS if earlier.grader.get(part) != current.grader.get(part)]


def changed_tests(earlier: Run, current: Run) -> list[str]:
    """The questions whose tests differ between the two runs."""
    return [q for q in current.tests if earlier.tests.get(q) != current.tests[q]]


def render_regrade(earlier: Run | None, current: Run, changes: list[Change], kept: Path | None,
                   out: Path) -> Markup:
    """The report's section on what changed since the earlier run into the same folder
    (``templates/section_regrade.html``)."""
    return fragment("section_regrade.html", earlier=earlier, changes=changes, csv=REGRADE_CSV,
                    kept=None if kept is None else kept.relative_to(out).as_posix(),
                    grader=changed_parts(earlier, current) if earlier else [],
                    tests=changed_tests(earlier, current) if earlier else [],
                    submissions=len(current.results), questions=list(current.tests), moved=totals_moved(changes))
