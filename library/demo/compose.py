"""Believable peer challenge documents for the demo library, the browser tests and the benchmarks.

Composed from the themes in content/demo/themes.toml and the passages in content/demo/passages.toml:
headings, paragraphs, tables, case examples, quotes and contacts, with the people, dates of birth,
addresses, phone numbers and email addresses such documents hold. Everything is fictional: phone
numbers are in Ofcom's drama ranges, NHS numbers are valid but made up, postcodes are invented.
The same seed gives the same document.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parents[2] / "content" / "demo"

TYPE_LABELS = {
    "self-assessment": "Self-assessment",
    "scoping-document": "Scoping letter",
    "feedback-letter": "Feedback letter",
    "feedback-presentation": "Feedback presentation",
    "action-plan": "Action plan",
    "learning-summary": "Learning summary",
    "position-statement": "Position statement",
    "pre-visit-pack": "Pre-visit pack",
    "follow-up-review": "Follow-up review",
}


@cache
def themes() -> dict[str, dict]:
    with open(DEMO_DIR / "themes.toml", "rb") as fh:
        return tomllib.load(fh)


@cache
def passages() -> dict:
    with open(DEMO_DIR / "passages.toml", "rb") as fh:
        return tomllib.load(fh)


@dataclass
class Person:
    first: str
    last: str
    role: str = ""
    dob: str = ""
    mentions: int = 0

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Composer:
    """One document's people and numbers, drawn without repeats from a seeded random source."""

    seed: int
    authority: str
    domain: str
    rng: random.Random = field(init=False)
    used: set[str] = field(default_factory=set)
    people: list[Person] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def person(self, role: str = "", *, child: bool = False) -> Person:
        pool = passages()["names"]
        for attempt in range(200):
            first = self.rng.choice(pool["child_first" if child else "first"])
            last = self.rng.choice(pool["last"])
            # New names while the lists last; then new pairs of names seen before.
            if (first not in self.used and last not in self.used) or (
                attempt > 50 and f"{first} {last}" not in self.used
            ):
                break
        self.used.add(f"{first} {last}")
        self.used.update((first, last))
        dob = ""
        if child:
            dob = (
                f"{self.rng.randint(1, 28):02d}/{self.rng.randint(1, 12):02d}/{self.rng.randint(2008, 2021)}"
            )
        made = Person(first, last, role, dob)
        self.people.append(made)
        return made

    def phone(self) -> str:
        return f"01632 960 {self.rng.randint(100, 999)}"

    def mobile(self) -> str:
        return f"07700 900 {self.rng.randint(100, 999)}"

    def email(self, person: Person) -> str:
        return f"{person.first.lower()}.{person.last.lower().replace(' ', '')}@{self.domain}"

    def nhs_number(self) -> str:
        while True:
            digits = [self.rng.randint(0, 9) for _ in range(9)]
            check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
            if check == 11:
                check = 0
            if check != 10:
                number = "".join(map(str, digits)) + str(check)
                return f"{number[:3]} {number[3:6]} {number[6:]}"

    def address(self) -> str:
        street = self.rng.choice(passages()["names"]["streets"])
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        inward = f"{self.rng.randint(1, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"
        postcode = f"KM{self.rng.randint(1, 9)} {inward}"
        return f"{self.rng.randint(2, 140)} {street}, {postcode}"

    def sentences(self, theme: dict, count: int) -> str:
        bank = passages()["bank"]["sentences"]
        picked = self.rng.sample(bank, min(count, len(bank)))
        return " ".join(s.format(**theme) for s in picked)


@cache
def area_names() -> dict[str, str]:
    with open(DEMO_DIR.parent / "service_areas.toml", "rb") as fh:
        return {a["slug"]: a["name"] for a in tomllib.load(fh)["service_area"]}


def _theme(area: str) -> dict:
    theme = dict(themes()[area])
    name = area_names().get(area, area.replace("-", " ").capitalize())
    theme.setdefault("title", name)
    theme.setdefault(
        "area", name if name.isupper() or name.startswith("SEND") else name[0].lower() + name[1:]
    )
    return theme


