"""Right answers written in other ways than the solutions pass every case, public and hidden, with no flag."""

from __future__ import annotations

import pytest

from tests.corpus.alternatives import ALTERNATIVES
from tests.graded import graded_corpus


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=lambda a: f"{a.assignment}:{a.id}")
def test_alternative_scores_full_marks(alternative, built):
    result = graded_corpus(built)[f"alternative-{alternative.assignment}-{alternative.id}"].result
    failed = {q.name: [c.message for c in q.cases if not c.passed] for q in result.questions}
    assert {name: messages for name, messages in failed.items() if messages} == {}, result.cell_errors
    assert result.status == "graded"
    assert result.flags == []
