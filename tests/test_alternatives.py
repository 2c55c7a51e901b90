"""Right answers written in other ways than the solutions pass every case, public and hidden, with no flag."""

from __future__ import annotations

import pytest

from autograder.pipeline import Submission, grade_submission
from tests.corpus import write_student_notebook
from tests.corpus.alternatives import ALTERNATIVES


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=lambda a: f"{a.assignment}:{a.id}")
def test_alternative_scores_full_marks(alternative, built, tmp_path, assignments, sandbox, limits):
    path = write_student_notebook(built, alternative.assignment, alternative.answers,
                                  tmp_path / f"{alternative.id}.ipynb", alternative.extra_cells, alternative.before)
    result = grade_submission(Submission(alternative.id, path), assignments[alternative.assignment], sandbox, limits)
    failed = {q.name: [c.message for c in q.cases if not c.passed] for q in result.questions}
    assert {name: messages for name, messages in failed.items() if messages} == {}, result.cell_errors
    assert result.status == "graded"
    assert result.flags == []
