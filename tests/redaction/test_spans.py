"""Interval and phrase look-ups agree with the plain (quadratic) way of doing the same."""

import random
import re

from library.redaction.engine import find_values, find_variants, term_pattern
from library.redaction.spans import Cover, Occupied


def test_cover_agrees_with_a_linear_scan():
    rng = random.Random(1)
    spans = [(a, a + rng.randint(1, 30)) for a in (rng.randint(0, 500) for _ in range(200))]
    cover = Cover(spans)
    for _ in range(2000):
        start = rng.randint(0, 520)
        end = start + rng.randint(1, 20)
        assert cover.contains(start, end) == any(s <= start and end <= e for s, e in spans)


def test_occupied_agrees_with_a_linear_scan():
    rng = random.Random(2)
    occupied, kept = Occupied(), []
    for _ in range(2000):
        start = rng.randint(0, 3000)
        end = start + rng.randint(1, 12)
        expected = any(start < e and s < end for s, e in kept)
        assert occupied.overlaps(start, end) == expected
        if not expected:
            occupied.add(start, end)
            kept.append((start, end))


def test_find_values_matches_what_each_term_pattern_finds():
    text = (
        "Call 07700 900123 or email a.b@example.org. Westfield  Estate and westfield\nestate; "
        "not Westfield Estates. +44 7700 900123 (mobile)."
    )
    values = ["07700 900123", "a.b@example.org", "Westfield Estate", "+44 7700 900123", "absent"]
    expected = sorted({m.span() for v in values for m in term_pattern(v).finditer(text)})
    assert find_values(text, values) == expected
    assert len(expected) == 5


def test_find_variants_prefers_the_longest_form_and_keeps_possessives():
    text = "Sarah Okafor met Sarah. Okafor's report went to Mr Okafor; sarah (lower case) is left."
    found = [(s.text, s.rule) for s in find_variants(text, ["Sarah Okafor"])]
    assert [t for t, _ in found] == ["Sarah Okafor", "Sarah", "Okafor's", "Okafor"]
    assert not re.search("sarah", " ".join(t for t, _ in found))
