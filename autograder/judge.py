"""Run an assignment's otter test files in the grader's own process.

Each test case is otter's OK-format doctest.  Its code runs here, never in the
student's process: names it uses that the notebook defines become proxies for the
student's functions or copies of the student's values, and every comparison is
made with this process's untouched torch.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import doctest
import functools
import io
import math
import re
import types
import warnings
from typing import Any

import numpy
import torch

from autograder.checks import Mistake
from autograder.mistakes import explain, mistake_for_exception
from autograder.remote import StudentError, StudentNotebook
from autograder.results import CaseResult, QuestionResult, evidence_digest
from autograder.sandbox import SandboxBroken
from autograder.wire import SourceCode

MESSAGE_LIMIT = 600


def base_namespace() -> dict[str, Any]:
    """What every test can use without importing it."""
    return {"torch": torch, "nn": torch.nn, "np": numpy, "numpy": numpy, "math": math, SOURCE_CODE: SourceCode}


def free_names(source: str) -> frozenset[str]:
    """Names a piece of test code reads without defining them itself."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    loaded, stored = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else stored).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, ast.alias):
            stored.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
    return frozenset(loaded - stored - set(dir(builtins)))


# Test code is the same for every submission: parse it once (student code, which may be huge, is not kept).
test_free_names = functools.lru_cache(maxsize=4096)(free_names)


def names_read_by(test_file: Any) -> set[str]:
    """Names an otter test file's cases (public and hidden) read from the notebook."""
    names: set[str] = set()
    for case in test_file.test_cases:
        examples = doctest.DocTestParser().get_examples(case.body)
        names |= test_free_names("\n".join(example.source for example in examples))
    return names


SOURCE_CODE = "__grader_source_code__"
PORTABLE_NAMES = {"torch", "nn", "math"}


class LambdasAsSource(ast.NodeTransformer):
    """Rewrites self-contained ``lambda``s of test code as ``SourceCode``.

    A public test may pass ``lambda x: x ** 2`` to a student function; a plain
    function cannot cross into the sandbox, its source text can.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        text = ast.get_source_segment(self.source, node)
        if text is None or not free_names(text) <= PORTABLE_NAMES:
            return self.generic_visit(node)
        call = ast.Call(ast.Name(SOURCE_CODE, ast.Load()), [ast.Constant(text)], [])
        return ast.copy_location(call, node)


def lambdas_as_source(source: str, mode: str) -> ast.AST:
    """The parsed test code, with its self-contained lambdas made portable."""
    tree = LambdasAsSource(source).visit(ast.parse(source, "<test>", mode))
    return ast.fix_missing_locations(tree)


@functools.lru_cache(maxsize=4096)
def compiled_test(source: str, mode: str) -> types.CodeType:
    """The code object of one example of a test (code objects are immutable: one serves every run)."""
    return compile(lambdas_as_source(source, mode), "<test>", mode)


HIDDEN_MISMATCH = "The output is not what this test expects."


class OutputMismatch(AssertionError):
    """A doctest printed something else than its expected output (never shown for hidden cases)."""


def judge_question(test_file: Any, notebook: StudentNotebook) -> QuestionResult:
    """Run every case of one otter test file against the student's notebook."""
    return judge_all([test_file], notebook)[0]


def judge_all(test_files: list[Any], notebook: StudentNotebook) -> list[QuestionResult]:
    """Run every question's cases: all public cases first, then all hidden ones.

    The student's code sees no hidden input before every public case is judged, so
    a public case's message (which may quote the student's own exceptions) cannot
    carry a hidden input that an earlier hidden call smuggled into a global.
    Cases of one question share a namespace, as in otter.
    """
    namespaces = [base_namespace() for _ in test_files]
    found: list[dict[int, CaseResult]] = [{} for _ in test_files]
    for hidden in (False, True):
        for number, test_file in enumerate(test_files):
            for index, case in enumerate(test_file.test_cases):
                if bool(case.hidden) == hidden:
                    found[number][index] = judge_case(case, namespaces[number], notebook)
    return [
        QuestionResult(test_file.name, [found[number][index] for index in range(len(test_file.test_cases))])
        for number, test_file in enumerate(test_files)
    ]


def judge_case(case: Any, namespace: dict[str, Any], notebook: StudentNotebook) -> CaseResult:
    """Run one doctest case; a failure's message is safe to show the student."""
    result = CaseResult(case.name, bool(case.hidden), float(case.points or 0), passed=False)
    failure: BaseException | None = None
    try:
        for example in doctest.DocTestParser().get_examples(case.body):
            run_example(example, namespace, notebook)
    except SandboxBroken:
        raise
    except Mistake as error:
        failure = error
        result.message = str(error) or "The answer is not correct."
        result.mistakes = [error.tag] if error.tag else []
    except StudentError as error:
        failure = error
        result.message = error.sentence()
        tag = mistake_for_exception(error.detail, error.name) if error.kind == "error" else None
        if tag is not None:
            result.message += " " + explain(tag)
        result.mistakes = [tag] if tag else []
    except OutputMismatch as error:
        failure = error
        result.message = HIDDEN_MISMATCH if case.hidden else str(error)
    except AssertionError as error:
        failure = error
        result.message = str(error) or "A check of this question failed."
    except NameError as error:
        failure = error
        name = re.search(r"'(\w+)'", str(error))
        result.message = f"`{name.group(1) if name else '?'}` is not defined in your notebook."
    except Exception as error:  # noqa: BLE001 - the student's value broke the test
        failure = error
        result.message = f"The test could not use what your code returned ({type(error).__name__}: {error})."
    else:
        result.passed = True
    if case.hidden and not result.passed:  # instructor-only, for grouping the same wrong answers
        result.evidence = evidence_digest(f"{type(failure).__name__}: {failure}")
    if case.hidden and not result.passed and not isinstance(failure, NameError):  # a test's own name: safe
        result.message = hidden_message(result, failure)
    result.message = result.message[:MESSAGE_LIMIT]
    return result


HIDDEN_UNNAMED = (
    "A hidden test of this question failed, and the grader does not recognise the mistake: check your "
    "answer against the question's instructions (the public checks show what is compared, on public inputs)."
)


def hidden_message(result: CaseResult, failure: BaseException | None) -> str:
    """What a student reads of a failed hidden case: only the grader's own sentences.

    No text or value produced by the student's code (which may have run beside the
    grader's reference functions), no hidden input's expected value: the named
    mistake's sentence from the catalogue, or a fixed sentence.
    """
    parts = [failure.grader_sentence()] if isinstance(failure, StudentError) else []
    parts += [explain(tag) for tag in result.mistakes[:1]]
    if isinstance(failure, OutputMismatch):
        parts.append(HIDDEN_MISMATCH)
    return " ".join(parts) or HIDDEN_UNNAMED


def run_example(example: doctest.Example, namespace: dict[str, Any], notebook: StudentNotebook) -> None:
    """Execute one doctest example, fetching the student names it needs first."""
    for name in sorted(test_free_names(example.source) - namespace.keys()):
        if name in notebook.names or not notebook.names:
            try:
                namespace[name] = notebook.resolve(name)
            except StudentError as error:
                if error.kind != "missing":
                    raise
    mode = "single" if example.want else "exec"
    code = compiled_test(example.source, mode)
    output = io.StringIO()
    with contextlib.redirect_stdout(output), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's advice about the test's own code, not the student's
        exec(code, namespace)
    if example.want and not doctest.OutputChecker().check_output(
        example.want, output.getvalue(), doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    ):
        raise OutputMismatch(f"Expected {example.want.strip()!r}, got {output.getvalue().strip()!r}.")
