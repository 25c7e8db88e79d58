"""Detectors: each finds one kind of personal information in text and returns suggestions.

Pure functions over strings: no Flask, no database. Validated identifiers (NHS, National
Insurance and pupil numbers, phone numbers) are checked, not just matched. People's names are
in ``names.py``; here only initials and "the ... family".
"""

from __future__ import annotations

import re
from bisect import bisect_left
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


_LOWERED: dict[int, tuple[str, str]] = {}


def lowered(text: str) -> str:
    """``text`` in lower case with the same offsets (kept for the text last asked about): patterns
    of lower-case words run on it without re.IGNORECASE, which is several times faster. Where
    lower case changes a length (a dotted capital I), the text itself is returned."""
    cached = _LOWERED.get(id(text))
    if cached is not None and cached[0] is text:
        return cached[1]
    low = text.lower()
    if len(low) != len(text):
        low = text
    _LOWERED.clear()
    _LOWERED[id(text)] = (text, low)
    return low


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
    r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}(?!\w)"
    r"|(?<![\w+])\(0\d{3,4}\)\s?\d{3}\s?\d{3,4}(?!\w)"
)
EXTENSION_RE = re.compile(r"\s*,?\s*(?:ext\.?|extn\.?|extension|x)\s*\d{1,5}\b", re.I)
# Numbers that reach a service, not a person: freephone and national-rate numbers (0800, 0808,
# 0300, 0345...) are kept, like the helplines they usually are.
SERVICE_NUMBER_RE = re.compile(r"^0(?:80[08]|3[0347]\d|500)")


def phones(text: str) -> Iterator[Suggestion]:
    for m in PHONE_RE.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if raw.startswith("+"):
            national = "0" + digits[2:]
        elif raw.startswith("0044"):
            national = "0" + digits[4:]
        else:
            national = digits
        if national.startswith("00"):
            national = national[1:]
        if len(national) not in (10, 11) or SERVICE_NUMBER_RE.match(national):
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
            end = m.end()
            extension = EXTENSION_RE.match(text, end)
            if extension:
                end = extension.end()
            yield Suggestion(m.start(), end, text[m.start() : end], "phone", "phone-gb", 0.95)


POSTCODE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2}\d[A-Z\d]?)[ ]?(\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])")


def postcodes(text: str) -> Iterator[Suggestion]:
    matches = list(POSTCODE_RE.finditer(text))
    spans = _address_spans(text) if matches else []
    for m in matches:
        if not any(start <= m.start() and m.end() <= end for start, end, _, _ in spans):
            yield _s(m, "postcode", "postcode-uk", 0.95)


UPN_RE = re.compile(r"(?<![A-Za-z0-9])[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z](?![A-Za-z0-9])", re.I)
_UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"


def upn_valid(value: str) -> bool:
    """A Unique Pupil Number: its check letter, and a local authority number on today's list
    (content/redaction/la_numbers.txt). A temporary UPN ends with a letter."""
    value = value.upper()
    if len(value) != 13 or not value[1:12].isdigit() or int(value[1:4]) not in wordlists.la_numbers():
        return False
    check = sum(i * _UPN_ALPHABET.index(c) for i, c in enumerate(value[1:], 2)) % 23
    return _UPN_ALPHABET[check] == value[0]


def pupil_numbers(text: str) -> Iterator[Suggestion]:
    for m in UPN_RE.finditer(text):
        if upn_valid(m.group(0)):
            yield _s(m, "upn", "upn-check-letter", 1.0)


ULN_RE = re.compile(r"(?<![\w-])[1-9]\d{9}(?![\w-])")
ULN_CONTEXT_RE = re.compile(r"\b(?:uln|learner|learning|college|ilr|provider)\b", re.I)


def uln_valid(digits: str) -> bool:
    """A Unique Learner Number: ten digits, the last 10 - (the weighted sum of the first nine
    mod 11), a remainder of 0 never issued."""
    if len(digits) != 10 or not digits.isdigit() or digits[0] == "0":
        return False
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    return remainder != 0 and int(digits[9]) == 10 - remainder


