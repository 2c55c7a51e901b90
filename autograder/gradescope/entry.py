"""``python -m autograder gradescope``: grade one Gradescope submission.

Gradescope unpacks the autograder zip to ``/autograder/source``, puts the student's
files in ``/autograder/submission`` and expects ``/autograder/results/results.json``.
This grades the one notebook found there with ``pipeline.grade_submission`` (the
path ``make grade`` uses) and always writes a ``results.json``, also when the
submission or the grader itself is broken.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.assignments import Assignment, load_assignment
from autograder.gradescope import add_arguments
from autograder.gradescope.results import results_json
from autograder.inputs import Choice, choose_notebook, ignored, notebooks_under, unpack_zip
from autograder.pipeline import Submission, grade_submission, zero_questions
from autograder.results import SubmissionResult
from autograder.sandbox import Limits, Sandbox, SandboxBroken, SandboxUnavailable

TELL_INSTRUCTOR = "Please tell your instructor: this is not a problem with your notebook."


@dataclass
class Layout:
    """The folders and files of Gradescope's autograder layout under ``root``."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def results(self) -> Path:
        return self.root / "results" / "results.json"

    @property
    def metadata(self) -> Path:
        return self.root / "submission_metadata.json"


def run_gradescope(args: argparse.Namespace, launched: Sandbox | None = None) -> int:
    """Grade the submission under ``args.root`` and write its results.json; 0 unless that failed.

    ``launched``: a bubblewrap sandbox already starting (``Sandbox.launch``), tried first.
    """
    started = time.monotonic()
    layout = Layout(args.root)
    layout.results.unlink(missing_ok=True)
    limits = Limits(notebook_seconds=args.timeout, memory_mb=args.memory)
    document = grade_layout(layout, args.sandbox, limits, launched)
    document["execution_time"] = round(time.monotonic() - started, 3)
    write_results(layout.results, document)
    extra = document.get("extra_data", {})
    print(f"score {document['score']}; status {extra.get('status')}; flags {extra.get('flags', [])}")
    return 0


def grade_layout(layout: Layout, requested: str, limits: Limits, launched: Sandbox | None = None) -> dict[str, Any]:
    """The results.json document for the submission in ``layout``; never raises."""
    try:
        assignment = load_assignment(layout.source)
    except Exception as error:  # noqa: BLE001 - a broken upload must still give a results.json
        return failure(None, f"The autograder's tests could not be loaded. {TELL_INSTRUCTOR}", repr(error))
    lock_down(layout)
    users = read_users(layout.metadata)
    with tempfile.TemporaryDirectory(prefix="gd-unpacked-") as unpacked:
        choice = find_notebook(layout.submission, Path(unpacked), assignment.name)
        submission = Submission(users["id"] or "submission", choice.path, users["names"], users["emails"],
                                choice.problem, choice.note)
        if choice.path is None:  # nothing to run: answered without starting a sandbox
            return labelled(results_json(grade_submission(submission, assignment, Sandbox(), limits)), "not started")
        try:
            sandbox = open_sandbox(requested, launched)
        except SandboxUnavailable as error:
            return labelled(failure(assignment, "The autograder could not start its sandbox, so your notebook was "
                                    f"not run. {TELL_INSTRUCTOR}", str(error)), "unavailable")
        try:
            document = results_json(grade_submission(submission, assignment, sandbox, limits))
        except Exception as error:  # noqa: BLE001 - the grader failed, not the student
            document = failure(assignment, f"The autograder failed while grading. {TELL_INSTRUCTOR}", repr(error))
        finally:
            sandbox.close()
        return labelled(document, sandbox.backend)


def labelled(document: dict[str, Any], backend: str) -> dict[str, Any]:
    """Record (for instructors) which sandbox ran the student's code."""
    document["extra_data"]["sandbox"] = backend
    return document


