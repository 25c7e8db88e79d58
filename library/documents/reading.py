"""What the contributor is told about how their file was read: pages read by text recognition
(OCR), pages that could not be read, and pictures left out. Built from the document's extraction
report (page numbers and places only)."""

from __future__ import annotations

from dataclasses import dataclass

from library.core.models import Document
from library.extraction import Report


@dataclass(frozen=True)
class Note:
    text: str
    warning: bool = False  # a closer look is needed before consent


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def pages(numbers: list[int]) -> str:
    """'page 4', 'pages 2, 3 and 5', 'pages 21 to 300' (runs of three or more as a range)."""
    numbers = sorted(set(numbers))
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]} to {run[-1]}")
        else:
            parts.extend(str(n) for n in run)
    return ("page " if len(numbers) == 1 else "pages ") + _and(parts)


def _places(where: list[str], most: int = 8) -> str:
    shown = list(dict.fromkeys(where))
    if len(shown) > most:
        return ", ".join(shown[:most]) + f" and {len(shown) - most} more places"
    return _and(shown)


_UNREAD = {
    "ocr_unavailable": "{Pages} {are} scanned and {were} not read: text recognition (OCR) is not "
    "available on this service. Upload the original document if you have it.",
    "scanned_too_many": "{Pages} {are} scanned and {were} not read: the library reads at most {most} "
    "scanned pages of one file. Split the file into parts and upload each one, or upload the original "
    "document.",
    "ocr_out_of_time": "{Pages} {were} not read: reading the scanned pages took longer than the library "
    "allows for one file. Split the file into parts and upload each one.",
    "ocr_no_words": "Text recognition found no words on {pages}. If {it_they} hold{s} text, upload a "
    "clearer scan or the original document.",
    "image_too_large": "{Pages} {were} not read: {it_each} is one picture too large to read. Upload the "
    "original document, or a scan at a lower resolution.",
    "ocr_failed": "{Pages} could not be read by text recognition. Upload the original document, or a "
    "clearer scan.",
    "damaged": "{Pages} could not be read: {it_they} seem{s} to be damaged. Save the file again and "
    "upload the new copy.",
}


def notes(document: Document, ocr_max_pages: int = 20) -> list[Note]:
    report = Report.from_dict(document.extraction_report)
    out: list[Note] = []
    if report.ocr_pages:
        one = len(report.ocr_pages) == 1
        out.append(
            Note(
                f"{pages(report.ocr_pages).capitalize()} {'was a scan' if one else 'were scans'}, read by "
                f"text recognition (OCR). Check the text of {'that page' if one else 'those pages'} closely "
                "against your file: recognition can misread names, numbers and dates, and personal "
                "details can only be found in what it read.",
                warning=True,
            )
        )
    by_why: dict[str, list[int]] = {}
    for unread in report.unread_pages:
        by_why.setdefault(unread.why, []).append(unread.page)
    for why, numbers in by_why.items():
        one = len(numbers) == 1
        template = _UNREAD.get(why, _UNREAD["ocr_failed"])
        out.append(
            Note(
                template.format(
                    Pages=pages(numbers).capitalize(),
                    pages=pages(numbers),
                    are="is" if one else "are",
                    were="was" if one else "were",
                    it_they="it" if one else "they",
                    it_each="it" if one else "each",
                    s="s" if one else "",
                    most=ocr_max_pages,
                ),
                warning=True,
            )
        )
    if report.pictures:
        count = len(report.pictures)
        missing = [p.where for p in report.pictures if not p.described]
        text = (
            f"{'1 picture was' if count == 1 else f'{count} pictures were'} not included: "
            f"{_places([p.where for p in report.pictures])}. Pictures are never published; where a "
            "picture has a description (alt text), a caption or, for a chart, its data, that text is kept "
            "in its place."
        )
        if missing:
            if count == 1:
                who = "It has"
            elif len(missing) == 1:
                who = "1 of them has"
            else:
                who = f"{len(missing)} of them have"
            they = "it shows" if len(missing) == 1 else "they show"
            text += (
                f" {who} no description ({_places(missing)}): if {they} something readers need, describe it "
                "in your file and upload it again."
            )
        out.append(Note(text))
    return out
