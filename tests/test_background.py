"""``InBackground``: computed in a forked child, collected whole; a failure surfaces in the caller."""

from __future__ import annotations

import os

import pytest

from autograder.background import InBackground


def test_the_value_is_computed_in_another_process():
    job = InBackground(os.getpid)
    assert job.result() != os.getpid()


def test_a_result_larger_than_a_pipe_comes_back_whole():
    job = InBackground(lambda n: "x" * n + "end", 3_000_000)
    assert job.result() == "x" * 3_000_000 + "end"


def test_a_failure_in_the_child_is_raised_here():
    def fails(text: str) -> str:
        raise ValueError(text)

    job = InBackground(fails, "raised where the result is collected")
    with pytest.raises(ValueError, match="raised where the result is collected"):
        job.result()


def test_a_child_that_takes_too_long_is_stopped():
    import time

    job = InBackground(time.sleep, 60)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        job.result(seconds=0.5)
    assert time.monotonic() - started < 10
