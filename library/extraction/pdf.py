"""PDF to markdown with PDFium (pypdfium2): the text layer read by its layout, and scanned pages read
by text recognition (OCR).

Layout: each page's text runs with their positions and sizes. Running headers, footers and page
numbers (lines in the top or bottom tenth of the page that repeat on other pages, or that are only a
page number) are removed. Ruled tables (drawn lines forming a grid) and aligned tables (rows of runs
with gutters every row shares) become markdown tables. A page set in two columns is read left column
first, then right, with full-width lines between them kept in place. Lines set larger than the body
become headings, bullet characters list items, and a gap between lines starts a paragraph.

Scans: a page whose text layer is missing or unreadable (broken fonts) and that holds a picture is
rendered and read by OCR, within ``Limits.ocr_max_pages`` and ``Limits.ocr_timeout_seconds``; the
report names the pages read by OCR and those that could not be read.

Pictures are never text: each one larger than a small decoration is named in the report (its
caption, a text line of its own, stays in the text).

Out on purpose: annotations and comments, form field values, attachments, document properties.

This module reads the file (PDFium) and assembles the markdown; the page geometry (lines, running
lines, tables, columns) is in :mod:`library.extraction.pdf_layout`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from library.extraction import ocr
from library.extraction.base import (
    ExtractionError,
    Limits,
    Report,
    UnreadPage,
    join_blocks,
    md_table,
    too_many_pages,
    too_much_text,
)
from library.extraction.pdf_layout import (
    Line,
    Page,
    Seg,
    body_size,
    continue_table,
    page_items,
    pictures_of,
    remove_running,
    type_sizes,
)

log = logging.getLogger(__name__)
_BULLETS = ("\x7f", "•", "●", "▪", "◦", "‣", "∙", "\uf0b7", "\uf0a7", "–")
# A page with fewer readable characters than this has no usable text layer.
_MIN_PAGE_CHARS = 20
# Pictures covering less of the page than this share are decoration (rules, logos, bullets).
_MIN_PICTURE_SHARE = 0.01
# A page without usable text whose pictures cover this share of it is a scan.
_SCAN_SHARE = 0.3
# A picture larger than this is not decoded for OCR: it would need more memory than a page is worth.
_MAX_IMAGE_PIXELS = 60_000_000
_OCR_DPI = 300
# A page with more drawn shapes than this is a drawing: its lines are not read as a table's.
_MAX_PATHS = 3000
_OCR_MAX_PIXELS = 12_000_000


# Reading the text layer --------------------------------------------------------------------------


def _segments(textpage, raw) -> list[Seg]:
    """The page's text runs. PDFium lists them in text order; each run's characters are found by
    its two ends (reading the text inside its box would take in neighbouring lines' characters)."""
    full = textpage.get_text_range()
    out: list[Seg] = []
    cursor = 0
    for i in range(textpage.count_rects()):
        x0, y0, x1, y1 = textpage.get_rect(i)
        middle, half = (y0 + y1) / 2, max((y1 - y0) / 2, 0.5)
        first = raw.FPDFText_GetCharIndexAtPos(textpage.raw, x0 + 0.5, middle, 1.0, half)
        if first < 0:
            first = cursor
        last = raw.FPDFText_GetCharIndexAtPos(textpage.raw, x1 - 0.5, middle, 1.0, half)
        if last < first:
            last = _last_inside(textpage, raw, full, first, (x0, y0, x1, y1))
        if last < first:
            continue
        # PDFium gives U+FFFE for a hyphen that ends a line
        text = " ".join(full[first : last + 1].replace("\ufffe", "-").split())
        cursor = last + 1
        if not text:
            continue
        out.append(Seg(x0, y0, x1, y1, text, round(raw.FPDFText_GetFontSize(textpage.raw, first), 1)))
    return out


def _last_inside(textpage, raw, full: str, first: int, box) -> int:
    """The last character from ``first`` on whose middle is inside ``box`` (when the run's right end
    is a character too small to find by position, such as a full stop)."""
    import ctypes

    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    x0, y0, x1, y1 = box
    last = first - 1
    for index in range(first, min(len(full), first + 2000)):
        if full[index] in "\r\n":
            break
        if raw.FPDFText_GetCharBox(textpage.raw, index, left, right, bottom, top):
            cx, cy = (left.value + right.value) / 2, (bottom.value + top.value) / 2
            if not (x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1):
                break
        last = index
    return last


def _path_rules(obj, raw, page: Page) -> None:
    left, bottom, right, top = obj.get_bounds()
    width, height = right - left, top - bottom
    if width > 3 and height <= 2.5:
        page.h_rules.append((left, right, (top + bottom) / 2))
    elif height > 3 and width <= 2.5:
        page.v_rules.append(((left + right) / 2, bottom, top))
    elif width > 3 and height > 3 and raw.FPDFPath_CountSegments(obj.raw) <= 6:
        # a rectangle (a cell's border or background): its four sides
        page.h_rules += [(left, right, bottom), (left, right, top)]
        page.v_rules += [(left, bottom, top), (right, bottom, top)]


def _read_page(raw, document, index: int) -> Page:
    page = document[index]
    try:
        width, height = page.get_size()
        out = Page(index + 1, width, height)
        textpage = page.get_textpage()
        try:
            out.segs = _segments(textpage, raw)
        finally:
            textpage.close()
        area = max(width * height, 1.0)
        paths = 0
        for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE)):
            if obj.type == raw.FPDF_PAGEOBJ_PATH:
                paths += 1
                if paths <= _MAX_PATHS:
                    _path_rules(obj, raw, out)
                continue
            left, bottom, right, top = obj.get_bounds()
            left, bottom = max(left, 0.0), max(bottom, 0.0)
            right, top = min(right, width), min(top, height)
            if (right - left) * (top - bottom) < area * _MIN_PICTURE_SHARE:
                continue
            try:
                w, h = obj.get_px_size()
            except Exception:  # an image PDFium cannot describe
                w, h = 0, 0
            out.pictures.append((left, bottom, right, top, w * h))
        if paths > _MAX_PATHS:  # a drawing (a chart, a map), not a table's lines
            out.h_rules, out.v_rules = [], []
        return out
    finally:
        page.close()


