"""``report.html``: the class at a glance, for the instructor."""

from __future__ import annotations

from collections.abc import Sequence

from autograder.mistakes import explain
from autograder.reports import charts
from autograder.reports.items import item_stats, unrecognised_groups
from autograder.reports.page import Markup, document, image, join, number, table, tag
from autograder.reports.sources import Code, definitions
from autograder.reports.stats import mean_median, mistake_counts, question_spreads, status_counts
from autograder.results import SubmissionResult

GROUPS_SHOWN = 12  # unrecognised-answer groups listed per report


def link(result: SubmissionResult, file_name: str) -> Markup:
    """A link to a submission's feedback page."""
    return tag("a", result.submission, href=f"feedback/{file_name}")


def summary(results: list[SubmissionResult], max_score: float) -> Markup:
    """Counts per status and the mean and median totals."""
    rows: list[Sequence[object]] = [("submissions", len(results))]
    rows += [(tag("span", status, class_=f"status-{status}"), count) for status, count in status_counts(results)]
    for label, group in (("all submissions", results), ("graded only", [r for r in results if r.status == "graded"])):
        stats = mean_median([r.total for r in group])
        if stats:
            rows.append((f"mean / median total, {label}",
                         f"{stats[0]:.2f} / {number(stats[1])} (out of {number(max_score)})"))
    return join([tag("h2", "Summary"), table(None, rows, numeric=[1])])


def score_pictures(results: list[SubmissionResult], questions: dict[str, float], max_score: float) -> Markup:
    """The histogram of totals and the per-question distribution, with its table."""
    if not results:
        return Markup("")
    spreads = question_spreads(results, questions)
    parts = [tag("h2", "Scores"), image(charts.totals_histogram([r.total for r in results], max_score),
                                        "Histogram of total scores")]
    if spreads:
        parts.append(image(charts.question_bars([s.name for s in spreads], [s.full for s in spreads],
                                                [s.partial for s in spreads], [s.zero for s in spreads]),
                           "Full, partial and zero marks per question"))
        parts.append(table(["Question", "Points", "Mean", "Full marks", "Partial", "Zero"],
                           [(s.name, number(s.max_score), f"{s.mean:.2f}", s.full, s.partial, s.zero)
                            for s in spreads], numeric=[1, 2, 3, 4, 5]))
    return join(parts)


def mistakes(results: list[SubmissionResult]) -> Markup:
    """The bar chart of diagnosed mistakes and the table of what each means."""
    counts = mistake_counts(results)
    title = tag("h2", "Mistakes diagnosed")
    if not counts:
        return join([title, tag("p", "No mistake was diagnosed.", class_="muted")])
    chart = image(charts.mistake_bars([(name, count) for name, count, _ in counts]),
                  "Number of students per diagnosed mistake")
    rows = [(tag("span", name, class_="tag"), count, ", ".join(where), explain(name))
            for name, count, where in counts]
    return join([title, chart, table(["Mistake", "Students", "Questions", "What it means"], rows, numeric=[1])])


def share(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def item_analysis(results: list[SubmissionResult], questions: dict[str, float]) -> Markup:
    """Pass rate, mean, discrimination and public-pass/hidden-fail share per question."""
    stats = item_stats(results, questions)
    title = tag("h2", "Item analysis")
    if not stats or not stats[0].students:
        return join([title, tag("p", "No graded submission to analyse.", class_="muted")])
    note = tag("p", f"Over the {stats[0].students} graded submissions. Pass: full marks on the question. "
               "Discrimination: the correlation of passing the question with the rest of the total "
               "(near 0 or negative: the question does not separate strong from weak submissions). "
               "Public pass, hidden fail: students who pass every public check of the question but "
               "fail a hidden test, a sign of unclear instructions or weak public checks.", class_="muted")
    rows = [(s.name, number(s.max_score), share(s.pass_rate), "n/a" if s.mean is None else f"{s.mean:.2f}",
             "n/a" if s.discrimination is None else f"{s.discrimination:+.2f}", share(s.public_only))
            for s in stats]
    return join([title, note, table(["Question", "Points", "Pass", "Mean", "Discrimination",
                                     "Public pass, hidden fail"], rows, numeric=[1, 2, 3, 4, 5])])


def unrecognised(results: list[SubmissionResult], code: Code, reads: dict[str, set[str]]) -> Markup:
    """Groups of wrong answers no catalogued mistake explains, with one representative's code."""
    groups = unrecognised_groups(results)
    title = tag("h2", f"Unrecognised wrong answers ({len(groups)} groups)")
    if not groups:
        return join([title, tag("p", "Every wrong answer matched a catalogued mistake.", class_="muted")])
    intro = tag("p", "Wrong answers that no catalogued mistake explains, grouped by how their hidden tests "
                "failed: the same values returned on the hidden inputs (to 4 significant digits) or the same "
                "error raised. A large group is a mistake worth naming in autograder/mistakes.py and the "
                "checks.", class_="muted")
    parts = [title, intro]
    for group in groups[:GROUPS_SHOWN]:
        first = group.submissions[0]
        source = definitions(code.get(first, []), reads.get(group.question, set()))
        parts += [
            tag("h3", f"{group.question}: {len(group.submissions)} student(s)"),
            tag("ul", join(tag("li", tag("span", line, class_="message")) for line in group.signature)),
            tag("p", f"Students: {', '.join(group.submissions)}"),
            tag("p", f"Code of {first}:") if source else tag("p", "(code not available)", class_="muted"),
            tag("pre", source) if source else Markup(""),
        ]
    if len(groups) > GROUPS_SHOWN:
        parts.append(tag("p", f"... and {len(groups) - GROUPS_SHOWN} smaller groups.", class_="muted"))
    return join(parts)


def flagged(results: list[SubmissionResult], names: list[str]) -> Markup:
    """Submissions the integrity checks flagged for review."""
    rows = [(link(r, name), r.student, tag("ul", join(tag("li", flag) for flag in r.flags)))
            for r, name in zip(results, names) if r.flags]
    title = tag("h2", f"Flagged for review ({len(rows)})")
    if not rows:
        return join([title, tag("p", "No submission was flagged.", class_="muted")])
    return join([title, table(["Submission", "Student", "Flags"], rows)])


def roster(results: list[SubmissionResult], questions: dict[str, float], names: list[str]) -> Markup:
    """Every submission with its scores, status and a link to its feedback page."""
    rows = []
    for result, name in zip(results, names):
        scores = {q.name: q.score for q in result.questions}
        rows.append([link(result, name), result.student, result.email,
                     *[number(scores[q]) if q in scores else "" for q in questions], number(result.total),
                     tag("span", result.status, class_=f"status-{result.status}"),
                     tag("span", result.message, class_="message")])
    numeric = list(range(3, 4 + len(questions)))
    return join([tag("h2", "All submissions"),
                 table(["Submission", "Student", "Email", *questions, "Total", "Status", "Message"], rows,
                       numeric=numeric)])


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
    body = join([
        tag("h1", f"Class report: {assignment}"),
        summary(results, max_score),
        score_pictures(results, questions, max_score),
        mistakes(results),
        item_analysis(results, questions),
        unrecognised(results, code or {}, reads or {}),
        flagged(results, names),
        *sections,
        roster(results, questions, names),
    ])
    return document(f"{assignment}: class report", body)
