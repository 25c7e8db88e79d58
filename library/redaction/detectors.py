"""Detectors: each finds one kind of personal information in text and returns suggestions.

Pure functions over strings: no Flask, no database. Validated identifiers (NHS, National
Insurance and pupil numbers, phone numbers) are checked, not just matched. People's names are
in ``names.py``; here only initials and "the ... family".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

from library.redaction import wordlists


@dataclass(frozen=True, order=True)
class Suggestion:
    start: int
    end: int
    text: str
    category: str
    rule: str
    score: float = 0.9
    reason: str = ""  # for a warning: why these words together may identify someone

    def as_dict(self) -> dict:
        body = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category,
            "rule": self.rule,
            "score": self.score,
        }
        if self.reason:
            body["reason"] = self.reason
        return body


def _s(match: re.Match, category: str, rule: str, score: float, group: int | str = 0) -> Suggestion:
    return Suggestion(match.start(group), match.end(group), match.group(group), category, rule, score)


# Identifiers ------------------------------------------------------------------------------------

EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)


def emails(text: str) -> Iterator[Suggestion]:
    for m in EMAIL_RE.finditer(text):
        yield _s(m, "email", "email", 1.0)


NHS_RE = re.compile(r"(?<![\w-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-])")
NHS_CONTEXT_RE = re.compile(r"nhs|health|chi\b", re.I)


def nhs_check(digits: str) -> bool:
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_numbers(text: str) -> Iterator[Suggestion]:
    for m in NHS_RE.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if nhs_check(digits):
            context = NHS_CONTEXT_RE.search(text, max(0, m.start() - 40), m.start())
            yield _s(m, "nhs_number", "nhs-mod11", 1.0 if context else 0.95)


# HMRC: first letter not D F I Q U V; second not D F I O Q U V; some pairs never issued.
NINO_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ ]?(\d{2})[ ]?(\d{2})[ ]?(\d{2})[ ]?([A-D])"
    r"(?![A-Za-z0-9])"
)
NINO_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def ni_numbers(text: str) -> Iterator[Suggestion]:
    for m in NINO_RE.finditer(text):
        if m.group(1) not in NINO_BAD_PREFIXES:
            yield _s(m, "ni_number", "nino-hmrc", 1.0)


PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}(?!\w)|(?<![\w+])\(0\d{3,4}\)\s?\d{3}\s?\d{3,4}(?!\w)"
)


def phones(text: str) -> Iterator[Suggestion]:
    for m in PHONE_RE.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        national = "0" + digits[2:] if raw.startswith("+") else digits
        if national.startswith("00"):
            national = national[1:]
        if len(national) not in (10, 11):
            continue
        try:
            number = phonenumbers.parse(national, "GB")
        except phonenumbers.NumberParseException:
            continue
        if (
            phonenumbers.is_possible_number(number)
            and len(national) == 11
            or phonenumbers.is_valid_number(number)
        ):
            yield _s(m, "phone", "phone-gb", 0.95)


POSTCODE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2}\d[A-Z\d]?)[ ]?(\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])")


def postcodes(text: str) -> Iterator[Suggestion]:
    for m in POSTCODE_RE.finditer(text):
        yield _s(m, "postcode", "postcode-uk", 0.95)


UPN_RE = re.compile(r"(?<![A-Za-z0-9])[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z](?![A-Za-z0-9])")


def pupil_numbers(text: str) -> Iterator[Suggestion]:
    from stdnum.gb import upn

    for m in UPN_RE.finditer(text):
        if upn.is_valid(m.group(0)):
            yield _s(m, "upn", "upn-check-letter", 1.0)


CASE_REF_RE = re.compile(
    r"\b(?:case|ref(?:erence)?|file|record|client|child|person|mosaic|liquidlogic|lcs|eclipse)\.?"
    r"(?:\s+(?:no\.?|number|ref(?:erence)?|id|identifier))?\s*[:#]?\s*"
    r"(?P<ref>(?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{3,}[A-Z0-9])\b",
    re.I,
)


def case_references(text: str) -> Iterator[Suggestion]:
    for m in CASE_REF_RE.finditer(text):
        ref = m.group("ref")
        if re.fullmatch(r"(19|20)\d\d", ref):  # a year, not a reference
            continue
        yield _s(m, "case_reference", "reference-in-context", 0.85, "ref")


# Dates of birth and addresses ---------------------------------------------------------------------

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    r"(?<![\d/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 14/07/2008, 19.8.2016, 1-2-09
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 2017-01-15
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+\d{{4}}"  # 25 December 2018
    rf"|{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # December 25, 2018
    r")(?![\d/.-]*\d)",
    re.I,
)
DOB_CONTEXT_RE = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born|birthday|birth\s+date|b\.)(?:\s+on)?\s*[:,-]?\s*$", re.I
)
DOB_AFTER_RE = re.compile(r"^\s*\)?\s*\(?(?:d\.?o\.?b\.?|date of birth)", re.I)


def dates_of_birth(text: str) -> Iterator[Suggestion]:
    for m in DATE_RE.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        if DOB_CONTEXT_RE.search(before) or DOB_AFTER_RE.match(text[m.end() : m.end() + 20]):
            yield _s(m, "date_of_birth", "date-near-birth", 0.95)


STREET_TYPES = (
    "Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Drive|Way|Court|Ct|Place|Pl|Crescent|Cres|Gardens|Gdns|"
    "Terrace|Grove|Hill|Row|Walk|Square|Sq|Mews|Park|Rise|View|Parade|Green|Vale|Wharf|Yard|Mount|"
    "Boulevard|Chase|Gate|Fields|Meadow|Meadows|Approach|Broadway|Bank|Croft|Dale|Estate|Heights|Wynd"
)
ADDRESS_RE = re.compile(
    r"(?:\b(?:Flat|Apartment|Apt|Unit|Room|House)\s+\d+[A-Za-z]?,?\s+)?"
    r"(?<![\w£$.,/-])\d{1,4}[A-Za-z]?(?:-\d{1,4})?,?\s+"
    r"(?:[A-Z][A-Za-z'’-]+\s+){1,3}"
    rf"(?:{STREET_TYPES})\b\.?"
)
FLAT_RE = re.compile(r"\b(?:Flat|Apartment|Apt)\s+\d+[A-Za-z]?\b")


def addresses(text: str) -> Iterator[Suggestion]:
    for m in ADDRESS_RE.finditer(text):
        yield Suggestion(
            m.start(),
            m.end() - (1 if m.group(0).endswith(".") else 0),
            m.group(0).rstrip("."),
            "address",
            "number-and-street",
            0.9,
        )
    for m in FLAT_RE.finditer(text):
        yield _s(m, "address", "flat-number", 0.8)


# People ----------------------------------------------------------------------------------------

TOKEN = r"(?:(?:[A-Z]['’][A-Z][a-z]+|Ma?c[A-Z][a-z]+|[A-Z][a-z]+)(?:-[A-Z]?[a-z]+)*)"  # noqa: S105
SEP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"
INITIALS_RE = re.compile(r"(?<![\w.])[A-Z]\.[ ]?[A-Z]\.(?:[ ]?[A-Z]\.)?(?![\w])")
INITIAL_SURNAME_RE = re.compile(rf"(?<![\w.])[A-Z]\.[ ]?(?:[A-Z]\.[ ]?)?({TOKEN})(?![\w-])")
INITIALS_CONTEXT_RE = re.compile(
    r"\b(?:child|children|young person|pupil|baby|infant|mother|father|parent|carer|sibling|brother|sister|"
    r"son|daughter|family|case|aged|girl|boy|referred|known as)\b",
    re.I,
)


FAMILY_RE = re.compile(
    rf"\b[Tt]he[ \t]+({TOKEN})[ \t]+(?:family|families|household|twins|siblings|children)\b"
    r"(?![ \t]+(?:hubs?|centres?|support|services?|teams?|court|group|workers?|practitioners?|"
    r"partnership|network|zone|room|days?|time|approach|model|plans?|meetings?|conferences?|"
    r"safeguarding|learning|programme))"
)


def family_names(text: str) -> Iterator[Suggestion]:
    """ "the Hughes family": a surname even when no one in the family is named."""
    common = wordlists.common_words()
    for m in FAMILY_RE.finditer(text):
        if m.group(1).lower() not in common:
            yield _s(m, "person", "family-surname", 0.85, 1)


def initials(text: str) -> Iterator[Suggestion]:
    lasts = wordlists.surnames()
    for m in INITIAL_SURNAME_RE.finditer(text):
        if m.group(1).lower() in lasts:
            yield _s(m, "person", "initial-and-surname", 0.85)
    for m in INITIALS_RE.finditer(text):
        if INITIALS_CONTEXT_RE.search(text, max(0, m.start() - 60), min(len(text), m.end() + 40)):
            yield _s(m, "person", "initials-in-context", 0.75)
