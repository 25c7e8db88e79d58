"""Word documents (.docx) from markdown: real headings, lists, tables and quotes.

The markdown goes through the same rendering as the pages (every character visible, nothing
hidden, sanitised), then that HTML is written out as Word paragraphs. So a Word download holds
the words a reader sees on the page, in Word's own structure.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.shared import Pt, RGBColor

from .rendering import render_markdown

FONT = "Arial"
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "td", "th"}


def new_document(title: str) -> DocxDocument:
    doc = new_docx()
    doc.core_properties.title = title[:250]
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Quote"):
        style = doc.styles[name]
        style.font.name = FONT
        if name.startswith(("Heading", "Title")):
            style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    doc.styles["Normal"].font.size = Pt(11)
    return doc


def _style_id(doc: DocxDocument, name: str) -> str:
    """The id of a style, looked up once per document (python-docx looks it up afresh for every
    paragraph given a style by name, which costs a millisecond each)."""
    cache = doc.__dict__.setdefault("_library_style_ids", {})
    if name not in cache:
        cache[name] = doc.styles[name].style_id
    return cache[name]


def paragraph(doc: DocxDocument, text: str = "", style: str | None = None):
    """A new paragraph at the end of ``doc``, in ``style`` (a style name), holding ``text``."""
    made = doc.add_paragraph()
    if style:
        made._p.style = _style_id(doc, style)
    if text:
        made.add_run(text)
    return made


def heading(doc: DocxDocument, text: str, level: int):
    """A heading: level 0 is the document's title."""
    return paragraph(doc, text, "Title" if level == 0 else f"Heading {min(level, 9)}")


def to_bytes(doc: DocxDocument) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@dataclass
class _Table:
    rows: list[list[tuple[str, bool]]] = field(default_factory=list)


class _Writer(HTMLParser):
    """Walks the rendered HTML and adds Word blocks to ``doc``; headings are shifted down by
    ``heading_offset`` levels (so a document's own headings sit under a title)."""

    def __init__(self, doc: DocxDocument, heading_offset: int, base_url: str):
        super().__init__(convert_charrefs=True)
        self.doc = doc
        self.offset = heading_offset
        self.base_url = base_url.rstrip("/")
        self.paragraph = None
        self.bold = 0
        self.italic = 0
        self.code = 0
        self.lists: list[str] = []
        self.quote = 0
        self.table: _Table | None = None
        self.cell: list[str] | None = None
        self.header_cell = False
        self.href: str | None = None
        self.link_text: list[str] = []

    # Blocks ----------------------------------------------------------------------------------

    def _start_paragraph(self, style: str | None = None) -> None:
        self.paragraph = paragraph(self.doc, style=style)

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if self.table is not None:
            if tag == "tr":
                self.table.rows.append([])
            elif tag in ("td", "th"):
                self.cell, self.header_cell = [], tag == "th"
            elif tag == "br" and self.cell is not None:
                self.cell.append(" ")
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.paragraph = heading(self.doc, "", int(tag[1]) + self.offset)
        elif tag == "p":
            self._start_paragraph("Quote" if self.quote else None)
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
        elif tag == "li":
            kind = "List Number" if self.lists and self.lists[-1] == "ol" else "List Bullet"
            depth = min(len(self.lists), 3)
            self._start_paragraph(kind if depth == 1 else f"{kind} {depth}")
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self._start_paragraph()
            self.code += 1
        elif tag == "table":
            self.table = _Table()
        elif tag == "hr":
            paragraph(self.doc).add_run().add_break(WD_BREAK.LINE)
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break(WD_BREAK.LINE)
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "code":
            self.code += 1
        elif tag == "a":
            self.href, self.link_text = attributes.get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if self.table is not None:
            if tag in ("td", "th") and self.cell is not None and self.table.rows:
                self.table.rows[-1].append((" ".join("".join(self.cell).split()), self.header_cell))
                self.cell = None
            elif tag == "table":
                self._write_table(self.table)
                self.table = None
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li"):
            self.paragraph = None
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote":
            self.quote = max(self.quote - 1, 0)
        elif tag == "pre":
            self.code = max(self.code - 1, 0)
            self.paragraph = None
        elif tag in ("strong", "b"):
            self.bold = max(self.bold - 1, 0)
        elif tag in ("em", "i"):
            self.italic = max(self.italic - 1, 0)
        elif tag == "code":
            self.code = max(self.code - 1, 0)
        elif tag == "a" and self.href is not None:
            shown = "".join(self.link_text)
            href = self.href
            if href.startswith("/"):
                href = self.base_url + href
            if href and href != shown:
                self._run(f" ({href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.table is not None:
            if self.cell is not None:
                self.cell.append(data)
            return
        if self.href is not None:
            self.link_text.append(data)
        if self.paragraph is None:
            if not data.strip():
                return
            self._start_paragraph("Quote" if self.quote else None)
        self._run(data if self.code else " ".join(data.split("\n")))

    def _run(self, text: str) -> None:
        if self.paragraph is None:
            self._start_paragraph()
        run = self.paragraph.add_run(text)
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None
        if self.code:
            run.font.name = "Courier New"

    def _write_table(self, table: _Table) -> None:
        rows = [r for r in table.rows if r]
        if not rows:
            return
        width = max(len(r) for r in rows)
        made = self.doc.add_table(rows=len(rows), cols=width)
        made.style = "Table Grid"
        for i, row in enumerate(rows):
            for j in range(width):
                text, header = row[j] if j < len(row) else ("", False)
                cell = made.cell(i, j)
                cell.text = ""
                run = cell.paragraphs[0].add_run(text)
                if header:
                    run.bold = True
        paragraph(self.doc)


def add_markdown(doc: DocxDocument, text: str, *, heading_offset: int = 0, base_url: str = "") -> None:
    """Add the markdown ``text`` to ``doc`` as Word blocks."""
    writer = _Writer(doc, heading_offset, base_url)
    writer.feed(str(render_markdown(text)))
    writer.close()
