"""Throughput of ``make grade`` against a sequential ``otter run`` loop, on the same class.

``make bench`` (after ``make autograder``) runs this: it writes a class of mixed
submissions for one assignment (solutions, stubs, every mistake of the corpus, notebooks
whose cells raise) into a temporary folder, grades it with the harness
(``python -m autograder grade``, start-up included) and with ``otter run`` one notebook
at a time, checks that every total is identical, and prints submissions per second for
each and their ratio.  An endless loop is then graded by the harness alone, to show it is
stopped: ``otter run`` has no time limit and would never return.  This is a benchmark, not
a test: nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.otter_reference import otter_run_total, otter_zip  # noqa: E402
from tests.corpus import Edit, write_variant  # noqa: E402

PYTHON = Path(sys.executable)
LOOP = "while True:\n    pass"
RAISES = "raise RuntimeError('a student cell that fails')"


@dataclass(frozen=True)
class Entry:
    """One generated submission."""

    key: str
    path: Path


def mistakes(name: str) -> list:
    """The mistake corpus of an assignment (``tests/corpus/mistakes_NN.py``), if there is one."""
    try:
        module = importlib.import_module(f"tests.corpus.mistakes_{name[:2]}")
    except ModuleNotFoundError:
        return []
    return [variant for variant in module.MISTAKES if variant.assignment == name]


def make_class(name: str, folder: Path, copies: int) -> list[Entry]:
    """Write ``copies`` of every kind of submission (each copy signed, so no two are byte-identical)."""
    solved = solved_notebook(name)
    stub = ROOT / "assignments" / name / f"{name}.ipynb"
    kinds: list[tuple[str, Path, tuple[Edit, ...], tuple[str, ...]]] = [
        ("solution", solved, (), ()),
        ("stub", stub, (), ()),
        ("raises", solved, (), (RAISES,)),
    ]
    kinds += [(f"mistake-{v.id}", solved, v.edits, ()) for v in mistakes(name)]
    entries = []
    for copy in range(copies):
        for kind, base, edits, extra in kinds:
            key = f"{kind}-{copy}"
            path = write_variant(name, edits, folder / f"{key}.ipynb", (*extra, f"# student {copy}"), base=base)
            entries.append(Entry(key, path))
    return entries


def solved_notebook(name: str) -> Path:
    return ROOT / "autograder" / "dist" / name / "autograder" / f"{name}.ipynb"


def grade_with_harness(
    autograder: Path, submissions: Path, out: Path, *options: str, root: Path = ROOT
) -> tuple[dict[str, list], float]:
    """Each submission's [total, status] from ``python -m autograder grade`` (of the project at ``root``), and its wall time."""
    command = [str(PYTHON), "-m", "autograder", "grade", str(submissions), "--autograder", str(autograder),
               "--out", str(out), "--fresh", "--quiet", *options]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, cwd=root)
    seconds = time.monotonic() - started
    if run.returncode not in (0, 1):
        raise SystemExit(f"the harness failed:\n{run.stdout}\n{run.stderr}")
    with (out / "grades.csv").open() as handle:
        return {row["submission"]: [float(row["total"]), row["status"]] for row in csv.DictReader(handle)}, seconds


def worker_seconds(out: Path) -> float:
    """Mean seconds a worker spent on one submission (each result's ``execution_time``)."""
    times = [json.loads(path.read_text()).get("execution_time", 0.0) for path in (out / "results").glob("*.json")]
    return sum(times) / len(times) if times else float("nan")


def harness_at(ref: str, folder: Path, name: str) -> tuple[Path, Path]:
    """A checkout of the project at ``ref`` with its own build of ``name``: (its root, its autograder zip)."""
    root = folder / "before"
    subprocess.run(["git", "worktree", "add", "--detach", "--force", str(root), ref], cwd=ROOT, check=True,
                   capture_output=True)
    subprocess.run([str(PYTHON), "-m", "autograder.build", "assign"], cwd=root, check=True, capture_output=True)
    subprocess.run([str(PYTHON), "-m", "autograder.build", "zip"], cwd=root, check=True, capture_output=True)
    return root, otter_zip(root / "autograder" / "dist" / name / "autograder", folder / "before-zip", name)


