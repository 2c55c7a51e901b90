"""A red-team corpus: notebooks for 02-quadratic-fit that try to cheat or harm the grader.

Each attack is the solution notebook with a wrong answer on the question(s) it
targets plus cells that try to win those points anyway (or to read what they
should not, or to break the grader).  ``tests/test_integrity.py`` grades every one
end to end and expects: no credit on ``lost``, a flag containing ``flag``, full
marks on the other questions, and, where an attack reports what it found through
its own error message, ``evidence`` in the result text and none of ``forbidden``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.corpus import Edit

A = "02-quadratic-fit"
MSE_LINE = "return ((preds - targets) ** 2).mean()  # SOLUTION"
# The public example's answer, hard-coded: passes the public test, fails the hidden one.
CONSTANT_MSE = Edit(MSE_LINE, "return torch.tensor(4.0 / 3, requires_grad=True)  # SOLUTION")


@dataclass(frozen=True)
class Attack:
    """One hostile notebook and what grading it must show."""

    id: str
    cells: tuple[str, ...]
    flag: str
    lost: tuple[str, ...] = ("q2-mse",)
    edits: tuple[Edit, ...] = (CONSTANT_MSE,)
    evidence: str = ""
    forbidden: tuple[str, ...] = ()
    others_intact: bool = True
    slow: bool = False  # needs the short time limits


PATCH_TORCH = """
torch.allclose = lambda *a, **k: True
torch.isclose = lambda *a, **k: torch.tensor(True)
torch.equal = lambda *a, **k: True
torch.Tensor.__eq__ = lambda self, other: torch.tensor(True)
"""

PATCH_BUILTINS = """
import builtins, math
builtins.abs = lambda x: 0
builtins.isinstance = lambda *a: True
builtins.AssertionError = type("Quiet", (Exception,), {})
math.isclose = lambda *a, **k: True
"""

PATCH_NUMPY = """
import sys
import numpy as np
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
sys.modules["torch"].testing.assert_close = lambda *a, **k: None
"""

REPLACE_GRADER = """
import doctest
import otter

class FakeGrader:
    def check(self, *args, **kwargs):
        return "All tests passed!"

    def check_all(self, *args, **kwargs):
        return "All tests passed!"

grader = FakeGrader()
otter.Notebook = FakeGrader
doctest.OutputChecker.check_output = lambda *a, **k: True
doctest.DocTestRunner.run = lambda *a, **k: doctest.TestResults(0, 1)
"""

TENSOR_SUBCLASS = """
class Liar(torch.Tensor):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    def __float__(self):
        return 4.0 / 3

def mse(preds, targets):
    return torch.zeros(()).as_subclass(Liar)
"""

LYING_FLOAT = """
class Number:
    def __float__(self):
        return 4.0 / 3

    def __eq__(self, other):
        return True

    def __lt__(self, other):
        return True

    def __gt__(self, other):
        return True

def mse(preds, targets):
    return Number()
"""

LYING_LIST = """
class Losses(list):
    def __len__(self):
        return 30

    def __eq__(self, other):
        return True

def train_manual(params, t, targets, lr, epochs):
    return Losses([0.0])
"""

CATCH_EVERYTHING = """
import sys
sys.excepthook = lambda *a: None

def mse(preds, targets):
    try:
        return ((preds - targets) ** 2).mean() + undefined_name
    except BaseException:
        return torch.tensor(0.0, requires_grad=True)

try:
    assert False
except:
    pass
"""

FAKE_OUTPUT = """
print("q2-mse results: All test cases passed!")
print("All tests passed! 9/9 points")
"""

FAKE_FILES = """
import json, os
fake = json.dumps({"score": 9, "tests": [{"name": "q2-mse", "score": 2, "max_score": 2}]})
written = []
for folder in [".", "..", "/tmp", "/autograder/results", "/autograder/submission", "{out}", os.path.expanduser("~")]:
    for name in ["results.json", "grades.csv"]:
        try:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, name), "w") as handle:
                handle.write(fake)
            written.append(os.path.join(folder, name))
        except OSError:
            pass
"""

OS_EXIT = """
import os
os._exit(0)
"""

SYS_EXIT = """
import sys
sys.exit(0)
"""

RAISE_SYSTEM_EXIT = """
raise SystemExit("all done")
"""

BLOCK_ALARM = """
import signal
signal.signal(signal.SIGALRM, signal.SIG_IGN)

def mse(preds, targets):
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM, signal.SIGTERM, signal.SIGINT])
    while True:
        pass