def _usable(segs: list[Seg]) -> bool:
    """Whether a page's text layer holds readable text: enough letters, and words that look like words
    (a font without a proper character map gives symbols, or letters with no vowels)."""
    text = " ".join(s.text for s in segs)
    visible = [c for c in text if not c.isspace()]
    if len(visible) < _MIN_PAGE_CHARS:
        return False
    letters = sum(c.isalpha() for c in visible)
    odd = sum(1 for c in visible if "\ue000" <= c <= "\uf8ff" or c == "\ufffd")
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text)]
    vowelled = sum(1 for w in words if re.search(r"[aeiouyAEIOUY]", w))
    return (
        letters >= 0.5 * len(visible) and odd <= 0.05 * len(visible) and vowelled >= 0.6 * max(len(words), 1)
    )


def _joined(before: str, text: str) -> str:
    """``text`` as it continues ``before`` on the next line: after a space, or straight after a
    hyphen that broke a word."""
    return text if before.endswith("-") and text[:1].islower() else " " + text


def _blocks(pages: list[Page]) -> list[str]:
    sizes = type_sizes(pages)
    body = body_size(sizes)
    heading_sizes = sorted({s for s in sizes if s >= body * 1.15}, reverse=True)[:5]
    level = {size: i + 1 for i, size in enumerate(heading_sizes)}

    blocks: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("\n".join(paragraph))
            paragraph.clear()

    last_table: tuple[int, list[list[str]]] | None = None  # (its block's index, its rows)
    for page in pages:
        previous: Line | None = None
        first_on_page = True
        for item in page_items(page, body):
            if item.ocr is not None or item.table is not None:
                flush()
                if item.ocr:
                    blocks.extend(b for b in item.ocr.split("\n\n") if b.strip())
                elif item.table:
                    continued = first_on_page and last_table is not None and last_table[0] == len(blocks) - 1
                    if continued and len(last_table[1][0]) == len(item.table[0]):
                        rows = continue_table(last_table[1], item.table)
                        blocks[-1] = md_table(rows)
                        last_table = (len(blocks) - 1, rows)
                    else:
                        table = md_table(item.table)
                        if table:
                            blocks.append(table)
                            last_table = (len(blocks) - 1, item.table)
                previous = None
                first_on_page = False
                continue
            first_on_page = False
            line = item.line
            text = " ".join(line.text.split())
            # lines further apart than usual leading (middles, as tops and bottoms vary with the letters)
            gap = previous is not None and previous.cy - line.cy > max(previous.size, line.size) * 1.75
            # the top of the next column: a new paragraph if the last one ended a sentence
            gap = gap or (
                previous is not None
                and line.cy > previous.top
                and previous.text.rstrip().endswith((".", "!", "?", ":"))
            )
            if line.size in level:
                flush()
                heading = "#" * level[line.size] + " "
                if (
                    blocks
                    and blocks[-1].startswith(heading)
                    and previous is not None
                    and not gap
                    and (previous.size == line.size)
                ):
                    blocks[-1] += " " + text  # a heading that wraps onto a second line
                else:
                    blocks.append(heading + text)
            elif text.startswith(_BULLETS):
                flush()
                paragraph.append("- " + text[1:].strip())
                flush()
            else:
                if gap or previous is None:
                    flush()
                if (
                    not paragraph
                    and blocks
                    and blocks[-1].startswith("- ")
                    and not gap
                    and previous is not None
                ):
                    blocks[-1] += _joined(blocks[-1], text)  # a bullet that wraps
                elif paragraph and paragraph[-1].endswith("-") and text[:1].islower():
                    paragraph[-1] += text  # a word broken at its hyphen ("multi-" / "agency")
                else:
                    paragraph.append(text)
            previous = line
        flush()
    return blocks


# OCR ----------------------------------------------------------------------------------------------


