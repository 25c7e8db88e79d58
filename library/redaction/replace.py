"""Applying redactions: consistent labels within a document, [PERSON 1] for the same person
throughout, a category label for everything else. No hashing of names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from library.redaction.engine import name_parts

LABELS = {
    "person": "PERSON",
    "nhs_number": "NHS NUMBER",
    "ni_number": "NI NUMBER",
    "phone": "PHONE",
    "email": "EMAIL",
    "postcode": "POSTCODE",
    "address": "ADDRESS",
    "date_of_birth": "DATE OF BIRTH",
    "upn": "PUPIL NUMBER",
    "case_reference": "CASE REFERENCE",
    "uln": "LEARNER NUMBER",
    "passport": "PASSPORT OR PERMIT NUMBER",
    "bank": "BANK DETAILS",
    "social_media": "SOCIAL MEDIA",
    "vehicle": "VEHICLE REGISTRATION",
    "school": "SCHOOL",
    "age": "AGE",
    "place": "PLACE",
    "other": "REDACTED",
    "indirect": "DETAILS REMOVED",
}
CATEGORIES = tuple(LABELS)
# Any label this module writes into a text: "[PERSON 3]", "[PHONE]", "[DETAILS REMOVED]".
LABEL_RE = re.compile(
    r"\[(?:PERSON \d+|"
    + "|".join(re.escape(label) for label in LABELS.values() if label != "PERSON")
    + r")\]"
)
# Each category in plain words, one and many: what people see in pages and messages.
WORDS = {
    "person": ("name of a person", "names of people"),
    "nhs_number": ("NHS number", "NHS numbers"),
    "ni_number": ("National Insurance number", "National Insurance numbers"),
    "phone": ("phone number", "phone numbers"),
    "email": ("email address", "email addresses"),
    "postcode": ("postcode", "postcodes"),
    "address": ("address", "addresses"),
    "date_of_birth": ("date of birth", "dates of birth"),
    "upn": ("pupil number", "pupil numbers"),
    "case_reference": ("case reference", "case references"),
    "uln": ("learner number", "learner numbers"),
    "passport": ("passport or permit number", "passport or permit numbers"),
    "bank": ("bank detail", "bank details"),
    "social_media": ("social media name", "social media names"),
    "vehicle": ("vehicle registration", "vehicle registrations"),
    "school": ("school", "schools"),
    "age": ("age of a child", "ages of children"),
    "place": ("place", "places"),
    "other": ("other detail", "other details"),
    "indirect": (
        "combination of details that may identify someone",
        "combinations of details that may identify someone",
    ),
}


def category_words(category: str, count: int = 1) -> str:
    """``phone`` -> "phone number"; with a count other than 1, "phone numbers"."""
    one, many = WORDS.get(category, (category.replace("_", " "), category.replace("_", " ")))
    return one if count == 1 else many


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str
    text: str
    replacement: str | None = None  # words of the reviewer's own instead of a label


def person_numbers(values: Iterable[str]) -> dict[str, int]:
    """Number each person once: 'Amelia', "Amelia's" and 'Amelia Hughes' are the same person."""
    numbers: dict[str, int] = {}
    people: list[set[str]] = []  # the name parts of each person, in order of first appearance
    ordered = list(dict.fromkeys(values))
    # Longer names first, so that a lone first name joins the full name it belongs to.
    for value in sorted(ordered, key=lambda v: -len(name_parts(v)[0].split())):
        parts = {p.lower() for p in name_parts(value)}
        full = name_parts(value)[0].lower()
        match = next((i for i, known in enumerate(people) if full in known or parts <= known), None)
        if match is None:
            people.append(parts)
            match = len(people) - 1
        numbers[value] = match
    # Number people by where they first appear in the document.
    order: dict[int, int] = {}
    for value in ordered:
        order.setdefault(numbers[value], len(order) + 1)
    return {value: order[idx] for value, idx in numbers.items()}


def label_for(span: Span, person_number: dict[str, int]) -> str:
    if span.replacement:
        return span.replacement
    if span.category == "person":
        return f"[PERSON {person_number[span.text]}]"
    return f"[{LABELS.get(span.category, 'REDACTED')}]"


def apply(text: str, spans: Iterable[Span]) -> str:
    """The text with every span replaced by its label. Overlapping spans merge into the first."""
    return apply_mapped(text, spans)[0]


@dataclass(frozen=True)
class Piece:
    """A stretch of the redacted text and the stretch of the original it came from."""

    out_start: int
    out_end: int
    start: int
    end: int
    label: bool  # True where a label (or the reviewer's own words) replaced the original


def apply_mapped(text: str, spans: Iterable[Span]) -> tuple[str, list[Piece]]:
    """:func:`apply`, and the pieces that map each stretch of its result back to ``text``."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    # People are numbered among the spans that get a label of their own, not those inside another.
    shown, reach = [], 0
    for span in ordered:
        if span.start >= reach:
            shown.append(span)
        reach = max(reach, span.end)
    people = person_numbers(s.text for s in shown if s.category == "person")
    out: list[str] = []
    pieces: list[Piece] = []
    length = 0
    cursor = 0

    def emit(value: str, start: int, end: int, label: bool) -> None:
        nonlocal length
        out.append(value)
        pieces.append(Piece(length, length + len(value), start, end, label))
        length += len(value)

    for span in ordered:
        if span.end <= cursor:
            continue
        if span.start < cursor:  # overlaps the previous span: extend it under the same label
            last = pieces[-1]
            pieces[-1] = Piece(last.out_start, last.out_end, last.start, span.end, True)
            cursor = span.end
            continue
        if span.start > cursor:
            emit(text[cursor : span.start], cursor, span.start, False)
        emit(label_for(span, people), span.start, span.end, True)
        cursor = span.end
    if cursor < len(text) or not pieces:
        emit(text[cursor:], cursor, len(text), False)
    return "".join(out), pieces


def to_original(pieces: list[Piece], start: int, end: int) -> tuple[int, int]:
    """Where the stretch ``start:end`` of the redacted text came from in the original. A stretch
    that begins or ends inside a label covers that label's whole original."""

    def locate(offset: int, *, closing: bool) -> int:
        for piece in pieces:
            inside = piece.out_start <= offset < piece.out_end or (
                closing and piece.out_start < offset <= piece.out_end
            )
            if inside:
                if piece.label:
                    return piece.end if closing else piece.start
                return piece.start + (offset - piece.out_start)
        return pieces[-1].end if pieces else offset

    return locate(start, closing=False), locate(end, closing=True)
