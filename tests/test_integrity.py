"""The red-team corpus, graded end to end: no attack earns a point, every one is flagged.

Also: hidden-test text never reaches anything a student sees, a daemon left by one
submission cannot touch the next, and the static scan stays quiet on honest code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.integrity import runtime_flags, scan_source
from autograder.pipeline import Submission, grade_submission
from autograder.results import SubmissionResult
from autograder.sandbox import Limits
from tests.corpus import all_mistakes, hidden_test_lines, solution_path, visible_text, write_variant
from tests.corpus.attacks import ATTACKS, DAEMON_ATTACK, PATCH_ATTACKS, WRONG_ANSWER_ELSEWHERE, Attack

ROOT = Path(__file__).resolve().parent.parent
A = "02-quadratic-fit"
SHORT = Limits(notebook_seconds=30, cell_seconds=5, call_seconds=3, memory_mb=1500)


def build(attack: Attack, folder: Path) -> Path:
    """The attack's notebook, with its placeholders pointing at real folders.

    A project under /tmp lies inside the sandbox's own private /tmp, where writing is allowed
    and harmless: the attack then aims at /usr instead (the host side is checked either way).
    """
    project = "/usr" if str(ROOT).startswith("/tmp/") else str(ROOT)
    cells = tuple(
        cell.replace("{out}", str(folder / "out")).replace("{project}", project) for cell in attack.cells
    )
    return write_variant(A, attack.edits, folder / f"{attack.id}.ipynb", cells)


def grade(path: Path, assignments, sandbox, limits: Limits) -> SubmissionResult:
    return grade_submission(Submission(path.stem, path), assignments[A], sandbox, limits)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.id)
def test_attack_earns_nothing_and_is_flagged(attack, tmp_path, built, assignments, sandbox, limits):
    path = build(attack, tmp_path)
    result = grade(path, assignments, sandbox, SHORT if attack.slow else limits)
    scores = {q.name: (q.score, q.max_score) for q in result.questions}
    assert all(scores[name][0] == 0 for name in attack.lost), scores
    if attack.others_intact:
        assert all(score == top for name, (score, top) in scores.items() if name not in attack.lost), (
            scores, result.message)
    assert any(attack.flag in flag for flag in result.flags), result.flags
    text = visible_text(result)
    if attack.evidence:
        assert attack.evidence in text, result.cell_errors
    for word in attack.forbidden:
        assert word not in text
    leaked = [line for line in hidden_test_lines(built / "dist" / f"{A}.zip") if line in text]
    assert leaked == [], leaked  # nothing of the hidden tests reaches what the student reads
    assert not (tmp_path / "out").exists(), "the notebook wrote into the grader's output folder"
    assert not list(ROOT.glob("evil*")) and not (Path("/usr/evil.txt")).exists()


@pytest.mark.parametrize("assignment", sorted(WRONG_ANSWER_ELSEWHERE))
def test_patches_earn_nothing_on_the_other_assignments(assignment, tmp_path, assignments, sandbox, limits):
    """Every patching attack at once, on a notebook of another assignment with one answer wrong."""
    question, edit = WRONG_ANSWER_ELSEWHERE[assignment]
    attacks = [attack for attack in ATTACKS if attack.id in PATCH_ATTACKS]
    cells = tuple(cell for attack in attacks for cell in attack.cells)
    path = write_variant(assignment, (edit,), tmp_path / f"{assignment}.ipynb", cells)
    result = grade_submission(Submission(path.stem, path), assignments[assignment], sandbox, limits)
    scores = {q.name: (q.score, q.max_score) for q in result.questions}
    assert scores.pop(question)[0] == 0, result.questions
    assert all(score == top for score, top in scores.values()), (scores, result.message)
    for attack in attacks:
        assert any(attack.flag in flag for flag in result.flags), (attack.id, result.flags)


def test_attacks_are_distinct_and_many():
    assert len({attack.id for attack in ATTACKS}) == len(ATTACKS) >= 15
    assert len({attack.cells for attack in ATTACKS}) == len(ATTACKS)


def test_runtime_report_catches_a_patch_the_static_scan_misses(tmp_path, assignments, sandbox, limits):
    """``getattr`` + a computed name hides the patch from the scan; the sandbox still reports it."""
    hidden_patch = 'setter = getattr(__builtins__, "set" + "attr")\nsetter(torch, "all" + "close", lambda *a, **k: True)'
    path = write_variant(A, ATTACKS[0].edits, tmp_path / "sneaky.ipynb", (hidden_patch,))
    assert scan_source([hidden_patch]) == []
    result = grade(path, assignments, sandbox, limits)
    assert result.questions[1].score == 0
    assert any("torch.allclose" in flag for flag in result.flags), result.flags


def test_daemon_cannot_touch_the_next_submission(tmp_path, assignments, sandbox, limits):
    """A process left running by one submission is gone before the next one starts."""
    attack = grade(build(DAEMON_ATTACK, tmp_path), assignments, sandbox, limits)
    assert any(DAEMON_ATTACK.flag in flag for flag in attack.flags)
    for _ in range(2):
        honest = grade(solution_path(A), assignments, sandbox, limits)
        assert honest.total == honest.max_score and honest.flags == [] and honest.status == "graded"


def test_hidden_test_text_never_reaches_the_student(tmp_path, built, assignments, sandbox, limits):
    """Grade every stub; search all feedback (the attacks' and the mistakes' are searched where they are graded)."""
    lines = {name: hidden_test_lines(built / "dist" / f"{name}.zip") for name in assignments}
    assert any("check_mse" in line for line in lines[A])  # the extraction works
    graded = [(name, built / "assignments" / name / f"{name}.ipynb") for name in assignments]
    for name, path in graded:
        text = visible_text(grade_submission(Submission(path.stem, path), assignments[name], sandbox, limits))
        leaked = [line for line in lines[name] if line in text]
        assert leaked == [], (path.name, leaked)


@pytest.mark.parametrize(
    "source",
    [
        "import otter\ngrader = otter.Notebook('02-quadratic-fit.ipynb')",
        "grader.check('q2-mse')",
        "from autograder.wire import SourceCode\nf = SourceCode(\"lambda t: t ** 2\")",
        "try:\n    x = 1 / 0\nexcept Exception as error:\n    print(error)",
        "import numpy as np\nimport torch\nfrom torch import nn\nmodel = nn.Linear(1, 1)\nmodel.eval()",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\n%matplotlib inline",
        "with torch.no_grad():\n    params -= lr * params.grad\nparams.grad.zero_()",
        "optimizer = torch.optim.SGD([w], lr=0.1)\noptimizer.zero_grad()\nloss.backward()\noptimizer.step()",
        "import os\nos.makedirs('plots', exist_ok=True)\nopen('plots/losses.txt', 'w').write('1')",
        "!pip install torch==2.13.0\nfiles = !ls\n%time losses = train_manual(params, t, y, 1e-5, 10)",
        "%%bash\necho hello",
    ],
)
def test_honest_code_raises_no_flag(source):
    assert scan_source([source]) == []


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("files = !ls\ntorch.allclose = lambda *a, **k: True", "patches torch.allclose"),
        ("%time torch.allclose = lambda *a, **k: True", "patches torch.allclose"),
        ("%%capture\nimport ctypes", "imports ctypes"),
        ("%timeit -n 1 -r 1 builtins.abs = len", "patches builtins.abs"),
    ],
)
def test_magics_hide_no_patch_from_the_scan(source, reason):
    assert reason in scan_source([source])


@pytest.mark.parametrize(
    "source",
    [
        'import sys\nrouter = sys.modules.get("call_server")\nrouter.CallProcess.may_serve = lambda self, route: True',
        "import __main__\n__main__.StudentProcess.answer = lambda self, request: {}",
        "from __main__ import RequestServer",
    ],
)
def test_reaching_the_workers_own_code_is_flagged(source):
    """The routing of requests runs in a fork of the cells' process: patching it is flagged (never scored)."""
    assert any("the grader's own code" in reason for reason in scan_source([source]))


