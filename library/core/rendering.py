"""The one pipeline that turns stored text into HTML. Every page that shows document text or
guidance goes through :func:`render_markdown` (or :func:`render_marked`, the same pipeline with the
redaction workspace's highlights), which sanitises with an allow-list (Ammonia, through nh3).

Markdown is read by cmark-gfm (the CommonMark reference parser in C, with GitHub's table
extension): its time grows linearly with the text whatever the text is (CommonMark's
pathological cases are part of its test suite), where Python-Markdown took quadratic time on
shapes such as thousands of setext headings in one block. Elements never nest deeper than
:data:`MAX_DEPTH` (deeper ones are flattened, their text kept), so the sanitiser and everything
that reads the HTML after it work in bounded depth too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate

import nh3
from markupsafe import Markup, escape

from library.core.structure import Section, anchor_headings
from library.extraction.base import strip_invisible
from search_index.common import markdown_html

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
# Deeper than this, elements are flattened into their parent (their text stays).
MAX_DEPTH = 24

_CLASSES = {
    "h1": "govuk-heading-l",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "table": "govuk-table",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "blockquote": "govuk-inset-text",
    "a": "govuk-link",
}
_CLASS_RE = re.compile(r"<(" + "|".join(_CLASSES) + r")(?=[\s>])")


def _add_class(match: re.Match) -> str:
    tag = match.group(1)
    extra = ' scope="col"' if tag == "th" else ""
    return f'<{tag} class="{_CLASSES[tag]}"{extra}'


# Stand-ins while cmark reads the text, for the characters that would make markup of it: "&"
# (character references show as written), "<" (raw HTML and autolinks show as the text they
# are) and "[" (link, image and reference syntax, whose address or alternative text would not
# show). Private-use characters, lengthened until none occurs in the text.
_AMP, _LT, _BRACKET = "\ue000", "\ue004", "\ue005"


def _marker(text: str, base: str = _AMP) -> str:
    """A stand-in for ``base``'s character that does not occur in ``text``."""
    marker = base
    while marker in text:
        marker += "\ue001"
    return marker


def _sanitise(html: str, tags: Iterable[str] = ALLOWED_TAGS, attributes: dict | None = None) -> str:
    return nh3.clean(
        html,
        tags=set(tags),
        attributes=ALLOWED_ATTRIBUTES if attributes is None else attributes,
        url_schemes=ALLOWED_PROTOCOLS,
        strip_comments=True,
        link_rel=None,
    )


_RAW_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = {"br", "hr", "img", "input"}


_VOID_TAG_RE = re.compile(r"<(?:br|hr|img|input)\b[^>]*>")
_TAG_START_RE = re.compile(r"<(/?)[a-zA-Z]")


def _depth(html: str) -> int:
    """How deep the elements of ``html`` (as cmark writes it) nest."""
    marks = _TAG_START_RE.findall(_VOID_TAG_RE.sub("", html))  # "" opens, "/" closes
    return max(accumulate(1 - 2 * len(m) for m in marks), default=0)


def _cap_depth(html: str, limit: int = MAX_DEPTH) -> str:
    """``html`` (well formed, as cmark writes it) with every element deeper than ``limit``
    flattened into its parent: its tags go, its text stays. One pass, linear in the length."""
    if _depth(html) <= limit:
        return html
    out: list[str] = []
    kept: list[bool] = []  # for each element open here, whether its tags are written
    depth = 0
    cursor = 0
    for match in _RAW_TAG_RE.finditer(html):
        out.append(html[cursor : match.start()])
        cursor = match.end()
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _VOID or self_closing:
            out.append(match.group(0))
        elif not closing:
            keep = depth < limit
            kept.append(keep)
            depth += keep
            out.append(match.group(0) if keep else " ")
        elif kept:
            keep = kept.pop()
            depth -= keep
            out.append(match.group(0) if keep else " ")
    out.append(html[cursor:])
    return "".join(out)


# A heading after a blank line always starts afresh: nothing before it (a list, a quote, an
# indented code block) continues past it, except a fenced code block, whose fence is followed.
# Text is rendered in sections cut there, each remembered, so that a change to one paragraph of a
# long document renders one section again, not the whole text. The result is the same as
# rendering the whole text at once (tests compare them).
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _sections(source: str) -> list[str]:
    lines = source.split("\n")
    parts: list[str] = []
    start = 0
    fence = ""
    blank_before = False
    for i, line in enumerate(lines):
        if fence:
            found = _FENCE_RE.match(line)
            if found and found.group(1)[0] == fence[0] and len(found.group(1)) >= len(fence):
                if not line.strip().lstrip(fence[0]):
                    fence = ""
        elif line.startswith("#") and blank_before and i > start:
            parts.append("\n".join(lines[start:i]))
            start = i
        else:
            found = _FENCE_RE.match(line)
            if found and not (found.group(1)[0] == "`" and "`" in line[found.end() :]):
                fence = found.group(1)
        blank_before = not line.strip()
    parts.append("\n".join(lines[start:]))
    return parts


