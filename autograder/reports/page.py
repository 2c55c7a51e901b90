"""The pages' HTML: Jinja2 templates in ``templates/`` (a course can restyle or translate them
there; ``style.css`` is inlined in every page), plus a few builders for report sections.

Student code controls exception messages, names in metadata and more, so the rule is simple:
every value a template prints or a builder takes is escaped unless it is ``Markup`` (HTML this
package produced itself).  The templates are rendered with autoescape on.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"


def escape(value: object) -> str:
    """``value`` as HTML text, unless it already is ``Markup``."""
    if isinstance(value, Markup):
        return value
    return html.escape(str(value), quote=True)


def tag(name: str, content: object = "", **attributes: str) -> Markup:
    """``<name attr="...">content</name>``; attribute values and non-Markup content are escaped.

    A trailing underscore in an attribute name is dropped (``class_`` becomes ``class``).
    """
    attrs = "".join(f' {key.rstrip("_")}="{escape(value)}"' for key, value in attributes.items())
    return Markup(f"<{name}{attrs}>{escape(content)}</{name}>")


def join(parts: Iterable[object], separator: str = "\n") -> Markup:
    """Several pieces of HTML (strings are escaped) as one."""
    return Markup(separator.join(escape(part) for part in parts))


def number(value: float) -> str:
    """A score as short text: ``3``, ``2.5``, ``0.333``."""
    return f"{value:.3g}" if value != int(value) else str(int(value))


def table(headers: Sequence[str] | None, rows: Iterable[Sequence[object]],
          numeric: Sequence[int] = ()) -> Markup:
    """A table (with no header row if ``headers`` is None); columns at indices ``numeric`` align right."""
    head = tag("thead", tag("tr", join(tag("th", header) for header in headers))) if headers else ""
    body = [
        tag("tr", join(tag("td", cell, class_="num") if i in numeric else tag("td", cell)
                       for i, cell in enumerate(row)))
        for row in rows
    ]
    return tag("table", join([head, tag("tbody", join(body))]))


def png(data: bytes) -> str:
    """A PNG as a ``data:`` URI, so the page that shows it stands alone."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def share(value: float | None) -> str:
    """``0.25`` -> ``25%``; ``None`` -> ``n/a``."""
    return "n/a" if value is None else f"{100 * value:.0f}%"


def html_text(value: object) -> object:
    """What a template prints, escaped as ``escape`` does (``html.escape``) unless it is ``Markup``;
    autoescape then leaves the result as it is."""
    return value if hasattr(value, "__html__") else Markup(escape(value))


TEMPLATE_ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=html_text,
                                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
TEMPLATE_ENVIRONMENT.globals["number"] = number
TEMPLATE_ENVIRONMENT.filters.update(png=png, share=share)


def render(template: str, **context: object) -> str:
    """The page ``templates/<template>`` filled in with ``context`` (autoescaped)."""
    return TEMPLATE_ENVIRONMENT.get_template(template).render(**context)


def document(title: str, body: Markup) -> str:
    """A complete, self-contained HTML page around ``body`` (``templates/base.html``)."""
    return render("base.html", title=title, body=body)


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
