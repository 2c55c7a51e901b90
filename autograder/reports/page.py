"""The pages' HTML: Jinja2 templates in ``templates/`` (a course can restyle or translate them
there; ``style.css`` is inlined in every page, ``macros.html`` holds the shared table macros and
``section_*.html`` the parts of the class report that ``autograder.reports.instructor`` adds).

Student code controls exception messages, names in metadata and more, so the rule is simple:
every value a template prints is escaped unless it is ``Markup`` (HTML this package produced
itself, or copydetect's escaped code).  The templates are rendered with autoescape on.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"


def number(value: float) -> str:
    """A score as short text: ``3``, ``2.5``, ``0.333``."""
    return f"{value:.3g}" if value != int(value) else str(int(value))


def svg(picture: str) -> str:
    """An SVG picture (``autograder.reports.charts``) as a ``data:`` URI, so the page that shows
    it stands alone."""
    return "data:image/svg+xml;base64," + base64.b64encode(picture.encode("utf-8")).decode("ascii")


def share(value: float | None) -> str:
    """``0.25`` -> ``25%``; ``None`` -> ``n/a``."""
    return "n/a" if value is None else f"{100 * value:.0f}%"


def html_text(value: object) -> object:
    """What a template prints, escaped with ``html.escape`` unless it is ``Markup``; autoescape then
    leaves the result as it is."""
    return value if hasattr(value, "__html__") else Markup(html.escape(str(value), quote=True))


TEMPLATE_ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=html_text,
                                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
TEMPLATE_ENVIRONMENT.globals["number"] = number
TEMPLATE_ENVIRONMENT.filters.update(svg=svg, share=share)


def render(template: str, **context: object) -> str:
    """The page ``templates/<template>`` filled in with ``context`` (autoescaped)."""
    return TEMPLATE_ENVIRONMENT.get_template(template).render(**context)


def fragment(template: str, **context: object) -> Markup:
    """A part of a page (``templates/<template>``, autoescaped), to be placed in another page."""
    return Markup(render(template, **context))


def file_names(submissions: Sequence[str]) -> list[str]:
    """Safe, distinct file names for the submissions' feedback pages, in the same order.

    Keys from ``autograder.inputs`` are already safe and distinct; anything else is made so.
    """
    names: list[str] = []
    seen: set[str] = set()
    for submission in submissions:
        base = re.sub(r"[^A-Za-z0-9._@+-]+", "_", submission).strip("._")[:120] or "submission"
        name, count = base, 1
        while name.lower() in seen:
            count += 1
            name = f"{base}-{count}"
        seen.add(name.lower())
        names.append(name + ".html")
    return names
