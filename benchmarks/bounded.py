"""Bounded work per upload: crafted files are answered quickly, and detection grows linearly.

- A PDF of a few kilobytes whose pages share one content stream (about 1.3 million characters
  once extracted), a text file of 40,000 email addresses, a PDF page that is one picture of 400
  million pixels and a Word document of 40 pictures and no text go through the upload's reading
  (worker process, limits from the configuration): each must be answered, accepted or refused,
  in under 5 s. A PDF with broken fonts and one of 300 scanned pages need text recognition: they
  must be answered within the OCR deadline (with the pages it could not read named).
- Detection and the final check's look-ups on a realistic document and on one ten times longer
  (ten times the words, the names and the contact details): the time (best of five) may grow at
  most 12 times.
"""

from __future__ import annotations

import random
import time

from config import load_config
from library.documents import processing
from library.extraction import ExtractionError, Limits
from library.redaction import detect, find_values, find_variants
from tests import filemakers

ANSWER_TARGET_SECONDS = 5.0
GROWTH_TARGET = 12.0
FIRST = "Amelia Callum Priya Marcus Tomasz Siobhan Kwabena Aisha Oliver Grace Yusuf Chloe".split()
LAST = "Hughes Smith Patel Bell Nowak Murphy Mensah Khan Walker Evans Begum Taylor".split()
WORDS = (
    "the early help family hub assessment referral step-down partnership quality plan practice social "
    "care children young people school threshold review audit with and of to in was were have our their"
).split()


def _answer(name: str, data: bytes, limits: Limits, target: float = ANSWER_TARGET_SECONDS) -> dict:
    start = time.perf_counter()
    try:
        analysis = processing.analyse(data, name, limits)
        report = analysis.extracted.report
        outcome = f"accepted ({len(analysis.extracted.text):,} chars)"
        if report.ocr_pages or report.unread_pages:
            outcome += f", OCR {len(report.ocr_pages)} pages, {len(report.unread_pages)} named"
    except ExtractionError as exc:
        outcome = f"refused: {exc.code}"
    seconds = time.perf_counter() - start
    return {
        "case": name,
        "bytes": len(data),
        "outcome": outcome,
        "seconds": seconds,
        "target": target,
        "ok": seconds < target,
    }


def crafted() -> list[dict]:
    limits = Limits.from_config(load_config("test"))
    processing.analyse(b"# Warm up the worker\n", "warm.md", limits)
    lines = [f"Line {n} of the scanned letter about the front door and early help." for n in range(30)]
    scan = filemakers.scan_of(filemakers.pdf([lines]), pages=300)
    # a file needing OCR is allowed the OCR deadline (and a few seconds to start the worker)
    ocr_target = limits.ocr_timeout_seconds + ANSWER_TARGET_SECONDS
    return [
        _answer("shared-stream.pdf", filemakers.shared_stream_pdf(), limits),
        _answer("40000-emails.txt", filemakers.many_emails_text(40_000), limits),
        _answer("huge-picture.pdf", filemakers.huge_image_pdf(20_000), limits),
        _answer("pictures-only.docx", filemakers.docx(filemakers.docx_picture() * 40), limits),
        _answer("broken-fonts.pdf", filemakers.broken_font_pdf(lines[:20]), limits, ocr_target),
        _answer("300-scanned.pdf", scan, limits, ocr_target),
    ]


def realistic_text(words: int, seed: int = 5) -> str:
    """Prose with a person named, a phone or an email every few dozen words; the number of
    different people and addresses grows with the length, as in a longer real document."""
    rng = random.Random(seed)
    parts: list[str] = []
    count = serial = 0
    while count < words:
        roll = rng.random()
        if roll < 0.02:
            serial += 1
            piece = f"{rng.choice(FIRST)} {rng.choice(LAST)}{serial % 97 if serial > 144 else ''}"
        elif roll < 0.03:
            serial += 1
            piece = f"worker{serial}@council.example.gov.uk"
        elif roll < 0.035:
            piece = f"07700 9{rng.randint(10000, 99999)}"
        else:
            piece = rng.choice(WORDS)
        count += len(piece.split())
        if rng.random() < 0.07:
            piece += ".\n\n" if rng.random() < 0.2 else "."
        parts.append(piece)
    return " ".join(parts)


def _detection_seconds(text: str) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(5):
        start = time.perf_counter()
        suggestions = detect(text)
        people = [s.text for s in suggestions if s.category == "person"]
        others = [s.text for s in suggestions if s.category != "person"]
        find_variants(text, people)
        find_values(text, others)
        times.append(time.perf_counter() - start)
        found = len(suggestions)
    return min(times), found


def growth() -> dict:
    detect("Warm up the word lists: Amelia Hughes.")
    small, small_found = _detection_seconds(realistic_text(10_000))
    large, large_found = _detection_seconds(realistic_text(100_000))
    ratio = large / small
    return {
        "small": small,
        "large": large,
        "small_found": small_found,
        "large_found": large_found,
        "ratio": ratio,
        "target": GROWTH_TARGET,
        "ok": ratio <= GROWTH_TARGET,
    }


def run() -> tuple[list[dict], dict]:
    return crafted(), growth()
