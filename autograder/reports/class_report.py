"""``report.html``: the class at a glance, for the instructor (``templates/report.html``)."""

from __future__ import annotations

from collections.abc import Sequence

from autograder.mistakes import explain
from autograder.reports import charts
from autograder.reports.items import item_stats, unrecognised_groups
from autograder.reports.page import Markup, number, render
from autograder.reports.sources import Code, definitions
from autograder.reports.stats import mean_median, mistake_counts, question_spreads, status_counts
from autograder.results import SubmissionResult

GROUPS_SHOWN = 12  # unrecognised-answer groups listed per report


def render_class_report(results: list[SubmissionResult], assignment: str, questions: dict[str, float],
                        names: list[str], code: Code | None = None, reads: dict[str, set[str]] | None = None,
                        sections: Sequence[Markup] = ()) -> str:
    """The complete class report.

    ``questions`` maps each question to its points, in order; ``names`` are the feedback file
    names, in the order of ``results``; ``code`` the students' code cells by submission and
    ``reads`` the names each question's tests read (for the code shown with unrecognised
    answers); ``sections`` are added before the list of all submissions.
    """
    max_score = sum(questions.values())
    graded = [r for r in results if r.status == "graded"]
    means = [(label, stats) for label, group in (("all submissions", results), ("graded only", graded))
             if (stats := mean_median([r.total for r in group]))]
    spreads = question_spreads(results, questions) if results else []
    counts = mistake_counts(results)
    groups = unrecognised_groups(results)
    roster = []
    for result, name in zip(results, names):
        scores = {q.name: q.score for q in result.questions}
        roster.append((result, name, [number(scores[q]) if q in scores else "" for q in questions]))
    return render(
        "report.html", title=f"{assignment}: class report", assignment=assignment, results=results,
        max_score=max_score, statuses=status_counts(results), means=means, spreads=spreads,
        mistakes=[(name, count, where, explain(name)) for name, count, where in counts],
        items=item_stats(results, questions),
        groups=[(group, definitions((code or {}).get(group.submissions[0], []),
                                    (reads or {}).get(group.question, set())))
                for group in groups[:GROUPS_SHOWN]],
        groups_found=len(groups), groups_shown=GROUPS_SHOWN,
        flagged=[(r, name) for r, name in zip(results, names) if r.flags],
        sections=list(sections), questions=list(questions), roster=roster,
        histogram=charts.totals_histogram([r.total for r in results], max_score) if results else None,
        question_bars=charts.question_bars([s.name for s in spreads], [s.full for s in spreads],
                                           [s.partial for s in spreads], [s.zero for s in spreads]) if spreads else None,
        mistake_bars=charts.mistake_bars([(name, count) for name, count, _ in counts]) if counts else None,
    )
