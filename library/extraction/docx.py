"""Word (.docx) to markdown, read straight from the package's XML.

In: body paragraphs and tables in order, headings and lists, text boxes, headers, footers,
footnotes and endnotes, tracked insertions, image alt text.
Out on purpose: tracked deletions and moved-from text, comments, file properties (author, last
modified by), field codes.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from library.extraction.base import (
    ExtractionError,
    Limits,
    Picture,
    Report,
    alt_text,
    chart_blocks,
    join_blocks,
    md_table,
    strip_block_prefix,
)
from library.extraction.sniff import check_zip

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
V = "urn:schemas-microsoft-com:vml"
_DRAWINGS = (f"{{{WP}}}inline", f"{{{WP}}}anchor")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# Subtrees whose text a reader of the accepted document would not see.
_SKIP = {
    _w("del"),
    _w("moveFrom"),
    f"{{{MC}}}Fallback",
    _w("rPr"),
    _w("pPr"),
    _w("instrText"),
    _w("delText"),
    _w("commentReference"),
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
_HEADING_RE = re.compile(r"^heading\s*(\d)$")


def _parse(archive, name: str):
    try:
        return etree.fromstring(archive.read(name), _PARSER)
    except KeyError:
        return None
    except (etree.XMLSyntaxError, OSError, EOFError) as exc:
        raise ExtractionError(
            "The Word document seems to be damaged. Open it in Word, save it again and upload the new copy.",
            code="damaged_file",
        ) from exc
    except Exception as exc:  # zlib or CRC errors from a truncated package
        raise ExtractionError(
            "The Word document seems to be damaged or incomplete. Save it again and upload the new copy.",
            code="damaged_file",
        ) from exc


class _Docx:
    def __init__(self, data: bytes, limits: Limits | None = None):
        self.archive = check_zip(data, limits or Limits(max_bytes=max(len(data), 1)))
        self.styles = self._styles()
        self.numbering = self._numbering()
        self.rels = self._rels("word/document.xml")
        self.pictures: list[Picture] = []
        self.heading = ""
        self._after: list[str] = []  # blocks that follow the paragraph being read (a chart's data)

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        root = _parse(self.archive, posixpath.join(folder, "_rels", name + ".rels"))
        out: dict[str, tuple[str, str]] = {}
        if root is None:
            return out
        for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
            out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], target.lstrip("/"))
        return out

    def _styles(self) -> dict[str, str]:
        root = _parse(self.archive, "word/styles.xml")
        styles: dict[str, str] = {}
        if root is not None:
            for style in root.iter(_w("style")):
                name = style.find(_w("name"))
                styles[style.get(_w("styleId"), "")] = (
                    name.get(_w("val")) if name is not None else ""
                ).lower()
        return styles

    def _numbering(self) -> dict[tuple[str, str], str]:
        """(numId, ilvl) -> numFmt."""
        root = _parse(self.archive, "word/numbering.xml")
        if root is None:
            return {}
        abstract: dict[str, dict[str, str]] = {}
        for node in root.iter(_w("abstractNum")):
            levels = {}
            for lvl in node.iter(_w("lvl")):
                fmt = lvl.find(_w("numFmt"))
                levels[lvl.get(_w("ilvl"), "0")] = fmt.get(_w("val")) if fmt is not None else "bullet"
            abstract[node.get(_w("abstractNumId"), "")] = levels
        out = {}
        for num in root.iter(_w("num")):
            ref = num.find(_w("abstractNumId"))
            levels = abstract.get(ref.get(_w("val")) if ref is not None else "", {})
            for ilvl, fmt in levels.items():
                out[(num.get(_w("numId"), ""), ilvl)] = fmt
        return out

    # Paragraphs --------------------------------------------------------------------------------

    def _runs_text(self, node, out: list[str], boxes: list) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _w("t"):
                out.append(child.text or "")
            elif tag == _w("tab"):
                out.append("\t")
            elif tag in (_w("br"), _w("cr")):
                out.append("\n")
            elif tag == _w("noBreakHyphen"):
                out.append("-")
            elif tag in (_w("footnoteReference"), _w("endnoteReference")):
                out.append(f"[{child.get(_w('id'))}]")
            elif tag == _w("txbxContent"):
                boxes.append(child)
            elif tag in _DRAWINGS:
                self._drawing(child, out, boxes)
            elif tag == f"{{{V}}}imagedata":  # a picture in the older (VML) form
                shape = child.getparent()
                alt = alt_text(shape.get("alt"), shape.get("title")) if shape is not None else ""
                if alt:
                    out.append(f" [Image: {alt}] ")
                self.pictures.append(Picture(self._where(), bool(alt)))
            else:
                self._runs_text(child, out, boxes)

    def _where(self) -> str:
        return f"under “{self.heading}”" if self.heading else "before the first heading"

    def _drawing(self, node, out: list[str], boxes: list) -> None:
        """A drawing: a picture (its alt text kept, unless it is only a file name), a chart (its title
        and data kept as a table after the paragraph), or a shape whose text is read."""
        doc_pr = node.find(f"{{{WP}}}docPr")
        alt = alt_text(doc_pr.get("title"), doc_pr.get("descr")) if doc_pr is not None else ""
        data = node.find(f".//{{{A}}}graphicData")
        uri = data.get("uri", "") if data is not None else ""
        if alt:
            out.append(f" [Image: {alt}] ")
        if uri.endswith("/chart"):
            chart = data.find(f"{{{C}}}chart")
            rid = chart.get(f"{{{R}}}id", "") if chart is not None else ""
            root = _parse(self.archive, self.rels[rid][1]) if rid in self.rels else None
            kept = chart_blocks(_chart_title(root), _chart_series(root)) if root is not None else []
            self._after.extend(kept)
            self.pictures.append(Picture(self._where(), bool(kept or alt)))
        elif uri.endswith(("/picture", "/diagram")) or node.find(f".//{{{PIC}}}pic") is not None:
            self.pictures.append(Picture(self._where(), bool(alt)))
        else:
            self._runs_text(node, out, boxes)

    def paragraph(self, p) -> list[str]:
        """The markdown blocks of one paragraph (text boxes and charts' data inside it follow it)."""
        parts: list[str] = []
        boxes: list = []
        after, self._after = self._after, []
        self._runs_text(p, parts, boxes)
        text = "".join(parts).strip()
        blocks: list[str] = []
        if text:
            block = self._decorate(p, text)
            if block.startswith("#"):
                self.heading = block.lstrip("#").strip()
            blocks.append(block)
        blocks.extend(self._after)
        self._after = after
        for box in boxes:
            blocks.extend(self.blocks(box))
        return blocks

    def _decorate(self, p, text: str) -> str:
        ppr = p.find(_w("pPr"))
        style = ""
        num = None
        if ppr is not None:
            pstyle = ppr.find(_w("pStyle"))
            if pstyle is not None:
                style = self.styles.get(pstyle.get(_w("val"), ""), pstyle.get(_w("val"), "").lower())
            num = ppr.find(_w("numPr"))
            outline = ppr.find(_w("outlineLvl"))
            if outline is not None and not style.startswith("heading"):
                try:
                    style = f"heading {int(outline.get(_w('val'), '9')) + 1}"
                except ValueError:
                    pass
        one_line = " ".join(text.split("\n"))
        if style == "title":
            return "# " + one_line
        if style in ("subtitle",):
            return "## " + one_line
        match = _HEADING_RE.match(style)
        if match:
            return "#" * min(int(match.group(1)) + 1, 6) + " " + one_line
        if num is not None or style.startswith("list"):
            level, fmt = 0, "bullet"
            if num is not None:
                ilvl = num.find(_w("ilvl"))
                num_id = num.find(_w("numId"))
                level = int(ilvl.get(_w("val"), "0")) if ilvl is not None else 0
                fmt = self.numbering.get(
                    (num_id.get(_w("val"), "") if num_id is not None else "", str(level)), "bullet"
                )
            elif "number" in style:
                fmt = "decimal"
            marker = "-" if fmt in ("bullet", "none") else "1."
            return "    " * min(level, 4) + marker + " " + one_line
        return text.replace("\n", "  \n")

    # Tables and bodies -------------------------------------------------------------------------

    def table(self, tbl) -> str:
        rows: list[list[str]] = []
        for tr in tbl.iter(_w("tr")):
            if tr.getparent() is not None and _nearest_table(tr) is not tbl:
                continue
            row: list[str] = []
            for tc in tr:
                if tc.tag != _w("tc"):
                    continue
                cell_blocks = self.blocks(tc)
                row.append(" ".join(strip_block_prefix(b) for b in cell_blocks))
                tcpr = tc.find(_w("tcPr"))
                span = tcpr.find(_w("gridSpan")) if tcpr is not None else None
                if span is not None:
                    row.extend([""] * (max(int(span.get(_w("val"), "1")), 1) - 1))
            rows.append(row)
        return md_table(rows)

    def blocks(self, container) -> list[str]:
        out: list[str] = []
        for child in container:
            tag = child.tag
            if tag == _w("p"):
                out.extend(self.paragraph(child))
            elif tag == _w("tbl"):
                table = self.table(child)
                if table:
                    out.append(table)
            elif tag in (_w("sdt"),):
                content = child.find(_w("sdtContent"))
                if content is not None:
                    out.extend(self.blocks(content))
            elif tag in (_w("customXml"), _w("sdtContent"), _w("ins"), _w("moveTo"), _w("smartTag")):
                out.extend(self.blocks(child))
            elif tag == f"{{{MC}}}AlternateContent":
                choice = child.find(f"{{{MC}}}Choice")
                if choice is not None:
                    out.extend(self.blocks(choice))
        return out

    def part_blocks(self, part: str) -> list[str]:
        root = _parse(self.archive, part)
        return self.blocks(root) if root is not None else []

    def notes(self, part: str, tag: str) -> list[str]:
        root = _parse(self.archive, part)
        out: list[str] = []
        if root is None:
            return out
        for note in root.iter(_w(tag)):
            if note.get(_w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = " ".join(self.blocks(note)).strip()
            if text:
                out.append(f"[{note.get(_w('id'))}] {text}")
        return out

    def markdown(self) -> str:
        document = _parse(self.archive, "word/document.xml")
        if document is None:
            raise ExtractionError("The Word document has no body.", code="damaged_file")
        body = document.find(_w("body"))
        by_type: dict[str, list[str]] = {}
        for rel_type, target in self.rels.values():
            by_type.setdefault(rel_type, []).append(target)

        sections: list[str] = []
        headers = _unique(b for part in sorted(by_type.get("header", [])) for b in self.part_blocks(part))
        if headers:
            sections.append("\n\n".join(f"_Header:_ {h}" for h in headers))
        sections.append(join_blocks(self.blocks(body) if body is not None else []))
        footnotes = [n for part in by_type.get("footnotes", []) for n in self.notes(part, "footnote")]
        endnotes = [n for part in by_type.get("endnotes", []) for n in self.notes(part, "endnote")]
        if footnotes:
            sections.append("## Footnotes\n\n" + "\n\n".join(footnotes))
        if endnotes:
            sections.append("## Endnotes\n\n" + "\n\n".join(endnotes))
        footers = _unique(b for part in sorted(by_type.get("footer", [])) for b in self.part_blocks(part))
        if footers:
            sections.append("\n\n".join(f"_Footer:_ {f}" for f in footers))
        return "\n\n".join(s for s in sections if s.strip()) + "\n"


def _chart_title(root) -> str:
    title = root.find(f".//{{{C}}}title")
    if title is None:
        return ""
    return " ".join("".join(t.text or "" for t in title.iter(f"{{{A}}}t")).split())


def _points(node) -> dict[int, str]:
    if node is None:
        return {}
    out = {}
    for pt in node.iter(f"{{{C}}}pt"):
        value = pt.find(f"{{{C}}}v")
        try:
            out[int(pt.get("idx", "0"))] = (value.text or "").strip() if value is not None else ""
        except ValueError:
            continue
    return out


def _chart_series(root) -> list[tuple[str, dict[int, str], dict[int, str]]]:
    """Each series of the chart as the file caches it: (name, categories by index, values by index)."""
    out = []
    for ser in root.iter(f"{{{C}}}ser"):
        name = ser.find(f"{{{C}}}tx")
        label = (
            " ".join(" ".join(v.text or "" for v in name.iter(f"{{{C}}}v")).split())
            if name is not None
            else ""
        )
        cats = ser.find(f"{{{C}}}cat")
        if cats is None:
            cats = ser.find(f"{{{C}}}xVal")
        vals = ser.find(f"{{{C}}}val")
        if vals is None:
            vals = ser.find(f"{{{C}}}yVal")
        out.append((label, _points(cats), _points(vals)))
    return out


def _nearest_table(node):
    parent = node.getparent()
    while parent is not None and parent.tag != _w("tbl"):
        parent = parent.getparent()
    return parent


def _unique(items) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item.strip() and item not in seen:
            seen.append(item)
    return seen


def extract_docx(data: bytes, limits: Limits | None = None, report: Report | None = None) -> str:
    """The document as markdown; the pictures it leaves out go to ``report``."""
    document = _Docx(data, limits)
    text = document.markdown()
    if report is not None:
        report.pictures += document.pictures
    return text
