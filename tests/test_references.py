"""The checks' reference answers are the master notebooks' solutions, and never reach students.

For every assignment and every graded function, the reference the checks use (installed from
the built autograder zip) is called on the inputs the master's own public and hidden tests give
that function, beside the function the master notebook defines when its cells run; results and
in-place changes must be the same.  Nothing here names an assignment or a question.
"""

from __future__ import annotations

import ast
import contextlib
import math
import types
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import torch

from autograder import public_checks
from autograder.assignments import load_assignment
from autograder.build import build_release, master_notebooks
from autograder.checks import references

MASTERS = {master.stem: master for master in master_notebooks()}
CHECKS = Path(references.__file__).parent
CALLS_PER_FUNCTION = 12


def clone(value: Any) -> Any:
    """A copy of a call's arguments: tensors (with ``requires_grad`` and ``.grad``) and containers."""
    if isinstance(value, torch.Tensor):
        copy = value.detach().clone().requires_grad_(value.requires_grad)
        if value.is_leaf and value.grad is not None:
            copy.grad = value.grad.detach().clone()
        return copy
    if isinstance(value, (list, tuple)):
        return type(value)(clone(item) for item in value)
    if isinstance(value, dict):
        return {key: clone(item) for key, item in value.items()}
    return value


def differences(a: Any, b: Any, where: str) -> list[str]:
    """How two results (or argument states) differ: values, shapes, types, gradients (exactly, up to rounding)."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.shape != b.shape or a.dtype != b.dtype or a.requires_grad != b.requires_grad:
            return [f"{where}: {tuple(a.shape)} {a.dtype} requires_grad={a.requires_grad} vs "
                    f"{tuple(b.shape)} {b.dtype} requires_grad={b.requires_grad}"]
        if not torch.allclose(a.detach().double(), b.detach().double(), rtol=1e-9, atol=1e-12, equal_nan=True):
            return [f"{where}: {a} vs {b}"]
        grads = (a.grad if a.is_leaf else None, b.grad if b.is_leaf else None)
        return differences(*grads, f"{where}.grad") if grads != (None, None) else []
    if type(a) is not type(b):
        return [f"{where}: {type(a).__name__} vs {type(b).__name__}"]
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items vs {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float):
        same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
        return [] if same else [f"{where}: {a!r} vs {b!r}"]
    if isinstance(a, torch.optim.Optimizer):
        settings = [[{k: v for k, v in group.items() if k != "params"} for group in o.param_groups] for o in (a, b)]
        params = [[p for group in o.param_groups for p in group["params"]] for o in (a, b)]
        return ([] if settings[0] == settings[1] else [f"{where}: {settings[0]} vs {settings[1]}"]) + \
            differences(params[0], params[1], f"{where}.params")
    return [] if a == b else [f"{where}: {a!r} vs {b!r}"]


def outcome(function: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[str, Any, tuple]:
    """What a call gives on copies of the arguments: its result (or exception type) and the arguments after."""
    args, kwargs = clone(args), clone(kwargs)
    try:
        return "returned", function(*args, **kwargs), args
    except Exception as error:  # noqa: BLE001 - the same exception is the same behaviour
        return "raised", type(error).__name__, args


def run_master(master: Path) -> dict[str, Any]:
    """The master notebook's namespace after its non-test cells ran, as a student's solution would."""
    namespace: dict[str, Any] = {"__name__": "__master__"}
    with contextlib.redirect_stdout(None):
        for kind, source in references.code_cells(nbformat.read(master, as_version=4)):
            if kind != "test":
                exec(compile(source, master.name, "exec"), namespace)
    return namespace


def recorder(namespace: dict[str, Any], name: str, calls: list[tuple[tuple, dict]]) -> Callable[..., Any]:
    """``namespace[name]``, recording copies of the arguments of its first calls.

    Built with the master's namespace as its globals, as the function it wraps, so the
    checks that swap a reference into a function's globals (``isolated``) still can.
    """
    original, limit, copy = namespace[name], CALLS_PER_FUNCTION, clone

    def record(*args: Any, **kwargs: Any) -> Any:
        if len(calls) < limit:
            calls.append((copy(args), copy(kwargs)))
        return original(*args, **kwargs)

    return types.FunctionType(record.__code__, namespace, name, None, record.__closure__)


def recorded_calls(master: Path, names: list[str]) -> tuple[dict[str, Any], dict[str, list], list[str]]:
    """The master's functions, the arguments its public and hidden tests call each of them with,
    and the tests that fail on the master's own solution (with the references installed now)."""
    namespace = run_master(master)
    originals = {name: namespace[name] for name in names}
    calls: dict[str, list] = {name: [] for name in names}
    failed = []
    for name in names:
        namespace[name] = recorder(namespace, name, calls[name])
    with contextlib.redirect_stdout(None):
        for number, (kind, source) in enumerate(references.code_cells(nbformat.read(master, as_version=4))):
            if kind == "test":  # public tests as the build writes them (their helpers inlined)
                try:
                    exec(compile(public_checks.inline(source), master.name, "exec"), dict(namespace))
                except Exception as error:  # noqa: BLE001 - reported with the differences
                    failed.append(f"code cell {number + 1} (a test) fails on the solution: {error}")
    namespace.update(originals)
    return originals, calls, failed


