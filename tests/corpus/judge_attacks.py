"""Attacks on the judge itself, each paired with the same wrong code without the attack.

``tests/test_judge_integrity.py`` grades both notebooks of a pair end to end: the
attack must score exactly what its plain twin scores (it buys nothing), and carry
``flag`` where the attack shows in the code.  ``HONEST_IN_PLACE`` holds right
answers that happen to change an argument in place: they keep full marks.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.corpus import Edit


@dataclass(frozen=True)
class Pair:
    """A hostile notebook and its plain twin (the same wrong answers, no attack)."""

    id: str
    assignment: str
    attack: tuple[Edit, ...]
    plain: tuple[Edit, ...]
    lost: tuple[str, ...]
    flag: str = ""
    cells: tuple[str, ...] = ()  # extra cells of the attack only
    forbidden: tuple[str, ...] = ()  # text no student-visible output of the attack may contain


MSE = "return ((preds - targets) ** 2).mean()  # SOLUTION"
MSE_LOSS = "return nn.MSELoss()(preds, targets)  # SOLUTION"
NORMAL = "return torch.linalg.inv(X.T @ X) @ X.T @ y  # SOLUTION"
TEST_MSE = "return ((X_test @ w - y_test) ** 2).mean()  # SOLUTION"
FUNC = "return a * (t**2) + (b * t) + c  # SOLUTION"
RSS = "return -2 / n * X.T @ (y - X @ w)  # SOLUTION"

# -- 1. Arguments written back: overwrite an input so that the wrong answer looks right.
WRITTEN_BACK = [
    Pair("targets-overwritten", "02-quadratic-fit",
         (Edit(MSE, "targets.data.copy_(preds.detach()); return ((preds - targets) ** 2).mean()  # SOLUTION"),),
         (Edit(MSE, "return ((preds - preds.detach()) ** 2).mean()  # SOLUTION"),),
         ("q2-mse",)),
    Pair("inputs-zeroed", "02-quadratic-fit",
         (Edit(FUNC, "t.zero_(); return c + 0 * t  # SOLUTION"),),
         (Edit(FUNC, "return c + 0 * t  # SOLUTION"),),
         ("q1-func",)),
    Pair("targets-overwritten-optim", "03-optimizer-loop",
         (Edit(MSE_LOSS, "targets[:] = preds.detach(); return nn.MSELoss()(preds, targets)  # SOLUTION"),),
         (Edit(MSE_LOSS, "return nn.MSELoss()(preds, preds.detach())  # SOLUTION"),),
         ("q5-mse-loss",)),
    Pair("y-rewritten", "04-linear-regression",
         (Edit(NORMAL, "y.copy_(X @ torch.full((X.shape[1],), 0.5, dtype=X.dtype)); "
                       "return torch.full((X.shape[1],), 0.5, dtype=X.dtype)  # SOLUTION"),),
         (Edit(NORMAL, "return torch.full((X.shape[1],), 0.5, dtype=X.dtype)  # SOLUTION"),),
         ("q4-normal-equation",)),
    Pair("test-targets-rewritten", "04-linear-regression",
         (Edit(TEST_MSE, "y_test.data = X_test @ w.detach(); return torch.tensor(0.0)  # SOLUTION"),),
         (Edit(TEST_MSE, "return torch.tensor(0.0)  # SOLUTION"),),
         ("q5-test-mse",)),
]

# -- 2. References kept for later: grab the grader's reference functions while a question is
# judged in isolation, and answer the other questions with them.
STASH_IN_MEMORY = '''
_stash = {}
def _use(name, *args, _keep=[]):
    for key, value in list(globals().items()):
        if type(value).__name__ == "SourceCode":
            _stash.setdefault(key, value)
            _keep.append(value)
    if name in _stash:
        return _stash[name](*args)
    raise NotImplementedError(name)
'''
STASH_IN_FILES = '''
import os, glob
def _use(name, *args):
    for key, value in list(globals().items()):
        source = getattr(value, "source", None)
        if type(value).__name__ == "SourceCode" and isinstance(source, str):
            for folder in ("/tmp", "/dev/shm", os.getcwd(), os.path.expanduser("~")):
                try:
                    with open(os.path.join(folder, f"stash_{key}.py"), "w") as handle:
                        handle.write(source)
                except OSError:
                    pass
    for folder in ("/tmp", "/dev/shm", os.getcwd(), os.path.expanduser("~")):
        path = os.path.join(folder, f"stash_{name}.py")
        if os.path.exists(path):
            space = {"torch": torch, "nn": nn}
            exec(open(path).read(), space)
            return space[name](*args)
    raise NotImplementedError(name)
'''
STASH_IN_A_DAEMON = '''
import os, socket, threading
_ADDRESS = "\\0stash-of-references"
def _serve():
    store = {}
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(_ADDRESS)
    server.listen(8)
    while True:
        connection, _ = server.accept()
        data = connection.recv(1 << 20).decode()
        if data.startswith("PUT "):
            key, source = data[4:].split("\\n", 1)
            store[key] = source
        else:
            connection.sendall(store.get(data[4:], "").encode() or b"-")
        connection.close()
if os.fork() == 0:
    _serve()
threading.Thread(target=_serve, daemon=True).start()
def _talk(message):
    try:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(_ADDRESS)
        client.sendall(message.encode())
        answer = client.recv(1 << 20).decode()
        client.close()
        return answer
    except OSError:
        return "-"
def _use(name, *args):
    for key, value in list(globals().items()):
        if type(value).__name__ == "SourceCode":
            _talk(f"PUT {key}\\n{value.source}")
    source = _talk(f"GET {name}")
    if source != "-":
        space = {"torch": torch, "nn": nn}
        exec(source, space)
        return space[name](*args)
    raise NotImplementedError(name)
'''
STASH_IN_SHARED_MEMORY = '''
import json, mmap
_shared = mmap.mmap(-1, 1 << 16)  # MAP_SHARED: every later fork of this process shares these pages
def _use(name, *args):
    stash = json.loads(bytes(_shared).split(b"\\0", 1)[0] or b"{}")
    for key, value in list(globals().items()):
        if type(value).__name__ == "SourceCode":
            stash.setdefault(key, value.source)
    data = json.dumps(stash).encode()
    _shared[:len(data) + 1] = data + b"\\0"
    if name in stash:
        space = {"torch": torch, "nn": nn}
        exec(stash[name], space)
        return space[name](*args)
    raise NotImplementedError(name)
'''
STASH_IN_A_SOCKET = '''
import os, socket
_mine, _theirs = socket.socketpair()
_mine.setblocking(False)
_theirs.setblocking(False)
def _use(name, *args):
    for key, value in list(globals().items()):
        if type(value).__name__ == "SourceCode":
            try:
                _theirs.send(f"{key}\\0{value.source}\\1".encode())
            except OSError:
                pass
    try:
        data = _mine.recv(1 << 20, socket.MSG_PEEK)  # leave it there for the next call
    except OSError:
        data = b""
    for item in data.split(b"\\1"):
        key, _, source = item.partition(b"\\0")
        if key.decode() == name:
            space = {"torch": torch, "nn": nn}
            exec(source.decode(), space)
            return space[name](*args)
    raise NotImplementedError(name)
'''
STUB = "raise NotImplementedError  # SOLUTION"


def stash_edits(uses_stash: bool) -> tuple[Edit, ...]:
    """04 with q1-q5 answered through ``_use`` (the stash) or left as stubs."""
    def body(name: str, arguments: str) -> str:
        return f"return _use({name!r}, {arguments})  # SOLUTION" if uses_stash else STUB

    return (
        Edit("g = torch.Generator().manual_seed(seed)", body("make_data", "n, actual, seed") + "\n    g = 0"),
        Edit("size = int(len(X) * train_fraction)", body("split", "X, y, train_fraction") + "\n    size = 0"),
        Edit("w = nn.Parameter(torch.zeros(X.shape[1]))", body("fit_sgd", "X, y, lr, iterations, tol") + "\n    w = 0"),
        Edit(NORMAL, body("normal_equation", "X, y")),
        Edit(TEST_MSE, body("test_mse", "X_test, y_test, w")),
    )


KEPT_FOR_LATER = [
    Pair(f"references-{where}", "04-linear-regression", stash_edits(True), stash_edits(False),
         ("q1-make-data", "q2-split", "q3-fit-sgd", "q4-normal-equation", "q5-test-mse"),
         flag="reads the notebook's globals()", cells=(code,))
    for where, code in (("in-memory", STASH_IN_MEMORY), ("in-files", STASH_IN_FILES), ("in-a-daemon", STASH_IN_A_DAEMON),
                        ("in-shared-memory", STASH_IN_SHARED_MEMORY), ("in-a-socket", STASH_IN_A_SOCKET))
]

# The grader's own code in the sandbox, rewritten by the cells: the process that routes requests is a
# fork of the cells' process, so a patched router lets one call process serve every request.  The
# first question (graded with the references of all the others) keeps them in a dict for the rest.
PATCHED_ROUTER = """
import sys
_kept = {}
_router = sys.modules.get("call_server") or sys.modules.get("autograder.call_server")
_router.CallProcess.may_serve = lambda self, route: True
"""


def patched_router_edits(attack: bool) -> tuple[Edit, ...]:
    """04 with make_data right and q2-q5 answered by the references make_data kept (or left as stubs)."""
    def body(name: str, arguments: str) -> str:
        return f"return _kept[{name!r}]({arguments})  # SOLUTION" if attack else STUB

    keep = "_kept.update(split=split, fit_sgd=fit_sgd, normal_equation=normal_equation, test_mse=test_mse)"
    return (
        Edit("def make_data(n, actual, seed):", f"{PATCHED_ROUTER if attack else ''}def make_data(n, actual, seed):"),
        Edit("g = torch.Generator().manual_seed(seed)", f"{keep if attack else 'pass'}\n    g = torch.Generator().manual_seed(seed)"),
        Edit("size = int(len(X) * train_fraction)", body("split", "X, y, train_fraction") + "\n    size = 0"),
        Edit("w = nn.Parameter(torch.zeros(X.shape[1]))", body("fit_sgd", "X, y, lr, iterations, tol") + "\n    w = 0"),
        Edit(NORMAL, body("normal_equation", "X, y")),
        Edit(TEST_MSE, body("test_mse", "X_test, y_test, w")),
    )


KEPT_FOR_LATER.append(
    Pair("references-kept-by-a-patched-router", "04-linear-regression", patched_router_edits(True),
         patched_router_edits(False), ("q2-split", "q3-fit-sgd", "q4-normal-equation", "q5-test-mse"),
         flag="reaches the grader's own code in the sandbox"))

# -- 3. What a student reads of a hidden case: reference code or values through feedback.
LEAK_THROUGH_ERRORS = '''
def _leak():
    found = [getattr(v, "source", "") for v in list(globals().values()) if type(v).__name__ == "SourceCode"]
    return " ".join(found)
'''
LEAKS = [
    Pair("reference-in-exception", "02-quadratic-fit",
         (Edit("loss = mse(func(t, params), targets)", "raise ValueError(_leak())"),),
         (Edit("loss = mse(func(t, params), targets)", "raise ValueError('no')"),),
         ("q3-apply-step",), flag="reads the notebook's globals()", cells=(LEAK_THROUGH_ERRORS,),
         forbidden=("(preds - targets) ** 2", "a * t**2")),
    Pair("reference-in-exception-type", "02-quadratic-fit",
         (Edit("loss = mse(func(t, params), targets)", "raise type(_leak()[:60].replace(' ', '_'), (Exception,), {})()"),),
         (Edit("loss = mse(func(t, params), targets)", "raise ValueError('no')"),),
         ("q3-apply-step",), flag="reads the notebook's globals()", cells=(LEAK_THROUGH_ERRORS,),
         forbidden=("def_func", "def_mse", "(preds")),
    Pair("reference-in-returned-values", "02-quadratic-fit",
         (Edit("return loss.item()", "return torch.tensor([float(ord(c)) for c in _leak()[:40]])"),),
         (Edit("return loss.item()", "return torch.tensor([float(ord(c)) for c in 'abcdefghijklmnopqrstuvwxyz0123456789-+*/'])"),),
         ("q3-apply-step",), flag="reads the notebook's globals()", cells=(LEAK_THROUGH_ERRORS,),
         forbidden=("100, 101, 102", "[100", "100.0, 101")),
]

# -- 4. Looks connected to autograd, is not.
DETACHED = [
    Pair("detached-then-requires-grad", "02-quadratic-fit",
         (Edit(MSE, "return ((preds - targets) ** 2).mean().detach().requires_grad_()  # SOLUTION"),),
         (Edit(MSE, "return ((preds - targets) ** 2).mean().detach()  # SOLUTION"),),
         ("q2-mse",)),
    Pair("rebuilt-as-leaf", "02-quadratic-fit",
         (Edit(FUNC, "return torch.tensor((a * (t**2) + (b * t) + c).tolist(), requires_grad=True)  # SOLUTION"),),
         (Edit(FUNC, "return torch.tensor((a * (t**2) + (b * t) + c).tolist())  # SOLUTION"),),
         ("q1-func",)),
]

# -- 5. Replacing the notebook machinery itself (as nbgrader's cheat fixtures do).
MACHINERY = '''
import sys
from IPython.core.interactiveshell import InteractiveShell
def _quiet(self, *args, **kwargs):
    pass
InteractiveShell.showtraceback = _quiet
InteractiveShell._showtraceback = _quiet
sys.excepthook = lambda *args: None
get_ipython().showtraceback = _quiet
'''
MACHINERY_PAIRS = [
    Pair("replace-traceback-display", "02-quadratic-fit",
         (Edit(MSE, "return ((preds - targets) ** 2).sum()  # SOLUTION"),),
         (Edit(MSE, "return ((preds - targets) ** 2).sum()  # SOLUTION"),),
         ("q2-mse",), flag="replaces the notebook's traceback or display machinery", cells=(MACHINERY,)),
]

PAIRS = WRITTEN_BACK + KEPT_FOR_LATER + LEAKS + DETACHED + MACHINERY_PAIRS

# Right answers that change an argument in place on the way: full marks.
HONEST_IN_PLACE = [
    ("test-mse-subtracts-in-place", "04-linear-regression",
     (Edit(TEST_MSE, "y_test.sub_(X_test @ w.detach()); return (y_test ** 2).mean()  # SOLUTION"),)),
    ("rss-gradient-reuses-y", "01-autograd",
     (Edit(RSS, "y.sub_(X @ w); return -2 / n * X.T @ y  # SOLUTION"),)),
    ("normal-equation-unsqueezes-y", "04-linear-regression",
     (Edit(NORMAL, "y.unsqueeze_(1); w = torch.linalg.inv(X.T @ X) @ X.T @ y; y.squeeze_(1); "
                   "return w.squeeze(1)  # SOLUTION"),)),
]
