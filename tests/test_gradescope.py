"""The Gradescope autograder zip, run as Gradescope would run it, grades like ``make grade``.

The emulation unpacks the zip into a temporary ``/autograder`` (source, submission,
results, submission_metadata.json), then runs the zip's own ``run_autograder`` inside
a bubblewrap container that mounts that folder at ``/autograder`` and the local
Python environment in place of the one ``setup.sh`` builds.  Only the zip's
``harness/`` provides the ``autograder`` package in there: the project folder is not
mounted.  Its ``results.json`` is compared with ``pipeline.grade_submission`` on the
same notebook, and validated against tests/gradescope_schema.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import nbformat
import pytest

from autograder.build import build_zip, master_notebooks, runtime_requirements
from autograder.gradescope.results import results_json
from autograder.mistakes import explain
from autograder.pipeline import Submission, grade_submission
from autograder.results import CaseResult, QuestionResult, SubmissionResult
from autograder.sandbox import system_binds
from tests.corpus import Edit, solution_path, write_variant
from tests.corpus.mistakes_02 import MISTAKES

A = "02-quadratic-fit"
SCHEMA = json.loads((Path(__file__).parent / "gradescope_schema.json").read_text())
METADATA = {
    "id": 123456,
    "created_at": "2026-10-01T12:00:00.000000-07:00",
    "assignment": {"id": 42, "title": A, "total_points": "9.0"},
    "users": [{"email": "ada@example.edu", "id": 1001, "name": "Ada Student"},
              {"email": "bo@example.edu", "id": 1002, "name": "Bo Partner"}],
    "previous_submissions": [],
}
MSE_LINE = "return ((preds - targets) ** 2).mean()  # SOLUTION"
CONSTANT_MSE = Edit(MSE_LINE, "return torch.tensor(4.0 / 3, requires_grad=True)  # SOLUTION")
PATCH_TORCH = "torch.allclose = lambda *a, **k: True\ntorch.isclose = lambda *a, **k: torch.tensor(True)"
READ_HIDDEN = "raise RuntimeError(open('/autograder/source/tests/q2-mse.py').read())  # SOLUTION"
HOG = "blob = bytearray(3 * 2**30)  # 3 GB: more than Gradescope's machine has"
FAKE_RESULTS = "open('/autograder/results/results.json', 'w').write('{\"score\": 100}')"
ATTACKS: dict[str, tuple[tuple[Edit, ...], tuple[str, ...]]] = {  # id: (edits, extra cells)
    "patch-allclose": ((CONSTANT_MSE,), (PATCH_TORCH,)),
    "read-hidden-tests": ((Edit(MSE_LINE, READ_HIDDEN),), (FAKE_RESULTS,)),
}


def validate(document: dict[str, Any]) -> None:
    jsonschema.validate(document, SCHEMA)


# ----------------------------------------------------------------- the emulation
def outer_bwrap(root: Path, python: str = sys.executable, nested_bwrap: bool = True) -> list[str]:
    """A container shaped like Gradescope's: ``root`` at /autograder, the local Python, no project.

    With ``nested_bwrap`` False it gets a /proc of its own, as in many Docker set-ups: bubblewrap
    is installed in there but cannot start (it cannot mount a /proc), which is when the
    Gradescope entry point must fall back to dropping privileges.
    """
    command = ["bwrap", "--die-with-parent", "--unshare-ipc", "--unshare-uts", "--unshare-net"]
    if os.geteuid() != 0:
        command += ["--unshare-user", "--uid", "0", "--gid", "0"]
    # /tmp first: the project (and its venv) may itself live under /tmp, bound below.
    command += ["--perms", "1777", "--tmpfs", "/tmp"]
    command += system_binds(("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf"))
    for prefix in sorted({os.path.realpath(sys.base_prefix), sys.prefix}):
        for parent in reversed(Path(prefix).parents[:-1]):  # traversable by 'nobody' too, as /opt is
            command += ["--perms", "0755", "--dir", str(parent)]
        command += ["--ro-bind", prefix, prefix]
    # The host's /proc (and so the host's PID namespace): bubblewrap inside needs a fully visible
    # /proc to mount its own, and one that matches its PID namespace to find its own /proc/PID.
    command += ["--bind", "/proc", "/proc"] if nested_bwrap else ["--unshare-pid", "--proc", "/proc"]
    command += ["--dev", "/dev"]
    command += ["--bind", str(root), "/autograder"]
    command += ["--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8"]
    command += ["--setenv", "GD_AUTOGRADER_PYTHON", python, "--chdir", "/autograder"]
    return command


def unpack(archive: Path, target: Path) -> None:
    """Unzip keeping the executable bits, as Gradescope does."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            path = Path(opened.extract(info, target))
            mode = info.external_attr >> 16
            if mode:
                os.chmod(path, mode & 0o777)


