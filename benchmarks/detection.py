"""Redaction detection on 50,000 words (target: under 1 s), with the warnings about combinations
of details: on generated text dense with identifiers, and on self-assessment prose with a case
study in every few paragraphs (ages, ethnicities, settings, dated incidents) as real ones have."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time

from library.demo.compose import compose
from library.redaction import detect, warm

TARGET_SECONDS = 1.0
TARGET_MB = 300
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


AGES = ["an 11-year-old", "a 15-year-old", "a Year 9", "a 6-month-old", "a 17-year-old", "a Year 11"]
PEOPLE_WORDS = ["girl", "boy", "young person", "pupil", "baby"]
TRAITS = ["Roma", "Eritrean", "Syrian", "transgender", "deaf", "Somali", "Vietnamese", "autistic"]
SETTINGS = [
    "Hillcrest Academy",
    "Larkfield House",
    "the Brook Street unit",
    "Willowmead children's home",
    "the Moss Lane Traveller site",
]
CASES = [
    "Child {letter}, {age} {trait} {who} at {setting}, told us that the new worker listened.",
    "The review heard about the only {trait} {who} at {setting}, who had been out of school since Easter.",
    "The restraint of {age} at {setting} on {day} March 2024 led to a review of night staffing.",
    "Two children from {setting} were placed with foster carers in February; both are {trait}.",
    "In {setting}, {age} {who} who is a young carer for her mother has missed 40% of sessions.",
]


def case_study_prose(words: int = 50_000, seed: int = 5) -> str:
    """Self-assessment prose (the demo's passages) with a case study after every few paragraphs."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    count, page_seed = 0, seed
    while count < words:
        _title, text = compose(
            area="early-help",
            document_type="self-assessment",
            authority="Kingsmere Borough Council",
            pages=10,
            seed=page_seed,
        )
        page_seed += 1
        for paragraph in text.split("\n\n"):
            paragraphs.append(paragraph)
            count += len(paragraph.split())
            if rng.random() < 0.15:
                case = rng.choice(CASES).format(
                    letter=rng.choice("ABCDEFGHJK"),
                    age=rng.choice(AGES),
                    trait=rng.choice(TRAITS),
                    who=rng.choice(PEOPLE_WORDS),
                    setting=rng.choice(SETTINGS),
                    day=rng.randint(1, 28),
                )
                paragraphs.append(case)
                count += len(case.split())
            if count >= words:
                break
    return "\n\n".join(paragraphs)


def _timed(case: str, text: str) -> dict:
    times, found = [], []
    for _ in range(3):
        start = time.perf_counter()
        found = detect(text)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return {
        "case": case,
        "words": len(text.split()),
        "suggestions": len(found),
        "warnings": sum(1 for s in found if s.category == "indirect"),
        "seconds": seconds,
        "target": TARGET_SECONDS,
        "ok": seconds < TARGET_SECONDS,
    }


def run() -> list[dict]:
    warm()  # as the upload workers' parent does before it forks them
    return [
        _timed("50,000 words", make_text()),
        _timed("case studies", case_study_prose()),
    ]


_PEAK = """
import resource
from benchmarks.detection import case_study_prose, make_text
from library.redaction import detect, warm
warm()
detect(make_text())
detect(case_study_prose())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def worker_peak() -> dict:
    """The peak memory of a process like an upload worker: the word lists loaded, then detection
    on both 50,000-word texts (each worker has one document at a time)."""
    out = subprocess.run([sys.executable, "-c", _PEAK], capture_output=True, text=True, check=True)  # noqa: S603 (our own code)
    mb = int(out.stdout.split()[-1]) / 1024
    return {"case": "worker peak", "mb": mb, "target": TARGET_MB, "ok": mb < TARGET_MB}