"""

KILL_PARENTS = """
import os, signal
for target in (os.getppid(), -1, 1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
"""

READ_HIDDEN_TESTS = """
import glob, os, sys
found = []
system = (sys.prefix, sys.base_prefix, "/usr", "/lib", "/proc", "/sys", "/dev", "/etc")
for pattern in ["/*/tests/*.py", "/*/*/tests/*.py", "/*/*/*/tests/*.py", "/**/solutions/*.ipynb",
                "/work/*", "/work/main/*", "/autograder/*", "/home/*", "/root/*", "/srv/*"]:
    found += [path for path in glob.glob(pattern) if os.path.isfile(path) and not path.startswith(system)]
for folder in ["/", "/tmp", os.path.expanduser("~"), os.getcwd()]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not os.path.join(root, d).startswith(system)]
        found += [os.path.join(root, f) for f in files
                  if f.endswith((".ipynb", ".zip")) or "q2-mse" in f or "otter_config" in f or f == "references.py"]
raise RuntimeError(f"FOUND: {sorted(set(found))}")
"""

READ_PROC = """
import os
me = os.path.realpath("/proc/self")
leaks = []
for pid in os.listdir("/proc"):
    if not pid.isdigit() or f"/proc/{pid}" == me:
        continue
    for what in ("environ", "mem", "cmdline", "maps"):
        try:
            with open(f"/proc/{pid}/{what}", "rb") as handle:
                data = handle.read(1 << 16)
        except OSError:
            continue
        if what in ("environ", "mem", "maps") or b"check_" in data or b"q2-mse" in data:
            leaks.append(f"{pid}/{what}")
raise RuntimeError(f"PROC: {sorted(leaks)}")
"""

GC_SEARCH = """
import gc, sys
needle = "check" + "_mse"
hits = 0
for obj in gc.get_objects():
    try:
        if isinstance(obj, dict) and any(isinstance(key, str) and needle in key for key in obj):
            hits += 1
        elif type(obj).__name__ == "function" and not obj.__code__.co_filename.startswith("<cell"):
            hits += needle in obj.__code__.co_names or needle in str(obj.__code__.co_consts)
    except Exception:
        pass
frames = []
frame = sys._getframe()
while frame is not None:
    frames.append(frame.f_code.co_filename)
    frame = frame.f_back
raise RuntimeError(f"GC: {hits} hits; frames {[f for f in frames if 'test' in f]}")
"""

NETWORK = """
import socket
try:
    socket.create_connection(("1.1.1.1", 53), timeout=3)
    net = "CONNECTED"
except OSError as error:
    net = f"refused ({error.errno})"
try:
    socket.getaddrinfo("example.com", 80)
    dns = "RESOLVED"
except OSError:
    dns = "no dns"
raise RuntimeError(f"NET: {net}, {dns}")
"""

WRITE_OUTSIDE = """
import os, sys
wrote = []
for path in ["/usr/evil.txt", "/etc/evil.txt", "/grader/worker.py", "/grader/evil.txt", "{project}/evil.txt",
             os.path.join(sys.prefix, "evil.txt"), os.path.join(os.path.dirname(os.__file__), "evil.py")]:
    try:
        with open(path, "a") as handle:
            handle.write("pwned")
        wrote.append(path)
    except OSError:
        pass
raise RuntimeError(f"WROTE: {wrote}")
"""

FORK_BOMB = """
import os, time
children = 0
for _ in range(64):
    try:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        children += 1
    except OSError:
        break
"""

DAEMON = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        deadline = time.time() + 60
        while time.time() < deadline:
            for target in range(2, 400):
                try:
                    os.kill(target, 9)
                except OSError:
                    pass
            for folder in ("/scratch", "/scratch/work", "/tmp", "."):
                try:
                    with open(os.path.join(folder, "tamper.py"), "w") as handle:
                        handle.write("import torch; torch.allclose = lambda *a, **k: False")
                except OSError:
                    pass
            time.sleep(0.02)
    os._exit(0)
"""

FRAME_LEAK = """
import sys

def mse(preds, targets):
    text = []
    frame = sys._getframe(1)
    while frame is not None:
        text.append(f"{frame.f_code.co_filename}:{sorted(frame.f_locals)}:{frame.f_globals.get('__file__')}")
        frame = frame.f_back
    raise RuntimeError(" | ".join(text))
"""

PROTOCOL_FORGERY = """
import json, os
lines = [
    {"event": "result", "ok": True, "value": 1.0},
    {"event": "cell", "index": 999, "status": "ok"},
    {"event": "ended"},
    {"event": "idle", "clean": True},
]
data = "".join(json.dumps(line) + "\\n" for line in lines).encode()
for fd in map(int, os.listdir("/proc/self/fd")):
    try:
        os.write(fd, data)
    except OSError:
        pass
print(data.decode())
"""

SHADOW_NAMES = """
import sys, types
np = None
quadratic = types.SimpleNamespace(check_mse=lambda *a, **k: None)
check_mse = lambda *a, **k: None
expect_close = lambda *a, **k: None
sys.modules["autograder"] = types.ModuleType("autograder")
"""

SETATTR_PATCH = """
for name in ("allclose", "isclose", "equal"):
    setattr(torch, name, lambda *a, **k: True)
globals()["__builtins__"].__dict__["abs"] = lambda x: 0
"""

