"""Markdown to HTML through cmark-gfm with everything it allocates freed: the same HTML as
cmarkgfm's own wrapper, and a process that renders thousands of texts does not grow."""

import cmarkgfm
import pytest

from search_index.common import markdown_html

TEXTS = [
    "",
    "plain words",
    "# Heading\n\nA paragraph with *emphasis*, **strong** and `code`.",
    "| Measure | 2024 | 2025 |\n| --- | --- | --- |\n| Plans in 20 weeks | 48% | 61% |",
    "<script>alert(1)</script> & <b>bold</b> [a link](https://example.org)",
    "- one\n  - two\n    - three\n\n1. first\n2. second\n\n> quoted\n\n```\ncode block\n```",
    "word " * 20_000,
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_html_is_cmarkgfms(text):
    assert markdown_html(text) == cmarkgfm.markdown_to_html_with_extensions(text, extensions=["table"])


def _resident_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def test_rendering_thousands_of_texts_does_not_grow_the_process():
    text = "\n\n".join(TEXTS[2:6]) * 20  # about 15 KB of markdown
    for _ in range(50):
        markdown_html(text)
    before = _resident_mb()
    for _ in range(2_000):
        markdown_html(text)
    # cmarkgfm's own wrapper keeps each tree and its HTML: this loop grew by some 75 MB with it.
    assert _resident_mb() - before < 15