def test_runtime_flags_only_add():
    assert runtime_flags([], 0) == []
    assert runtime_flags(["torch.allclose"], 2) == [
        "replaced library functions at run time (torch.allclose)", "sent 2 forged message(s) to the grader"]


def test_hidden_doctest_output_is_never_echoed(tmp_path, sandbox, limits):
    """A hidden case written as a doctest with expected output: a wrong answer does not reveal it."""
    from otter.test_files import OKTestFile

    from autograder.assignments import Assignment

    case = ">>> print(round(float(mse(torch.tensor([9.0]), torch.tensor([2.0]))), 4))\n49.0\n"
    spec = {"name": "q2-mse", "points": 1, "suites": [{"cases": [
        {"code": case, "hidden": True, "locked": False},
        {"code": case, "hidden": False, "locked": False},
    ], "scored": True, "setup": "", "teardown": "", "type": "doctest"}]}
    assignment = Assignment(A, [OKTestFile.from_spec(spec, path="q2-mse.py")])
    path = write_variant(A, ATTACKS[0].edits, tmp_path / "wrong.ipynb")
    hidden, public = grade(path, {A: assignment}, sandbox, limits).questions[0].cases
    assert not hidden.passed and "49.0" not in hidden.message
    assert not public.passed and "49.0" in public.message


def test_feedback_never_carries_hidden_inputs(tmp_path, assignments, sandbox, limits):
    """Public cases run before any hidden input is sent, so a public message cannot quote one (a
    25-element tensor); hidden-case feedback never quotes what the student's code raised at all."""
    from tests.corpus.attacks import SMUGGLE_HIDDEN_INPUTS

    path = write_variant(A, (), tmp_path / "smuggle.ipynb", (SMUGGLE_HIDDEN_INPUTS,))
    result = grade(path, assignments, sandbox, limits)
    public = " ".join(c.message for q in result.questions for c in q.cases if not c.hidden)
    hidden = " ".join(c.message for q in result.questions for c in q.cases if c.hidden)
    assert "SEEN: [(3,)" in public and "(25,)" not in public
    assert "SEEN" not in hidden and "(25,)" not in hidden
    assert "`apply_step` raised RuntimeError." in hidden


def test_mistakes_and_stubs_raise_no_flag(tmp_path, built):
    """Wrong answers are not cheating: no notebook of the mistake corpora, and no stub, is flagged."""
    from autograder.notebook import read_notebook

    paths = [write_variant(v.assignment, v.edits, tmp_path / f"{v.assignment}-{v.id}.ipynb") for v in all_mistakes()]
    paths += sorted((built / "assignments").glob("*/*.ipynb"))
    flagged = {path.name: scan_source(read_notebook(path).cells) for path in paths}
    assert {name: flags for name, flags in flagged.items() if flags} == {}
    assert len(paths) > 20