def learner_numbers(text: str) -> Iterator[Suggestion]:
    for m in ULN_RE.finditer(text):
        if uln_valid(m.group(0)):
            context = ULN_CONTEXT_RE.search(text, max(0, m.start() - 60), m.start())
            yield _s(m, "uln", "uln-check-digit", 1.0 if context else 0.8)


SYSTEMS = (
    r"case|ref(?:erence)?|file|record|client|child|person|mosaic|liquidlogic|lcs|eclipse|carefirst|"
    r"care\s?first|childview|child\s?view|capita(?:\s+one)?|one|azeus|paris|framework[- ]?i|emis|systmone|"
    r"rio|lado|mash|cad|incident|crime|crime\s+ref(?:erence)?|police|home\s+office|ho|court|claim|"
    r"referral|id"
)
CASE_REF_RE = re.compile(
    rf"\b(?:{SYSTEMS})\.?"
    r"(?:\s+(?:no\.?|nos\.?|number|ref(?:erence)?|id|identifier|log|record|file|case)){0,2}\s*[:#(]?\s*"
    # "LCS-448201", "ECL 772013", a police log with its date "CAD 4471 12/05/24"
    r"(?P<ref>(?-i:[A-Z]{2,4})[ ](?=\d)\d[\dA-Z/-]{2,}[\dA-Z](?:[ ]\d{1,2}/\d{1,2}/\d{2,4})?"
    r"|(?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{2,}[A-Z0-9])\b",
    re.I,
)


SYSTEM_WORD_RE = re.compile(rf"\b(?:{SYSTEMS})\b")


def case_references(text: str) -> Iterator[Suggestion]:
    seen: set[int] = set()
    for word in SYSTEM_WORD_RE.finditer(lowered(text)):
        m = CASE_REF_RE.match(text, word.start())
        if m is None or m.start("ref") in seen:
            continue
        seen.add(m.start("ref"))
        ref = m.group("ref")
        if re.fullmatch(r"(19|20)\d\d", ref) or re.fullmatch(r"(19|20)\d\d[-/]\d\d", ref):
            continue  # a year, or a year like 2023-24
        if sum(c.isdigit() for c in ref) < 3:
            continue
        yield _s(m, "case_reference", "reference-in-context", 0.85, "ref")


# Identifiers named by a label or by the column they sit in -----------------------------------------


def _after(text: str, context: re.Pattern, pattern: re.Pattern, width: int) -> Iterator[re.Match]:
    """Matches of ``pattern`` that start within ``width`` characters after a match of ``context``
    (the label is rare, the shape is not: looking from the label is the fast way round)."""
    seen: set[int] = set()
    for label in context.finditer(lowered(text)):
        for m in pattern.finditer(text, label.end(), min(len(text), label.end() + width)):
            if m.start() not in seen:
                seen.add(m.start())
                yield m


BRP_RE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}\d{7}|[A-Z]\d{8})(?![A-Za-z0-9])")
PASSPORT_RE = re.compile(r"(?<![A-Za-z0-9])(?:\d{9}|[A-Z]{2}\d{7})(?![A-Za-z0-9])")
PASSPORT_CONTEXT_RE = re.compile(
    r"\b(?:passport|brp|biometric|residence\s+(?:permit|card)|immigration|visa|travel\s+document)\b"
)


def passports(text: str) -> Iterator[Suggestion]:
    for pattern in (PASSPORT_RE, BRP_RE):
        for m in _after(text, PASSPORT_CONTEXT_RE, pattern, 50):
            yield _s(m, "passport", "passport-in-context", 0.9)


SORT_CODE_RE = re.compile(r"(?<![\d-])\d{2}([- ]?)\d{2}\1\d{2}(?![\d-])")
ACCOUNT_RE = re.compile(r"(?<![\d-])\d{8}(?![\d-])")
BANK_CONTEXT_RE = re.compile(r"\b(?:sort[- ]?code|s/c|account|a/c|acc(?:t)?\.?|bank)\b")
IBAN_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
)