def grade_with_otter(entries: list[Entry], autograder: Path, folder: Path) -> tuple[dict[str, float], float]:
    """Totals from ``otter run``, one notebook after the other, and the wall time of the loop."""
    started = time.monotonic()
    totals = {e.key: otter_run_total(autograder, e.path, folder / "otter-out" / e.key) or 0.0 for e in entries}
    return totals, time.monotonic() - started


def same(ours: list | None, otter: float) -> bool:
    """Equal totals (otter rounds to 5 decimals, the harness to 6)."""
    return ours is not None and abs(ours[0] - otter) < 1e-4


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="02-quadratic-fit")
    parser.add_argument("--copies", type=int, default=3, help="copies of each kind of submission")
    parser.add_argument("--workers", type=int, default=0, help="harness workers (default: CPUs)")
    parser.add_argument("--before", metavar="REF", help="also grade the class with the harness at this git "
                        "commit, and print its worker-seconds per submission beside today's")
    args = parser.parse_args(argv)
    if not solved_notebook(args.assignment).exists():
        raise SystemExit(f"build the assignments first: make assign ({solved_notebook(args.assignment)} is missing)")
    with tempfile.TemporaryDirectory(prefix="grade-bench-") as temporary:
        folder = Path(temporary)
        entries = make_class(args.assignment, folder / "class", args.copies)
        autograder = otter_zip(ROOT / "autograder" / "dist" / args.assignment / "autograder", folder, args.assignment)
        workers = ["--workers", str(args.workers)] if args.workers else []
        print(f"{len(entries)} submissions of {args.assignment}; both graders use {autograder.name}", flush=True)
        ours, our_seconds = grade_with_harness(autograder, folder / "class", folder / "out", *workers)
        print(f"harness:   {len(entries)} in {our_seconds:.1f} s = {len(entries) / our_seconds:.2f} submissions/s, "
              f"{worker_seconds(folder / 'out'):.3f} worker-seconds per submission", flush=True)
        if args.before:
            root, before_zip = harness_at(args.before, folder, args.assignment)
            try:
                _, before_seconds = grade_with_harness(before_zip, folder / "class", folder / "before-out", *workers,
                                                       root=root)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(root)], cwd=ROOT, capture_output=True)
            print(f"harness at {args.before}: {len(entries)} in {before_seconds:.1f} s, "
                  f"{worker_seconds(folder / 'before-out'):.3f} worker-seconds per submission", flush=True)
        theirs, their_seconds = grade_with_otter(entries, autograder, folder)
        print(f"otter run: {len(entries)} in {their_seconds:.1f} s = {len(entries) / their_seconds:.2f} submissions/s",
              flush=True)
        write_variant(args.assignment, (), folder / "loop" / "endless-loop.ipynb", (LOOP,), base=solved_notebook(args.assignment))
        loop, loop_seconds = grade_with_harness(autograder, folder / "loop", folder / "loop-out", "--cell-timeout", "5")
    differ = {k: (ours[k][0] if k in ours else None, theirs[k]) for k in theirs if not same(ours.get(k), theirs[k])}
    for key, (mine, otter) in sorted(differ.items()):
        print(f"  DIFFERENT {key}: harness {mine}, otter {otter}")
    ratio = our_seconds and their_seconds / our_seconds
    print(f"identical totals: {len(theirs) - len(differ)}/{len(theirs)}; speed-up {ratio:.1f}x (goal: 30x)")
    print(f"an endless loop (not given to otter run, which has no time limit): harness status "
          f"{loop['endless-loop'][1]} after {loop_seconds:.1f} s with --cell-timeout 5")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
