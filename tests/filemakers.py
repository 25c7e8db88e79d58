"""Small files made in tests: Word packages with chosen XML, PDFs, presentations, bad files."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    f'xmlns:w="{W_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def para(text: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def docx(
    body: str,
    *,
    header: str | None = None,
    footer: str | None = None,
    footnotes: str | None = None,
    comments: str | None = None,
    author: str | None = None,
) -> bytes:
    """A .docx whose body is ``body`` (WordprocessingML paragraphs and tables)."""
    rels, types, parts = [], [], {}

    def add(rel_type, name, xml, content_type):
        rid = f"rId{len(rels) + 1}"
        rels.append(f'<Relationship Id="{rid}" Type="{REL}/{rel_type}" Target="{name}"/>')
        types.append(f'<Override PartName="/word/{name}" ContentType="{content_type}"/>')
        parts[f"word/{name}"] = xml
        return rid

    ct = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    sect = ""
    if header is not None:
        rid = add("header", "header1.xml", f"<w:hdr {NS}>{para(header)}</w:hdr>", f"{ct}.header+xml")
        sect += f'<w:headerReference w:type="default" r:id="{rid}"/>'
    if footer is not None:
        rid = add("footer", "footer1.xml", f"<w:ftr {NS}>{para(footer)}</w:ftr>", f"{ct}.footer+xml")
        sect += f'<w:footerReference w:type="default" r:id="{rid}"/>'
    if footnotes is not None:
        add(
            "footnotes",
            "footnotes.xml",
            f'<w:footnotes {NS}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
            f'</w:footnote><w:footnote w:id="1">{para(footnotes)}</w:footnote></w:footnotes>',
            f"{ct}.footnotes+xml",
        )
    if comments is not None:
        add(
            "comments",
            "comments.xml",
            f'<w:comments {NS}><w:comment w:id="0" w:author="Reviewer">{para(comments)}</w:comment>'
            "</w:comments>",
            f"{ct}.comments+xml",
        )
    document = f"<w:document {NS}><w:body>{body}<w:sectPr>{sect}</w:sectPr></w:body></w:document>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{ct}.document.main+xml"/>'
            + "".join(types)
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
            'metadata/core-properties" Target="docProps/core.xml"/></Relationships>',
        )
        z.writestr(
            "docProps/core.xml",
            '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{author or ''}</dc:creator><cp:lastModifiedBy>{author or ''}</cp:lastModifiedBy>"
            "</cp:coreProperties>",
        )
        z.writestr("word/document.xml", document)
        z.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(rels)
            + "</Relationships>",
        )
        for name, xml in parts.items():
            z.writestr(name, xml)
    return buf.getvalue()


def pdf(pages: list[list[str]], *, encrypt_with: str | None = None, author: str | None = None) -> bytes:
    """A PDF with a text layer: each page a list of lines (a line starting '# ' is set large)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    if author:
        c.setAuthor(author)
    for lines in pages:
        y = 800
        for line in lines:
            if line.startswith("# "):
                c.setFont("Helvetica-Bold", 18)
                c.drawString(60, y, line[2:])
                y -= 30
            else:
                c.setFont("Helvetica", 10)
                c.drawString(60, y, line)
                y -= 14
        c.showPage()
    c.save()
    data = buf.getvalue()
    if encrypt_with is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(user_password=encrypt_with, owner_password="owner-secret", algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def scanned_pdf() -> bytes:
    """A PDF whose page is only a picture: no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = png_bytes()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(png)), 50, 400, width=400, height=300)
    c.showPage()
    c.save()
    return buf.getvalue()


def png_bytes() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 8 for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def zip_bomb_docx(expanded_bytes: int) -> bytes:
    """A .docx with one part that expands to ``expanded_bytes`` of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        with z.open("word/media/padding.bin", "w", force_zip64=True) as fh:
            block = b"\x00" * (1024 * 1024)
            for _ in range(expanded_bytes // len(block)):
                fh.write(block)
    return buf.getvalue()


def pptx(slides: list[dict]) -> bytes:
    """A .pptx: each slide ``{"title", "bullets", "notes", "hidden", "alt"}``."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    for spec in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = spec.get("title", "")
        body = slide.placeholders[1].text_frame
        for i, bullet in enumerate(spec.get("bullets", [])):
            paragraph = body.paragraphs[0] if i == 0 else body.add_paragraph()
            paragraph.text = bullet
        if spec.get("notes"):
            slide.notes_slide.notes_text_frame.text = spec["notes"]
        if spec.get("alt"):
            box = slide.shapes.add_picture(
                io.BytesIO(png_bytes()), Inches(1), Inches(5), Inches(1), Inches(1)
            )
            box._element.nvPicPr.cNvPr.set("descr", spec["alt"])
        if spec.get("hidden"):
            slide._element.set("show", "0")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def shared_stream_pdf(pages: int = 45, lines: int = 520) -> bytes:
    """A few kilobytes of PDF whose pages all draw one compressed content stream full of text:
    about 1.3 million characters once extracted (with the defaults)."""
    import zlib

    row = "BT /F1 10 Tf 40 {y} Td (Contact Sarah Okafor on 07700 900123 or sarah@example.org) Tj ET\n"
    stream = zlib.compress("".join(row.format(y=700 - (i % 60) * 11) for i in range(lines)).encode(), 9)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        None,  # the shared content stream
    ] + [
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
        "/Contents 4 0 R >>"
    ] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        if body is None:
            out.write(f"{number} 0 obj\n<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode())
            out.write(stream + b"\nendstream\nendobj\n")
        else:
            out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def many_emails_text(count: int = 40_000) -> bytes:
    """A plain text file listing ``count`` different email addresses."""
    return "".join(f"Contact person{i} at person{i}@example.org.\n" for i in range(count)).encode()


def large_docx(paragraphs: int) -> bytes:
    """A Word document of ``paragraphs`` short paragraphs: small on disk, large once parsed."""
    return docx(para("A short paragraph of the plan.") * paragraphs)


def _cell(text: str) -> str:
    return f"<w:tc>{para(escape(text))}</w:tc>"


def composed_docx(markdown_text: str) -> bytes:
    """A Word document with the headings, lists, quotes and tables of a composed document."""

    body = []
    for style, value in markdown_to_docx_blocks(markdown_text):
        if style == "table":
            rows = "".join(f"<w:tr>{''.join(_cell(c) for c in row)}</w:tr>" for row in value)
            body.append(f"<w:tbl>{rows}</w:tbl>")
        else:
            body.append(para(escape(value), None if style == "Normal" else style))
    return docx("".join(body))


def long_self_assessment(pages: int = 20, seed: int = 7) -> tuple[str, bytes]:
    """A realistic early help self-assessment of about ``pages`` pages, as (title, .docx bytes):
    some 9,800 words, dozens of people named, hundreds of suggestions."""
    from library.demo.compose import compose

    title, text = compose(
        area="early-help",
        document_type="self-assessment",
        authority="Kingsmere Borough Council",
        domain="kingsmere.example",
        pages=pages,
        seed=seed,
    )
    return title, composed_docx(text)


def markdown_to_docx_blocks(text: str) -> list[tuple[str, str | list[list[str]]]]:
    """The document as Word blocks: ("Title"|"Heading1"|"Heading2"|"ListBullet"|"ListNumber"|
    "Quote"|"Normal", text) and ("table", rows)."""
    blocks: list[tuple[str, str | list[list[str]]]] = []
    rows: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= {"-", " ", ":"} for cell in cells):
                rows.append(cells)
            continue
        if rows:
            blocks.append(("table", rows))
            rows = []
        if not line.strip():
            continue
        for prefix, style in (
            ("### ", "Heading2"),
            ("## ", "Heading1"),
            ("# ", "Title"),
            ("- ", "ListBullet"),
            ("> ", "Quote"),
        ):
            if line.startswith(prefix):
                blocks.append((style, line[len(prefix) :]))
                break
        else:
            head, _, rest = line.partition(". ")
            if head.isdigit() and rest:
                blocks.append(("ListNumber", rest))
            else:
                blocks.append(("Normal", line))
    if rows:
        blocks.append(("table", rows))
    return blocks