def iban_valid(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    number = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(number) % 97 == 1


def bank_details(text: str) -> Iterator[Suggestion]:
    for m in IBAN_RE.finditer(text):
        if iban_valid(m.group(0)):
            yield _s(m, "bank", "iban-mod97", 1.0)
    for pattern in (SORT_CODE_RE, ACCOUNT_RE):
        for m in _after(text, BANK_CONTEXT_RE, pattern, 40):
            yield _s(m, "bank", "bank-in-context", 0.9)


PLATFORMS = (
    r"instagram|insta|tiktok|tik\s?tok|snapchat|snap|facebook|fb|messenger|twitter|threads|"
    r"discord|xbox|xbox\s+live|psn|playstation|steam|whatsapp|telegram|youtube|twitch|roblox|kik|"
    r"reddit|pinterest|bereal|onlyfans|yubo|wink|omegle|fortnite|minecraft|gamertag"
)
PLATFORM_WORD_RE = re.compile(rf"\b(?:{PLATFORMS})\b")
HANDLE_RE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])(?!\.[A-Za-z])")
PLATFORM_HANDLE_RE = re.compile(
    rf"\b(?:{PLATFORMS})\b(?:\s+(?:user(?:name)?|account|handle|name|gamertag|id|profile|page))?"
    r"\s*(?:[:\-–]|is|was|called|named)?\s*"
    r"(?P<handle>@?[A-Za-z0-9_][A-Za-z0-9_.#]{1,30}[A-Za-z0-9_])",
    re.I,
)


def social_media(text: str) -> Iterator[Suggestion]:
    for m in HANDLE_RE.finditer(text):
        yield _s(m, "social_media", "handle", 0.9)
    common = wordlists.common_words()
    found = (PLATFORM_HANDLE_RE.match(text, p.start()) for p in PLATFORM_WORD_RE.finditer(lowered(text)))
    for m in filter(None, found):
        handle = m.group("handle")
        word = handle.lstrip("@").lower()
        looks_made_up = any(c.isdigit() or c in "_.#" for c in handle) or handle.startswith("@")
        if looks_made_up or (handle.islower() and word not in common and not wordlists.is_english(word)):
            yield _s(m, "social_media", "handle-after-platform", 0.85, "handle")


# Registrations since 2001 (two letters, the age: 02-25 or 51-75, three letters), and the older
# prefix and suffix shapes, which need a word such as "registration" or "car" before them.
CURRENT_REG_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}(0[2-9]|[12]\d|5[1-9]|[67]\d) ?[A-Z]{3}(?![A-Za-z0-9])")
OLDER_REG_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-HJ-NP-Y]\d{1,3} ?[A-Z]{3}|[A-Z]{3} ?\d{1,3}[A-HJ-NP-Y])(?![A-Za-z0-9])"
)
VEHICLE_CONTEXT_RE = re.compile(
    r"\b(?:reg(?:istration)?|vrm|index|plates?|car|van|vehicle|motorbike|moped|taxi|lorry|4x4|driving)\b",
)


def vehicles(text: str) -> Iterator[Suggestion]:
    for m in CURRENT_REG_RE.finditer(text):
        yield _s(m, "vehicle", "registration", 0.9)
    for m in _after(text, VEHICLE_CONTEXT_RE, OLDER_REG_RE, 40):
        yield _s(m, "vehicle", "registration-in-context", 0.85)


