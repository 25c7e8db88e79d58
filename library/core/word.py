"""Word documents (.docx) from markdown: real headings, lists, tables and quotes.

The markdown goes through the same rendering as the pages (every character visible, nothing
hidden, sanitised), then that HTML is written out as Word paragraphs. So a Word download holds
the words a reader sees on the page, in Word's own structure.
"""

from __future__ import annotations

import html
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from library.core.rendering import render_markdown

FONT = "Arial"
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "td", "th"}


# Characters XML 1.0 cannot hold: control characters, lone surrogates, U+FFFE and U+FFFF (a
# stored text never has them after extraction; headings typed for a starter may).
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML_RE.sub("", text)


def new_document(title: str) -> DocxDocument:
    doc = new_docx()
    doc.core_properties.title = xml_safe(title)[:250]
    # The package's own defaults would name it ("python-docx") as the author.
    doc.core_properties.author = "Peer Challenge Library"
    doc.core_properties.last_modified_by = "Peer Challenge Library"
    doc.core_properties.comments = ""
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
        run(made, text)
    return made


def run(made, text: str):
    """A run of ``text`` at the end of the paragraph ``made``."""
    return made.add_run(xml_safe(text))


LINK_COLOUR = "1D70B8"  # the GOV.UK link colour
_LINK_PROPS = f'<w:color w:val="{LINK_COLOUR}"/><w:u w:val="single"/>'
_LINKABLE = ("http://", "https://", "mailto:")


def _relate(doc_or_part, url: str) -> str:
    part = getattr(doc_or_part, "part", doc_or_part)
    return part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)


def link(made, text: str, url: str):
    """A link at the end of the paragraph ``made``: ``text`` that opens ``url`` when clicked (as
    plain text where ``url`` is not a web or mail address)."""
    if not url.startswith(_LINKABLE):
        return run(made, text)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), _relate(made.part, url))
    made_run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), LINK_COLOUR)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.extend([colour, underline])
    shown = OxmlElement("w:t")
    shown.text = xml_safe(text)
    shown.set(qn("xml:space"), "preserve")
    made_run.extend([props, shown])
    hyperlink.append(made_run)
    made._p.append(hyperlink)
    return hyperlink


def heading(doc: DocxDocument, text: str, level: int):
    """A heading: level 0 is the document's title."""
    return paragraph(doc, text, "Title" if level == 0 else f"Heading {min(level, 9)}")


def to_bytes(doc: DocxDocument) -> bytes:
    """The .docx file, with the blocks :func:`add_markdown` wrote put in their places."""
    out = io.BytesIO()
    doc.save(out)
    blocks: dict[str, str] = doc.__dict__.get("_library_blocks", {})
    if not blocks:
        return out.getvalue()
    # Written into the package's main part as text: moving a large tree into python-docx's own
    # took lxml time that grew with the square of its size.
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                for token, blocks_xml in blocks.items():
                    xml = xml.replace(_placeholder(token), blocks_xml, 1)
                data = xml.encode("utf-8")
            target.writestr(item, data)
    return result.getvalue()


def _placeholder(token: str) -> str:
    return f"<w:p><w:r><w:t>{token}</w:t></w:r></w:p>"


@dataclass
class _Table:
    rows: list[list[tuple[str, bool]]] = field(default_factory=list)


@dataclass
class _Paragraph:
    style: str | None
    runs: list[str] = field(default_factory=list)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _xml_text(text: str) -> str:
    return escape(xml_safe(text))


_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_HREF_RE = re.compile(r'href="([^"]*)"')