def _ocr_pages(document, pages: list[Page], limits: Limits, report: Report, progress) -> None:
    scans = [p for p in pages if p.scan]
    if not scans:
        return
    if not limits.ocr or not ocr.available():
        report.unread_pages += [UnreadPage(p.number, "ocr_unavailable") for p in scans]
        return
    chosen, beyond = scans[: limits.ocr_max_pages], scans[limits.ocr_max_pages :]
    report.unread_pages += [UnreadPage(p.number, "scanned_too_many") for p in beyond]
    if progress is not None:
        progress("ocr", len(chosen))
    started = time.monotonic()
    budget = limits.ocr_timeout_seconds * 0.85  # leave time for detection after it
    for page in chosen:
        remaining = budget - (time.monotonic() - started)
        if remaining < 2:
            report.unread_pages.append(UnreadPage(page.number, "ocr_out_of_time"))
            continue
        largest = max((p[4] for p in page.pictures), default=0)
        if largest > _MAX_IMAGE_PIXELS:
            report.unread_pages.append(UnreadPage(page.number, "image_too_large"))
            continue
        try:
            text = _ocr_page(document, page, remaining)
        except ocr.OcrTimeout:
            report.unread_pages.append(UnreadPage(page.number, "ocr_out_of_time"))
            continue
        except MemoryError:
            raise
        except Exception as exc:  # a page PDFium cannot render, or Tesseract failing on it
            log.info("text recognition failed on a page: %s", type(exc).__name__)
            report.unread_pages.append(UnreadPage(page.number, "ocr_failed"))
            continue
        if sum(c.isalpha() for c in text) < _MIN_PAGE_CHARS:
            report.unread_pages.append(UnreadPage(page.number, "ocr_no_words"))
            continue
        page.ocr_text = text
        report.ocr_pages.append(page.number)


def _ocr_page(document, page: Page, timeout: float) -> str:
    scale = _OCR_DPI / 72
    pixels = page.width * page.height * scale * scale
    if pixels > _OCR_MAX_PIXELS:
        scale *= (_OCR_MAX_PIXELS / pixels) ** 0.5
    pdf_page = document[page.number - 1]
    try:
        bitmap = pdf_page.render(scale=scale, grayscale=True)
        image = bitmap.to_pil()
    finally:
        pdf_page.close()
    return ocr.recognise(image, timeout)


# The whole file -----------------------------------------------------------------------------------


def _open(pdfium, data: bytes):
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ExtractionError(
                "The PDF is protected with a password. Save a copy without the password and upload that.",
                code="encrypted_file",
            ) from exc
        log.info("unreadable PDF: %s", exc)
        raise ExtractionError(
            "The PDF seems to be damaged or incomplete. Save it again and upload the new copy.",
            code="damaged_file",
        ) from exc


def extract_pdf(
    data: bytes,
    limits: Limits | None = None,
    report: Report | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> str:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    limits = limits or Limits()
    report = report if report is not None else Report()
    document = _open(pdfium, data)
    try:
        count = len(document)
        if count > limits.max_pages:
            raise too_many_pages(count, limits)
        pages: list[Page] = []
        chars = 0
        for index in range(count):
            try:
                page = _read_page(raw, document, index)
            except pdfium.PdfiumError as exc:
                log.info("unreadable PDF page: %s", exc)
                report.unread_pages.append(UnreadPage(index + 1, "damaged"))
                continue
            chars += sum(len(s.text) for s in page.segs)
            if chars > limits.max_characters:
                raise too_much_text(limits)
            if not _usable(page.segs):
                covered = sum((p[2] - p[0]) * (p[3] - p[1]) for p in page.pictures)
                garbled = sum(len(s.text) for s in page.segs) >= _MIN_PAGE_CHARS  # broken fonts
                if covered >= page.width * page.height * _SCAN_SHARE or garbled:
                    page.scan, page.segs = True, []
            pages.append(page)
        remove_running(pages)
        for page in pages:
            if not page.scan:
                report.pictures += pictures_of(page)
        _ocr_pages(document, pages, limits, report, progress)
        blocks = _blocks(pages)
    finally:
        document.close()
    if not any(block.strip() for block in blocks):
        if any(u.why == "ocr_unavailable" for u in report.unread_pages) or not any(p.scan for p in pages):
            raise ExtractionError(
                "The PDF has no text we can read: it looks like a scan or a picture of the pages. Upload the "
                "original document, or run it through text recognition (OCR) first.",
                code="no_text_layer",
            )
        if all(u.why == "image_too_large" for u in report.unread_pages):
            raise ExtractionError(
                "The PDF's pages are pictures too large to read (more than "
                f"{_MAX_IMAGE_PIXELS // 1_000_000} million pixels each). Upload the original document, or a "
                "scan at a lower resolution.",
                code="image_too_large",
                status=413,
            )
        if all(u.why == "ocr_out_of_time" for u in report.unread_pages):
            raise ExtractionError(
                "The PDF looks like a scan, and reading it by text recognition (OCR) took longer than the "
                "library allows for one file. Split it into parts and upload each one.",
                code="too_complex",
                status=413,
            )
        raise ExtractionError(
            "The PDF looks like a scan, and text recognition (OCR) could not read any of its pages. "
            "Upload the original document, or a clearer scan.",
            code="ocr_no_text",
        )
    return join_blocks(blocks) + "\n"