# A table's header names what its cells hold: under "ID", "DOB" or "Phone", a bare number or date is
# that identifier even with no label beside it.
TABLE_ROW_RE = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.M)
COLUMN_KINDS = (
    (re.compile(r"^(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|born)$", re.I), "date_of_birth"),
    (re.compile(r"^(?:tel(?:ephone)?|phone|mobile|contact\s+(?:no\.?|number))$", re.I), "phone"),
    (
        re.compile(
            r"^(?:(?:child|client|person|case|pupil|learner|young\s+person|family|mosaic|system|lcs|eclipse|"
            r"carefirst|police|crime|lado)\s+)?(?:id|ref(?:erence)?|no\.?|number|record)$",
            re.I,
        ),
        "case_reference",
    ),
)
CELL_VALUE_RE = re.compile(r"\S(?:.*\S)?")


def _cells(row: re.Match) -> list[tuple[int, int]]:
    """The (start, end) of each cell's text, without its padding."""
    spans, start = [], row.start(1)
    for part in row.group(1).split("|"):
        inner = CELL_VALUE_RE.search(part)
        spans.append((start + inner.start(), start + inner.end()) if inner else (start, start))
        start += len(part) + 1
    return spans


def table_columns(text: str) -> Iterator[Suggestion]:
    rows = list(TABLE_ROW_RE.finditer(text))
    header: list[str | None] = []
    previous_end = -2
    for row in rows:
        cells = _cells(row)
        values = [text[a:b] for a, b in cells]
        if all(re.fullmatch(r":?-{3,}:?|", v) for v in values):
            previous_end = row.end()
            continue  # the line under the header
        if row.start() != previous_end + 1:  # a new table: its first row is the header
            header = [
                next((kind for pattern, kind in COLUMN_KINDS if pattern.match(v.strip())), None)
                for v in values
            ]
            previous_end = row.end()
            continue
        previous_end = row.end()
        for (a, b), value, kind in zip(cells, values, header, strict=False):
            if kind is None or not value or not any(c.isdigit() for c in value) or len(value) > 40:
                continue
            if kind == "case_reference" and not re.fullmatch(r"[A-Za-z0-9/-]{3,}", value):
                continue
            yield Suggestion(a, b, value, kind, "table-column", 0.85)


# Dates of birth and addresses ---------------------------------------------------------------------

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    r"(?<![\d/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 14/07/2008, 19.8.2016, 1-2-09
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 2017-01-15
    rf"|\d{{1,2}}[-/ ]{MONTHS}[-/ ](?:\d{{4}}|\d{{2}})"  # 4-Mar-09
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+\d{{4}}"  # 25 December 2018
    rf"|{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # December 25, 2018
    r")(?![\d/.-]*\d)",
    re.I,
)
DOB_CONTEXT_RE = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born|birthday|birth\s+date|b\.)(?:\s+(?:on|is|was|of))*"
    r"\s*[:,-]?\s*$",
    re.I,
)
BIRTH_WORD_RE = re.compile(r"d\.?\s?o\.?\s?b|birth|born|\bb\.")
DOB_AFTER_RE = re.compile(r"^\s*\)?\s*\(?(?:d\.?o\.?b\.?|date of birth)", re.I)


# A month with its year ("Feb 2024", "Sept 12, 2023"): the month's word is part of a date, not a name.
MONTH_IN_DATE_RE = re.compile(
    rf"\b(?=[JFMASONDjfmasond]){MONTHS}\b\.?,?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d\d\b", re.I
)
BORN_IN_RE = re.compile(
    rf"\bborn\s+(?:in\s+)?(?P<when>(?:(?:early|late|mid)[- ])?{MONTHS}\.?,?\s+(?:19|20)\d\d)\b", re.I
)


def dates_of_birth(text: str) -> Iterator[Suggestion]:
    for m in BORN_IN_RE.finditer(text):
        yield _s(m, "date_of_birth", "born-in-month", 0.9, "when")
    # Dates are many and words of birth few: look for dates only around the words (a date within 30
    # characters after one, or within 20 before "(DOB)").
    seen: set[int] = set()
    for label in BIRTH_WORD_RE.finditer(lowered(text)):
        window = DATE_RE.finditer(text, max(0, label.start() - 60), min(len(text), label.end() + 30))
        for m in window:
            if m.start() in seen:
                continue
            before = text[max(0, m.start() - 30) : m.start()]
            if DOB_CONTEXT_RE.search(before) or DOB_AFTER_RE.match(text[m.end() : m.end() + 20]):
                seen.add(m.start())
                yield _s(m, "date_of_birth", "date-near-birth", 0.95)