def _case_example(c: Composer, theme: dict, number: int, worker: Person) -> str:
    child = c.person("child", child=True)
    parent = c.person("parent")
    parent.last = child.last
    sibling = c.person("sibling", child=True)
    sibling.last = child.last
    texts = passages()["case"]
    lines = [
        f"### Case example {number}: {child.first}",
        "",
        texts["opening"][number % len(texts["opening"])].format(
            child=child.full, dob=child.dob, address=c.address(), parent=parent.full, **theme
        ),
        "",
        texts["context"][number % len(texts["context"])].format(
            child=child.first,
            age=c.rng.randint(9, 15),
            year=c.rng.randint(5, 11),
            day=c.rng.randint(1, 28),
            heritage=c.rng.choice(texts["heritage"]),
            school=c.rng.choice(texts["schools"]),
            setting=c.rng.choice(texts["settings"]),
        ),
        "",
        texts["middle"][number % len(texts["middle"])].format(
            child=child.first, parent=parent.first, sibling=sibling.full, worker=worker.full, **theme
        ),
        "",
        texts["health"][number % len(texts["health"])].format(
            child=child.first, nhs=c.nhs_number(), parent=f"Ms {parent.last}" if number % 2 else parent.first
        ),
        "",
        texts["ending"][number % len(texts["ending"])].format(
            child=child.first, worker=worker.first, sibling=sibling.first, parent=parent.first, **theme
        ),
        "",
        f"> “{c.rng.choice(texts['quotes'])}” ({parent.first}, {child.first}'s "
        f"{c.rng.choice(['mother', 'father', 'carer'])})",
    ]
    return "\n".join(lines)


def compose(
    *,
    area: str,
    document_type: str,
    authority: str,
    domain: str = "kingsmere.gov.uk",
    pages: int = 4,
    seed: int = 1,
    year: int = 2025,
) -> tuple[str, str]:
    """A document of about ``pages`` pages (some 490 words each): returns (title, markdown)."""
    c = Composer(seed, authority, domain)
    theme = _theme(area)
    label = TYPE_LABELS.get(document_type, "Self-assessment")
    title = f"{theme['title']} {label.lower()}"
    lead = c.person("Assistant Director")
    manager = c.person("Head of Service")
    workers = [c.person("Practitioner") for _ in range(max(2, pages))]
    p = passages()
    day = c.rng.randint(2, 26)
    out = [
        f"# {authority}: {title}",
        "",
        f"Prepared for the peer challenge of {day} and {day + 1} "
        f"{c.rng.choice(['March', 'June', 'October', 'November'])} {year} by {lead.full}, "
        f"{lead.role}, with {manager.full}, {manager.role}.",
        "",
    ]
    words = lambda: sum(len(part.split()) for part in out)  # noqa: E731 - a local measure
    target = pages * 490
    sections = list(p["sections"][document_type if document_type in p["sections"] else "self-assessment"])
    case_number = 0
    round_ = 0
    while words() < target and round_ < 40:
        for heading in sections:
            if words() >= target:
                break
            section_title = heading if round_ == 0 else f"{heading} ({c.rng.choice(p['subthemes'])})"
            out += [f"## {section_title.format(**theme)}", ""]
            kind = p["kinds"].get(heading, "prose")
            if kind == "figures":
                out += [
                    "| Measure | Last year | This year | Comparators |",
                    "| --- | --- | --- | --- |",
                ]
                for measure in c.rng.sample(p["bank"]["measures"], 5):
                    a, b = c.rng.randint(12, 88), c.rng.randint(12, 88)
                    out.append(f"| {measure} | {a}% | {b}% | {c.rng.randint(20, 80)}% |")
                out += ["", c.sentences(theme, 4), ""]
            elif kind == "cases":
                for _ in range(2):
                    case_number += 1
                    worker = c.rng.choice(workers)
                    out += [_case_example(c, theme, case_number, worker), ""]
            elif kind == "kloes":
                for n, question in enumerate([theme["kloe"], *c.rng.sample(p["bank"]["kloes"], 3)], start=1):
                    out.append(f"{n}. {question.format(**theme)}")
                out.append("")
            elif kind == "actions":
                out += ["| Action | Lead | By when |", "| --- | --- | --- |"]
                out.append(f"| {theme['action']} | {manager.full} | {c.rng.choice(p['when'])} |")
                for action in c.rng.sample(p["bank"]["actions"], 4):
                    owner = c.rng.choice(workers)
                    out.append(f"| {action.format(**theme)} | {owner.full} | {c.rng.choice(p['when'])} |")
                out.append("")
            elif kind == "contacts":
                for person in [lead, manager, *c.rng.sample(workers, min(3, len(workers)))]:
                    out.append(f"- {person.full}, {person.role}: {c.email(person)}, {c.phone()}")
                out.append("")
            else:
                worker = c.rng.choice(workers)
                body = c.sentences(theme, 5)
                out += [body, "", c.sentences(theme, 4) + f" {worker.full} {c.rng.choice(p['credits'])}", ""]
                if kind == "strengths":
                    out += [
                        f"- {theme['strength']}",
                        *[f"- {s.format(**theme)}" for s in c.rng.sample(p["bank"]["strengths"], 3)],
                        "",
                    ]
                elif kind == "concerns":
                    out += [
                        f"- {theme['concern']}",
                        *[f"- {s.format(**theme)}" for s in c.rng.sample(p["bank"]["concerns"], 3)],
                        "",
                    ]
        round_ += 1
    return title, "\n".join(out).rstrip() + "\n"
