"""The accuracy of the named mistakes over every labelled corpus: no right answer loses points,
and every tag's precision is at least ``MIN_PRECISION``."""

from __future__ import annotations

from pathlib import Path

from autograder.diagnosis_report import MIN_PRECISION, Case, Outcome, problems, scores, table
from autograder.results import CaseResult, QuestionResult, SubmissionResult
from tests.graded import graded_corpus


def outcome(question: str | None, tag: str | None, named: dict[str, list[str]]) -> Outcome:
    """A made-up graded case: ``named`` maps each question that lost points to the tags it shows."""
    questions = [QuestionResult(name, [CaseResult("hidden", True, 1.0, False, "wrong", tags)])
                 for name, tags in named.items()]
    questions.append(QuestionResult("q-right", [CaseResult("hidden", True, 1.0, True)]))
    case = Case(f"{question}-{tag}-{len(named)}", "made-up", "a", lambda path: Path(path), question, tag)
    return Outcome(case, SubmissionResult(case.key, "a", "graded", questions))


def test_precision_and_recall_count_named_and_unnamed_mistakes():
    rows = {row.tag: row for row in scores([
        outcome("q1", "rmse", {"q1": ["rmse"]}),           # named right
        outcome("q1", "rmse", {"q1": []}),                 # real, not named
        outcome("q2", "sum", {"q2": ["rmse"]}),            # named wrongly (and sum missed)
        outcome(None, None, {}),                           # right, untouched
    ])}
    assert (rows["rmse"].true_positives, rows["rmse"].false_positives, rows["rmse"].false_negatives) == (1, 1, 1)
    assert rows["rmse"].precision == 0.5 and rows["rmse"].recall == 0.5
    assert rows["sum"].precision is None and rows["sum"].recall == 0.0


def test_problems_report_a_right_answer_that_lost_points_and_a_low_precision():
    found = problems([outcome(None, None, {"q1": ["rmse"]}), outcome("q1", "rmse", {"q1": ["rmse"]})])
    assert any("a right answer failed" in line for line in found)
    assert any(line.startswith("tag rmse: precision 0.50") for line in found)
    assert problems([outcome("q1", "rmse", {"q1": ["rmse"]}), outcome(None, None, {})]) == []


def test_no_right_answer_loses_points_and_every_tag_is_precise(built):
    outcomes = list(graded_corpus(built).values())
    right = [o for o in outcomes if o.case.question is None]
    assert len(right) >= 40 and len(outcomes) >= 140
    assert [o.case.key for o in right if o.right_lost_points] == []
    low = {row.tag: row.precision for row in scores(outcomes) if row.precision is not None and row.precision < MIN_PRECISION}
    assert low == {}, table(outcomes)