STREET_TYPES = (
    "Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Drive|Way|Court|Ct|Place|Pl|Crescent|Cres|Gardens|Gdns|"
    "Terrace|Grove|Hill|Row|Walk|Square|Sq|Mews|Park|Rise|View|Parade|Green|Vale|Wharf|Yard|Mount|"
    "Boulevard|Chase|Gate|Fields|Meadow|Meadows|Approach|Broadway|Bank|Croft|Dale|Estate|Heights|Wynd|"
    "Fold|Garth|Lea|Ley|Loan|Brow|Nook|Side|End|Hollow|Passage|Path|Circus|Embankment|Quay|Promenade|"
    "Drove|Row|Ridge|Brae|Glen|Wood|Orchard|Paddock|Spinney|Crest|Link|Links|Cross|Common|Precinct"
)
ADDRESS_RE = re.compile(
    r"(?:\b(?:Flat|Apartment|Apt|Unit|Room|House)\s+\d+[A-Za-z]?,?\s+)?"
    r"(?<![\w£$.,/-])\d{1,4}[A-Za-z]?(?:-\d{1,4})?,?\s+"
    r"(?:[A-Z][A-Za-z'’-]+\s+){1,3}"
    rf"(?:{STREET_TYPES})\b\.?"
)
FLAT_RE = re.compile(r"\b(?:Flat|Apartment|Apt)\s+\d+[A-Za-z]?\b")
HOUSE_WORDS = (
    "Cottage|Cottages|House|Villa|Lodge|Farm|Farmhouse|Barn|Forge|Mill|Hall|Manor|Grange|Bungalow|Croft|"
    "Rectory|Vicarage|Chapel|Smithy"
)
# A house with a name and no number, then its street: "Rose Villa, Mill Row", "The Old Forge,
# Church Lane". The street makes it an address; a named home alone ("Willow Lodge") stays.
HOUSE_NAME_RE = re.compile(
    rf"(?<![\w-])(?:The\s+)?(?:[A-Z][a-z]+\s+){{1,2}}(?:{HOUSE_WORDS}),\s+"
    rf"(?:\d{{1,4}}[A-Za-z]?,?\s+)?(?:[A-Z][A-Za-z'’-]+\s+){{1,3}}(?:{STREET_TYPES})\b"
)


# An address after a service and "at" is where the service is, not where a person lives: "the
# Family Hub at 1 Market Square", "the MASH, based at 4 Church Road".
SERVICE_AT_RE = re.compile(
    r"\b(?:hubs?|centres?|centers?|offices?|team|MASH|front door|services?|clinics?|headquarters|HQ|"
    r"reception|council|town hall|library|surgery|base|practice|"
    r"station)\b[^.\n]{0,30}?\b(?:at|based at|located at|is at|on)[ \t]+$",
    re.I,
)


def _service_address(text: str, start: int) -> bool:
    return SERVICE_AT_RE.search(text, max(0, start - 60), start) is not None


# After a street: the town and the postcode on the same line belong to the one address ("14 Larch
# Grove, Pendlebury, M27 4QT"); only capitalised words and commas may stand between.
ADDRESS_TAIL_RE = re.compile(
    r"[ \t]*,?[ \t]*(?:[A-Z][a-z'’-]+(?:[ \t]+[A-Za-z][a-z'’-]+){0,3}[ \t]*,?[ \t]*){0,3}"
    r"(?<![A-Za-z0-9])[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])"
)
# With no postcode, one or two place words after a comma that end the phrase ("..., Pendlebury.").
ADDRESS_TOWN_RE = re.compile(r",[ \t]*[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+)?(?=[ \t]*(?:[.;)\n]|$))")
_ADDRESSES: dict[int, tuple[str, list[tuple[int, int, str, float]]]] = {}


