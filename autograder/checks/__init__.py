"""Reusable checks for the hidden tests, and the sentences they say to students.

A check raises ``Mistake`` (an ``AssertionError``) when the student's answer is
wrong; the message names the mistake that matches what the code did, and the
``tag`` lets the class report count how many students made it.
"""

from autograder.checks.core import Mistake, changing, isolated, mistake, source_of

# What the questions say a function changes in place: argument positions read back
# after a call of the student's function (all other arguments are the caller's own).
CHANGED_IN_PLACE: dict[str, tuple[int, ...]] = {"apply_step": (0,), "train_manual": (0,)}

__all__ = ["CHANGED_IN_PLACE", "Mistake", "changing", "isolated", "mistake", "source_of"]
