"""Detection: every detector over the text, the authority's own terms, name variants, and one
non-overlapping list of suggestions."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace

from library.redaction import detectors, indirect, names, wordlists
from library.redaction.detectors import SEP, Suggestion
from library.redaction.spans import Cover, Occupied, PhraseIndex, phrase_spans

WARNING = indirect.CATEGORY
PRIORITY = {
    "email": 100,
    "nhs_number": 95,
    "ni_number": 95,
    "upn": 95,
    "uln": 95,
    "bank": 95,
    "passport": 92,
    "phone": 90,
    "postcode": 85,
    "date_of_birth": 80,
    "address": 75,
    "case_reference": 70,
    "vehicle": 70,
    "social_media": 68,
    "term": 65,
    "school": 55,
    "age": 52,
    "person": 50,
}
TITLE_RE = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr|Cllr|Prof|Professor|Sir|Dame|Rev|Revd|Lady|Lord)\.?\s+")
POSSESSIVE_TAIL_RE = re.compile(r"['’]s?$")

DETECTORS = (
    detectors.emails,
    detectors.nhs_numbers,
    detectors.ni_numbers,
    detectors.phones,
    detectors.postcodes,
    detectors.pupil_numbers,
    detectors.learner_numbers,
    detectors.passports,
    detectors.bank_details,
    detectors.social_media,
    detectors.vehicles,
    detectors.table_columns,
    detectors.case_references,
    detectors.dates_of_birth,
    detectors.addresses,
    detectors.initials,
    detectors.family_names,
)


def term_pattern(term: str) -> re.Pattern:
    """A whole-word, any-case pattern for a term, spaces matching any run of white space."""
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])", re.I)


def find_terms(text: str, terms: Iterable[tuple[str, str]]) -> list[Suggestion]:
    """``terms``: (term, category) pairs an authority always redacts."""
    found = []
    for term, category in terms:
        for m in term_pattern(term).finditer(text):
            found.append(
                Suggestion(m.start(), m.end(), m.group(0), category or "other", "authority-term", 1.0)
            )
    return found


def name_parts(value: str) -> list[str]:
    """The forms a person's name may take alone: the whole name without a title, and each part."""
    bare = POSSESSIVE_TAIL_RE.sub("", TITLE_RE.sub("", value.strip()))
    parts = [" ".join(bare.split())]
    common = wordlists.common_words()
    for token in bare.split():
        if len(token) > 1 and token.lower() not in common and token not in parts and not token.endswith("."):
            parts.append(token)
    return parts


def variant_pattern(part: str) -> re.Pattern:
    """One form of a name: any case, an optional possessive, words split across lines."""
    body = SEP.join(re.escape(w) for w in part.split())
    return re.compile(r"(?<![\w'’-])(?:" + body + r")(?:['’]s)?(?![\w-])", re.I)


def variants_index(parts: Iterable[str]) -> PhraseIndex:
    """Every form of every name, to be found in one pass."""
    forms = {" ".join(p.split()) for p in parts if p.strip()}
    return PhraseIndex(forms, variant_pattern)


def find_variants(text: str, values: Iterable[str], rule: str = "name-variant") -> list[Suggestion]:
    """Every capitalised occurrence of each form of each name (other casing, possessive, split lines)."""
    index = variants_index(part for value in set(values) for part in name_parts(value))
    return [
        Suggestion(start, end, text[start:end], "person", rule, 0.8)
        for start, end in index.spans(text)
        if text[start].isupper()
    ]


def find_values(text: str, values: Iterable[str]) -> list[tuple[int, int]]:
    """Every whole-word, any-case occurrence of any of ``values`` (as (start, end)), in one pass."""
    index = PhraseIndex({v for v in values if v.strip()}, term_pattern, literal=True)
    return index.spans(text)


def resolve(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """One suggestion per stretch of text: the strongest category wins, then the longest."""
    ranked = sorted(
        suggestions, key=lambda s: (-PRIORITY.get(s.category, 60), -(s.end - s.start), -s.score, s.start)
    )
    taken: list[Suggestion] = []
    occupied = Occupied()
    for s in ranked:
        if s.end <= s.start or occupied.overlaps(s.start, s.end):
            continue
        taken.append(s)
        occupied.add(s.start, s.end)
    return sorted(taken)


def _fit(warnings: list[Suggestion], direct: list[Suggestion]) -> list[Suggestion]:
    """Warnings widened to take in whole any suggestion they cut through ("Child K" at the start
    of one), so that a warning and the suggestions inside it can each be decided; a warning
    that lies inside a single suggestion adds nothing and goes. ``direct`` do not overlap (they
    come from :func:`resolve`), so those near a warning are found by bisection."""
    direct = sorted(direct, key=lambda s: s.start)
    starts = [s.start for s in direct]
    fitted = []
    for w in warnings:
        start, end = w.start, w.end
        # The suggestions that may overlap: from the one before the warning's start onwards.
        for s in direct[max(bisect_right(starts, start) - 1, 0) :]:
            if s.start >= end:
                break
            if s.start < end and start < s.end:
                if s.start <= start and end <= s.end:
                    start = end = -1  # wholly inside one suggestion
                    break
                start, end = min(start, s.start), max(end, s.end)
        if start < 0:
            continue
        fitted.append(w if (start, end) == (w.start, w.end) else replace(w, start=start, end=end))
    return fitted


def detect(
    text: str,
    *,
    always: Iterable[tuple[str, str]] = (),
    never: Iterable[str] = (),
    allow: Iterable[str] = (),
    warn: bool = True,
) -> list[Suggestion]:
    """Suggestions for ``text``. ``always``: (term, category) an authority always redacts;
    ``never``: terms it never redacts; ``allow``: more phrases that are not people (such as
    authority and region names). ``warn``: add warnings (category ``indirect``) where details
    meet that together may identify a child or family; they may contain other suggestions."""
    always = list(always)
    never = [n for n in never if n.strip()]
    allow = list(allow) + never
    found: list[Suggestion] = []
    for detector in DETECTORS:
        found.extend(detector(text))
    found.extend(names.people(text, allow))
    found.extend(find_terms(text, always))
    people = [s.text for s in found if s.category == "person"]
    found.extend(find_variants(text, people))
    named = [s for s in found if s.category == "person"]
    found.extend(detectors.ages_of_a_child(text, named))
    settings = list(detectors.settings_of_a_child(text, named))
    if settings:  # "the Virtual School" is a service, not a setting: look around each one only
        phrases = [*wordlists.allow_phrases(), *allow]
        for s in settings:
            start, end = max(0, s.start - 60), min(len(text), s.end + 60)
            services = Cover(
                (a + start, b + start) for a, b in phrase_spans(text[start:end], phrases, whole_words=True)
            )
            if not services.contains(s.start, s.end):
                found.append(s)
    blocked = Cover(phrase_spans(text, never)) if never else None
    if blocked is not None:
        found = [s for s in found if not blocked.contains(s.start, s.end)]
    chosen = resolve(found)
    if not warn:
        return chosen
    warnings = _fit(indirect.warnings(text, [term for term, _ in always], allow), chosen)
    for w in warnings:
        w_text = text[w.start : w.end]
        if blocked is None or not blocked.contains(w.start, w.end):
            chosen.append(w if w.text == w_text else replace(w, text=w_text))
    return sorted(chosen)
