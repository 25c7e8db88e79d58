"""Labelled texts for measuring detection: the frozen held-out set (sets/identifiers-heldout.txt,
written before the detectors it measures and never tuned on) and a development set made here from
templates, values with real check digits, and the shapes text takes in documents (prose, a table row,
a bullet, a slide's notes, a case note, a signature) in lower, upper and title case.

A line of a set (a line starting "# " is a comment): [[category|value]] must be redacted, <<phrase>>
must stay, "\\n" is a line break.
A span counts as found when every character of it is covered by a suggestion; a phrase stays when
no suggestion touches it."""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SETS = Path(__file__).with_name("sets")
_MARK_RE = re.compile(r"\[\[(\w+)\|([^\]]+)\]\]|<<([^>]+)>>")


@dataclass
class Case:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, category)
    keep: list[tuple[int, int]] = field(default_factory=list)


def parse(line: str) -> Case:
    line = line.replace("\\n", "\n")
    out, spans, keep, at = [], [], [], 0
    for m in _MARK_RE.finditer(line):
        out.append(line[at : m.start()])
        start = sum(len(p) for p in out)
        value = m.group(2) if m.group(1) else m.group(3)
        out.append(value)
        (
            spans.append((start, start + len(value), m.group(1)))
            if m.group(1)
            else keep.append((start, start + len(value)))
        )
        at = m.end()
    out.append(line[at:])
    return Case("".join(out), spans, keep)


def load(name: str) -> list[Case]:
    lines = (SETS / name).read_text(encoding="utf-8").splitlines()
    return [parse(line) for line in lines if line.strip() and not line.startswith("# ")]


@dataclass
class Score:
    found: Counter
    total: Counter
    kept: int
    keep_total: int
    missed: list[str] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)

    def recall(self, category: str | None = None) -> float:
        if category is None:
            return sum(self.found.values()) / max(sum(self.total.values()), 1)
        return self.found[category] / max(self.total[category], 1)

    @property
    def keep(self) -> float:
        return self.kept / max(self.keep_total, 1)


def score(cases: list[Case], detect) -> Score:
    found, total, kept, keep_total, missed, touched = Counter(), Counter(), 0, 0, [], []
    for case in cases:
        suggestions = detect(case.text)
        covered = {i for s in suggestions for i in range(s.start, s.end)}
        for start, end, category in case.spans:
            total[category] += 1
            if all(i in covered for i in range(start, end)):
                found[category] += 1
            else:
                missed.append(f"{category}: {case.text[start:end]!r} in {case.text[:90]!r}")
        for start, end in case.keep:
            keep_total += 1
            if any(start < s.end and s.start < end for s in suggestions):
                touched.append(f"{case.text[start:end]!r} in {case.text[:90]!r}")
            else:
                kept += 1
    return Score(found, total, kept, keep_total, missed, touched)


# Values with their real check digits ---------------------------------------------------------------


