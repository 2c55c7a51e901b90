"""Grade a whole class: find the submissions, grade them in parallel, write grades and reports.

``run_grade(args)`` is ``python -m autograder grade`` (see ``cli.py``, which lists its exit statuses).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.assignments import Assignment, available, default_zip, load_assignment
from autograder.cache import CACHE, Cache
from autograder.cli import ATTENTION, GRADED, INTERRUPTED, UNWRITTEN, USAGE, available_cpus
from autograder.gradescope.results import results_json
from autograder.identify import answer_names, identify
from autograder.inputs import SubmissionsError, discover
from autograder.notebook import read_notebook
from autograder.pipeline import Submission, zero_questions
from autograder.pool import Pool
from autograder.progress import Progress, terminal_text
from autograder.reports import write_grades_csv, write_reports
from autograder.reports.gradebook import RosterError
from autograder.reports.instructor import ClassRun
from autograder.reports.output import Failures
from autograder.reports.page import file_names
from autograder.results import STATUSES, SubmissionResult
from autograder.sandbox import Limits, Sandbox, SandboxUnavailable, check_bwrap

LISTED = 20  # submissions needing attention listed by name at the end of the summary


class UsageError(ValueError):
    """The command cannot run as given (exit status ``USAGE``); the message says what to do."""


# ---------------------------------------------------------------- which assignment


def available_text() -> str:
    names = available()
    return ", ".join(names) if names else "none built yet (run `make autograder`)"


def notebook_assignment(submission: Submission, answers: dict[str, set[str]]) -> str | None:
    """The assignment a submission's notebook is for (see ``identify``), if that can be told.

    A notebook that cannot be read or analysed counts for none; grading reports what is wrong with it.
    """
    if submission.path is None:
        return None
    try:
        return identify(read_notebook(submission.path), answers)
    except Exception:  # noqa: BLE001 - MalformedNotebook, or analysis of untrusted code that failed
        return None


def choose_assignment(name: str | None, autograder_zip: Path | None, submissions: list[Submission],
                      locate: Callable[[str], Path] = default_zip,
                      candidates: Callable[[], list[str]] = available) -> Path:
    """The autograder zip (or folder) to grade against: given, or that of the class's assignment.

    Without a name, the class's assignment is the one most notebooks are for: by their otter
    metadata, else by the answers their code defines (``identify``).  Notebooks whose metadata
    names another assignment are then reported as ``wrong-assignment`` by the pipeline.
    """
    if autograder_zip is not None:
        if not autograder_zip.exists():
            raise UsageError(f"the autograder {autograder_zip} does not exist")
        return autograder_zip
    if name is None:
        answers = {known: answer_names(load_assignment(locate(known))) for known in candidates()}
        found = Counter(n for n in (notebook_assignment(s, answers) for s in submissions) if n)
        if not found:
            raise UsageError(
                "cannot tell which assignment these notebooks belong to (no otter metadata, and their "
                f"code defines none of the answers); pass --assignment NAME. Available: {available_text()}"
            )
        ranked = found.most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            tied = ", ".join(f"{n} ({c})" for n, c in ranked)
            raise UsageError(f"the notebooks belong to several assignments ({tied}); pass --assignment NAME")
        name = ranked[0][0]
    source = locate(name)
    if not source.exists():
        raise UsageError(f"no autograder for assignment {name!r} at {source}. Available: {available_text()}")
    return source


# ---------------------------------------------------------------- grading


def failure(assignment: Assignment, submission: Submission, status: str, message: str) -> SubmissionResult:
    """A row for a submission that was not graded (unreadable, or the grader failed on it)."""
    return SubmissionResult(
        submission.key, assignment.name, status, questions=zero_questions(assignment),
        student=submission.student, email=submission.email, message=message,
    )


def grade_all(submissions: list[Submission], assignment: Assignment, source: Path, args: argparse.Namespace,
              limits: Limits, progress: Progress, launched: list[Sandbox] | None = None,
              ) -> tuple[list[SubmissionResult], int]:
    """Every submission's result in input order, and how many came from the cache (``launched``: see ``Pool``)."""
    cache = Cache.open(args.out, source, limits, args.sandbox)
    results: dict[str, SubmissionResult] = {}
    todo: list[Submission] = []
    for submission in submissions:
        cached = None if args.fresh else cache.get(submission)
        if submission.problem or submission.path is None:
            results[submission.key] = failure(assignment, submission, "malformed",
                                              submission.problem or "No notebook found.")
        elif cached is not None:
            results[submission.key] = cached
        else:
            todo.append(submission)
            continue
        progress.update(results[submission.key], reused=cached is not None)
    reused = sum(1 for s in submissions if s.key in results and not s.problem and s.path is not None)
    by_key = {s.key: s for s in todo}
    pool_failures: set[str] = set()

    def report(data: dict[str, Any]) -> None:
        result = SubmissionResult.from_dict(data)
        results[result.submission] = result
        if result.submission not in pool_failures:
            cache.put(by_key[result.submission], result)
        progress.update(result)

    def failed(submission: Submission, status: str, message: str) -> dict[str, Any]:
        pool_failures.add(submission.key)
        return failure(assignment, submission, status, message).to_dict()

    if todo:
        workers = worker_count(args.workers, len(todo))
        progress.begin(f"grading {len(todo)} submissions with {workers} sandboxed workers")
        Pool(source, limits, args.sandbox, workers, launched=launched).run(todo, report, failed)
    progress.close()
    return [results[s.key] for s in submissions], reused