class PeakMemory(threading.Thread):
    """Samples a process tree: the peak of its summed PSS (shared pages counted once) and of its largest RSS."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.largest_kb, self.done = pid, 0, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            pids = descendants(self.pid)
            self.peak_kb = max(self.peak_kb, sum(memory_kb(pid, "Pss:", "smaps_rollup") for pid in pids))
            self.largest_kb = max([self.largest_kb] + [memory_kb(pid, "VmHWM:", "status") for pid in pids])


def descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def memory_kb(pid: int, key: str, table: str) -> int:
    """One kB figure of /proc/PID/TABLE (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/{table}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def emulate(archive: Path, files: list[Path], base: Path, *args: str, report: bool = False,
            python: str = sys.executable, nested_bwrap: bool = True) -> dict[str, Any]:
    """Run the zip's run_autograder on ``files`` in a Gradescope-like container; its results.json."""
    root = base / "autograder"
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    unpack(archive, root / "source")
    for path in files:
        shutil.copy(path, root / "submission" / path.name)
    (root / "submission_metadata.json").write_text(json.dumps(METADATA))
    command = outer_bwrap(root, python, nested_bwrap) + ["/autograder/source/run_autograder", *args]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = PeakMemory(process.pid)
    sampler.start()
    output, _ = process.communicate(timeout=600)
    sampler.done.set()
    seconds = time.monotonic() - started
    assert process.returncode == 0, output
    if report:
        print(f"\nGradescope emulation, one submission: {seconds:.1f} s wall clock; peak memory of all its "
              f"processes {sampler.peak_kb / 1024:.0f} MB (PSS), largest process {sampler.largest_kb / 1024:.0f} MB (RSS)")
    document = json.loads((root / "results" / "results.json").read_text())
    validate(document)
    return document


def per_question(document: dict[str, Any]) -> dict[str, float]:
    """Points per question in a results.json (its public and hidden entries added up)."""
    scores: dict[str, float] = {}
    for test in document["tests"]:
        question = test["name"].split(" (")[0]
        scores[question] = round(scores.get(question, 0.0) + test["score"], 6)
    return scores


def local(path: Path, assignments, sandbox, limits) -> SubmissionResult:
    return grade_submission(Submission("local", path), assignments[A], sandbox, limits)


def same_as_local(document: dict[str, Any], result: SubmissionResult) -> None:
    assert per_question(document) == {q.name: q.score for q in result.questions}
    assert document["score"] == result.total
    assert document["extra_data"]["status"] == result.status


@pytest.fixture(scope="module")
def archive(built: Path) -> Path:
    """The zip, rebuilt so that it holds the harness as it is now (``AUTOGRADER_BUILT`` may be older)."""
    return build_zip(A, built / "dist")


# ----------------------------------------------------------------- the zip itself
def test_zip_is_reproducible_and_complete(built, tmp_path):
    first = build_zip(A, built / "dist").read_bytes()
    again = build_zip(A, built / "dist").read_bytes()
    assert first == again
    with zipfile.ZipFile(built / "dist" / f"{A}.zip") as opened:
        names = set(opened.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in opened.infolist()}
        setup = opened.read("setup.sh").decode()
        pins = opened.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", "otter_config.json", "requirements.txt"} <= names
    assert {"harness/autograder/worker.py", "harness/autograder/gradescope/entry.py"} <= names
    assert any(name.startswith("tests/q") for name in names)
    assert not any("/dist/" in name or "__pycache__" in name for name in names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert pins == runtime_requirements() and "torch==2.13.0" in pins.splitlines()
    assert "--index-url https://download.pytorch.org/whl/cpu" in setup
    unpack(built / "dist" / f"{A}.zip", tmp_path)
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(tmp_path / script)], check=True)
    commands = "\n".join(line for line in setup.lower().splitlines() if not line.lstrip().startswith("#"))
    for heavy in ("texlive", "pandoc", "chromium", "playwright", "otter"):
        assert heavy not in commands


# ----------------------------------------------------------------- results.json
def make_result() -> SubmissionResult:
    question = QuestionResult("q2-mse", [
        CaseResult("q2-mse - 1", hidden=False, max_points=0, passed=True),
        CaseResult("q2-mse - 2", hidden=True, max_points=2, passed=False, message=explain("rmse-not-mse"),
                   mistakes=["rmse-not-mse"]),
    ])
    return SubmissionResult("s1", A, "graded", [question], flags=["patched torch.allclose"],
                            message="mistakes: q2-mse: rmse-not-mse")


