"""``python -m autograder grade`` end to end on small classes, with the real sandbox."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import load_assignment
from autograder.batch import UsageError, choose_assignment
from autograder.cache import Cache
from autograder.pipeline import Submission
from autograder.pool import Pool
from autograder.progress import Progress
from autograder.results import SubmissionResult
from autograder.sandbox import Limits
from tests.corpus import write_variant

ROOT = Path(__file__).resolve().parent.parent
NAME = "02-quadratic-fit"
QUICK = ["--cell-timeout", "4", "--timeout", "40", "--call-timeout", "10", "--memory", "1500"]


def solved(built: Path) -> Path:
    return built / "dist" / NAME / "autograder" / f"{NAME}.ipynb"


def stub(built: Path) -> Path:
    return built / "assignments" / NAME / f"{NAME}.ipynb"


def variant(built: Path, target: Path, *cells: str) -> Path:
    return write_variant(NAME, (), target, cells, base=solved(built))


def for_other_assignment(source: Path, target: Path) -> Path:
    notebook = nbformat.read(source, as_version=4)
    notebook.metadata["otter"] = {"assignment_name": "01-autograd"}
    nbformat.write(notebook, target)
    return target


def grade(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "autograder", "grade", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)


def rows(out: Path, built: Path) -> list[dict[str, str]]:
    """grades.csv's rows, after checking its columns: who, one per question of the assignment, the total..."""
    questions = load_assignment(built / "dist" / f"{NAME}.zip").questions
    with (out / "grades.csv").open() as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["submission", "student", "email", *questions,
                                     "total", "max", "status", "flags", "message"]
        return list(reader)


