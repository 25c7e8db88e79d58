"""What the approver sees is exactly what readers get: no character of a published text can be
hidden by the renderer."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from library import redaction
from library.core.rendering import render_markdown
from library.extraction import extract

# Markdown's own syntax: shown as structure (a heading, a list, a table, emphasis), not as
# characters. Every other character of the text must be visible.
SYNTAX = set("#*_|->`\\:=")
LIST_NUMBER_RE = re.compile(r"^\s*\d+[.)]\s", re.M)


class _Visible(HTMLParser):
    """The text a browser shows; fails on anything that could hide text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "div":  # only a table's scrolling region, which hides nothing
            assert dict(attrs) == {
                "class": "app-table-scroll",
                "role": "region",
                "aria-label": "Table",
                "tabindex": "0",
            }
            return
        for name, value in attrs:
            assert name in ("class", "href", "align", "scope", "start"), (tag, name)
            if name == "class":
                assert "hidden" not in value, value
        if tag == "a":
            self.parts.append(" ")  # an autolink shows its address as its text

    def handle_data(self, data):
        self.parts.append(data)

    def handle_comment(self, data):
        raise AssertionError(f"an HTML comment reached the page: {data!r}")


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts)


def comparable(text: str) -> str:
    """Every character but white space and markdown's syntax."""
    return "".join(c for c in text if not c.isspace() and c not in SYNTAX)


def assert_all_visible(published: str) -> None:
    shown = comparable(visible_text(str(render_markdown(published, shift_headings=2))))
    expected = comparable(LIST_NUMBER_RE.sub(" ", published))
    assert shown == expected


def test_every_sample_renders_every_character_of_its_published_text(samples):
    files = sorted(p for p in samples.iterdir() if p.suffix in {".md", ".txt", ".docx", ".pdf", ".pptx"})
    assert len(files) >= 6
    for path in files:
        text = extract(path.read_bytes(), path.name).text
        spans = [redaction.Span(s.start, s.end, s.category, s.text) for s in redaction.detect(text)]
        published = redaction.apply(text, spans)
        assert_all_visible(published)


@pytest.mark.parametrize(
    "text,shown",
    [
        ("Before <!-- Ms Sarah Okafor, 07700 900123 --> after", "<!-- Ms Sarah Okafor, 07700 900123 -->"),
        ('A <span class="govuk-visually-hidden">hidden words</span> b', "hidden words</span>"),
        ("<div hidden>\nin a block\n</div>", "<div hidden>"),
        ("A link [here](https://example.org/Sarah-Okafor) and ![alt text](x.png)", "Sarah-Okafor"),
        ("[ref]: https://example.org/private\n\nText", "https://example.org/private"),
        ("Entities &#8203;&nbsp;&amp; stay as written", "&amp;#8203;&amp;nbsp;&amp;amp;"),
    ],
)
def test_raw_html_links_and_entities_are_shown_as_text(text, shown):
    html = str(render_markdown(text))
    assert shown.replace("<", "&lt;").replace(">", "&gt;") in html.replace('"', '"')
    assert_all_visible(text)


def test_private_use_characters_are_kept_beside_ampersands():
    html = str(render_markdown("a \ue000 & b \ue000\ue001 &c"))
    assert "a \ue000 &amp; b \ue000\ue001 &amp;c" in html


def test_invisible_characters_are_removed_at_extraction():
    text = extract("Sa\u200brah Oka\u2060for \u202eevil\u202c and soft\u00adhyphen\n".encode(), "a.txt").text
    assert text == "Sarah Okafor evil and softhyphen\n"
    assert "\u200b" not in str(render_markdown("a\u200bb"))


# Sections and highlights ---------------------------------------------------------------------------


def _texts():
    from library.demo.compose import compose

    yield "- a\n\n- b\n\n# h\n\n1. x\n\n2. y\n\n## z\n\n    code\n\n# k\n> q\n\n#nothead\n\ntext"
    yield "Para\n\n    indented code\n\n    more\n\n# After code\n\n> quote\n>\n> more\n\n## Next"
    for area, kind, pages in (("send", "action-plan", 3), ("early-help", "self-assessment", 20)):
        yield compose(area=area, document_type=kind, authority="Kingsmere", pages=pages, seed=3)[1]


@pytest.mark.parametrize("text", list(_texts()))
def test_rendering_in_sections_equals_rendering_at_once(text):
    from library.core.rendering import _to_html, _whole_html

    assert _to_html(text, 2) == _whole_html(text, 2)


