"""The one function that turns stored text into HTML. Every page that shows document text or
guidance goes through :func:`render_markdown`, which sanitises with an allow-list."""

from __future__ import annotations

import bleach
import markdown as md
from flask import Flask
from markupsafe import Markup, escape

from .extraction.base import strip_invisible

ALLOWED_TAGS = [
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
]
# Nothing that hides text (no class, style or title): every character shown is a character read.
ALLOWED_ATTRIBUTES = {"a": ["href"], "th": ["align"], "td": ["align"], "ol": ["start"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]

_CLASSES = {
    "<h1>": '<h1 class="govuk-heading-l">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<ol ": '<ol class="govuk-list govuk-list--number" ',
    "<table>": '<table class="govuk-table">',
    "<tr>": '<tr class="govuk-table__row">',
    "<th>": '<th class="govuk-table__header" scope="col">',
    "<td>": '<td class="govuk-table__cell">',
    "<blockquote>": '<blockquote class="govuk-inset-text">',
    "<a ": '<a class="govuk-link" ',
}

# Stands for "&" while markdown runs, so that "&#8203;" or "&nbsp;" in a text shows as written.
_AMP = "\ue000"


def _marker(text: str) -> str:
    """A stand-in for "&" that does not occur in ``text`` (private-use characters may)."""
    marker = _AMP
    while marker in text:
        marker += "\ue001"
    return marker


class _WhatYouSee(md.Extension):
    """Markdown for document text: structure (headings, lists, tables, emphasis) is rendered, but
    nothing can hide text. Raw HTML (comments, hidden elements) and link or image syntax (whose
    address or alternative text would not show) are kept as literal text."""

    def extendMarkdown(self, parser: md.Markdown) -> None:  # noqa: N802 - the library's name
        parser.preprocessors.deregister("html_block")
        parser.parser.blockprocessors.deregister("reference")
        for name in (
            "reference",
            "link",
            "image_link",
            "image_reference",
            "short_reference",
            "short_image_ref",
            "automail",
            "html",
        ):
            parser.inlinePatterns.deregister(name)


def render_markdown(text: str | None, *, shift_headings: int = 0) -> Markup:
    """Markdown to sanitised HTML with GOV.UK classes, every character of ``text`` visible.

    ``shift_headings`` lowers every heading by that many levels, so a document's own "#" does not
    compete with the page's title.
    """
    source = strip_invisible(text or "")
    amp = _marker(source)
    source = source.replace("&", amp)
    html = md.markdown(source, extensions=["tables", "sane_lists", _WhatYouSee()], output_format="html")
    if shift_headings:
        for level in range(6, 0, -1):
            new = min(level + shift_headings, 6)
            html = html.replace(f"<h{level}>", f"<h{new}>").replace(f"</h{level}>", f"</h{new}>")
    clean = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    for plain, styled in _CLASSES.items():
        clean = clean.replace(plain, styled)
    return Markup(clean.replace(amp, "&amp;"))  # noqa: S704 - sanitised by bleach above


def render_snippet(snippet: str | None) -> Markup:
    """A search snippet: text already escaped by the index, with <mark> around matched words.
    Cleaned again so that nothing but <mark> can ever be markup."""
    return Markup(bleach.clean(snippet or "", tags=["mark"], attributes={}, strip=True))  # noqa: S704


def init_app(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(render_snippet, "snippet")
    app.add_template_filter(highlight, "highlight")


def highlight(text: str, spans) -> Markup:
    """Plain text with each span wrapped in a <mark>: the redaction workspace's view of a text.

    ``spans`` are objects with ``id``, ``start``, ``end``, ``category`` and ``status``; overlapping
    ones after the first are left out. Everything else is escaped.
    """
    out: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < cursor or span.end > len(text):
            continue
        out.append(str(escape(text[cursor : span.start])))
        label = {"suggested": "suggested", "accepted": "redacted", "rejected": "kept"}.get(
            span.status, span.status
        )
        category = span.category.replace("_", " ")
        out.append(
            f'<mark class="app-mark app-mark--{span.status}" id="r-{span.id}" '
            f'data-category="{escape(span.category)}">'
            f"{escape(text[span.start : span.end])}"
            f'<span class="govuk-visually-hidden"> ({label}: {escape(category)})</span></mark>'
        )
        cursor = span.end
    out.append(str(escape(text[cursor:])))
    return Markup("".join(out))  # noqa: S704 - every piece of text above is escaped
