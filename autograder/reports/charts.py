"""The report's pictures, as SVG text drawn from the Jinja2 templates in ``templates/``.

No matplotlib: a picture is a few dozen rectangles and labels, so the geometry is computed here
(small functions, plain numbers) and the templates only write it out.  ``chart.svg`` holds the
frame every chart shares (title, grid, axes, ticks, axis labels); ``totals_histogram.svg`` draws
vertical bars, ``bar_chart.svg`` horizontal (stacked) bars with an optional legend, and
``loss_curves.svg`` the feedback page's loss curves.  Labels (question names, mistake tags) are
untrusted text: the templates are rendered with autoescape on, and characters XML forbids are
dropped here, so every picture is well-formed XML.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from autograder.reports.page import render

FULL, PARTIAL, ZERO = "#3a8d4f", "#e0a72e", "#c44e52"
BLUE, PURPLE = "#4c72b0", "#8172b2"
FONT = 12  # px, the charts' text (titles 2 px larger, counts in bars 1 px smaller)
LABEL_CHARS = 40  # a longer label is cut (the report's tables show it whole)
ROW = 28  # px per bar of a horizontal bar chart
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Frame:
    """A chart's canvas and plot area (``left``..``right``, ``top``..``bottom``, in px) with its
    title, axis labels and ticks (position, text); ``grid`` is ``"x"`` for vertical grid lines
    at the x ticks, ``"y"`` for horizontal ones at the y ticks."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    title: str
    x_label: str
    y_label: str = ""
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    grid: str = "x"
    font: int = FONT


def label(text: object) -> str:
    """``text`` fit for a chart: one line, no character XML forbids, at most LABEL_CHARS long."""
    line = " ".join(NOT_XML.sub("", str(text)).split())
    return line if len(line) <= LABEL_CHARS else line[:LABEL_CHARS - 1] + "\u2026"


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font of ``size`` px."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.62 * size for c in text)


def integer_ticks(high: float, most: int = 8) -> list[int]:
    """Ticks 0, step, 2 step, ... up to the first at or above ``high`` (at least 1): a step of
    1, 2, 5, 10, 20, 50, ... small enough for at most ``most`` steps."""
    high = max(1, math.ceil(high))
    step = next(m * 10 ** k for k in range(20) for m in (1, 2, 5) if math.ceil(high / (m * 10 ** k)) <= most)
    return list(range(0, math.ceil(high / step) * step + 1, step))


def scale(low: float, high: float, start: float, end: float):
    """The linear map of ``low``..``high`` onto ``start``..``end`` (px, rounded to 0.1)."""
    return lambda value: round(start + (end - start) * (value - low) / (high - low), 1)


def histogram_bins(totals: Sequence[float], max_score: float) -> tuple[float, list[int]]:
    """The bin width (one point, or a twentieth of the range when it is wider than 20 points) and
    the number of totals in each bin; bin ``i`` is centred on ``i * width`` and the last one holds
    the highest total.  A total that is not a number is left out."""
    totals = [total for total in totals if math.isfinite(total)]
    top = max([max_score, 1.0, *totals])
    width = max(1.0, top / 20)
    counts = [0] * (int(top / width + 0.5) + 1)
    for total in totals:
        counts[min(max(math.floor(total / width + 0.5), 0), len(counts) - 1)] += 1
    return width, counts


def totals_histogram(totals: Sequence[float], max_score: float) -> str:
    """A histogram of the submissions' totals, from 0 to the maximum score (``totals_histogram.svg``)."""
    bin_width, counts = histogram_bins(totals, max_score)
    frame = Frame(600, 326, 58, 585, 40, 278, "Totals", f"total score (out of {max_score:g})", "submissions",
                  grid="y")
    end = (len(counts) - 0.5) * bin_width
    x = scale(-bin_width / 2, end, frame.left, frame.right)
    levels = integer_ticks(max(counts), most=5)
    y = scale(0, levels[-1], frame.bottom, frame.top)
    frame.x_ticks = [(x(tick), str(tick)) for tick in integer_ticks(end, most=12) if tick <= end]
    frame.y_ticks = [(y(level), str(level)) for level in levels]
    bars = []
    for index, count in enumerate(counts):
        if count:
            low, high = x((index - 0.5) * bin_width), x((index + 0.5) * bin_width)
            gap = 1 if high - low > 4 else 0
            centre = index * bin_width
            where = (f"total {centre:g}" if bin_width == 1 else
                     f"totals {centre - bin_width / 2:.3g} to {centre + bin_width / 2:.3g}")
            bars.append({"x": round(low + gap, 1), "y": y(count), "width": round(high - low - 2 * gap, 1),
                         "height": round(frame.bottom - y(count), 1), "centre": x(centre), "count": count,
                         "title": f"{where}: {count}"})
    return render("totals_histogram.svg", frame=frame, bars=bars, colour=BLUE)