def _address_spans(text: str) -> list[tuple[int, int, str, float]]:
    """(start, end, rule, score) of every address, with its town and postcode; kept for the text
    last asked about, so that the postcode detector can leave a postcode inside one alone."""
    cached = _ADDRESSES.get(id(text))
    if cached is not None and cached[0] is text:
        return cached[1]
    found: list[tuple[int, int, str, float]] = []
    for pattern, rule, score in (
        (ADDRESS_RE, "number-and-street", 0.9),
        (HOUSE_NAME_RE, "house-name-and-street", 0.85),
    ):
        for m in pattern.finditer(text):
            if rule == "number-and-street" and _service_address(text, m.start()):
                continue
            end = m.end() - (1 if m.group(0).endswith(".") else 0)
            code = ADDRESS_TAIL_RE.match(text, end)
            if code is not None:
                end = code.end()
            else:
                town = ADDRESS_TOWN_RE.match(text, end)
                if town is not None:
                    end = town.end()
            found.append((m.start(), end, rule, score))
    _ADDRESSES.clear()
    _ADDRESSES[id(text)] = (text, found)
    return found


def addresses(text: str) -> Iterator[Suggestion]:
    for start, end, rule, score in _address_spans(text):
        yield Suggestion(start, end, text[start:end], "address", rule, score)
    for m in FLAT_RE.finditer(text):
        yield _s(m, "address", "flat-number", 0.8)


# Settings tied to a child ------------------------------------------------------------------------

SETTING_RE = re.compile(
    r"(?<![\w-])(?:St\.?\s+)?(?:[A-Z][\w'’-]+\s+){1,4}"
    r"(?:Academy|School|College|Primary(?:\s+School)?|Infants?(?:\s+School)?|Juniors?(?:\s+School)?|"
    r"Nursery|High(?:\s+School)?|Grammar(?:\s+School)?|Pupil\s+Referral\s+Unit|PRU)\b"
)
# Words that start a sentence or a phrase before a setting's name, not part of it.
LEADING_WORDS_RE = re.compile(
    r"(?:(?:At|In|From|To|The|A|An|Our|Their|His|Her|Its|Of|And|For|With|Into|Attends|Attending|Both|All)\s+)+"
)
SENTENCE_END_RE = re.compile(r"[.!?](?=\s)|\n")
CHILD_CUE_RE = re.compile(
    r"\bChild\s+[A-Z]\b|\b\d{1,2}[- ](?:year|month)[- ]old\b|\baged?\s+\d|\bYear\s+\d{1,2}\b|"
    r"(?i:\b(?:his|her|their)\s+(?:school|academy|college|nursery|setting|class)\b)|"
    r"(?i:\b(?:attends|attended|attending|pupil\s+at|student\s+at|on\s+roll\s+at|excluded\s+from|"
    r"enrolled\s+at|transferred\s+to|moved\s+to)\b)",
)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    before = [m.end() for m in SENTENCE_END_RE.finditer(text, max(0, start - 400), start)]
    after = SENTENCE_END_RE.search(text, end, end + 400)
    return (before[-1] if before else max(0, start - 400)), (
        after.start() if after else min(len(text), end + 400)
    )


def _has_person(starts: list[int], start: int, end: int) -> bool:
    """Whether a person found starts between ``start`` and ``end`` (``starts`` sorted)."""
    i = bisect_left(starts, start)
    return i < len(starts) and starts[i] < end


def settings_of_a_child(text: str, people: list[Suggestion]) -> Iterator[Suggestion]:
    """A school or other setting named in the same sentence (or table row) as a child: a name, "Child
    A", an age, a year group, "her school". A setting in a general list stays."""
    starts = sorted(p.start for p in people)
    for m in SETTING_RE.finditer(text):
        lead = LEADING_WORDS_RE.match(m.group(0))
        first = m.start() + (lead.end() if lead else 0)
        if SETTING_RE.fullmatch(text, first, m.end()) is None:
            continue  # only "At School" or "Our College" was left
        start, end = _sentence(text, first, m.end())
        if _has_person(starts, start, end) or CHILD_CUE_RE.search(text, start, end):
            yield Suggestion(first, m.end(), text[first : m.end()], "school", "setting-of-a-child", 0.8)