def test_results_json_visibility_and_private_flags():
    document = results_json(make_result())
    validate(document)
    public, hidden = document["tests"]
    assert public["visibility"] == "visible" and public["status"] == "passed"
    assert hidden["visibility"] == "after_published" and hidden["status"] == "failed"
    assert explain("rmse-not-mse") in hidden["output"]
    assert (hidden["score"], hidden["max_score"]) == (0, 2)
    assert document["extra_data"]["flags"] == ["patched torch.allclose"]
    shown = document["output"] + "".join(test["output"] for test in document["tests"] if test["visibility"] == "visible")
    assert "allclose" not in shown and "rmse" not in shown.lower()


def test_schema_rejects_what_gradescope_would_not_read():
    document = results_json(make_result())
    for broken in ({**document, "tests": [{**document["tests"][0], "visibility": "later"}]},
                   {**document, "score": "9"},
                   {**document, "scores": 1}):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken)


# ----------------------------------------------------------------- emulated runs
def test_solution_full_marks_like_local(archive, tmp_path, assignments, sandbox, limits):
    document = emulate(archive, [solution_path(A)], tmp_path, report=True)
    result = local(solution_path(A), assignments, sandbox, limits)
    same_as_local(document, result)
    assert document["score"] == assignments[A].max_score > 0
    assert document["extra_data"]["sandbox"] == "bwrap"
    assert document["extra_data"]["student"] == "Ada Student; Bo Partner"
    assert document["extra_data"]["email"] == "ada@example.edu; bo@example.edu"
    assert {test["visibility"] for test in document["tests"]} == {"visible", "after_published"}


@pytest.mark.parametrize("name", [m.stem for m in master_notebooks() if m.stem != A])
def test_other_solutions_full_marks_within_gradescope_limits(name, built, tmp_path, assignments):
    document = emulate(build_zip(name, built / "dist"), [solution_path(name)], tmp_path)
    assert document["score"] == assignments[name].max_score > 0, document["tests"]


def test_memory_hog_is_stopped_inside_gradescope_memory(archive, tmp_path, assignments, sandbox, limits):
    path = write_variant(A, (), tmp_path / f"{A}.ipynb", extra_cells=(HOG,))
    document = emulate(archive, [path], tmp_path, report=True)
    same_as_local(document, local(path, assignments, sandbox, limits))
    assert document["score"] == assignments[A].max_score
    assert "MemoryError" in document["output"]


def test_stub_scores_zero_like_local(archive, built, tmp_path, assignments, sandbox, limits):
    stub = built / "assignments" / A / f"{A}.ipynb"
    document = emulate(archive, [stub], tmp_path)
    same_as_local(document, local(stub, assignments, sandbox, limits))
    assert document["score"] == 0


@pytest.mark.parametrize("variant", [m for m in MISTAKES if m.id in ("rmse", "sign-flipped", "params-rebound")],
                         ids=lambda v: v.id)
def test_mistake_graded_and_named_like_local(variant, archive, tmp_path, assignments, sandbox, limits):
    path = write_variant(A, variant.edits, tmp_path / f"{A}.ipynb")
    document = emulate(archive, [path], tmp_path)
    same_as_local(document, local(path, assignments, sandbox, limits))
    hidden = next(t for t in document["tests"] if t["name"] == f"{variant.question} (hidden tests)")
    assert hidden["status"] == "failed" and explain(variant.tag) in hidden["output"]


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_gains_nothing_like_local(attack, archive, tmp_path, assignments, sandbox, limits):
    edits, cells = ATTACKS[attack]
    path = write_variant(A, edits, tmp_path / f"{A}.ipynb", extra_cells=cells)
    document = emulate(archive, [path], tmp_path)
    result = local(path, assignments, sandbox, limits)
    same_as_local(document, result)
    assert per_question(document)["q2-mse"] == 0
    assert set(document["extra_data"]["flags"]) == set(result.flags)
    if attack == "patch-allclose":
        assert document["extra_data"]["flags"]
    assert_no_hidden_text(document, archive)


def assert_no_hidden_text(document: dict[str, Any], archive: Path) -> None:
    """No line of a hidden test file appears anywhere in results.json."""
    text = json.dumps(document)
    with zipfile.ZipFile(archive) as opened:
        hidden = [opened.read(n).decode() for n in opened.namelist() if n.startswith("tests/")]
    lines = {line.strip() for source in hidden for line in source.splitlines() if len(line.strip()) > 25}
    assert not [line for line in lines if json.dumps(line)[1:-1] in text]