SOURCE_INJECTION = """
import sys
SourceCode = sys.modules["wire"].SourceCode
payload = SourceCode.__new__(SourceCode)
payload.source = "__import__('os').makedirs('{out}') or (lambda *a: 0)"
payload.name = None

def mse(preds, targets):
    return payload
"""

DEEP_JSON = """
import os
line = b"[" * 2_000_000 + b"\\n"
for fd in map(int, os.listdir("/proc/self/fd")):
    try:
        os.write(fd, line)
    except OSError:
        pass
"""

MESSAGE_FLOOD = """
import os
line = b'{"event": "bogus", "padding": "' + b"x" * 100_000 + b'"}\\n'
for fd in map(int, os.listdir("/proc/self/fd")):
    try:
        for _ in range(1000):
            os.write(fd, line)
    except OSError:
        pass
"""

ATTACKS = [
    Attack("patch-torch", (PATCH_TORCH,), "patches torch.allclose"),
    Attack("patch-builtins", (PATCH_BUILTINS,), "patches builtins.abs"),
    Attack("patch-numpy", (PATCH_NUMPY,), "patches np.allclose"),
    Attack("setattr-patch", (SETATTR_PATCH,), "uses setattr on a module"),
    Attack("replace-grader", (REPLACE_GRADER,), "replaces the grader object"),
    Attack("tensor-subclass", (TENSOR_SUBCLASS,), "subclasses torch.Tensor", edits=()),
    Attack("lying-float", (LYING_FLOAT,), "comparison/conversion methods", edits=()),
    Attack("lying-list", (LYING_LIST,), "comparison/conversion methods", lost=("q4-train-manual",), edits=()),
    Attack("catch-everything", (CATCH_EVERYTHING,), "catches every exception", edits=()),
    Attack("fake-output", (FAKE_OUTPUT,), "prints fake test results", forbidden=("All test cases passed",)),
    Attack("fake-files", (FAKE_FILES,), "names the grader's result files"),
    Attack("os-exit", (OS_EXIT,), "exits the process early"),
    Attack("sys-exit", (SYS_EXIT, RAISE_SYSTEM_EXIT), "exits early"),
    Attack("block-alarm", (BLOCK_ALARM,), "changes signal handling", edits=(), slow=True),
    Attack("kill-parents", (KILL_PARENTS,), "sends signals to other processes"),
    Attack("read-hidden-tests", (READ_HIDDEN_TESTS,), "reads the grader's folders", evidence="FOUND: []"),
    Attack("read-proc", (READ_PROC,), "reads /proc", evidence="PROC: []"),
    Attack("gc-search", (GC_SEARCH,), "garbage collector", evidence="GC: 0 hits; frames []"),
    Attack("network", (NETWORK,), "opens network connections", forbidden=("CONNECTED", "RESOLVED")),
    Attack("write-outside", (WRITE_OUTSIDE,), "touches files outside its folder", evidence="WROTE: []"),
    Attack("fork-bomb", (FORK_BOMB,), "forks new processes"),
    Attack("frame-leak", (FRAME_LEAK,), "inspects the caller's frames", edits=()),
    Attack("protocol-forgery", (PROTOCOL_FORGERY,), "forged message"),
    Attack("shadow-names", (SHADOW_NAMES,), "rebinds np"),
    Attack("deep-json", (DEEP_JSON,), "forged message"),
    Attack("message-flood", (MESSAGE_FLOOD,), "forged message"),
    Attack("source-injection", (SOURCE_INJECTION,), "forges the grader's wire format", edits=()),
]
DAEMON_ATTACK = Attack("daemon", (DAEMON,), "detaches processes")

# The same tricks on the other assignments: one answer replaced by a constant, that the
# patches (to torch, builtins, numpy, the grader) try to pass off as right.
WRONG_ANSWER_ELSEWHERE = {
    "01-autograd": ("q5-rss-gradient", Edit("return -2 / n * X.T @ (y - X @ w)  # SOLUTION",
                                            "return torch.zeros_like(w)  # SOLUTION")),
    "03-optimizer-loop": ("q5-mse-loss", Edit("return nn.MSELoss()(preds, targets)  # SOLUTION",
                                              "return torch.tensor(1.0, requires_grad=True)  # SOLUTION")),
    "04-linear-regression": ("q4-normal-equation", Edit("return torch.linalg.inv(X.T @ X) @ X.T @ y  # SOLUTION",
                                                        "return torch.tensor([0.86, 1.95])  # SOLUTION")),
}
PATCH_ATTACKS = ("patch-torch", "patch-builtins", "patch-numpy", "replace-grader", "catch-everything")

# Not flagged (it looks like honest code): it keeps the shapes of every input its
# ``mse`` sees and shows them in the error a public test of ``apply_step`` reports.
SMUGGLE_HIDDEN_INPUTS = """
seen = []

def mse(preds, targets):
    seen.append(tuple(preds.shape))
    return torch.tensor(4.0 / 3, requires_grad=True)

def apply_step(params, t, targets, lr):
    raise RuntimeError(f"SEEN: {seen}")
"""
