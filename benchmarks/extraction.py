"""Extraction time for a generated 100-page PDF and a 100-slide presentation (target: under 2 s each)."""

from __future__ import annotations

import io
import random
import statistics
import time

from library.extraction import extract

WORDS = (
    "early help family hub assessment referral step-down partnership quality assurance plan "
    "practice social care consistency children young people school threshold review audit"
).split()
TARGET_SECONDS = 2.0


def _sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_pdf(pages: int = 100, seed: int = 1) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for page in range(pages):
        c.setFont("Helvetica-Bold", 16)
        c.drawString(50, 800, f"Section {page + 1}: findings")
        y = 770
        c.setFont("Helvetica", 10)
        while y > 60:
            c.drawString(50, y, _sentence(rng))
            y -= 14
        c.showPage()
    c.save()
    return buf.getvalue()


def make_pptx(slides: int = 100, seed: int = 2) -> bytes:
    from pptx import Presentation

    rng = random.Random(seed)
    prs = Presentation()
    for number in range(slides):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = f"Slide {number + 1}: {_sentence(rng, 4)}"
        frame = slide.placeholders[1].text_frame
        frame.text = _sentence(rng)
        for _ in range(4):
            frame.add_paragraph().text = _sentence(rng)
        slide.notes_slide.notes_text_frame.text = _sentence(rng, 30)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _time(data: bytes, name: str, repeats: int = 3) -> tuple[float, int]:
    times = []
    chars = 0
    for _ in range(repeats):
        start = time.perf_counter()
        chars = len(extract(data, name).text)
        times.append(time.perf_counter() - start)
    return statistics.median(times), chars


def run() -> list[dict]:
    rows = []
    for label, maker, name in (
        ("100-page PDF", make_pdf, "bench.pdf"),
        ("100-slide .pptx", make_pptx, "bench.pptx"),
    ):
        data = maker()
        seconds, chars = _time(data, name)
        rows.append(
            {
                "case": label,
                "bytes": len(data),
                "characters": chars,
                "seconds": seconds,
                "target": TARGET_SECONDS,
                "ok": seconds < TARGET_SECONDS,
            }
        )
    return rows