def worker_count(requested: int, jobs: int) -> int:
    return max(1, min(requested or available_cpus(), jobs))


# ---------------------------------------------------------------- outputs


def write_outputs(results: list[SubmissionResult], assignment: Assignment, out: Path,
                  instructor: ClassRun | None = None) -> list[str]:
    """grades.csv, one Gradescope ``results.json`` per submission, feedback pages and report.html
    (and, with ``instructor``, the regrade diff, gradebook and similarity outputs first).

    Each file is written on its own; what could not be written is returned, the rest is written.
    """
    failures = Failures()
    sections = []
    if instructor is not None:
        with failures.guard("regrade, gradebook and similarity outputs"):
            sections = instructor.write(results, assignment, out)
    with failures.guard("grades.csv"):
        write_grades_csv(results, assignment.questions, out / "grades.csv")
    folder = out / "results"
    with failures.guard("results/"):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    for result, page in zip(results, file_names([result.submission for result in results])):
        name = Path(page).with_suffix(".json").name
        with failures.guard(f"results/{name}"):
            (folder / name).write_text(json.dumps(results_json(result), indent=1))
    with failures.guard("feedback/ and report.html"):
        failures += write_reports(results, assignment, out, code=instructor and instructor.code,
                                  sections=sections)
    return failures


def summary(results: list[SubmissionResult], assignment: Assignment, out: Path, reused: int,
            seconds: float, notes: list[str] | None = None) -> str:
    """The one-screen summary printed at the end; it ends with the submissions that need attention."""
    counts = Counter(r.status for r in results)
    lines = [f"{assignment.name}: {len(results)} submissions in {seconds:.1f} s"]
    if reused:
        lines.append(f"reused {reused} results from an earlier run; --fresh to regrade")
    lines += [f"  {status:<17}{counts[status]:>5}" for status in STATUSES if counts[status]]
    totals = [r.total for r in results]
    graded = [r.total for r in results if r.status == "graded"]
    partial = f" ({sum(graded) / len(graded):.2f} over graded submissions)" if 0 < len(graded) < len(results) else ""
    lines.append(f"mean score {sum(totals) / len(totals):.2f} / {assignment.max_score:g}{partial}")
    flagged = sum(1 for r in results if r.flags)
    if flagged:
        lines.append(f"{flagged} submission(s) flagged for review (flags column)")
    lines.append(f"grades:   {terminal_text(out / 'grades.csv')}")
    lines.append(f"report:   {terminal_text(out / 'report.html')}")
    lines.append(f"feedback: {terminal_text(out / 'feedback')}/ (one page per student), "
                 f"Gradescope JSON: {terminal_text(out / 'results')}/")
    lines += [terminal_text(note) for note in notes or []]
    return "\n".join(lines + attention(results))


