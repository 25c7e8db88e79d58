"""PDF to markdown with pypdf: the text layer, page by page.

Lines set in a larger font than the body become headings; bullet characters become list
items; a gap between lines starts a new paragraph.
Out on purpose: annotations and comments, form field values, attachments, document properties.
A PDF with no text layer (a scan) is refused: it needs OCR before it can be redacted.
"""

from __future__ import annotations

import io
import logging
from collections import Counter

from library.extraction.base import ExtractionError, Limits, join_blocks, too_many_pages, too_much_text

log = logging.getLogger(__name__)
_BULLETS = ("\x7f", "•", "●", "▪", "◦", "‣", "∙", "\uf0b7", "\uf0a7", "–")
_MIN_CHARS_PER_PAGE = 20


class _Line:
    __slots__ = ("text", "size", "y")

    def __init__(self) -> None:
        self.text = ""
        self.size = 0.0
        self.y: float | None = None


def _page_lines(page) -> list[_Line]:
    lines: list[_Line] = []
    current = _Line()

    def visit(text, cm, tm, _font, font_size):
        nonlocal current
        if not text:
            return
        size = abs(font_size * (tm[3] or 1) * (cm[3] or 1))
        y = tm[5] * (cm[3] or 1) + cm[5]
        for i, piece in enumerate(text.split("\n")):
            if i > 0:
                lines.append(current)
                current = _Line()
            if piece.strip():
                current.text += piece
                current.size = max(current.size, round(size, 1))
                if current.y is None:
                    current.y = y

    page.extract_text(visitor_text=visit)
    lines.append(current)
    return [line for line in lines if line.text.strip()]


def _to_blocks(pages: list[list[_Line]]) -> list[str]:
    sizes: Counter = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    if not sizes:
        return []
    body = sizes.most_common(1)[0][0]
    heading_sizes = sorted({s for s in sizes if s >= body * 1.15}, reverse=True)[:5]
    level = {size: i + 1 for i, size in enumerate(heading_sizes)}

    blocks: list[str] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            blocks.append("\n".join(paragraph))
            paragraph.clear()

    for lines in pages:
        previous_y = None
        for line in lines:
            text = " ".join(line.text.split())
            if line.size in level:
                flush()
                heading = "#" * level[line.size] + " "
                if (
                    blocks
                    and blocks[-1].startswith(heading)
                    and previous_y is not None
                    and abs(previous_y - (line.y or 0)) < line.size * 1.6
                ):
                    blocks[-1] += " " + text  # a heading that wraps onto a second line
                else:
                    blocks.append(heading + text)
            elif text.startswith(_BULLETS):
                flush()
                paragraph.append("- " + text[1:].strip())
                flush()
            else:
                gap = previous_y is not None and line.y is not None and abs(previous_y - line.y) > body * 1.9
                if gap:
                    flush()
                if (
                    not paragraph
                    and blocks
                    and blocks[-1].startswith("- ")
                    and not gap
                    and previous_y is not None
                ):
                    blocks[-1] += " " + text  # a bullet that wraps
                else:
                    paragraph.append(text)
            previous_y = line.y
        flush()
    return blocks


def _read_pages(reader, limits: Limits | None) -> list[list[_Line]]:
    """Each page's lines, stopping as soon as the text passes the limit (pages may share one
    content stream, so a small file can hold a great deal of text)."""
    if limits is not None and len(reader.pages) > limits.max_pages:
        raise too_many_pages(len(reader.pages), limits)
    pages, chars = [], 0
    for page in reader.pages:
        lines = _page_lines(page)
        chars += sum(len(line.text) for line in lines)
        if limits is not None and chars > limits.max_characters:
            raise too_much_text(limits)
        pages.append(lines)
    return pages


def extract_pdf(data: bytes, limits: Limits | None = None) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except (DependencyError, NotImplementedError, FileNotDecryptedError):
                unlocked = 0
            if not unlocked:
                raise ExtractionError(
                    "The PDF is protected with a password. Save a copy without the password and upload that.",
                    code="encrypted_file",
                )
        pages = _read_pages(reader, limits)
    except ExtractionError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise ExtractionError(
            "The PDF is protected with a password. Save a copy without the password and upload that.",
            code="encrypted_file",
        ) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        log.info("unreadable PDF: %s", exc)
        raise ExtractionError(
            "The PDF seems to be damaged or incomplete. Save it again and upload the new copy.",
            code="damaged_file",
        ) from exc
    chars = sum(len(line.text.strip()) for lines in pages for line in lines)
    if not pages or chars < _MIN_CHARS_PER_PAGE * len(pages) / 4 or chars == 0:
        raise ExtractionError(
            "The PDF has no text we can read: it looks like a scan or a picture of the pages. Upload the "
            "original document, or run it through text recognition (OCR) first.",
            code="no_text_layer",
        )
    return join_blocks(_to_blocks(pages)) + "\n"
