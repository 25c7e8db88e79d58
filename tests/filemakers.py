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
    extra_parts: list[tuple[str, str, str, str]] | None = None,
) -> bytes:
    """A .docx whose body is ``body`` (WordprocessingML paragraphs and tables). ``extra_parts``: more
    (relationship type, name, xml, content type), related as rId1, rId2... before any other."""
    rels, types, parts = [], [], {}

    def add(rel_type, name, xml, content_type):
        rid = f"rId{len(rels) + 1}"
        rels.append(f'<Relationship Id="{rid}" Type="{REL}/{rel_type}" Target="{name}"/>')
        types.append(f'<Override PartName="/word/{name}" ContentType="{content_type}"/>')
        parts[f"word/{name}"] = xml
        return rid

    ct = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    for part in extra_parts or []:
        add(*part)
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


DRAWING_NS = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"'
)


def docx_picture(descr: str = "", title: str = "") -> str:
    """A paragraph holding one inline picture with this alt text (its image data is left out: the
    extraction reads only the drawing's description)."""
    attrs = (f' descr="{escape(descr)}"' if descr else "") + (f' title="{escape(title)}"' if title else "")
    return (
        f'<w:p><w:r><w:drawing><wp:inline {DRAWING_NS}><wp:docPr id="7" name="Picture 7"{attrs}/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic><pic:nvPicPr><pic:cNvPr id="7" name="image1.png"/></pic:nvPicPr></pic:pic>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )


def docx_chart(rid: str = "rId1") -> str:
    """A paragraph holding a chart whose part is related as ``rid`` (see :func:`chart_part`)."""
    return (
        f'<w:p><w:r><w:drawing><wp:inline {DRAWING_NS}><wp:docPr id="8" name="Chart 8"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>'
    )


def chart_part(
    title: str, categories: list[str], series: dict[str, list[float]]
) -> tuple[str, str, str, str]:
    """A chart part (DrawingML chart with cached categories and values) for :func:`docx` ``extra_parts``."""

    def cache(tag: str, values: list) -> str:
        points = "".join(f'<c:pt idx="{i}"><c:v>{escape(str(v))}</c:v></c:pt>' for i, v in enumerate(values))
        return f'<{tag}><c:ptCount val="{len(values)}"/>{points}</{tag}>'

    sers = "".join(
        f'<c:ser><c:idx val="{n}"/><c:tx><c:strRef><c:strCache>'
        f'<c:pt idx="0"><c:v>{escape(name)}</c:v></c:pt>'
        f"</c:strCache></c:strRef></c:tx>"
        f"<c:cat><c:strRef>{cache('c:strCache', categories)}</c:strRef></c:cat>"
        f"<c:val><c:numRef>{cache('c:numCache', values)}</c:numRef></c:val></c:ser>"
        for n, (name, values) in enumerate(series.items())
    )
    xml = (
        f"<c:chartSpace {DRAWING_NS}><c:chart><c:title><c:tx><c:rich>"
        f"<a:p><a:r><a:t>{escape(title)}</a:t></a:r>"
        f"</a:p></c:rich></c:tx></c:title><c:plotArea><c:barChart>{sers}</c:barChart></c:plotArea></c:chart>"
        "</c:chartSpace>"
    )
    return (
        "chart",
        "charts/chart1.xml",
        xml,
        "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
    )


def pptx_with_chart_and_pictures(alts: list[str]) -> bytes:
    """Slide 1: a bar chart with a title and data; slide 2: pictures with these alt texts ("" for none)."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Our data"
    data = CategoryChartData()
    data.categories = ["2023", "2024"]
    data.add_series("Referrals", (412, 388))
    data.add_series("Re-referrals", (61, 47))
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data
    )
    frame.chart.has_title = True
    frame.chart.chart_title.text_frame.text = "Referrals by year"
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "The visit"
    for n, alt in enumerate(alts):
        box = slide.shapes.add_picture(
            io.BytesIO(png_bytes()), Inches(1 + 2 * n), Inches(3), Inches(1), Inches(1)
        )
        box._element.nvPicPr.cNvPr.set("descr", alt)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def pdf_with_picture(caption: str | None) -> bytes:
    """A page of text with a picture on it, and under the picture this caption (or none)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(60, 780, "The visit took place over two days in March with a team of five peers.")
    c.drawImage(ImageReader(io.BytesIO(png_bytes())), 60, 500, width=300, height=220)
    if caption:
        c.drawString(60, 485, caption)
    c.drawString(60, 440, "The team met practitioners, managers and partners from health and education.")
    c.showPage()
    c.save()
    return buf.getvalue()


def huge_image_pdf(side: int = 20_000) -> bytes:
    """One page that is a single grey picture of ``side`` x ``side`` pixels (compressed to little)."""
    import zlib

    compressor = zlib.compressobj(9)
    row_block = b"\xff" * side * 500
    stream = b"".join(compressor.compress(row_block) for _ in range(side // 500)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n" % (side, side, len(stream)) + stream + b"\nendstream",
    ]
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def broken_font_pdf(paragraphs: list[str]) -> bytes:
    """A PDF whose embedded font maps its characters to the wrong code points (a broken ToUnicode
    map): the text layer reads as nonsense though the page shows the words."""
    import os
    import re

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(
        TTFont("Vera", os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf"))
    )
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setPageCompression(0)
    c.setFont("Vera", 12)
    y = 780
    for text in paragraphs:
        c.drawString(60, y, text)
        y -= 30
    c.save()
    return re.sub(rb"(<[0-9A-F]{2}> <)00([0-9A-F]{2}>)", rb"\1E0\2", buf.getvalue())


def joined_pdf(parts: list[bytes]) -> bytes:
    """The pages of several PDFs, in order, as one PDF."""
    import pypdfium2 as pdfium

    joined = pdfium.PdfDocument.new()
    for part in parts:
        source = pdfium.PdfDocument(part)
        joined.import_pages(source)
        source.close()
    buf = io.BytesIO()
    joined.save(buf)
    joined.close()
    return buf.getvalue()


def scan_of(pdf_bytes: bytes, pages: int = 1, dpi: int = 150) -> bytes:
    """A scan: the first page of ``pdf_bytes`` rendered to a picture, ``pages`` times, in a PDF of
    pictures only (one image shared by every page, so many pages stay small)."""
    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    document = pdfium.PdfDocument(pdf_bytes)
    image = document[0].render(scale=dpi / 72, grayscale=True).to_pil()
    document.close()
    png = io.BytesIO()
    image.save(png, format="PNG")
    reader = ImageReader(io.BytesIO(png.getvalue()))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for _ in range(pages):
        c.drawImage(reader, 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()
