"""Applying redactions: consistent labels within a document, [PERSON 1] for the same person
throughout, a category label for everything else. No hashing of names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .engine import name_parts

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
    "school": "SCHOOL",
    "place": "PLACE",
    "other": "REDACTED",
}
CATEGORIES = tuple(LABELS)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str
    text: str


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
    if span.category == "person":
        return f"[PERSON {person_number[span.text]}]"
    return f"[{LABELS.get(span.category, 'REDACTED')}]"


def apply(text: str, spans: Iterable[Span]) -> str:
    """The text with every span replaced by its label. Overlapping spans merge into the first."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    people = person_numbers(s.text for s in ordered if s.category == "person")
    out: list[str] = []
    cursor = 0
    for span in ordered:
        if span.end <= cursor:
            continue
        if span.start < cursor:  # overlaps the previous span: extend it under the same label
            cursor = span.end
            continue
        out.append(text[cursor : span.start])
        out.append(label_for(span, people))
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)
