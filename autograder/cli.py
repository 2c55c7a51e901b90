"""Command-line interface: ``python -m autograder grade ...``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from autograder.sandbox import BACKENDS, Limits, Sandbox

# Exit statuses of ``python -m autograder grade`` (README, "Exit status"); ``make grade`` counts
# ATTENTION as done, so a class with a timeout or a crash does not end in a make error.
GRADED, ATTENTION, USAGE, UNWRITTEN, INTERRUPTED = 0, 1, 2, 3, 130
EXIT_STATUSES = {
    GRADED: "every submission graded",
    ATTENTION: "some submissions need attention (not graded: the summary ends with them)",
    USAGE: "usage error, nothing graded",
    UNWRITTEN: "some output files could not be written (listed on stderr)",
    INTERRUPTED: "interrupted (finished results are kept for the next run)",
}

# A cell of these exercises runs in well under a second; 20 s stops an endless loop quickly
# without cutting a slow but correct notebook short.
CELL_SECONDS = 20.0


def positive(kind: type) -> Any:
    """An argparse type for numbers greater than zero."""

    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, not {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser(
        "grade",
        help="grade a class of submissions",
        description="Grade every submission in SUBMISSIONS (a folder of notebooks, of per-student "
        "folders, of otter zips, or a Gradescope export zip/folder) and write grades.csv, feedback, "
        "report.html and results.json files to OUT.",
        epilog="exit status: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_STATUSES.items()) + ".",
    )
    grade.add_argument("submissions", type=Path, help="folder or zip of submissions")
    grade.add_argument("--assignment", help="assignment name (default: read from the notebooks)")
    grade.add_argument("--autograder", type=Path, help="autograder zip or folder (default: autograder/dist/<assignment>.zip)")
    grade.add_argument("--out", type=Path, default=Path("grades"), help="output folder (default: ./grades)")
    grade.add_argument("--workers", type=positive(int), default=0, help="parallel sandboxes (default: number of CPUs)")
    grade.add_argument("--sandbox", choices=BACKENDS, default="bwrap", help="'none' runs student code unconfined: only for trusted submissions")
    grade.add_argument("--timeout", type=positive(float), default=Limits.notebook_seconds, help="seconds per notebook (default: %(default)s)")
    grade.add_argument("--cell-timeout", type=positive(float), default=CELL_SECONDS, help="seconds per cell (default: %(default)s)")
    grade.add_argument("--call-timeout", type=positive(float), default=Limits.call_seconds, help="seconds per call of a student function by a test (default: %(default)s)")
    grade.add_argument("--memory", type=positive(int), default=Limits.memory_mb, help="memory limit per submission in MB (default: %(default)s)")
    grade.add_argument("--roster", type=Path, help="course roster CSV (a Canvas gradebook export works): match "
                       "students by email or name, list who has no submission, write gradebook.csv for Canvas")
    grade.add_argument("--fresh", action="store_true", help="ignore results kept from an earlier run")
    grade.add_argument("--quiet", action="store_true", help="no progress output (default: a bar on a terminal, else one line per submission)")
    from autograder.gradescope import add_arguments

    add_arguments(commands.add_parser("gradescope", help="grade one submission inside Gradescope's /autograder layout"))
    return parser


def available_cpus() -> int:
    """The CPUs this process may run on: the default number of grading workers."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def launch_sandboxes(backend: str, count: int) -> list[Sandbox]:
    """Start ``count`` sandboxes' zygotes now, so they import torch while this process imports the
    rest (seconds); none if they cannot start here (starting them again later says why)."""
    launched: list[Sandbox] = []
    try:
        for _ in range(count):
            launched.append(Sandbox(backend))
            launched[-1].launch()
    except Exception:  # noqa: BLE001 - an early start is only an optimisation
        for sandbox in launched:
            sandbox.close()
        return []
    return launched


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    launched: list[Sandbox] = []
    try:
        if args.command == "grade":
            if args.sandbox == "bwrap" and args.submissions.exists():
                launched = launch_sandboxes("bwrap", args.workers or available_cpus())
            from autograder.batch import run_grade

            return run_grade(args, launched)
        if args.command == "gradescope":
            if args.sandbox in ("auto", "bwrap"):
                launched = launch_sandboxes("bwrap", 1)
            from autograder.gradescope.entry import run_gradescope

            return run_gradescope(args, launched[0] if launched else None)
        return 2
    finally:
        for sandbox in launched:
            sandbox.close()


if __name__ == "__main__":
    sys.exit(main())
