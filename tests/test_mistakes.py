"""One mistake per notebook: it loses points on its own question only, and is named."""

from __future__ import annotations

import pytest

from autograder.mistakes import explain
from autograder.pipeline import Submission, grade_submission
from tests.corpus import all_mistakes, grader_words_only, write_variant


@pytest.mark.parametrize("variant", all_mistakes(), ids=lambda v: f"{v.assignment}:{v.id}")
def test_mistake_loses_points_on_its_question_only(variant, tmp_path, assignments, sandbox, limits):
    path = write_variant(variant.assignment, variant.edits, tmp_path / f"{variant.id}.ipynb")
    result = grade_submission(Submission(variant.id, path), assignments[variant.assignment], sandbox, limits)
    scores = {q.name: (q.score, q.max_score) for q in result.questions}
    lost = sorted(name for name, (score, top) in scores.items() if score < top)
    assert lost == [variant.question], scores
    question = next(q for q in result.questions if q.name == variant.question)
    messages = " ".join(case.message for case in question.cases)
    if variant.tag is not None:
        assert variant.tag in question.mistakes, messages
        assert explain(variant.tag) in messages
    assert messages.strip(), "a failing question must say why"
    for case in question.cases:  # nothing the student's code produced, no hidden expected value
        assert case.passed or not case.hidden or grader_words_only(case.message), case.message