class _Writer:
    """Walks the rendered HTML and writes Word blocks as WordprocessingML, added to ``doc`` in one
    step at the end: linear in the length of the text (python-docx's own calls cost a look-up per
    run and a walk of the whole table per cell). Headings are shifted down by ``heading_offset``
    levels (so a document's own headings sit under a title)."""

    def __init__(self, doc: DocxDocument, heading_offset: int, base_url: str):
        self.doc = doc
        self.offset = heading_offset
        self.base_url = base_url.rstrip("/")
        self.blocks: list[_Paragraph | str] = []
        self.paragraph: _Paragraph | None = None
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
        self.link_from = 0  # where the link's runs start in its paragraph

    def feed(self, markup: str) -> None:
        """Walk sanitised HTML (as the renderer writes it: well formed, attributes quoted)."""
        cursor = 0
        for match in _HTML_TAG_RE.finditer(markup):
            if match.start() > cursor:
                self.handle_data(html.unescape(markup[cursor : match.start()]))
            cursor = match.end()
            closing, tag, rest = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                self.handle_endtag(tag)
            else:
                href = _HREF_RE.search(rest) if tag == "a" else None
                attrs = [("href", html.unescape(href.group(1)))] if href else []
                self.handle_starttag(tag, attrs)
                if rest.rstrip().endswith("/") and tag not in ("br", "hr"):
                    self.handle_endtag(tag)
        if cursor < len(markup):
            self.handle_data(html.unescape(markup[cursor:]))

    def close(self) -> None:
        pass

    # Blocks ----------------------------------------------------------------------------------

    def _start_paragraph(self, style: str | None = None) -> None:
        self.paragraph = _Paragraph(_style_id(self.doc, style) if style else None)
        self.blocks.append(self.paragraph)

    def _line_break(self) -> None:
        if self.paragraph is None:
            self._start_paragraph()
        self.paragraph.runs.append("<w:r><w:br/></w:r>")

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
            level = int(tag[1]) + self.offset
            self._start_paragraph("Title" if level == 0 else f"Heading {min(level, 9)}")
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
            self._start_paragraph()
            self._line_break()
            self.paragraph = None
        elif tag == "br" and self.paragraph is not None:
            self._line_break()
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "code":
            self.code += 1
        elif tag == "a":
            self.href, self.link_text = attributes.get("href") or "", []
            if self.href.startswith("/"):
                self.href = self.base_url + self.href
            if self.paragraph is None:
                self._start_paragraph("Quote" if self.quote else None)
            self.link_from = len(self.paragraph.runs)

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
            href, self.href = self.href, None
            if href.startswith(_LINKABLE) and self.paragraph is not None:
                runs = self.paragraph.runs
                text = _xml_text(href)
                shown = f'<w:r><w:rPr>{_LINK_PROPS}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'
                inside = "".join(runs[self.link_from :]) or shown
                rid = _relate(self.doc, href)
                runs[self.link_from :] = [f'<w:hyperlink r:id="{rid}">{inside}</w:hyperlink>']
            elif href and href != "".join(self.link_text):
                self._run(f" ({href})")

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
        props = ""
        if self.code:
            props += '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>'
        if self.bold:
            props += "<w:b/>"
        if self.italic:
            props += "<w:i/>"
        if self.href is not None and self.href.startswith(_LINKABLE):
            props += _LINK_PROPS
        props = f"<w:rPr>{props}</w:rPr>" if props else ""
        self.paragraph.runs.append(f'<w:r>{props}<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r>')

    def _write_table(self, table: _Table) -> None:
        rows = [r for r in table.rows if r]
        if not rows:
            return
        width = max(len(r) for r in rows)
        column = 9000 // width
        out = [
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{_style_id(self.doc, "Table Grid")}"/>'
            '<w:tblW w:type="auto" w:w="0"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
            'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
            f'<w:gridCol w:w="{column}"/>' * width,
            "</w:tblGrid>",
        ]
        for row in rows:
            out.append("<w:tr>")
            for j in range(width):
                text, header = row[j] if j < len(row) else ("", False)
                bold = "<w:rPr><w:b/></w:rPr>" if header else ""
                run = f'<w:r>{bold}<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r>' if text else ""
                out.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{column}" w:type="dxa"/></w:tcPr><w:p>{run}</w:p></w:tc>'
                )
            out.append("</w:tr>")
        out.append("</w:tbl>")
        self.blocks.append("".join(out))
        self.blocks.append(_Paragraph(None))
        self.paragraph = None

    def xml(self) -> str:
        parts = []
        for block in self.blocks:
            if isinstance(block, str):
                parts.append(block)
                continue
            style = f'<w:pPr><w:pStyle w:val="{block.style}"/></w:pPr>' if block.style else ""
            parts.append(f"<w:p>{style}{''.join(block.runs)}</w:p>")
        return "".join(parts)


def add_markdown(doc: DocxDocument, text: str, *, heading_offset: int = 0, base_url: str = "") -> None:
    """Add the markdown ``text`` to ``doc`` as Word blocks."""
    writer = _Writer(doc, heading_offset, base_url)
    writer.feed(str(render_markdown(text)))
    writer.close()
    blocks = doc.__dict__.setdefault("_library_blocks", {})
    token = f"library-blocks-{uuid.uuid4().hex}"
    blocks[token] = writer.xml()
    paragraph(doc).add_run(token)  # where the blocks go (see to_bytes)
