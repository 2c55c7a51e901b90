"""The report's pictures, drawn with matplotlib's Agg canvas and returned as PNG bytes.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot), so nothing here touches a
display or global state.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

FULL, PARTIAL, ZERO = "#3a8d4f", "#e0a72e", "#c44e52"


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def totals_histogram(totals: Sequence[float], max_score: float) -> bytes:
    """A histogram of the submissions' totals, from 0 to the maximum score."""
    figure = Figure(figsize=(6, 3.2))
    axes = figure.subplots()
    top = max([max_score, 1.0, *totals])
    width = max(1.0, top / 20)  # one bar per point, at most about 20 bars
    edges = [-width / 2 + i * width for i in range(int(top / width) + 2)]
    axes.hist(list(totals), bins=edges, color="#4c72b0", edgecolor="white")
    axes.set_xlim(edges[0], edges[-1])
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(f"total score (out of {max_score:g})")
    axes.set_ylabel("submissions")
    axes.set_title("Totals")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return png(figure)


def question_bars(questions: Sequence[str], full: Sequence[int], partial: Sequence[int],
                  zero: Sequence[int]) -> bytes:
    """One horizontal stacked bar per question: how many submissions got full, partial, zero marks."""
    figure = Figure(figsize=(6.5, 0.5 * len(questions) + 1.4))
    axes = figure.subplots()
    rows = list(range(len(questions)))[::-1]
    left = [0] * len(questions)
    for counts, colour, label in ((full, FULL, "full marks"), (partial, PARTIAL, "partial"),
                                  (zero, ZERO, "zero")):
        axes.barh(rows, counts, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, counts)]
    axes.set_yticks(rows, list(questions))
    axes.set_xlabel("submissions")
    axes.set_title("Score per question")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), borderaxespad=2.5, ncol=3, frameon=False)
    return png(figure)


def mistake_bars(counts: Sequence[tuple[str, int]]) -> bytes:
    """A horizontal bar per mistake tag: how many students made it, most common on top."""
    figure = Figure(figsize=(6.5, 0.4 * len(counts) + 1.2))
    axes = figure.subplots()
    rows = list(range(len(counts)))[::-1]
    bars = axes.barh(rows, [count for _, count in counts], color="#8172b2")
    axes.bar_label(bars, padding=3)
    axes.set_yticks(rows, [name for name, _ in counts])
    axes.set_xlabel("students")
    axes.set_title("Mistakes diagnosed")
    axes.xaxis.get_major_locator().set_params(integer=True)
    return png(figure)


def loss_curves(student: Sequence[float | None] | None, reference: Sequence[float | None]) -> bytes:
    """A student's losses per epoch beside the reference's, as SVG (``templates/loss_curves.svg``).

    On a log scale when every value is positive.  Values that are not finite (None)
    leave a gap.  Drawn without matplotlib: one page per student must cost next to nothing.
    """
    from autograder.reports.page import render

    values = [v for v in [*reference, *(student or [])] if v is not None and math.isfinite(v)]
    log = bool(values) and min(values) > 0
    scale = (lambda v: math.log10(v)) if log else (lambda v: v)
    low, high = (min(map(scale, values)), max(map(scale, values))) if values else (0.0, 1.0)
    high = high if high > low else low + 1.0
    width, height, left, right, top, bottom = 600, 300, 60, 590, 26, 270
    epochs = max(len(reference), len(student or []), 2) - 1

    def x(index: int) -> float:
        return round(left + (right - left) * index / epochs, 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * (scale(value) - low) / (high - low), 1)

    def pieces(curve: Sequence[float | None]) -> list[str]:
        runs: list[list[str]] = [[]]
        for index, value in enumerate(curve):
            if value is None or not math.isfinite(value) or (log and value <= 0):
                runs.append([])
            else:
                runs[-1].append(f"{x(index)},{y(value)}")
        return [" ".join(run) for run in runs if run]

    lines = [{"label": "reference", "color": "#4c72b0", "pieces": pieces(reference)}]
    if student:
        lines.append({"label": "your function", "color": ZERO, "pieces": pieces(student)})
    levels = [low + (high - low) * i / 4 for i in range(5)]
    y_ticks = [{"y": round(bottom - (bottom - top) * i / 4, 1), "label": f"{(10 ** level if log else level):.3g}"}
               for i, level in enumerate(levels)]
    x_ticks = [{"x": x(i), "label": str(i)} for i in sorted({0, epochs // 2, epochs})]
    return render("loss_curves.svg", width=width, height=height, left=left, right=right, top=top, bottom=bottom,
                  log=log, lines=lines, y_ticks=y_ticks, x_ticks=x_ticks).encode()
