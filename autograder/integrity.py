"""Spot attempts to game the grader, for the ``flags`` column.

Grading does not depend on this: tests run outside the student's process, so none
of these tricks can earn a point.  The flags tell the instructor someone tried.
Two sources, both heuristics that only ever ADD flags:

* ``scan_source``: a static scan of the notebook's code cells;
* ``runtime_flags``: what the sandbox reported while the notebook ran (library
  functions replaced, messages that were not part of the protocol).  That report
  comes from untrusted code, so its absence proves nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from autograder.notebook import as_python, syntax_tree
from autograder.worker import CODE_MAGICS, magic_code

# Modules whose attributes a test relies on: assigning to them is tampering.
PROTECTED_MODULES = {
    "torch", "np", "numpy", "math", "builtins", "__builtins__", "otter", "grader", "nn", "F",
    "sys", "doctest", "unittest", "inspect", "gc",
}
# Names a notebook should not rebind (``torch = FakeTorch()``).
PROTECTED_NAMES = {"torch", "np", "numpy", "math", "nn", "F", "builtins", "__builtins__", "otter"}
SUSPICIOUS_CALLS = {
    "_exit": "exits the process early (os._exit)",
    "exit": "exits early (sys.exit/exit)",
    "abort": "exits the process early (os.abort)",
    "setattr": "uses setattr on a module",
    "get_objects": "searches the garbage collector's objects",
    "get_referrers": "searches the garbage collector's objects",
    "_getframe": "inspects the caller's frames",
    "currentframe": "inspects the caller's frames",
    "settrace": "installs a trace function",
    "setprofile": "installs a profile function",
    "kill": "sends signals to other processes",
    "killpg": "sends signals to other processes",
    "getppid": "looks for its parent process",
    "fork": "forks new processes",
    "setsid": "detaches processes (setsid)",
    "system": "runs shell commands",
    "popen": "runs shell commands",
    "pthread_sigmask": "blocks signals",
    "exec": "runs code built from strings (exec/eval)",
    "eval": "runs code built from strings (exec/eval)",
    "__import__": "imports modules by computed name",
    "globals": "reads the notebook's globals() (where a test puts the grader's reference functions)",
    "addaudithook": "installs an audit hook",
}
SUSPICIOUS_IMPORTS = {
    "ctypes": "imports ctypes",
    "subprocess": "starts other programs (subprocess)",
    "multiprocessing": "starts other processes (multiprocessing)",
    "socket": "opens network connections",
    "urllib": "opens network connections",
    "http": "opens network connections",
    "requests": "opens network connections",
    "gc": "inspects the garbage collector",
    "inspect": "inspects the grader's frames",
    "signal": "changes signal handling",
    "importlib": "imports modules by computed name",
    "pty": "starts other programs (pty)",
}
TEXT_PATTERNS = {
    r"(?i)all (test )?(cases|tests) passed|tests? passed!|(?<!\d)\d+\s*/\s*\d+ (tests|points)": "prints fake test results",
    r"results\.json|grades\.csv|results\.pkl": "names the grader's result files",
    r"/autograder|\btests/|\bsolutions/|/work/": "reads the grader's folders",
    r"__class__\s*=|__eq__|__bool__|__ne__|__float__|__torch_function__|__instancecheck__|__array__":
        "defines or swaps comparison/conversion methods",
    r"/proc/|/dev/fd|os\.write\(|__stdout__|fdopen": "writes to raw file descriptors or reads /proc",
    r"[\"']/(usr|etc|grader|work|autograder|root|home|srv|opt|var|lib|bin|mnt)\b":
        "touches files outside its folder",
    r"modules\[[\"']wire|SourceCode\.__new__|__source__|\bLineReader\b": "forges the grader's wire format",
    r"\bsys\.modules\b|\bcall_server\b|\b(?:RequestServer|CallProcess|StudentProcess)\b|\b(?:import|from) __main__\b":
        "reaches the grader's own code in the sandbox (sys.modules, the worker's modules)",
    r"showtraceback|excepthook|displayhook|InteractiveShell|set_custom_exc":
        "replaces the notebook's traceback or display machinery",
}
MAX_SCAN = 100_000  # characters of code the scan reads; an honest notebook has about 5,000
Flag = Callable[[str], None]


def scan_source(cells: list[str]) -> list[str]:
    """Short, instructor-readable reasons why a notebook looks like it tries to cheat.

    The work is linear in the code's length (the patterns cannot backtrack over a
    long run of one character) and bounded: only the first ``MAX_SCAN`` characters
    of code are read, and a notebook with more is flagged for that.
    """
    found: list[str] = []

    def flag(reason: str) -> None:
        if reason not in found:
            found.append(reason)

    total = sum(len(source) for source in cells)
    if total > MAX_SCAN:
        flag(f"has more code than the scan reads ({total:,} characters)")
    for source in within(cells, MAX_SCAN):
        for tree in syntax_trees(as_python(source)):
            for node in ast.walk(tree):
                check_node(node, flag)
        for pattern, reason in TEXT_PATTERNS.items():
            if re.search(pattern, source):
                flag(reason)
    return found


def within(cells: list[str], budget: int) -> list[str]:
    """The cells cut to ``budget`` characters in all (each cut at a line end)."""
    kept = []
    for source in cells:
        if len(source) > budget:
            source = source[: source.rfind("\n", 0, budget) + 1]
        kept.append(source)
        budget -= len(source)
    return kept


def syntax_trees(code: str, depth: int = 0) -> list[ast.AST]:
    """The syntax tree of ``code`` and of the code its ``%time`` / ``%%capture`` magics run."""
    tree = syntax_tree(code)
    if tree is None:
        return []
    trees: list[ast.AST] = [tree]
    for node in ast.walk(tree):
        magic = ipython_call(node)
        if magic in ("run_line_magic", "run_cell_magic") and depth < 3:
            args = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]  # type: ignore[attr-defined]
            if len(args) >= 2 and args[0] in CODE_MAGICS:
                trees += syntax_trees(magic_code(args[-1]) if magic == "run_line_magic" else args[-1], depth + 1)
    return trees


def ipython_call(node: ast.AST) -> str | None:
    """``system`` for ``get_ipython().system(...)``: the IPython method a call uses, if it is one."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        if isinstance(owner, ast.Call) and getattr(owner.func, "id", None) == "get_ipython":
            return node.func.attr
    return None


