"""Auto-graded gradient-descent exercises: the grading harness."""

__version__ = "0.1.0"
