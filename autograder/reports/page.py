"""A tiny HTML toolkit for the reports: every string is escaped unless it is ``Markup``.

Student code controls exception messages, names in metadata and more, so the rule is simple:
builders take plain ``str`` (escaped here) or ``Markup`` (HTML this package produced itself).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence


class Markup(str):
    """HTML built by this package; inserted as is."""


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .6em 0 1.2em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: #17632a; font-weight: 600; } .failed { color: #a11; font-weight: 600; }
.status-graded { color: #17632a; } .status-error, .status-timeout, .status-malformed,
.status-wrong-assignment { color: #a11; font-weight: 600; }
.tag { font-size: .8em; padding: .05em .4em; border-radius: .3em; background: #eee; }
.message { white-space: pre-wrap; } .muted { color: #666; }
figure { display: inline-block; margin: .5em 1em .5em 0; } img { max-width: 100%; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: .5em .7em; overflow-x: auto; font-size: .85em;
      margin: .3em 0; white-space: pre-wrap; } mark { background: #ffe08a; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; } .side > div { min-width: 0; }
.changed { color: #a11; font-weight: 600; }
"""


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


def image(png: bytes, alt: str) -> Markup:
    """A PNG embedded in the page as a ``data:`` URI, so the file stands alone."""
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return Markup(f'<figure><img src="{source}" alt="{escape(alt)}"></figure>')


def document(title: str, body: Markup) -> str:
    """A complete, self-contained HTML page."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


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