def attention(results: list[SubmissionResult]) -> list[str]:
    """The summary's last lines: "N submissions need attention" and each one not graded (the first
    ``LISTED``) with its status and message, shortened between words; or that all were graded."""
    others = [r for r in results if r.status != "graded"]
    if not others:
        return ["every submission was graded"]
    one = len(others) == 1
    lines = [f"{len(others)} submission{'' if one else 's'} need{'s' if one else ''} attention "
             "(status other than graded):"]
    lines += [f"  {terminal_text(r.submission)}: {r.status}: {terminal_text(r.message, 100)}" for r in others[:LISTED]]
    if len(others) > LISTED:
        lines.append(f"  ... and {len(others) - LISTED} more: the status column of grades.csv")
    return lines


# ---------------------------------------------------------------- the command


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(notebook_seconds=args.timeout, cell_seconds=args.cell_timeout,
                  call_seconds=args.call_timeout, memory_mb=args.memory)


def find_class(args: argparse.Namespace, workdir: Path) -> tuple[list[Submission], Path, Assignment]:
    """The submissions, the autograder to use and its assignment; ``UsageError`` if impossible."""
    skipped: list[str] = []
    submissions = discover(args.submissions, workdir, skipped)
    if skipped:
        names = ", ".join(terminal_text(name, 60) for name in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        print(f"note: skipped {len(skipped)} file(s) that are not notebooks, zips or folders: {names}",
              file=sys.stderr)
    if not submissions:
        raise UsageError(f"no submissions found in {args.submissions}")
    source = choose_assignment(args.assignment, args.autograder, submissions)
    try:
        assignment = load_assignment(source)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise UsageError(f"cannot read the autograder {source}: {error}") from error
    if args.assignment and assignment.name != args.assignment:
        raise UsageError(f"{source} is the autograder of {assignment.name!r}, not {args.assignment!r}")
    return submissions, source, assignment


def run_grade(args: argparse.Namespace, launched: list[Sandbox] | None = None) -> int:
    """``python -m autograder grade``; returns one of ``cli.EXIT_STATUSES`` (``launched``: see ``Pool``)."""
    started = time.monotonic()
    try:
        if args.sandbox == "bwrap":
            check_bwrap()
        else:
            print("warning: --sandbox none runs student code unconfined, with your permissions", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="grade-inputs-") as workdir:
            submissions, source, assignment = find_class(args, Path(workdir))
            instructor = ClassRun.collect(submissions, assignment, source, limits_from(args), args.sandbox,
                                          args.roster)
            args.out.mkdir(parents=True, exist_ok=True)
            progress = Progress.for_stream(len(submissions), args.quiet)
            results, reused = grade_all(submissions, assignment, source, args, limits_from(args), progress,
                                        launched)
    except (UsageError, SubmissionsError, SandboxUnavailable, RosterError) as error:
        print(f"error: {terminal_text(error)}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished results are kept in {args.out / CACHE}; run again to continue",
              file=sys.stderr)
        return INTERRUPTED
    failures = write_outputs(results, assignment, args.out, instructor)
    for failure in failures:
        print(f"error: could not write {terminal_text(failure)}", file=sys.stderr)
    sys.stderr.flush()
    print(summary(results, assignment, args.out, reused, time.monotonic() - started, instructor.notes))
    if failures:
        return UNWRITTEN
    return GRADED if all(r.status == "graded" for r in results) else ATTENTION