@pytest.fixture(scope="module")
def classroom(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every kind of submission, good and bad, in one folder."""
    folder = tmp_path_factory.mktemp("class")
    shutil.copy(solved(built), folder / "correct.ipynb")
    shutil.copy(stub(built), folder / "stub.ipynb")
    variant(built, folder / "raises.ipynb", "raise ValueError('boom')")
    variant(built, folder / "loop.ipynb", "while True:\n    pass")
    (folder / "empty.ipynb").write_bytes(b"")
    (folder / "zero.zip").write_bytes(b"")
    with zipfile.ZipFile(folder / "two.zip", "w") as archive:
        archive.write(solved(built), "a.ipynb")
        archive.write(stub(built), "b.ipynb")
    with zipfile.ZipFile(folder / "otter_export.zip", "w") as archive:
        archive.write(solved(built), f"{NAME}.ipynb")
        archive.writestr(".OTTER_LOG", b"")
    for_other_assignment(solved(built), folder / "other.ipynb")
    return folder


@pytest.fixture(scope="module")
def first_run(built: Path, classroom: Path, tmp_path_factory: pytest.TempPathFactory):
    """The class graded once: the process, the output folder and grades.csv as it was then."""
    out = tmp_path_factory.mktemp("out")
    run = grade(classroom, "--assignment", NAME, "--autograder", built / "dist" / f"{NAME}.zip", "--out", out, *QUICK)
    return run, out, rows(out, built)


def test_every_submission_gets_one_row_with_its_status(first_run):
    run, out, table_rows = first_run
    assert run.returncode == 1, run.stderr
    table = {row["submission"]: row for row in table_rows}
    assert len(table_rows) == len(table) == 9
    statuses = {key: row["status"] for key, row in table.items()}
    assert statuses == {
        "correct": "graded", "stub": "graded", "raises": "graded", "loop": "graded", "empty": "malformed",
        "zero": "malformed", "two": "malformed", "otter_export": "graded", "other": "wrong-assignment",
    }
    for key in ("correct", "otter_export", "raises"):
        assert float(table[key]["total"]) == float(table[key]["max"]) > 0, table[key]
    assert float(table["stub"]["total"]) == 0
    assert "boom" in table["raises"]["message"]
    assert "empty" in table["empty"]["message"] and "0 bytes" in table["zero"]["message"]
    assert "2 notebooks" in table["two"]["message"]
    assert "01-autograd" in table["other"]["message"] and float(table["other"]["total"]) == 0
    for key in table:
        gradescope = json.loads((out / "results" / f"{key}.json").read_text())
        assert gradescope["score"] == float(table[key]["total"]) and gradescope["tests"]
    assert len(list((out / "feedback").glob("*.html"))) == 9
    assert "<img" in (out / "report.html").read_text()


def test_progress_lines_and_summary(first_run):
    run, out, _ = first_run
    progress = [line for line in run.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 9 and progress[-1].startswith("[9/9]")
    assert "malformed" in run.stdout and "wrong-assignment" in run.stdout
    assert str(out / "grades.csv") in run.stdout


def test_a_rerun_reuses_results_and_gives_the_same_grades(built, classroom, first_run):
    _, out, before = first_run
    again = grade(classroom, "--assignment", NAME, "--autograder", built / "dist" / f"{NAME}.zip", "--out", out, *QUICK)
    assert again.returncode == 1, again.stderr
    assert "reused 7 results from an earlier run; --fresh to regrade" in again.stdout
    assert rows(out, built) == before


def test_gradescope_export_names_and_emails_and_exit_status_zero(built, tmp_path):
    root = tmp_path / "export" / "assignment_42_export"
    (root / "submission_1").mkdir(parents=True)
    (root / "submission_2").mkdir()
    shutil.copy(solved(built), root / "submission_1" / f"{NAME}.ipynb")
    shutil.copy(stub(built), root / "submission_2" / f"{NAME}.ipynb")
    (root / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ada Student\n    :sid: '1'\n    :email: ada@example.edu\n"
        "submission_2:\n  :submitters:\n  - :name: Ben\n    :email: ben@example.edu\n"
        "  - :name: Cleo\n    :email: cleo@example.edu\n"
    )
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", tmp_path / "export")
    out = tmp_path / "out"
    run = grade(archive, "--autograder", built / "dist" / f"{NAME}.zip", "--out", out, "--quiet", *QUICK)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""
    table = {row["submission"]: row for row in rows(out, built)}
    assert (table["submission_1"]["student"], table["submission_1"]["email"]) == ("Ada Student", "ada@example.edu")
    assert (table["submission_2"]["student"], table["submission_2"]["email"]) == ("Ben; Cleo", "ben@example.edu; cleo@example.edu")
    assert table["submission_1"]["total"] == table["submission_1"]["max"] and float(table["submission_2"]["total"]) == 0


def test_usage_errors_exit_with_status_two(tmp_path, built):
    assert grade(tmp_path / "nowhere").returncode == 2
    (tmp_path / "empty").mkdir()
    run = grade(tmp_path / "empty")
    assert run.returncode == 2 and "no submissions" in run.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(notebook, plain / "a.ipynb")
    run = grade(plain)
    assert run.returncode == 2 and "--assignment" in run.stderr and "Available" in run.stderr
    run = grade(plain, "--assignment", "99-no-such-assignment")
    assert run.returncode == 2 and "99-no-such-assignment" in run.stderr
    assert grade(plain, "--workers", "0").returncode == 2
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    run = grade(plain, "--autograder", tmp_path / "broken.zip")
    assert run.returncode == 2 and "cannot read the autograder" in run.stderr


def test_help():
    run = grade("--help")
    assert run.returncode == 0
    for option in ("--assignment", "--autograder", "--out", "--workers", "--timeout", "--memory", "--fresh", "--quiet"):
        assert option in run.stdout


def test_the_assignment_is_the_one_most_notebooks_name(built, tmp_path):
    for index in range(2):
        shutil.copy(solved(built), tmp_path / f"s{index}.ipynb")
    other = for_other_assignment(solved(built), tmp_path / "other.ipynb")
    submissions = [Submission(p.stem, p) for p in sorted(tmp_path.glob("*.ipynb"))]
    assert choose_assignment(None, None, submissions, **known(built)) == built / "dist" / f"{NAME}.zip"
    tie = [Submission("s0", tmp_path / "s0.ipynb"), Submission("other", other)]
    with pytest.raises(UsageError, match="several assignments"):
        choose_assignment(None, None, tie, **known(built))


def known(built: Path) -> dict:
    """``choose_assignment``'s view of the assignments in ``built``."""
    names = sorted(path.stem for path in (built / "dist").glob("*.zip"))
    return {"locate": lambda name: built / "dist" / f"{name}.zip", "candidates": lambda: names}


def test_notebooks_without_otter_metadata_are_told_apart_by_their_code(built, tmp_path):
    """The solution masters carry no otter metadata: their code names their assignment."""
    masters = sorted((ROOT / "solutions").glob("*.ipynb"))
    for master in masters:
        assert nbformat.read(master, as_version=4).metadata.get("otter") is None
        located = choose_assignment(None, None, [Submission(master.stem, master)], **known(built))
        assert located == built / "dist" / f"{master.stem}.zip"
    unrelated = tmp_path / "unrelated.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("total = 1 + 2")]), unrelated)
    with pytest.raises(UsageError, match="cannot tell which assignment"):
        choose_assignment(None, None, [Submission("unrelated", unrelated)], **known(built))


def test_a_worker_that_dies_twice_on_a_submission_records_an_error(built, tmp_path):
    """Kill the grading worker (a real SIGKILL) each time it grades ``loop``: retried once, then an error row."""
    loop = variant(built, tmp_path / "loop.ipynb", "while True:\n    pass")
    correct = shutil.copy(solved(built), tmp_path / "correct.ipynb")
    limits = Limits(notebook_seconds=30, cell_seconds=10, call_seconds=10)
    # spawn, not fork: this pytest process may have run torch operations already
    pool = Pool(built / "dist" / f"{NAME}.zip", limits, "bwrap", 1, method="spawn")
    killed: list[int] = []
    finished = threading.Event()

    def killer() -> None:
        while not finished.is_set() and len(killed) < 2:
            for worker in list(pool.workers):
                job = worker.job
                if job is not None and job.submission.key == "loop" and worker.process.pid not in killed:
                    time.sleep(0.5)
                    killed.append(worker.process.pid)
                    os.kill(worker.process.pid, signal.SIGKILL)
            time.sleep(0.05)

    results: list[dict] = []
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        pool.run([Submission("loop", loop), Submission("correct", Path(correct))], results.append,
                 lambda s, status, message: {"submission": s.key, "status": status, "message": message})
    finally:
        finished.set()
        thread.join()
    assert len(killed) == 2
    by_key = {r["submission"]: r for r in results}
    assert len(results) == 2
    assert by_key["loop"]["status"] == "error" and "died 2 times" in by_key["loop"]["message"]
    assert by_key["correct"]["status"] == "graded"


def test_the_demo_class_of_make_grade(built, tmp_path):
    """``examples/submissions`` (what a bare ``make grade`` grades) shows every status but malformed."""
    out = tmp_path / "out"
    run = grade(ROOT / "examples" / "submissions", "--autograder", built / "dist" / f"{NAME}.zip", "--out", out, *QUICK)
    assert run.returncode == 1, run.stderr
    table = {row["submission"]: row for row in rows(out, built)}
    assert {key: row["status"] for key, row in table.items()} == {
        "ada_correct": "graded", "ben_rmse": "graded", "cleo_unanswered": "graded", "dev_crash": "graded",
        "eve_endless_loop": "graded", "finn_grad_not_reset": "graded", "gus_otter_export": "graded",
        "hana_wrong_assignment": "wrong-assignment", "ivy_kernel_dies": "graded",
    }
    assert table["ada_correct"]["total"] == table["ada_correct"]["max"]
    assert float(table["cleo_unanswered"]["total"]) == 0
    assert "rmse-not-mse" in table["ben_rmse"]["message"]
    assert 0 < float(table["gus_otter_export"]["total"]) < float(table["gus_otter_export"]["max"])


def test_progress_bar_and_lines():
    bar = io.StringIO()
    progress = Progress(2, "bar", bar)
    progress.begin("grading 2 submissions")
    progress.update(SubmissionResult("a", NAME, "graded"))
    progress.update(SubmissionResult("b", NAME, "timeout"))
    progress.close()
    frames = bar.getvalue().split("\r")
    assert "0/2" in frames[1] and "grading 2 submissions" in frames[1]
    assert frames[-1].startswith("[" + "#" * 10) and "2/2" in frames[-1] and "graded 1 timeout 1" in frames[-1]
    lines = io.StringIO()
    progress = Progress(1, "lines", lines)
    progress.update(SubmissionResult("a", NAME, "graded", student="Ada"))
    assert lines.getvalue().startswith("[1/1] a Ada: graded")
    assert Progress.for_stream(1, quiet=False, stream=io.StringIO()).mode == "lines"
    assert Progress.for_stream(1, quiet=True, stream=io.StringIO()).mode == "off"


def test_cache_keys_change_with_notebook_zip_and_limits(built, tmp_path):
    notebook = Path(shutil.copy(solved(built), tmp_path / "a.ipynb"))
    zip_path = built / "dist" / f"{NAME}.zip"
    other_zip = Path(shutil.copy(zip_path, tmp_path / "other.zip"))
    with zipfile.ZipFile(other_zip, "a") as archive:
        archive.writestr("extra.txt", "changed")
    submission = Submission("a", notebook)
    base = Cache.open(tmp_path, zip_path, Limits(), "bwrap")
    assert base.key(submission) == Cache.open(tmp_path, zip_path, Limits(), "bwrap").key(submission)
    assert base.key(submission) != Cache.open(tmp_path, zip_path, Limits(cell_seconds=5), "bwrap").key(submission)
    assert base.key(submission) != Cache.open(tmp_path, other_zip, Limits(), "bwrap").key(submission)
    assert base.key(submission) != Cache.open(tmp_path, zip_path, Limits(), "none").key(submission)
    before = base.key(submission)
    notebook.write_bytes(notebook.read_bytes() + b" ")
    assert base.key(submission) != before
    assert base.key(Submission("bad", None, problem="empty")) is None