def uln(rng: random.Random) -> str:
    """A Unique Learner Number: ten digits, the last a check digit (10 - weighted sum mod 11)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        remainder = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if remainder:
            return "".join(map(str, digits)) + str(10 - remainder)


_UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"
LA_NUMBERS = (
    202,
    208,
    305,
    318,
    341,
    358,
    383,
    390,
    800,
    825,
    838,
    839,
    850,
    873,
    886,
    908,
    926,
    940,
    941,
    942,
    943,
)


def upn(rng: random.Random, temporary: bool = False) -> str:
    body = f"{rng.choice(LA_NUMBERS)}{rng.randint(1000, 7999)}{rng.randint(10, 24)}"
    body += (
        f"{rng.randint(10, 99)}{rng.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}"
        if temporary
        else f"{rng.randint(1, 999):03d}"
    )
    check = sum(i * _UPN_ALPHABET.index(c) for i, c in enumerate(body, 2)) % 23
    return _UPN_ALPHABET[check] + body


def iban(rng: random.Random, spaced: bool) -> str:
    bank = rng.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL", "BUKB"])
    bban = bank + "".join(rng.choice(string.digits) for _ in range(14))
    number = int("".join(str(int(c, 36)) for c in bban + "GB00"))
    value = f"GB{98 - number % 97:02d}{bban}"
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if spaced else value


def sort_code(rng: random.Random) -> str:
    sep = rng.choice(["-", " ", ""])
    return sep.join(f"{rng.randint(0, 99):02d}" for _ in range(3))


def account(rng: random.Random) -> str:
    return f"{rng.randint(10_000_000, 99_999_999)}"


def vehicle(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNOPRSTUVWXY"
    shape = rng.randint(0, 2)
    if shape == 0:  # since 2001: two letters, the age, three letters
        return (
            rng.choice(letters)
            + rng.choice(letters)
            + rng.choice(["05", "11", "16", "19", "21", "67", "70", "73"])
            + " "
            + "".join(rng.choice(letters) for _ in range(3))
        )
    if shape == 1:  # 1983-2001: a letter for the year first
        return f"{rng.choice('ABCDEFGHJKLMNPRSTVWXY')}{rng.randint(1, 999)} " + "".join(
            rng.choice(letters) for _ in range(3)
        )
    return (
        "".join(rng.choice(letters) for _ in range(3))
        + f" {rng.randint(1, 999)}{rng.choice('ABCDEFGHJKLMNPRSTVWXY')}"
    )


def passport(rng: random.Random) -> str:
    return f"{rng.randint(100_000_000, 999_999_999)}"


def brp(rng: random.Random) -> str:
    return rng.choice(["ZR", "ZU", "RT", "RK", "ZX"]) + f"{rng.randint(0, 9_999_999):07d}"


def handle(rng: random.Random) -> str:
    first = rng.choice(
        ["amira", "kayden", "lexi", "tj", "ollie", "zainab", "brooke", "deon", "maya", "reece"]
    )
    tail = rng.choice(["_", ".", "", "x"]) + rng.choice(["09", "22", "2k10", "xo", "official", "07", "_x"])
    return first + tail


# The development set --------------------------------------------------------------------------------

DEV_TEMPLATES = [
    ("The learner's ULN is {uln}.", ["uln"]),
    ("ULN {uln} - enrolled on the study programme", ["uln"]),
    ("Unique Learner Number: {uln}", ["uln"]),
    ("Records show UPN {upn} at the previous school.", ["upn"]),
    ("UPN: {upn_temp} (temporary)", ["upn_temp"]),
    ("Pupil number {upn}", ["upn"]),
    ("He used the account {at_handle} on Instagram.", ["at_handle"]),
    ("Snapchat: {handle}", ["handle"]),
    ("messages came from tiktok user {handle}", ["handle"]),
    ("The car, registration {vehicle}, was parked outside.", ["vehicle"]),
    ("Vehicle {vehicle} was stopped by police.", ["vehicle"]),
    ("reg no. {vehicle}", ["vehicle"]),
    ("Passport no. {passport} was kept by the aunt.", ["passport"]),
    ("BRP number {brp}", ["brp"]),
    ("Her biometric residence permit {brp} was out of date.", ["brp"]),
    ("Sort code {sort_code}, account number {account}.", ["sort_code", "account"]),
    ("IBAN: {iban}", ["iban"]),
    ("paid into account {account} (sort code {sort_code})", ["account", "sort_code"]),
    ("Mosaic ID {ref7} was opened.", ["ref7"]),
    ("Liquidlogic number {ref7}", ["ref7"]),
    ("CareFirst reference {ref8}", ["ref8"]),
    ("Police ref {crime_ref}", ["crime_ref"]),
    ("The child's DOB is {dob_dash}.", ["dob_dash"]),
    ("date of birth: {dob_dot}", ["dob_dot"]),
    ("Mobile {mobile_00}", ["mobile_00"]),
    ("Call {landline_ext} and ask for the duty worker.", ["landline_ext"]),
    ("They lived at {house_name}.", ["house_name"]),
    ("An interpreter in <<{language}>> was at every visit.", ["language"]),
    ("She rang <<{helpline}>> twice before telling her teacher.", ["helpline"]),
    ("The next review is on <<{date}>>.", ["date"]),
    ("Call the duty line on <<{service_number}>> out of hours.", ["service_number"]),
    ("The refuge at <<{home}>> took the family in.", ["home"]),
]


def _house_name(rng: random.Random) -> str:
    house = f"{rng.choice(['Ivy', 'Holly', 'Laurel', 'Beech'])} {rng.choice(['Cottage', 'House', 'Villa'])}"
    return (
        f"{house}, {rng.choice(['Mill', 'Brook', 'Church'])} {rng.choice(['Lane', 'Row', 'Fold', 'Croft'])}"
    )


KINDS = {
    "uln": ("uln", uln),
    "upn": ("upn", upn),
    "upn_temp": ("upn", lambda r: upn(r, temporary=True)),
    "at_handle": ("social_media", lambda r: "@" + handle(r)),
    "handle": ("social_media", handle),
    "vehicle": ("vehicle", vehicle),
    "passport": ("passport", passport),
    "brp": ("passport", brp),
    "sort_code": ("bank", sort_code),
    "account": ("bank", account),
    "iban": ("bank", lambda r: iban(r, r.random() < 0.5)),
    "ref7": ("case_reference", lambda r: f"{r.randint(1_000_000, 9_999_999)}"),
    "ref8": ("case_reference", lambda r: f"{r.randint(10_000_000, 99_999_999)}"),
    "crime_ref": (
        "case_reference",
        lambda r: f"{r.randint(10, 99)}/{r.randint(100000, 999999)}/{r.randint(19, 24)}",
    ),
    "dob_dash": (
        "date_of_birth",
        lambda r: (
            f"{r.randint(1, 28)}-{r.choice(['Jan', 'Mar', 'Jun', 'Sep', 'Nov'])}-{r.randint(5, 19):02d}"
        ),
    ),
    "dob_dot": (
        "date_of_birth",
        lambda r: f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.{r.randint(2005, 2020)}",
    ),
    "mobile_00": ("phone", lambda r: f"0044 7700 {r.randint(900000, 900999)}"),
    "landline_ext": ("phone", lambda r: f"01632 {r.randint(960000, 960999)} ext. {r.randint(100, 999)}"),
    "house_name": ("address", _house_name),
}


KEEP = {
    "language": ["Polish", "Arabic", "Urdu", "Pashto", "Sylheti", "Lingala", "Portuguese", "Farsi"],
    "helpline": ["Childline", "the NSPCC", "Shelter", "Kooth"],
    "date": ["14 Jan 2025", "Sept 2024", "2 Oct 2024", "the 9th of Nov 2024"],
    "service_number": ["0300 555 0101", "0800 028 2233", "0345 600 1234"],
    "home": ["Oak Lodge", "Beech House", "Holly Grange"],
}


def _shape(rng: random.Random, sentence: str) -> str:
    """The sentence as it would sit in one kind of document."""
    kind = rng.choice(["prose", "table", "bullet", "slide", "note", "signature"])
    if kind == "table":
        return f"| Item | Detail |\\n| --- | --- |\\n| Record | {sentence} |"
    if kind == "bullet":
        return f"- {sentence}"
    if kind == "slide":
        return f"Slide 4 notes: {sentence}"
    if kind == "note":
        return f"14/03 SW visit. {sentence}"
    if kind == "signature":
        return f"{sentence}\\nKind regards,\\nDuty team"
    return sentence


def development(count: int = 400, seed: int = 7) -> list[Case]:
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        template, kinds = rng.choice(DEV_TEMPLATES)
        values = {
            k: rng.choice(KEEP[k]) if k in KEEP else f"[[{KINDS[k][0]}|{KINDS[k][1](rng)}]]" for k in kinds
        }
        sentence = template.format(**values)
        case = rng.choice(["as", "as", "lower", "upper"])
        if case != "as":  # the words around the values, in one case (case notes, headings in capitals)
            change = str.lower if case == "lower" else str.upper
            parts = re.split(r"(\[\[[^\]]+\]\])", sentence)
            sentence = "".join(p if p.startswith("[[") else change(p) for p in parts)
        lines.append(_shape(rng, sentence))
    return [parse(line) for line in lines]


# People's names: a development set -------------------------------------------------------------------

GIVEN = [
    "Aaliyah",
    "Bilal",
    "Callum",
    "Demi",
    "Eshan",
    "Freya",
    "Gethin",
    "Harriet",
    "Imani",
    "Jakub",
    "Kelsey",
    "Leon",
    "Maddison",
    "Nathaniel",
    "Oluwaseun",
    "Paige",
    "Rhys",
    "Saanvi",
    "Tegan",
    "Usman",
]
WORD_GIVEN = ["Hope", "Faith", "Joy", "Grace", "Sky", "River", "Summer", "Autumn", "Hunter", "Mason"]
ACCENTED = ["Siobhán", "Zoë", "Renée", "Bartłomiej", "Aurélie", "Zoltán"]
SURNAMES = [
    "Whitfield",
    "Okonkwo",
    "Kaczmarek",
    "Pemberton",
    "Adeyemi",
    "Haworth",
    "Gallagher",
    "Osei",
    "Brennan",
]
NAME_TEMPLATES = [
    "{given} said she felt listened to at the review.",
    "visit 12/05: saw {lgiven} at home with her nan.",
    "spoke to {lgiven} {lsurname} after school",
    "- {given} {surname} (Year 10) joined the group in May.",
    "Slide 3 notes: {given} told us the new worker listened.",
    "| {USURNAME}, {given} | CIN plan | Open |",
    "| {given} {surname} | 14 | Residential |",
    "{word_given} ({age}) lives with her grandparents.",
    "We read {accented}'s plan with her social worker.",
    "Present: {lgiven} {lsurname}, {lgiven2} {lsurname2}",
    'Quote from {given}: "I wish they had asked me sooner."',
    "{initial}. {initial2}. was referred by the health visitor.",
    "Thanks to {title} {surname} for chairing the panel.",
]
TITLES = ["Dr", "Mrs", "Mr", "Ms", "Cllr"]
NAME_KEEP = [
    "## <<Our Priorities>>\\nWe will strengthen the front door.",
    "## <<What We Found>>\\nPractice is improving.",
    "<<Strengths>>: leaders know their children well.",
    "The <<Signs of Safety>> model is embedded.",
    "Children said the <<Participation Team>> helped.",
    "| <<Area>> | <<Rating>> |\\n| --- | --- |\\n| <<Leadership>> | Good |",
    "Pupils from <<Somalia>> and <<Eritrea>> speak <<Tigrinya>> at home.",
]


def names_development(count: int = 300, seed: int = 11) -> list[Case]:
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        if rng.random() < 0.2:
            lines.append(rng.choice(NAME_KEEP))
            continue
        given, given2, surname, surname2 = (
            rng.choice(GIVEN),
            rng.choice(GIVEN),
            rng.choice(SURNAMES),
            rng.choice(SURNAMES),
        )
        values = {
            "given": f"[[person|{given}]]",
            "lgiven": f"[[person|{given.lower()}]]",
            "lgiven2": f"[[person|{given2.lower()}]]",
            "surname": f"[[person|{surname}]]",
            "lsurname": f"[[person|{surname.lower()}]]",
            "lsurname2": f"[[person|{surname2.lower()}]]",
            "USURNAME": f"[[person|{surname.upper()}]]",
            "word_given": f"[[person|{rng.choice(WORD_GIVEN)}]]",
            "accented": f"[[person|{rng.choice(ACCENTED)}]]",
            "initial": f"[[person|{rng.choice('ABCDEFGHJKLMNPRST')}",
            "initial2": f"{rng.choice('ABCDEFGHJKLMNPRST')}.]]",
            "title": rng.choice(TITLES),
            "age": rng.randint(2, 17),
        }
        line = rng.choice(NAME_TEMPLATES).format(**values)
        # Adjacent spans of one name ("given surname") are one name: merge "]] [[person|".
        line = line.replace("]] [[person|", " ").replace(
            f"[[person|{values['title']} ", f"[[person|{values['title']} "
        )
        lines.append(line.replace("{title}", values["title"]))
    return [parse(line) for line in lines]