def check_node(node: ast.AST, flag: Flag) -> None:
    """Flag one syntax node if it matches a known trick."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        check_assignment(node, flag)
    elif isinstance(node, ast.ClassDef):
        for base in node.bases:
            text = ast.unparse(base)
            if "Tensor" in text or "Parameter" in text or text in ("float", "int", "bool"):
                flag(f"subclasses {text}")
    elif isinstance(node, ast.Call):
        check_call(node, flag)
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


def check_assignment(node: ast.AST, flag: Flag) -> None:
    """``torch.allclose = ...``, ``sys.modules['torch'] = ...``, ``torch = ...``, ``grader = ...``."""
    targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]  # type: ignore[attr-defined]
    value = getattr(node, "value", None)
    for target in targets:
        for item in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
            root = attribute_root(item)
            if root in PROTECTED_MODULES and isinstance(item, (ast.Attribute, ast.Subscript)):
                flag(f"patches {ast.unparse(item)[:60]}")
            elif isinstance(item, ast.Name) and item.id in PROTECTED_NAMES:
                flag(f"rebinds {item.id}")
            elif isinstance(item, ast.Name) and item.id == "grader" and not is_otter_notebook(value):
                flag("replaces the grader object")


def check_call(node: ast.Call, flag: Flag) -> None:
    """Calls that exit, signal, inspect the grader's frames or start processes."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if ipython_call(node) is not None:
        return  # a magic or `!command`: nothing runs it in the sandbox but worker.Shell
    if name in SUSPICIOUS_CALLS:
        if name == "setattr" and not (node.args and attribute_root(node.args[0]) in PROTECTED_MODULES):
            return
        if name in ("system", "popen") and not isinstance(func, ast.Attribute):
            return
        if name in ("exec", "eval") and isinstance(func, ast.Attribute):
            return  # model.eval() is honest
        flag(SUSPICIOUS_CALLS[name])


def is_otter_notebook(value: ast.AST | None) -> bool:
    """True for ``otter.Notebook(...)`` / ``Notebook(...)``: the honest way to make ``grader``."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) == "Notebook"


def attribute_root(node: ast.AST) -> str | None:
    """``torch`` for ``torch.linalg.solve``; the name at the root of an attribute chain."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def runtime_flags(tampered: list[str], unexpected: int, deaths: tuple[str, ...] = ()) -> list[str]:
    """Flags from what the sandbox reported while the notebook ran (untrusted: adds only)."""
    flags = []
    if any("malformed" in death for death in deaths):
        unexpected += 1
    if tampered:
        shown = ", ".join(tampered[:4]) + (", ..." if len(tampered) > 4 else "")
        flags.append(f"replaced library functions at run time ({shown})")
    if unexpected:
        flags.append(f"sent {unexpected} forged message(s) to the grader")
    return flags
