"""Recall per category on the labelled development set, and how much of what must stay, stays.

A span counts as found only when every character of it is covered by a suggestion.
"""

import json
from collections import Counter

import pytest

from library.redaction import detect

TARGETS = {
    "nhs_number": 1.0,
    "ni_number": 1.0,
    "email": 1.0,
    "phone": 1.0,
    "postcode": 1.0,
    "person": 0.95,
    "date_of_birth": 0.95,
    "address": 0.95,
}
KEEP_TARGET = 0.95


@pytest.fixture(scope="module")
def scores(samples):
    rows = [json.loads(line) for line in (samples / "pii-dev.jsonl").read_text().splitlines() if line.strip()]
    hit, total = Counter(), Counter()
    kept = keep_total = 0
    for row in rows:
        suggestions = detect(row["text"])
        covered = {i for s in suggestions for i in range(s.start, s.end)}
        for span in row["spans"]:
            total[span["category"]] += 1
            hit[span["category"]] += all(i in covered for i in range(span["start"], span["end"]))
        for phrase in row["keep"]:
            keep_total += 1
            at = row["text"].find(phrase)
            kept += not any(at < s.end and s.start < at + len(phrase) for s in suggestions)
    return {c: hit[c] / total[c] for c in total}, kept / keep_total


@pytest.mark.parametrize("category", sorted(TARGETS))
def test_recall(scores, category):
    recall, _ = scores
    assert recall[category] >= TARGETS[category], f"{category}: {recall[category]:.2f}"


def test_keep_phrases_survive(scores):
    _, kept = scores
    assert kept >= KEEP_TARGET