def test_zip_of_the_notebook_is_graded(archive, tmp_path, assignments):
    bundle = tmp_path / "export.zip"
    with zipfile.ZipFile(bundle, "w") as opened:
        opened.write(solution_path(A), f"{A}.ipynb")
        opened.writestr("notes.txt", "not a notebook")
    document = emulate(archive, [bundle], tmp_path)
    assert document["score"] == assignments[A].max_score


def test_no_notebook_scores_zero_with_a_message(archive, tmp_path):
    readme = tmp_path / "answers.py"
    readme.write_text("print('hello')\n")
    document = emulate(archive, [readme], tmp_path)
    assert document["score"] == 0 and document["extra_data"]["status"] == "malformed"
    assert "No Jupyter notebook (.ipynb) was found" in document["output"]
    assert "Traceback" not in json.dumps(document)


def test_two_different_notebooks_none_named_after_the_assignment_score_zero(archive, built, tmp_path):
    draft = write_variant(A, (), tmp_path / "copy" / "draft.ipynb", extra_cells=("x = 1",))
    final = write_variant(A, (), tmp_path / "copy" / "final.ipynb")
    document = emulate(archive, [draft, final], tmp_path)
    assert document["score"] == 0
    assert "2 notebooks (draft.ipynb, final.ipynb) whose code differs" in document["output"]
    assert f"none is named {A}.ipynb: submit exactly one" in document["output"]


def test_a_draft_beside_the_notebook_named_after_the_assignment(archive, built, tmp_path, assignments):
    """The notebook named after the assignment is graded, the draft is not, and the output says so."""
    draft = write_variant(A, MISTAKES[0].edits, tmp_path / "copy" / "draft.ipynb")
    document = emulate(archive, [solution_path(A), draft], tmp_path)
    assert document["score"] == assignments[A].max_score
    assert f"{A}.ipynb, the one named after the assignment, was graded" in document["output"]


def test_the_notebook_beside_its_export_zip_is_graded(archive, built, tmp_path, assignments):
    """The .ipynb and the zip grader.export() made of it: the same code, saved twice, is one notebook."""
    notebook = nbformat.read(solution_path(A), as_version=4)
    notebook.metadata["saved_again"] = True  # other bytes, the same code
    bundle = tmp_path / "export" / f"{A}_2026_11_30T10_00_00.zip"
    bundle.parent.mkdir()
    with zipfile.ZipFile(bundle, "w") as opened:
        opened.writestr(f"{A}.ipynb", nbformat.writes(notebook))
    document = emulate(archive, [solution_path(A), bundle], tmp_path)
    assert document["score"] == assignments[A].max_score
    assert (f"2 notebooks ({A}.ipynb, {A}.ipynb in {bundle.name}) with the same code: {A}.ipynb was graded"
            in document["output"])


def test_wrong_assignment_scores_zero_with_a_message(archive, built, tmp_path):
    other = sorted(path for path in (built / "assignments").glob("*/*.ipynb") if path.parent.name != A)[0]
    document = emulate(archive, [other], tmp_path)
    assert document["score"] == 0 and document["extra_data"]["status"] == "wrong-assignment"
    assert f"not '{A}'" in document["output"]


def test_a_grader_that_cannot_start_still_writes_results(archive, tmp_path):
    document = emulate(archive, [solution_path(A)], tmp_path, python="/usr/bin/false")
    assert document["score"] == 0 and "tell your instructor" in document["output"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the setpriv fallback drops root privileges")
def test_without_working_bwrap_it_drops_privileges_and_hides_the_tests(archive, tmp_path, assignments, sandbox,
                                                                       limits):
    edits, cells = ATTACKS["read-hidden-tests"]
    path = write_variant(A, edits, tmp_path / f"{A}.ipynb", extra_cells=cells)
    document = emulate(archive, [path], tmp_path, nested_bwrap=False)
    assert document["extra_data"]["sandbox"] == "setpriv"
    same_as_local(document, local(path, assignments, sandbox, limits))
    assert_no_hidden_text(document, archive)
    assert "Permission denied" in json.dumps(document)


@pytest.mark.skipif(os.geteuid() != 0, reason="the setpriv fallback drops root privileges")
def test_setpriv_fallback_gives_full_marks_to_the_solution(archive, tmp_path, assignments):
    document = emulate(archive, [solution_path(A)], tmp_path, "--sandbox", "setpriv")
    assert document["extra_data"]["sandbox"] == "setpriv"
    assert document["score"] == assignments[A].max_score