def failure(assignment: Assignment | None, output: str, detail: str) -> dict[str, Any]:
    """A results.json with no points that says the grader, not the student, failed."""
    result = SubmissionResult("submission", assignment.name if assignment else "", "error",
                              questions=zero_questions(assignment) if assignment else [], message=detail)
    document = results_json(result)
    document["output"] = output
    return document


def open_sandbox(requested: str, launched: Sandbox | None = None) -> Sandbox:
    """A started sandbox (``launched``, if it is of the backend tried): bubblewrap if it really starts
    here, else (``auto``) the setpriv fallback.

    Starting is the test: in a container bwrap may be installed yet unable to mount what it
    needs.  Student code never runs unconfined: with neither, this raises.
    """
    errors = []
    for backend in ("bwrap", "setpriv") if requested == "auto" else (requested,):
        sandbox = launched if launched is not None and launched.backend == backend else Sandbox(backend)
        try:
            if sandbox.starting:
                sandbox.await_ready()
            else:
                sandbox.start()
            return sandbox
        except (SandboxUnavailable, SandboxBroken, OSError) as error:
            sandbox.close()
            errors.append(f"{backend}: {error}")
    raise SandboxUnavailable("; ".join(errors))


def lock_down(layout: Layout) -> None:
    """Make the tests, the submission, the metadata and the results readable by root only."""
    if os.geteuid() != 0:
        return
    for path, mode in ((layout.source, 0o700), (layout.submission, 0o700), (layout.results.parent, 0o700),
                       (layout.metadata, 0o600)):
        if path.exists():
            os.chmod(path, mode)


def read_users(path: Path) -> dict[str, str]:
    """Submission id and the names and emails of its submitters, from submission_metadata.json."""
    try:
        metadata = json.loads(path.read_text())
    except (OSError, ValueError):
        metadata = {}
    users = metadata.get("users") if isinstance(metadata, dict) else None
    users = [user for user in users if isinstance(user, dict)] if isinstance(users, list) else []
    return {
        "id": str(metadata.get("id", "")) if isinstance(metadata, dict) else "",
        "names": "; ".join(str(user.get("name", "")) for user in users),
        "emails": "; ".join(str(user.get("email", "")) for user in users),
    }


def find_notebook(folder: Path, unpacked: Path, assignment: str | None = None) -> Choice:
    """The notebook to grade in the submission (zips are looked into), or a problem the student can fix.

    Several notebooks: ``choose_notebook`` (the same code counts once; else the one named
    after ``assignment``), and the note says which one was graded.
    """
    found: list[tuple[str, Path]] = []
    broken: list[str] = []
    for number, path in enumerate(sorted(submitted_files(folder))):
        label = str(path.relative_to(folder))
        if path.suffix.lower() == ".ipynb":
            found.append((label, path))
        elif path.suffix.lower() == ".zip":
            try:
                inside = unpack_zip(path, unpacked / f"zip{number}")
                found += [(f"{found_path.relative_to(inside)} in {label}", found_path)
                          for found_path in notebooks_under(inside)]
            except (zipfile.BadZipFile, OSError, ValueError) as error:
                broken.append(f"{path.name} ({error})")
    if not found:
        problem = "No Jupyter notebook (.ipynb) was found in your submission. Upload your notebook file."
        if broken:
            problem += " These files could not be opened as zips: " + ", ".join(broken) + "."
        return Choice(None, problem=problem)
    return choose_notebook(found, "Your submission", assignment)


def submitted_files(folder: Path) -> list[Path]:
    """The files the student uploaded, without editor and OS leftovers."""
    if not folder.is_dir():
        return []
    return [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()
            and not any(ignored(part) for part in path.relative_to(folder).parts)]


def write_results(path: Path, document: dict[str, Any]) -> None:
    """Write results.json in one step, so a half-written file is never read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(document, indent=1, allow_nan=False))
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder gradescope", description=__doc__)
    add_arguments(parser)
    return run_gradescope(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
