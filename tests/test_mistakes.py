"""One mistake per notebook: it loses points on its own question only, is named, and what the
student reads of it holds no line of the hidden tests."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from autograder.mistakes import explain
from tests.corpus import all_mistakes, grader_words_only, hidden_test_lines, visible_text
from tests.graded import graded_corpus


@functools.cache
def hidden_lines(zip_path: Path) -> set[str]:
    return hidden_test_lines(zip_path)


@pytest.mark.parametrize("variant", all_mistakes(), ids=lambda v: f"{v.assignment}:{v.id}")
def test_mistake_loses_points_on_its_question_only(variant, built):
    result = graded_corpus(built)[f"mistake-{variant.assignment}-{variant.id}"].result
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
    lines = hidden_lines(built / "dist" / f"{variant.assignment}.zip")
    assert any("check_" in line for line in lines)  # the extraction works
    text = visible_text(result)
    assert [line for line in lines if line in text] == []