def drift(module: types.ModuleType, master: Path) -> list[str]:
    """Where the references in ``module`` behave otherwise than ``master``'s solution, on its tests' inputs."""
    names = list(references.functions(module))
    originals, calls, found = recorded_calls(master, names)
    for name in names:
        if not calls[name]:
            found.append(f"{name}: no test of {master.name} calls it, so nothing compares it")
        for number, (args, kwargs) in enumerate(calls[name]):
            ours, theirs = outcome(getattr(module, name), args, kwargs), outcome(originals[name], args, kwargs)
            found += differences(ours, theirs, f"{name} (call {number + 1})")[:3]
    return found


@pytest.mark.parametrize("name", sorted(MASTERS))
def test_the_checks_references_behave_as_the_masters_solution(name, assignments):
    assert assignments[name].references == references.extract(MASTERS[name]), "the built autograder is stale"
    module = references.of(name)  # what the checks use: installed from the built zip
    assert list(references.functions(module)), f"{name}'s master defines no graded function"
    assert drift(module, MASTERS[name]) == []


def test_a_reference_that_differs_from_the_master_is_caught(assignments):
    name, master = next(iter(MASTERS.items()))
    first = next(iter(references.functions(references.of(name))))
    wrong = f"\n\ndef {first}(*args, _right={first}, **kwargs):\n    _right(*args, **kwargs)\n    return None\n"
    try:
        found = drift(references.install(name, references.extract(master) + wrong), master)
        assert any(line.startswith(f"{first} (call") for line in found), found
    finally:
        references.install(name, assignments[name].references)


def reference_names_used(path: Path) -> set[str]:
    """Every ``REF.<name>`` a check module reads."""
    tree = ast.parse(path.read_text())
    return {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "REF"}


def check_modules() -> Iterator[tuple[Path, str]]:
    """Each check module and the assignment whose references it reads (``REF = References(...)``)."""
    for path in sorted(CHECKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "References":
                yield path, node.args[0].value


def test_every_reference_a_check_reads_is_a_solution_of_its_master(assignments):
    modules = list(check_modules())
    assert {name for _, name in modules} <= set(MASTERS) and modules
    for path, name in modules:
        defined = set(references.functions(references.of(name)))
        used = reference_names_used(path) - set(dir(references.References))
        assert used <= defined, (path.name, used - defined)


def stripped_lines(code: str) -> list[str]:
    return [line.strip() for line in code.splitlines() if line.strip()]


def test_references_ship_with_the_autograder_and_never_reach_students(built, tmp_path):
    release = build_release(built / "assignments", tmp_path / "release.zip")
    with zipfile.ZipFile(release) as archive:
        assert not [n for n in archive.namelist() if Path(n).name == references.FILE_NAME]
    assert not list((built / "assignments").rglob(references.FILE_NAME))
    for name, master in MASTERS.items():
        source = references.extract(master)
        with zipfile.ZipFile(built / "dist" / f"{name}.zip") as archive:
            assert archive.read(references.FILE_NAME).decode() == source
        notebook = nbformat.read(built / "assignments" / name / f"{name}.ipynb", as_version=4)
        student = "\n".join(stripped_lines("\n".join(cell.source for cell in notebook.cells)))
        functions = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
        assert functions
        for function in functions:
            body = "\n".join(stripped_lines(ast.get_source_segment(source, function))[1:])
            assert body not in student, f"{name}: the solution of {function.name} is in the student notebook"


def test_an_autograder_without_references_uses_the_master_or_says_what_to_do(built, assignments, tmp_path,
                                                                               monkeypatch):
    name = next(iter(MASTERS))
    old = tmp_path / f"{name}.zip"  # as built before references.py existed
    with zipfile.ZipFile(built / "dist" / f"{name}.zip") as source, zipfile.ZipFile(old, "w") as target:
        for item in source.infolist():
            if item.filename != references.FILE_NAME:
                target.writestr(item, source.read(item))
    try:
        assert load_assignment(old).references == references.extract(MASTERS[name])
        monkeypatch.setenv(references.SOLUTIONS_VARIABLE, str(tmp_path / "no-masters-here"))
        with pytest.raises(ValueError, match="make autograder"):
            load_assignment(old)
    finally:
        references.install(name, assignments[name].references)


def test_solution_code_keeps_the_solution_and_drops_otters_markers_and_prompts():
    cell = ('def f(x):\n    """ # BEGIN PROMPT\n    y = ...\n    """ # END PROMPT\n    # BEGIN SOLUTION NO PROMPT\n'
            '    y = x + 1\n    # END SOLUTION\n    return 2 * y  # SOLUTION')
    assert references.solution_code(cell) == "def f(x):\n    y = x + 1\n    return 2 * y"