def _span(id_, text, value, status="suggested", category="person", nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(value, start + 1)
    return SimpleNamespace(id=id_, start=start, end=start + len(value), status=status, category=category)


def test_marks_in_formatted_text_keep_their_place():
    from library.core.rendering import render_marked

    text = (
        "# Notes on Amelia\n\n| Who | Note |\n|---|---|\n| Amelia Hughes | seen |\n\n"
        "See Priya\n\nShah & co <b>x</b>.\n"
    )
    spans = [
        _span(1, text, "Amelia"),
        _span(2, text, "Amelia Hughes", "accepted"),
        _span(3, text, "Priya\n\nShah", "rejected"),
    ]
    html = str(render_marked(text, spans, shift_headings=2))
    assert '<h3 class="govuk-heading-s">Notes on <mark class="app-mark app-mark--suggested" id="r-1"' in html
    assert '<td class="govuk-table__cell"><mark class="app-mark app-mark--accepted" id="r-2"' in html
    # A span across two paragraphs is highlighted in each, the id on the first piece only.
    assert html.count('data-id="3"') == 2 and html.count('id="r-3"') == 1
    assert "&amp; co &lt;b&gt;x&lt;/b&gt;." in html  # escaped, never interpreted
    assert "\ue002" not in html and "\ue003" not in html


def test_marks_fall_back_to_plain_text_when_the_text_defeats_them():
    from library.core.rendering import render_marked

    text = "Name: Amelia Hughes\u200b here"  # an invisible character: offsets would move
    html = str(render_marked(text, [_span(1, text, "Amelia Hughes")]))
    assert html.startswith('<div class="app-plain-text">') and 'id="r-1"' in html


def test_a_mark_inside_another_is_drawn_inside_it_and_a_crossing_one_is_left_out():
    from library.core.rendering import highlight, render_marked

    text = "First.\n\nChild K, a 15-year-old at Larkfield House.\n\nNext paragraph."
    warning = _span(1, text, "Child K, a 15-year-old at Larkfield House", category="indirect")
    warning.reason = "an exact age and a named setting"
    inner = _span(2, text, "Child K")
    crossing = SimpleNamespace(
        id=3, start=text.index("House"), end=text.index("Next") + 4, status="suggested", category="other"
    )
    for html in (
        str(render_marked(text, [warning, inner, crossing])),
        str(highlight(text, [warning, inner, crossing])),
    ):
        outer_at = html.index('id="r-1"')
        inner_at = html.index('id="r-2"')
        assert outer_at < inner_at < html.index("Larkfield")
        assert 'class="app-mark app-mark--suggested app-mark--indirect"' in html
        assert 'data-reason="an exact age and a named setting"' in html
        assert "(to review: warning)" in html
        assert 'id="r-3"' not in html
        assert html.count("<mark") == html.count("</mark>")


# Bounded cost ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "a\n=\n" * 20_000,  # underlined headings, one block: quadratic in the old renderer
        "".join("   " * i + "1. x\n" for i in range(400)),  # 400 nested numbered lists
        ">" * 20_000 + " x\n",  # 20,000 nested quotes
        "*a **b " * 20_000,  # emphasis runs
        "[" * 40_000 + "]" * 40_000,
    ],
)
def test_rendering_takes_linear_time_and_bounded_depth(shape):
    import time

    from library.core.rendering import MAX_DEPTH, _depth, _section_html, _whole_html

    _section_html.cache_clear()
    started = time.perf_counter()
    html = _whole_html(shape, 0)
    assert time.perf_counter() - started < 5  # the old renderer took 29 s on the first, or failed
    assert _depth(html) <= MAX_DEPTH + 1


def test_plain_text_for_the_index_is_linear_on_adversarial_text():
    import time

    from search_index.common import plain_text

    started = time.perf_counter()
    words = plain_text("*a **b " * 40_000 + "\n" + "![" * 40_000)
    assert time.perf_counter() - started < 5
    assert words.startswith("*a **b *a **b")  # as the page shows it: unmatched marks are text


def test_sections_and_anchors_are_linear_in_the_number_of_headings():
    import time

    from library.core import structure

    text = "a\n=\n" * 30_000
    started = time.perf_counter()
    found = structure.sections(text)
    anchored = structure.anchor_headings("<h1>b</h1>\n" * 30_000, found)  # none match
    assert time.perf_counter() - started < 5
    assert len(found) == 30_000 and found[0].end == found[1].start and 'id="section' not in anchored
