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
    category = escape(span.category)
    kind = " app-mark--indirect" if span.category == "indirect" else ""
    reason = getattr(span, "reason", "") if first else ""
    extra = f' data-reason="{escape(reason)}"' if reason else ""
    return (
        f'<mark class="app-mark app-mark--{escape(span.status)}{kind}"{ident} data-id="{span.id}" '
        f'data-category="{category}"{extra}>'
    )


def _mark_close(span, *, hidden: bool = True) -> str:
    """The end of a highlight; ``hidden``: with its state in words for screen readers."""
    if not hidden:
        return "</mark>"
    label = (
        "generalised" if getattr(span, "replacement", None) else STATUS_WORDS.get(span.status, span.status)
    )
    category = "warning" if span.category == "indirect" else span.category.replace("_", " ")
    return f'<span class="govuk-visually-hidden app-mark__state"> ({label}: {escape(category)})</span></mark>'


def _nested(spans, length: int) -> list:
    """The spans to highlight, in order: each either after the one before or wholly inside one
    still open (a name inside a warning). One that crosses another's edge is left out."""
    chosen, open_ends = [], []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start >= span.end or span.end > length:
            continue
        while open_ends and open_ends[-1] <= span.start:
            open_ends.pop()
        if open_ends and span.end > open_ends[-1]:
            continue
        chosen.append(span)
        open_ends.append(span.end)
    return chosen


def _events(chosen) -> list[tuple[int, int, object]]:
    """Where each highlight opens and closes, in the order to write them: at one place, closings
    first (the inner one first), then openings (the outer one first)."""
    events = []
    for order, span in enumerate(chosen):
        events.append((span.end, 0, -order, span))
        events.append((span.start, 1, order, span))
    return [(at, kind, span) for at, kind, _order, span in sorted(events, key=lambda e: e[:3])]


def render_marked(text: str, spans, *, shift_headings: int = 0) -> Markup:
    """The formatted document (as :func:`render_markdown` shows it) with each span highlighted in
    place: a ``<mark>`` with the span's id, status and category. A span that crosses an element
    (a paragraph, a table cell) is highlighted in each piece. A span wholly inside another is
    highlighted inside it; one that crosses another's edge is left out. Should the text defeat the
    placing of highlights, the plain-text view is given.

    ``spans`` are objects with ``id``, ``start``, ``end``, ``category`` and ``status``.
    """
    text = text or ""
    if strip_invisible(text) != text:
        return _plain(text, spans)  # offsets would move; extraction removes such characters anyway
    chosen = _nested(spans, len(text))
    amp = _marker(text)
    opening = "\ue002"  # and the next character closes: both absent from the text
    while opening in text or opening in amp:
        opening = chr(ord(opening) + 2)
    closing = chr(ord(opening) + 1)
    if closing in text:
        return _plain(text, spans)
    events = _events(chosen)
    pieces, cursor = [], 0
    for at, kind, _span in events:
        pieces += [text[cursor:at], closing if kind == 0 else opening]
        cursor = at
    pieces.append(text[cursor:])
    html = _to_html("".join(pieces).replace("&", amp), shift_headings)
    if html.count(opening) != len(chosen) or html.count(closing) != len(chosen):
        return _plain(text, spans)
    out: list[str] = []
    stack: list = []  # the highlights open here, outermost first
    shut = False  # whether they were closed for an element's tag, to be opened again at text
    index = 0
    for part in _TAG_RE.split(html):
        if not part:
            continue
        if part.startswith("<"):
            if stack and not shut:
                out.extend(_mark_close(span, hidden=False) for span in reversed(stack))
                shut = True
            out.append(part)
            continue
        for token in re.split(f"([{opening}{closing}])", part):
            if token == opening:
                if shut:
                    out.extend(_mark_open(span, first=False) for span in stack)
                    shut = False
                span = chosen[index]
                index += 1
                stack.append(span)
                out.append(_mark_open(span, first=True))
            elif token == closing:
                span = stack.pop()
                if not shut:  # (shut: it was closed at the element's tag, and that is its end)
                    out.append(_mark_close(span))
            elif token:
                if stack and shut and token.strip():
                    out.extend(_mark_open(span, first=False) for span in stack)
                    shut = False
                out.append(token)
    return Markup("".join(out).replace(amp, "&amp;"))  # noqa: S704 - sanitised, marks added after


def _plain(text: str, spans) -> Markup:
    return Markup(f'<div class="app-plain-text">{highlight(text, spans)}</div>')  # noqa: S704


def render_snippet(snippet: str | None) -> Markup:
    """A search snippet: text already escaped by the index, with <mark> around matched words.
    Cleaned again so that nothing but <mark> can ever be markup."""
    return Markup(_sanitise(snippet or "", tags={"mark"}, attributes={}))  # noqa: S704


def render_sectioned(text: str | None, sections: list[dict] | None, *, shift_headings: int = 0) -> Markup:
    """:func:`render_markdown`, each heading given the id ``section-N`` of its section (see
    library/structure.py), so that outlines, key lines of enquiry and comparisons link to it."""
    from .structure import Section, anchor_headings

    html = str(render_markdown(text, shift_headings=shift_headings))
    return Markup(anchor_headings(html, [Section.from_dict(s) for s in sections or []]))  # noqa: S704 - sanitised above


def init_app(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(render_sectioned, "sectioned")
    app.add_template_filter(render_snippet, "snippet")
    app.add_template_filter(highlight, "highlight")
    app.add_template_filter(render_marked, "marked")


def highlight(text: str, spans) -> Markup:
    """Plain text with each span wrapped in a <mark>: the redaction workspace's view of a text.

    ``spans`` are objects with ``id``, ``start``, ``end``, ``category`` and ``status``; one inside
    another is highlighted inside it, one across another's edge is left out. Everything else is
    escaped.
    """
    out: list[str] = []
    cursor = 0
    for at, kind, span in _events(_nested(spans, len(text))):
        out.append(str(escape(text[cursor:at])))
        out.append(_mark_close(span) if kind == 0 else _mark_open(span, first=True))
        cursor = at
    out.append(str(escape(text[cursor:])))
    return Markup("".join(out))  # noqa: S704 - every piece of text above is escaped