# Ages, three patterns that each start with a fixed character or word (one alternation of them all
# is five times slower to scan): "9-year-old", "9 yrs"; "aged 9"; "Reuben (9)".
AGE_RES = (
    re.compile(
        r"(?<![\w.,])\d{1,2}(?:[- ](?:year|month)s?[- ]old\b|\s?(?:yrs?|years)\b"
        r"(?!\s+(?:of|in|ago|later|since|before|after)))"
    ),
    re.compile(r"\baged\s+\d{1,2}(?:\s+(?:years|months))?\b"),
    re.compile(r"(?<=[a-z] )\(\d{1,2}\)(?=[\s,.;:]|$)"),
)
NAMED_CHILD_RE = re.compile(r"\b(?:Child|Young Person|YP|Sibling)\s+[A-Z]\b")


def ages_of_a_child(text: str, people: list[Suggestion]) -> Iterator[Suggestion]:
    """An age in the same sentence as a named child or one labelled "Child A": with the name, it
    narrows who it is. An age alone ("children aged 5 to 11") is not suggested."""
    starts = sorted(p.start for p in people)
    low = lowered(text)
    for m in (m for pattern in AGE_RES for m in pattern.finditer(low)):
        m_text = text[m.start() : m.end()]
        start, end = _sentence(text, m.start(), m.end())
        if _has_person(starts, start, end) or NAMED_CHILD_RE.search(text, start, end):
            yield Suggestion(m.start(), m.end(), m_text, "age", "age-of-a-named-child", 0.75)


# People ----------------------------------------------------------------------------------------

TOKEN = r"(?:(?:[A-Z]['’][A-Z][a-z]+|Ma?c[A-Z][a-z]+|[A-Z][a-z]+)(?:-[A-Z]?[a-z]+)*)"  # noqa: S105
SEP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"
INITIALS_RE = re.compile(r"(?<![\w.])[A-Z]\.[ ]?[A-Z]\.(?:[ ]?[A-Z]\.)?(?![\w])")
# Abbreviations written with full stops are not initials: D.O.B., N.B., A.K.A., N.F.A.
ABBREVIATIONS = frozenset(
    "dob nb eg ie ps aka nfa rip pto asap etc am pm ad bc uk us eu un gp po nhs rsvp tbc tba".split()
)
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
        if re.sub(r"[. ]", "", m.group(0)).lower() in ABBREVIATIONS:
            continue
        if INITIALS_CONTEXT_RE.search(text, max(0, m.start() - 60), min(len(text), m.end() + 40)):
            yield _s(m, "person", "initials-in-context", 0.75)


# What each rule of this module saw, in plain words for the people reviewing its suggestions.
RULES = {
    "uln-check-digit": "it is a learner number (ULN) whose check digit is right",
    "upn-check-letter": "it is a pupil number (UPN) whose check letter is right",
    "passport-in-context": "it is a number after the words passport or residence permit",
    "iban-mod97": "it is a bank account number (IBAN) whose check digits are right",
    "bank-in-context": "it is a number after the words sort code or account",
    "handle": "it is a social media name (@name)",
    "handle-after-platform": "it is a name after the name of a social media site",
    "registration": "it has the shape of a vehicle registration",
    "registration-in-context": "it is a vehicle registration after a word such as car",
    "table-column": "its column's heading says what it holds",
    "born-in-month": "it is the month and year someone was born",
    "house-name-and-street": "it is a house name with its street",
    "setting-of-a-child": "it is a school or setting named beside a child",
    "age-of-a-named-child": "it is an age beside a named child",
}
