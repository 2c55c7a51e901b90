"""Real code people wrote for these tasks: right answers keep full marks, real mistakes are named.

The whole labelled corpus is graded once (``tests.graded``) and each case is then checked on its own.
"""

from __future__ import annotations

import pytest

from autograder.mistakes import MISTAKES, explain
from tests.corpus.realworld import all_real_cases
from tests.graded import graded_corpus

REAL = all_real_cases()


def test_the_real_world_corpus_is_large_and_cited():
    assert len(REAL) >= 60
    assert {case.assignment for case in REAL} == {
        "01-autograd", "02-quadratic-fit", "03-optimizer-loop", "04-linear-regression"}
    assert len({(case.assignment, case.id) for case in REAL}) == len(REAL)
    for case in REAL:
        assert case.source.strip(), case.id
        assert case.tag is None or case.tag in MISTAKES, case.tag


@pytest.mark.parametrize("case", REAL, ids=lambda c: f"{c.assignment}:{c.id}")
def test_real_code_is_judged_as_a_fair_grader_would(case, built):
    outcome = graded_corpus(built)[f"realworld-{case.assignment}-{case.id}"]
    result = outcome.result
    assert result.status == "graded", result.message
    if case.right:
        assert outcome.failed_cases == [], result.cell_errors
        assert result.total == result.max_score
        return
    assert outcome.lost == [case.question], outcome.failed_cases
    question = next(q for q in result.questions if q.name == case.question)
    assert case.tag in question.mistakes, outcome.failed_cases
    assert explain(case.tag) in " ".join(c.message for c in question.cases)


def test_a_right_step_is_never_told_its_gradient_is_not_reset(built):
    """The d2l pattern (zero the gradient before backward) is right: no sentence about resetting may reach it."""
    graded = graded_corpus(built)
    for key in ("realworld-02-quadratic-fit-d2l-zero-grad-first", "realworld-02-quadratic-fit-optimizer-per-step",
                "realworld-01-autograd-zero-grad-first", "realworld-04-linear-regression-d2l-zero-first"):
        result = graded[key].result
        messages = " ".join(c.message for q in result.questions for c in q.cases)
        assert explain("grad-not-reset") not in messages
        assert all("grad-not-reset" not in q.mistakes for q in result.questions)
