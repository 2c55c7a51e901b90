"""Reusable checks for the hidden tests, and the sentences they say to students.

A check raises ``Mistake`` (an ``AssertionError``) when the student's answer is
wrong; the message names the mistake that matches what the code did, and the
``tag`` lets the class report count how many students made it.
"""

from autograder.checks.core import Mistake, isolated, mistake, source_of

__all__ = ["Mistake", "isolated", "mistake", "source_of"]
