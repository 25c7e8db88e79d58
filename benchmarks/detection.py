"""Redaction detection on a generated 50,000-word document (target: under 1 s)."""

from __future__ import annotations

import random
import statistics
import time

from library.redaction import detect

TARGET_SECONDS = 1.0
WORDS = (
    "the early help family hub assessment referral step-down partnership quality plan practice social care "
    "children young people school threshold review audit with and of to in was were have our their"
).split()
PEOPLE = [
    "Amelia Hughes",
    "Callum Smith",
    "Priya Patel",
    "Dr Marcus Bell",
    "Mrs Carter",
    "Tomasz Nowak",
    "Siobhan Murphy",
    "Kwabena Mensah",
]
SNIPPETS = [
    "01632 960 415",
    "(DOB 03/04/2014, NHS number 943 476 5919)",
    "14 Mill Lane, Kingsmere KM3 7QT",
    "JT 48 29 17 C",
    "sarah.okafor@kingsmere.gov.uk",
    "Family Hub North",
    "the Director of Children's Services",
]


def make_text(words: int = 50_000, seed: int = 3) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    count = 0
    while count < words:
        roll = rng.random()
        piece = (
            rng.choice(PEOPLE) if roll < 0.02 else rng.choice(SNIPPETS) if roll < 0.035 else rng.choice(WORDS)
        )
        count += len(piece.split())
        if rng.random() < 0.07:
            piece += ".\n\n" if rng.random() < 0.2 else "."
        parts.append(piece)
    return " ".join(parts)


def run() -> list[dict]:
    text = make_text()
    detect("Warm up the word lists: Amelia Hughes.")
    times, found = [], 0
    for _ in range(3):
        start = time.perf_counter()
        found = len(detect(text))
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return [
        {
            "case": "50,000 words",
            "words": len(text.split()),
            "suggestions": found,
            "seconds": seconds,
            "target": TARGET_SECONDS,
            "ok": seconds < TARGET_SECONDS,
        }
    ]
