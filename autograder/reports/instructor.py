"""The instructor's extra outputs of ``make grade``: regrade diff, gradebook export, similarity page.

``ClassRun.collect`` runs while the submissions are on disk (before grading: a bad roster stops
the run early); ``ClassRun.write`` runs before grades.csv and the reports are written, keeps an
earlier run's outputs apart when it was graded differently, writes ``regrade.csv``,
``gradebook.csv``, ``similarity.html`` and ``run.json``, and returns the sections it adds to
``report.html``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import Assignment
from autograder.background import InBackground
from autograder.cache import harness_version, zip_bytes
from autograder.pipeline import Submission
from autograder.reports.gradebook import (
    GRADEBOOK_CSV,
    Student,
    join_roster,
    read_roster,
    render_gradebook,
    write_gradebook_csv,
)
from autograder.reports.page import Markup
from autograder.reports.regrade import (
    REGRADE_CSV,
    Run,
    differences,
    file_digest,
    keep_earlier,
    load_run,
    now,
    render_regrade,
    save_run,
    test_digests,
    totals_moved,
    write_regrade_csv,
)
from autograder.reports.similarity import (
    SIMILARITY_HTML,
    Pair,
    code_pairs,
    judge_pairs,
    render_similarity,
    similarity_section,
)
from autograder.reports.sources import Code, given_code, student_code
from autograder.results import SubmissionResult
from autograder.sandbox import Limits

SIMILARITY_SECONDS = 120  # the similarity of one class's code takes about a second


@dataclass
class ClassRun:
    """What the extra outputs need beyond the results, gathered while the notebooks are on disk."""

    run: Run
    code: Code
    similar: InBackground[list[Pair]]  # the code's similarity, computed while the class is graded
    roster: list[Student] | None = None
    notes: list[str] = field(default_factory=list)  # lines for the end-of-run summary

    @classmethod
    def collect(cls, submissions: list[Submission], assignment: Assignment, source: Path, limits: Limits,
                backend: str, roster: Path | None = None) -> ClassRun:
        """Read the roster (``RosterError`` if unusable) and the notebooks' code and digests."""
        students = read_roster(roster) if roster is not None else None
        grader = {"harness": harness_version(), "autograder": hashlib.sha256(zip_bytes(source)).hexdigest()[:16],
                  "limits": limits.as_dict(), "sandbox": backend}
        run = Run(assignment.name, now(), grader, test_digests(assignment),
                  {s.key: file_digest(s.path) for s in submissions})
        code = student_code(submissions)
        return cls(run, code, InBackground(code_pairs, code, given_code(assignment.name)), students)

    def write(self, results: list[SubmissionResult], assignment: Assignment, out: Path) -> list[Markup]:
        """Keep earlier outputs apart if graded differently, write the extra files; the report's sections."""
        self.run.results = results
        sections = []
        earlier = load_run(out)
        kept = keep_earlier(out, earlier, self.run)
        if kept is not None:
            self.notes.append(f"earlier results (graded differently) kept in {kept}/")
        if earlier is not None or kept is not None:
            changes = differences(earlier, self.run) if earlier is not None else []
            if earlier is not None:
                write_regrade_csv(changes, assignment.questions, out / REGRADE_CSV)
                self.notes.append(f"regrade: {totals_moved(changes)} total(s) changed since {earlier.graded_at}, "
                                  f"{len(changes)} submission(s) differ: {out / REGRADE_CSV}"
                                  if changes else f"regrade: nothing changed since {earlier.graded_at}")
            sections.append(render_regrade(earlier, self.run, changes, kept, out))
        if self.roster is not None:
            book = join_roster(self.roster, results)
            write_gradebook_csv(book, assignment.name, out / GRADEBOOK_CSV)
            self.notes.append(f"gradebook: {len(book.scores)} of {len(self.roster)} roster students matched, "
                              f"{len(book.missing)} without a submission, {len(book.unmatched)} submission(s) "
                              f"matching nobody: {out / GRADEBOOK_CSV}")
            sections.append(render_gradebook(book))
        sections.append(self.similarity(results, assignment, out))
        save_run(self.run, out)
        return sections

    def similarity(self, results: list[SubmissionResult], assignment: Assignment, out: Path) -> Markup:
        """Write similarity.html; the report's short section pointing to it."""
        try:
            found = self.similar.result(SIMILARITY_SECONDS)
        except TimeoutError:
            self.notes.append(f"similarity: not computed (it took more than {SIMILARITY_SECONDS} s after grading)")
            found = []
        pairs = judge_pairs(found, results)
        students = {r.submission: r.student for r in results}
        (out / SIMILARITY_HTML).write_text(render_similarity(pairs, assignment.name, students), encoding="utf-8")
        flagged = [p for p in pairs if p.flagged]
        self.notes.append(f"similarity: {len(flagged)} pair(s) flagged for a look: {out / SIMILARITY_HTML}")
        return similarity_section(pairs)
