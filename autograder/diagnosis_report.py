"""How often the named mistakes are right: precision and recall per tag over the labelled corpora.

``make diagnosis-report`` (``python -m autograder.diagnosis_report``) grades every labelled
notebook of ``tests/corpus`` (the mistakes built from the solutions, the right answers written
other ways, and the real-world code of ``tests/corpus/realworld_*.py``) with the same pipeline
as ``make grade``, then prints, per mistake tag, how often a named mistake is the real one
(precision) and how often a real mistake is named (recall), plus the right answers that lost
points.  It needs the project checkout (the corpora live in ``tests/``), not only the harness.

A case is one notebook with its truth: ``question`` and ``tag`` for a mistake (``tag`` may be
``None`` when no named mistake fits), or neither for a right answer.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.cli import available_cpus
from autograder.pipeline import Submission
from autograder.results import SubmissionResult
from autograder.sandbox import Limits

# A cell gets 10 s: every labelled cell runs in well under one; slow wrong code (a (d, 1) weight that
# broadcasts to n x n) is stopped as it would be in class, and costs the report less time.
LIMITS = Limits(notebook_seconds=60, cell_seconds=10, call_seconds=10, memory_mb=1500)
MIN_PRECISION = 0.95


@dataclass(frozen=True)
class Case:
    """A labelled notebook: ``write(path)`` writes it; a mistake on ``question`` named ``tag``, or right."""

    key: str
    corpus: str
    assignment: str
    write: Callable[[Path], Path]
    question: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A case and how the grader judged it."""

    case: Case
    result: SubmissionResult

    @property
    def lost(self) -> list[str]:
        """The questions that lost points (all of them when the notebook was not graded)."""
        return [q.name for q in self.result.questions if q.score < q.max_score]

    @property
    def failed_cases(self) -> list[str]:
        """Every failing test case, public or hidden, as ``question: message``."""
        return [f"{q.name}: {c.message}" for q in self.result.questions for c in q.cases if not c.passed]

    @property
    def named(self) -> dict[str, list[str]]:
        """The mistake tags the grader names, per question that lost points (what the grades' message lists)."""
        return {q.name: q.mistakes for q in self.result.questions if q.mistakes and q.score < q.max_score}

    @property
    def right_lost_points(self) -> bool:
        return self.case.question is None and (bool(self.failed_cases) or self.result.status != "graded")

    @property
    def problem(self) -> str | None:
        """What is wrong with this verdict, or None if the grader got the case right."""
        case = self.case
        if case.question is None:
            return f"a right answer failed: {self.failed_cases}" if self.right_lost_points else None
        if self.lost != [case.question]:
            return f"lost points on {self.lost}, expected only {case.question}"
        if case.tag is not None and case.tag not in self.named.get(case.question, []):
            return f"named {self.named.get(case.question, [])}, expected {case.tag}"
        return None


@dataclass(frozen=True)
class TagScore:
    """Precision and recall of one tag."""

    tag: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float | None:
        named = self.true_positives + self.false_positives
        return self.true_positives / named if named else None

    @property
    def recall(self) -> float | None:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else None


def scores(outcomes: list[Outcome]) -> list[TagScore]:
    """Per tag: named on the real mistake's question (TP), named anywhere else (FP), real but not named (FN)."""
    tags = {o.case.tag for o in outcomes if o.case.tag} | {t for o in outcomes for ts in o.named.values() for t in ts}
    table = []
    for tag in sorted(tags):
        tp = fp = fn = 0
        for outcome in outcomes:
            truth = (outcome.case.question, outcome.case.tag)
            for question, named in outcome.named.items():
                if tag in named:
                    if truth == (question, tag):
                        tp += 1
                    else:
                        fp += 1
            if outcome.case.tag == tag and tag not in outcome.named.get(outcome.case.question or "", []):
                fn += 1
        table.append(TagScore(tag, tp, fp, fn))
    return table


# ---------------------------------------------------------------- the labelled corpora


def labelled_cases(built: Path) -> list[Case]:
    """Every labelled notebook of ``tests/corpus``: mistakes, alternatives and real-world code."""
    from tests.corpus import all_mistakes, write_student_notebook, write_variant
    from tests.corpus.alternatives import ALTERNATIVES
    from tests.corpus.realworld import all_real_cases

    cases = [
        Case(f"mistake-{v.assignment}-{v.id}", "mistakes", v.assignment,
             lambda path, v=v: write_variant(v.assignment, v.edits, path), v.question, v.tag)
        for v in all_mistakes()
    ]
    cases += [
        Case(f"alternative-{a.assignment}-{a.id}", "alternatives", a.assignment,
             lambda path, a=a: write_student_notebook(built, a.assignment, a.answers, path, a.extra_cells, a.before))
        for a in ALTERNATIVES
    ]
    cases += [
        Case(f"realworld-{r.assignment}-{r.id}", "realworld", r.assignment,
             lambda path, r=r: write_student_notebook(built, r.assignment, r.answers, path), r.question, r.tag)
        for r in all_real_cases()
    ]
    return cases


