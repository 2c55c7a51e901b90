"""Spot attempts to game the grader in a notebook's source, for the ``flags`` column.

Grading does not depend on this: tests run outside the student's process, so none
of these tricks can earn a point.  The flags tell the instructor someone tried.
"""

from __future__ import annotations

import ast
import re

PROTECTED_MODULES = {"torch", "np", "numpy", "math", "builtins", "__builtins__", "otter", "grader", "nn", "F"}
SUSPICIOUS_CALLS = {
    "_exit": "exits the process early (os._exit)",
    "exit": "exits early (sys.exit/exit)",
    "setattr": "uses setattr on a module",
    "get_objects": "searches the garbage collector's objects",
    "_getframe": "inspects the caller's frames",
    "settrace": "installs a trace function",
    "setprofile": "installs a profile function",
}
SUSPICIOUS_IMPORTS = {
    "ctypes": "imports ctypes",
    "subprocess": "starts other programs (subprocess)",
    "socket": "opens network connections",
    "urllib": "opens network connections",
    "requests": "opens network connections",
    "gc": "inspects the garbage collector",
    "inspect": "inspects the grader's frames",
}
TEXT_PATTERNS = {
    r"All test cases passed": "prints fake test results",
    r"results\.json|grades\.csv|results\.pkl": "names the grader's result files",
    r"/autograder|\btests/": "reads the grader's folders",
    r"__class__\s*=|__eq__|__bool__|__ne__": "defines or swaps comparison methods",
}


def scan_source(cells: list[str]) -> list[str]:
    """Short, instructor-readable reasons why a notebook looks like it tries to cheat."""
    found: list[str] = []

    def flag(reason: str) -> None:
        if reason not in found:
            found.append(reason)

    for source in cells:
        try:
            tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            tree = None
        if tree is not None:
            for node in ast.walk(tree):
                check_node(node, flag)
        for pattern, reason in TEXT_PATTERNS.items():
            if re.search(pattern, source):
                flag(reason)
    return found


def check_node(node: ast.AST, flag) -> None:  # noqa: ANN001 - a small callback
    """Flag one syntax node if it matches a known trick."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            root = attribute_root(target)
            if root in PROTECTED_MODULES and isinstance(target, ast.Attribute):
                flag(f"patches {ast.unparse(target)}")
    elif isinstance(node, ast.ClassDef):
        for base in node.bases:
            if "Tensor" in ast.unparse(base) or "Parameter" in ast.unparse(base):
                flag(f"subclasses {ast.unparse(base)}")
    elif isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in SUSPICIOUS_CALLS and (name != "exit" or isinstance(node.func, ast.Attribute) or name == "exit"):
            if name == "setattr" and not (node.args and attribute_root(node.args[0]) in PROTECTED_MODULES):
                return
            flag(SUSPICIOUS_CALLS[name])
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        for module in modules:
            top = module.split(".")[0]
            if top in SUSPICIOUS_IMPORTS:
                flag(SUSPICIOUS_IMPORTS[top])
    elif isinstance(node, ast.Global) and any(name in ("grader", "torch") for name in node.names):
        flag("rebinds the grader or torch globally")
    elif isinstance(node, ast.Try):
        for handler in node.handlers:
            if handler.type is None or "BaseException" in ast.unparse(handler.type):
                flag("catches every exception (bare except / BaseException)")


def attribute_root(node: ast.AST) -> str | None:
    """``torch`` for ``torch.linalg.solve``; the name at the root of an attribute chain."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