def _to_html(source: str, shift_headings: int) -> str:
    """Markdown (already free of invisible characters, "&", "<" and "[" stood in for) to
    sanitised HTML with GOV.UK classes; the stand-ins are still in it."""
    return "".join(_section_html(part, shift_headings) for part in _sections(source))


@lru_cache(maxsize=8192)
def _section_html(source: str, shift_headings: int) -> str:
    html = markdown_html(source)
    html = _cap_depth(html)
    if shift_headings:
        for level in range(6, 0, -1):
            new = min(level + shift_headings, 6)
            html = html.replace(f"<h{level}>", f"<h{new}>").replace(f"</h{level}>", f"</h{new}>")
    return _scrolling_tables(_CLASS_RE.sub(_add_class, _sanitise(html)))


def _scrolling_tables(html: str) -> str:
    """Each table in a region of its own that scrolls sideways when the table is wider than the
    screen (a phone), so that the page itself never does; focusable, so a keyboard scrolls it."""
    if "<table" not in html:
        return html
    region = '<div class="app-table-scroll" role="region" aria-label="Table" tabindex="0">'
    table = '<table class="govuk-table">'
    return html.replace(table, region + table).replace("</table>", "</table></div>")


def _whole_html(source: str, shift_headings: int) -> str:
    """The same as :func:`_to_html`, in one piece (for tests)."""
    return _section_html.__wrapped__(source, shift_headings)


class _StandIns:
    """The stand-ins for one text: put in before cmark reads it, taken out of the HTML after."""

    def __init__(self, text: str):
        self.amp, self.lt, self.bracket = _marker(text, _AMP), _marker(text, _LT), _marker(text, _BRACKET)

    def put(self, text: str) -> str:
        return text.replace("&", self.amp).replace("<", self.lt).replace("[", self.bracket)

    def take(self, html: str) -> str:
        return html.replace(self.amp, "&amp;").replace(self.lt, "&lt;").replace(self.bracket, "[")


_OPENING_TAG_RE = re.compile(r"<[a-zA-Z]")


def element_count(text: str) -> int:
    """How many elements ``text`` renders to (what a page showing it costs), counted from the
    parser's output alone: linear time, no sanitising."""
    source = strip_invisible(text or "")
    html = markdown_html(_StandIns(source).put(source))
    return len(_OPENING_TAG_RE.findall(html))


def render_markdown(text: str | None, *, shift_headings: int = 0) -> Markup:
    """Markdown to sanitised HTML with GOV.UK classes, every character of ``text`` visible.

    ``shift_headings`` lowers every heading by that many levels, so a document's own "#" does not
    compete with the page's title.
    """
    source = strip_invisible(text or "")
    stand_ins = _StandIns(source)
    html = _to_html(stand_ins.put(source), shift_headings)
    return Markup(stand_ins.take(html))  # noqa: S704 - sanitised above


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


def render_marked(text: str, spans, *, shift_headings: int = 0, sections: list | None = None) -> Markup:
    """The formatted document (as :func:`render_markdown` shows it) with each span highlighted in
    place: a ``<mark>`` with the span's id, status and category. A span that crosses an element
    (a paragraph, a table cell) is highlighted in each piece. A span wholly inside another is
    highlighted inside it; one that crosses another's edge is left out. Should the text defeat the
    placing of highlights, the plain-text view is given.

    ``spans`` are objects with ``id``, ``start``, ``end``, ``category`` and ``status``.
    ``sections``: the text's sections, whose headings get their ids as :func:`render_sectioned` gives them.
    """
    text = text or ""
    if strip_invisible(text) != text:
        return _plain(text, spans)  # offsets would move; extraction removes such characters anyway
    chosen = _nested(spans, len(text))
    stand_ins = _StandIns(text)
    opening = "\ue002"  # and the next character closes: both absent from the text and stand-ins
    while opening in text or opening in stand_ins.amp + stand_ins.lt + stand_ins.bracket:
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
    html = _to_html(stand_ins.put("".join(pieces)), shift_headings)
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
    marked = stand_ins.take("".join(out))
    if sections:
        marked = anchor_headings(marked, sections)
    return Markup(marked)  # noqa: S704 - sanitised, marks added after


def _plain(text: str, spans) -> Markup:
    return Markup(f'<div class="app-plain-text">{highlight(text, spans)}</div>')  # noqa: S704


def render_snippet(snippet: str | None) -> Markup:
    """A search snippet: text already escaped by the index, with <mark> around matched words.
    Cleaned again so that nothing but <mark> can ever be markup."""
    return Markup(_sanitise(snippet or "", tags={"mark"}, attributes={}))  # noqa: S704


def render_sectioned(text: str | None, sections: list[dict] | None, *, shift_headings: int = 0) -> Markup:
    """:func:`render_markdown`, each heading given the id ``section-N`` of its section (see
    library/structure.py), so that outlines, key lines of enquiry and comparisons link to it."""
    html = str(render_markdown(text, shift_headings=shift_headings))
    return Markup(anchor_headings(html, [Section.from_dict(s) for s in sections or []]))  # noqa: S704 - sanitised above


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
