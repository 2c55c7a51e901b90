"""Grade a whole class: find the submissions, grade them in parallel, write the reports."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from autograder.assignments import default_zip, load_assignment
from autograder.pipeline import Submission, grade_submission
from autograder.results import SubmissionResult
from autograder.sandbox import Limits, Sandbox, SandboxUnavailable, check_bwrap


def find_submissions(folder: Path) -> list[Submission]:
    """Every notebook in ``folder`` (one per file)."""
    return [Submission(path.stem, path) for path in sorted(folder.glob("*.ipynb"))]


def run_grade(args: argparse.Namespace) -> int:
    limits = Limits(
        notebook_seconds=args.timeout,
        cell_seconds=args.cell_timeout,
        call_seconds=args.call_timeout,
        memory_mb=args.memory,
    )
    if args.sandbox == "bwrap":
        try:
            check_bwrap()
        except SandboxUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    assignment = load_assignment(args.autograder or default_zip(args.assignment))
    submissions = find_submissions(args.submissions)
    args.out.mkdir(parents=True, exist_ok=True)
    results: list[SubmissionResult] = []
    with Sandbox(args.sandbox) as sandbox:
        for submission in submissions:
            results.append(grade_submission(submission, assignment, sandbox, limits))
    write_csv(results, [test.name for test in assignment.tests], args.out / "grades.csv")
    for result in results:
        (args.out / f"{result.submission}.json").write_text(json.dumps(result.to_dict(), indent=1))
    print(f"graded {len(results)} submissions; grades in {args.out / 'grades.csv'}")
    return 0 if all(r.status == "graded" for r in results) else 1


def write_csv(results: list[SubmissionResult], questions: list[str], path: Path) -> None:
    columns = ["submission", "student", "email", *questions, "total", "max", "status", "flags", "message"]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for result in results:
            scores = {q.name: q.score for q in result.questions}
            writer.writerow(
                [result.submission, result.student, result.email, *[scores.get(q, 0) for q in questions],
                 result.total, result.max_score, result.status, "; ".join(result.flags), result.message]
            )