def bar_chart(title: str, x_label: str, labels: list[str], series: Sequence[tuple[Sequence[int], str, str]],
              end_labels: bool = False, legend: bool = False) -> str:
    """Horizontal bars, one row per label (the first on top), the ``series`` (counts, colour, name)
    stacked left to right (``bar_chart.svg``).  ``end_labels`` writes each row's total right of
    its bar, else each count is written inside its part of the bar when it fits; ``legend`` names
    the series below the chart."""
    totals = [sum(counts[row] for counts, _, _ in series) for row in range(len(labels))]
    axis = integer_ticks(max(totals, default=0))
    left = round(12 + max((text_width(text) for text in labels), default=0))
    right = left + 440
    top, bottom = 32, 32 + ROW * len(labels)
    extra = text_width(str(max(totals, default=0))) + 6 if end_labels else 0
    frame = Frame(round(right + 12 + extra), bottom + (70 if legend else 46), left, right, top, bottom, title, x_label)
    x = scale(0, axis[-1], left, right)
    frame.x_ticks = [(x(tick), str(tick)) for tick in axis]
    frame.y_ticks = [(top + ROW * (row + 0.5), text) for row, text in enumerate(labels)]
    rows = []
    for row, text in enumerate(labels):
        start, segments = 0, []
        for counts, colour, name in series:
            count = counts[row]
            if count > 0:
                low, high = x(start), x(start + count)
                inside = not end_labels and high - low >= text_width(str(count), FONT - 1) + 6
                segments.append({"x": low, "width": round(high - low, 1), "colour": colour,
                                 "title": f"{text}, {name}: {count}", "text": str(count) if inside else "",
                                 "text_x": round((low + high) / 2, 1),
                                 "text_colour": "#222" if colour == PARTIAL else "white"})
            start += count
        rows.append({"y": top + ROW * row + 4, "height": ROW - 8, "middle": top + ROW * row + ROW / 2,
                     "segments": segments, "end": str(start) if end_labels else "", "end_x": x(start) + 4})
    items = []
    if legend:
        widths = [FONT + 4 + text_width(name) for _, _, name in series]
        at = (left + right) / 2 - (sum(widths) + 20 * (len(widths) - 1)) / 2
        for (_, colour, name), item_width in zip(series, widths):
            items.append({"x": round(at, 1), "colour": colour, "name": name})
            at += item_width + 20
    return render("bar_chart.svg", frame=frame, rows=rows, legend=items, legend_y=bottom + 58)


def question_bars(questions: Sequence[str], full: Sequence[int], partial: Sequence[int],
                  zero: Sequence[int]) -> str:
    """One horizontal stacked bar per question: how many submissions got full, partial, zero marks."""
    return bar_chart("Score per question", "submissions", [label(question) for question in questions],
                     ((full, FULL, "full marks"), (partial, PARTIAL, "partial"), (zero, ZERO, "zero")), legend=True)


def mistake_bars(counts: Sequence[tuple[str, int]]) -> str:
    """A horizontal bar per mistake tag with the number of students who made it at its end, in the
    order given (``stats.mistake_counts``: most common on top)."""
    return bar_chart("Mistakes diagnosed", "students", [label(name) for name, _ in counts],
                     (([count for _, count in counts], PURPLE, "students"),), end_labels=True)


def loss_curves(student: Sequence[float | None] | None, reference: Sequence[float | None]) -> str:
    """A student's losses per epoch beside the reference's, as SVG (``templates/loss_curves.svg``).

    On a log scale when every value is positive.  Values that are not finite (None)
    leave a gap.  Drawn without matplotlib: one page per student must cost next to nothing.
    """
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
                  log=log, lines=lines, y_ticks=y_ticks, x_ticks=x_ticks)
