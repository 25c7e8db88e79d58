"""The one pipeline that turns stored text into HTML. Every page that shows document text or
guidance goes through :func:`render_markdown` (or :func:`render_marked`, the same pipeline with the
redaction workspace's highlights), which sanitises with an allow-list (Ammonia, through nh3)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import markdown as md
import nh3
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
ALLOWED_ATTRIBUTES = {"a": {"href"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}

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


def _sanitise(html: str, tags: Iterable[str] = ALLOWED_TAGS, attributes: dict | None = None) -> str:
    return nh3.clean(
        html,
        tags=set(tags),
        attributes=ALLOWED_ATTRIBUTES if attributes is None else attributes,
        url_schemes=ALLOWED_PROTOCOLS,
        strip_comments=True,
        link_rel=None,
    )


# A heading after a blank line always starts afresh: nothing before it (a list, a quote, a code
# block) continues past it. Text is rendered in sections cut there, each remembered, so that a
# change to one paragraph of a long document renders one section again, not the whole text. The
# result is the same as rendering the whole text at once (tests compare them).
_SECTION_RE = re.compile(r"\n[ \t]*\n(?=#)")


def _to_html(source: str, shift_headings: int) -> str:
    """Markdown (already free of invisible characters, "&" stood in for by a marker) to
    sanitised HTML with GOV.UK classes; the marker is still in it."""
    return "\n".join(_section_html(part, shift_headings) for part in _SECTION_RE.split(source))


@lru_cache(maxsize=8192)
def _section_html(source: str, shift_headings: int) -> str:
    html = md.markdown(source, extensions=["tables", "sane_lists", _WhatYouSee()], output_format="html")
    if shift_headings:
        for level in range(6, 0, -1):
            new = min(level + shift_headings, 6)
            html = html.replace(f"<h{level}>", f"<h{new}>").replace(f"</h{level}>", f"</h{new}>")
    clean = _sanitise(html)
    for plain, styled in _CLASSES.items():
        clean = clean.replace(plain, styled)
    return clean


def _whole_html(source: str, shift_headings: int) -> str:
    """The same as :func:`_to_html`, in one piece (for tests)."""
    return _section_html.__wrapped__(source, shift_headings)


def render_markdown(text: str | None, *, shift_headings: int = 0) -> Markup:
    """Markdown to sanitised HTML with GOV.UK classes, every character of ``text`` visible.

    ``shift_headings`` lowers every heading by that many levels, so a document's own "#" does not
    compete with the page's title.
    """
    source = strip_invisible(text or "")
    amp = _marker(source)
    html = _to_html(source.replace("&", amp), shift_headings)
    return Markup(html.replace(amp, "&amp;"))  # noqa: S704 - sanitised above


_TAG_RE = re.compile(r"(<[^>]*>)")
STATUS_WORDS = {"suggested": "to review", "accepted": "redacted", "rejected": "kept"}


def _mark_open(span, *, first: bool) -> str:
    ident = f' id="r-{span.id}"' if first else ""
    return (
        f'<mark class="app-mark app-mark--{escape(span.status)}"{ident} data-id="{span.id}" '
        f'data-category="{escape(span.category)}">'
    )


def _mark_close(span) -> str:
    label = STATUS_WORDS.get(span.status, span.status)
    return (
        f'<span class="govuk-visually-hidden app-mark__state"> ({label}: '
        f"{escape(span.category.replace('_', ' '))})</span></mark>"
    )


def render_marked(text: str, spans, *, shift_headings: int = 0) -> Markup:
    """The formatted document (as :func:`render_markdown` shows it) with each span highlighted in
    place: a ``<mark>`` with the span's id, status and category. A span that crosses an element
    (a paragraph, a table cell) is highlighted in each piece. Overlapping spans after the first
    are left out. Should the text defeat the placing of highlights, the plain-text view is given.

    ``spans`` are objects with ``id``, ``start``, ``end``, ``category`` and ``status``.
    """
    text = text or ""
    if strip_invisible(text) != text:
        return _plain(text, spans)  # offsets would move; extraction removes such characters anyway
    chosen, cursor = [], 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < cursor or span.end > len(text) or span.start >= span.end:
            continue
        chosen.append(span)
        cursor = span.end
    amp = _marker(text)
    opening = "\ue002"  # and the next character closes: both absent from the text
    while opening in text or opening in amp:
        opening = chr(ord(opening) + 2)
    closing = chr(ord(opening) + 1)
    if closing in text:
        return _plain(text, spans)
    pieces, cursor = [], 0
    for span in chosen:
        pieces += [text[cursor : span.start], opening, text[span.start : span.end], closing]
        cursor = span.end
    pieces.append(text[cursor:])
    html = _to_html("".join(pieces).replace("&", amp), shift_headings)
    if html.count(opening) != len(chosen) or html.count(closing) != len(chosen):
        return _plain(text, spans)
    out: list[str] = []
    index, current, reopen = 0, None, False
    for part in _TAG_RE.split(html):
        if not part:
            continue
        if part.startswith("<"):
            if current is not None and not reopen:
                out.append("</mark>")
                reopen = True
            out.append(part)
            continue
        for token in re.split(f"([{opening}{closing}])", part):
            if token == opening:
                current, reopen = chosen[index], False
                index += 1
                out.append(_mark_open(current, first=True))
            elif token == closing:
                if not reopen:
                    out.append(_mark_close(current))
                current, reopen = None, False
            elif token:
                if current is not None and reopen and token.strip():
                    out.append(_mark_open(current, first=False))
                    reopen = False
                out.append(token)
    return Markup("".join(out).replace(amp, "&amp;"))  # noqa: S704 - sanitised, marks added after


def _plain(text: str, spans) -> Markup:
    return Markup(f'<div class="app-plain-text">{highlight(text, spans)}</div>')  # noqa: S704


def render_snippet(snippet: str | None) -> Markup:
    """A search snippet: text already escaped by the index, with <mark> around matched words.
    Cleaned again so that nothing but <mark> can ever be markup."""
    return Markup(_sanitise(snippet or "", tags={"mark"}, attributes={}))  # noqa: S704


def init_app(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(render_snippet, "snippet")
    app.add_template_filter(highlight, "highlight")
    app.add_template_filter(render_marked, "marked")


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
        out.append(
            _mark_open(span, first=True) + str(escape(text[span.start : span.end])) + _mark_close(span)
        )
        cursor = span.end
    out.append(str(escape(text[cursor:])))
    return Markup("".join(out))  # noqa: S704 - every piece of text above is escaped