def grade_cases(cases: list[Case], built: Path, workers: int = 2, limits: Limits = LIMITS) -> list[Outcome]:
    """Write and grade every case, one pool of reused sandboxes per assignment."""
    from autograder.pool import Pool

    results: dict[str, SubmissionResult] = {}

    def report(data: dict) -> None:
        result = SubmissionResult.from_dict(data)
        results[result.submission] = result

    def failed(submission: Submission, status: str, message: str) -> dict:
        return SubmissionResult(submission.key, "", status, message=message).to_dict()

    with tempfile.TemporaryDirectory(prefix="diagnosis-") as folder:
        for assignment in sorted({case.assignment for case in cases}):
            todo = [Submission(case.key, case.write(Path(folder) / f"{case.key}.ipynb"))
                    for case in cases if case.assignment == assignment]
            Pool(built / "dist" / f"{assignment}.zip", limits, "bwrap", workers).run(todo, report, failed)
    return [Outcome(case, results[case.key]) for case in cases]


# ---------------------------------------------------------------- the report


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def table(outcomes: list[Outcome]) -> str:
    """The accuracy table in Markdown, with the counts it is computed from."""
    rows = scores(outcomes)
    by_corpus: dict[str, int] = {}
    for outcome in outcomes:
        by_corpus[outcome.case.corpus] = by_corpus.get(outcome.case.corpus, 0) + 1
    right = [o for o in outcomes if o.case.question is None]
    lines = [
        "| mistake tag | precision | recall | named right | named wrongly | real, not named |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [f"| `{r.tag}` | {percent(r.precision)} | {percent(r.recall)} | {r.true_positives} | "
              f"{r.false_positives} | {r.false_negatives} |" for r in rows]
    corpora = ", ".join(f"{count} {name}" for name, count in sorted(by_corpus.items()))
    lines += [
        "",
        f"{len(outcomes)} labelled notebooks ({corpora}); {len(right)} right answers, "
        f"{sum(o.right_lost_points for o in right)} of which lost points; "
        f"{sum(1 for o in outcomes if o.case.question and o.problem is None)} of "
        f"{sum(1 for o in outcomes if o.case.question)} mistakes lost points on their own question only "
        "and were named as labelled.",
    ]
    return "\n".join(lines)


def problems(outcomes: list[Outcome]) -> list[str]:
    """Every case the grader got wrong, and every tag below ``MIN_PRECISION``."""
    found = [f"{o.case.key}: {o.problem}" for o in outcomes if o.problem]
    found += [f"tag {r.tag}: precision {r.precision:.2f} < {MIN_PRECISION}"
              for r in scores(outcomes) if r.precision is not None and r.precision < MIN_PRECISION]
    return found


def built_folder(given: Path | None) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """The folder with ``dist/`` and ``assignments/``: given, ``$AUTOGRADER_BUILT``, or built now."""
    reuse = given or (Path(os.environ["AUTOGRADER_BUILT"]) if os.environ.get("AUTOGRADER_BUILT") else None)
    if reuse is not None:
        return reuse, None
    from autograder.build import assign_all, build_zip, master_notebooks

    scratch = tempfile.TemporaryDirectory(prefix="diagnosis-built-")
    base = Path(scratch.name)
    print("building the assignments (otter assign) ...", file=sys.stderr)
    assign_all(base / "dist", base / "assignments")
    for master in master_notebooks():
        build_zip(master.stem, base / "dist")
    return base, scratch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.diagnosis_report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--built", type=Path, help="a folder built by `otter assign` (dist/ and assignments/)")
    parser.add_argument("--workers", type=int, default=available_cpus())
    parser.add_argument("--assignment", help="only the cases of this assignment")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))  # the corpora live in tests/
    built, scratch = built_folder(args.built)
    try:
        cases = [c for c in labelled_cases(built) if args.assignment in (None, c.assignment)]
        outcomes = grade_cases(cases, built, args.workers)
    finally:
        if scratch is not None:
            scratch.cleanup()
    print(table(outcomes))
    for outcome in outcomes:
        truth = {outcome.case.question: [outcome.case.tag]} if outcome.case.tag else {}
        if outcome.named and outcome.named != truth:
            print(f"named {outcome.named} for {outcome.case.key} (labelled {truth or 'right'})")
    found = problems(outcomes)
    for line in found:
        print(f"PROBLEM {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
