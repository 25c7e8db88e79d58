"""Text extraction: an uploaded file turned into markdown that keeps its structure (what each format
keeps is in docs/redaction.md). Pure: no Flask, no database; imports nothing of the library."""

from __future__ import annotations

from collections.abc import Callable

from library.extraction.base import (
    MEDIA_TYPES,
    Extracted,
    ExtractionError,
    Limits,
    Picture,
    Report,
    UnreadPage,
    strip_invisible,
    too_much_text,
)
from library.extraction.docx import extract_docx
from library.extraction.pdf import extract_pdf
from library.extraction.pptx import extract_pptx
from library.extraction.sniff import ACCEPTED_EXTENSIONS, sniff
from library.extraction.text import extract_text

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "Extracted",
    "ExtractionError",
    "Limits",
    "Picture",
    "Report",
    "UnreadPage",
    "extract",
    "sniff",
]


def extract(
    data: bytes,
    filename: str,
    limits: Limits | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Extracted:
    """Check what the file really is, then extract its text as markdown, with a report of what it
    leaves out or read by OCR. ``progress("ocr", pages)`` is called before text recognition starts
    (the caller may allow it more time)."""
    limits = limits or Limits()
    kind = sniff(data, filename, limits)
    report = Report()
    if kind == "pdf":
        text = extract_pdf(data, limits, report, progress)
    elif kind == "docx":
        text = extract_docx(data, limits, report)
    elif kind == "pptx":
        text = extract_pptx(data, limits, report)
    else:
        text = extract_text(data, limits)
    if len(text) > limits.max_characters * 2:
        raise too_much_text(limits)
    text = tidy(text)
    if len(text) > limits.max_characters:
        raise too_much_text(limits)
    if not text.strip() and report.pictures:
        count = len(report.pictures)
        raise ExtractionError(
            f"This file holds only {'a picture' if count == 1 else f'{count} pictures'} and no text. "
            "Pictures are not included in the library: upload a version with the text typed in, or give "
            "each picture a description (alt text) in the file.",
            code="only_pictures",
        )
    if not text.strip():
        raise ExtractionError(
            "We could not find any text in this file. Check it is the right file and that it is not empty.",
            code="no_text",
        )
    return Extracted(kind=kind, media_type=MEDIA_TYPES[kind], text=text, report=report)


def tidy(text: str) -> str:
    """One newline style, no trailing spaces, no runs of more than one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = strip_invisible(text.replace("\u2028", "\n").replace("\u2029", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""
