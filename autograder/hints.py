"""A hint for answers that fail because a function reads the notebook's data, not its arguments.

``def apply_step(params, t, targets, lr): ... mse(func(time, params), speed)`` passes on the
notebook's own data and fails on the hidden tests' inputs.  When such a question fails and no
known mistake explains it, its failing cases say which globals the function reads.
"""

from __future__ import annotations

import ast
from typing import Any

from autograder.judge import MESSAGE_LIMIT, free_names, names_read_by
from autograder.mistakes import explain
from autograder.notebook import syntax_tree
from autograder.results import QuestionResult

TAG = "uses-globals"


def global_reads(code_cells: list[str]) -> dict[str, set[str]]:
    """For each top-level function of the notebook (its cells as Python), the names it reads from outside itself."""
    reads: dict[str, set[str]] = {}
    for code in code_cells:
        tree = syntax_tree(code)
        for node in tree.body if tree else []:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # The function's own text, not ast.unparse: that recurses once per nested
                # expression and overflows on an honest 400-term sum.
                reads[node.name] = free_names(ast.get_source_segment(code, node) or "") - {node.name}
    return reads


def add_global_hints(questions: list[QuestionResult], test_files: list[Any], code_cells: list[str],
                     kinds: dict[str, str]) -> None:
    """Name the notebook variables (``kinds[name] == "value"``) that a failing question's functions read.

    A hint is optional: code the analysis cannot handle gets none, and never costs a grade.
    """
    try:
        reads = global_reads(code_cells)
    except Exception:  # noqa: BLE001 - RecursionError, MemoryError, ...: no hint rather than no grade
        return
    for question, test_file in zip(questions, test_files):
        if question.score >= question.max_score or question.mistakes:
            continue
        functions = names_read_by(test_file) & reads.keys()
        data = sorted({name for function in functions for name in reads[function] if kinds.get(name) == "value"})
        if not data:
            continue
        hint = f"{explain(TAG)} Notebook variables it reads: {', '.join(f'`{name}`' for name in data[:5])}."
        for case in question.cases:
            if not case.passed:
                case.message = f"{case.message} {hint}"[:MESSAGE_LIMIT]
                case.mistakes.append(TAG)
