"""Warnings about indirect identification: details that are harmless alone (an age, an ethnicity, a
school, a date) but that together point at one child or one family.

Rules over the text, no model. The kinds of detail, their words and weights, and the threshold
live in ``content/redaction/indirect.toml``; that file explains how a warning is raised.
"""

from __future__ import annotations

import functools
import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from library.redaction import wordlists
from library.redaction.detectors import Suggestion
from library.redaction.wordlists import CONTENT

CATEGORY = "indirect"
RULE = "indirect"
# Where one sentence, line or table cell ends and the next begins.
UNIT_BREAK_RE = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9•\-*])|\n|\||(?<=:)\s+(?=[A-Z])")
# A word, with its inner apostrophes and hyphens ("mother-and-baby", "Aidan's").
TOKEN_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_FRAGMENT_RE = re.compile(r"\{(\w+)\}")
_POSSESSIVE_RE = re.compile(r"['’]s$")


@dataclass(frozen=True)
class Kind:
    name: str
    words: str
    weight: float
    pattern: re.Pattern | None  # its patterns (its terms are found word by word)
    about: bool  # a detail of this kind makes its sentence about someone
    needs: str | None  # counts only with a detail of this kind in its group
    triggers: frozenset[str]  # a sentence needs one of these words for the patterns to run there

    def may_match(self, words: set[str]) -> bool:
        return not self.triggers or not self.triggers.isdisjoint(words)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # lower case
    exact: tuple[str, ...] | None  # as written, where the kind minds case
    kind: str


@dataclass(frozen=True)
class Rules:
    kinds: tuple[Kind, ...]
    about: re.Pattern
    threshold: float
    gap: int
    setting: re.Pattern
    place: re.Pattern
    generic: frozenset[str]
    terms: dict[str, tuple[Term, ...]]  # by first word, lower case; longest first
    service_words: frozenset[str]  # after a term, they make it a service ("the autism service")
    trigger: re.Pattern  # every trigger word, found in one pass over the lower-case text


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    return _FRAGMENT_RE.sub(lambda m: fragments.get(m.group(1), m.group(0)), pattern)


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in TOKEN_RE.finditer(phrase))


def _alternation(terms: Iterable[str]) -> str:
    ordered = sorted({t.strip() for t in terms if t.strip()}, key=lambda t: (-len(t), t))
    body = "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in ordered)
    return r"(?<![\w’'-])(?:" + body + r")(?![\w-])"


def _setting_pattern(heads: list[str], tails: list[str], between: list[str]) -> re.Pattern:
    """One to four capitalised words (St Aidan's, Moss Lane, Little Acorns), then a capitalised
    head (Academy, House) and/or a lower-case tail (children's home, refuge, family hub), perhaps
    after a describing word (residential, secure)."""
    name = r"(?:St\.?\s+)?[A-Z][\w’'-]*(?:\s+(?:St\.?\s+)?[A-Z][\w’'-]*){0,3}"
    head = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
    tail = "|".join(
        r"\s+".join(re.escape(w) for w in t.split()) for t in sorted(tails, key=len, reverse=True)
    )
    tail = rf"(?:(?:{'|'.join(re.escape(b) for b in between)})\s+)?(?:{tail})"
    return re.compile(
        rf"(?<![\w’'-])(?P<name>{name})"
        rf"(?:\s+(?P<head>{head})(?:\s+(?:{tail}))?|\s+(?P<tail>{tail}))(?![\w’'-])"
    )


@functools.cache
def rules() -> Rules:
    data = tomllib.loads((CONTENT / "indirect.toml").read_text(encoding="utf-8"))
    fragments = dict(data.get("fragments", {}))
    kinds = []
    terms: dict[str, list[Term]] = {}
    for name, spec in data["kinds"].items():
        parts = [_expand(p, fragments) for p in spec.get("patterns", [])]
        for phrase in spec.get("terms", []):
            words = _words(phrase)
            if words:
                term = Term(tuple(w.lower() for w in words), words if spec.get("case") else None, name)
                terms.setdefault(term.words[0], []).append(term)
        flags = 0 if spec.get("case") else re.I
        pattern = re.compile("|".join(f"(?:{p})" for p in parts), flags) if parts else None
        kinds.append(
            Kind(
                name=name,
                words=spec["words"],
                weight=float(spec.get("weight", 1.0)),
                pattern=pattern,
                about=bool(spec.get("about")),
                needs=spec.get("with"),
                triggers=frozenset(t.lower() for t in spec.get("triggers", [])),
            )
        )
    # Lower-case patterns run on the lower-case text without re.I, several times faster.
    about = re.compile("|".join(f"(?:{_expand(p, fragments)})" for p in data["about"]["patterns"]))
    setting = data["kinds"]["setting"]
    before = "|".join(re.escape(w) for w in data["kinds"]["place"]["before"])
    words = sorted(
        {t for k in kinds for t in k.triggers if not t.startswith("#")}, key=lambda w: (-len(w), w)
    )
    trigger = re.compile(rf"(?<![^\W\d_])(?:{'|'.join(re.escape(w) for w in words)})(?![^\W\d_])")
    place = re.compile(
        rf"(?<![\w’'-])(?:{before})\s+(?:the\s+)?(?P<name>[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){{0,2}})(?![\w’'-])"
    )
    return Rules(
        kinds=tuple(kinds),
        about=about,
        threshold=float(data["threshold"]),
        gap=int(data["gap"]),
        setting=_setting_pattern(setting["heads"], setting["tails"], setting.get("between", [])),
        place=place,
        generic=frozenset(w.lower() for w in setting["generic"]),
        terms={first: tuple(sorted(ts, key=lambda t: -len(t.words))) for first, ts in terms.items()},
        service_words=frozenset(w.lower() for w in data.get("service_words", [])),
        trigger=trigger,
    )


@dataclass(frozen=True, order=True)
class Detail:
    start: int
    end: int
    kind: str


def _bare(word: str) -> str:
    """A word in lower case without its possessive: "Aidan's" -> "aidan"."""
    return _POSSESSIVE_RE.sub("", word.lower())


@functools.lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern:
    return re.compile(_alternation(terms), re.I)


def _settings(text: str, r: Rules, known: Iterable[str]) -> list[Detail]:
    """Named settings: capitalised names with a head or tail, and the authority's own terms."""
    found = []
    for m in r.setting.finditer(text):
        words = m.group("name").split()
        # "At Little Acorns" -> "Little Acorns": leading words that are not part of a name go.
        while words and words[0].lower() in r.generic and words[0].lower() not in ("st", "st.", "saint"):
            words.pop(0)
        if not any(_bare(w) not in r.generic for w in words):
            continue  # "The Family Hub team": a service, not a place
        name_start = m.start("name") + m.group("name").find(words[0])
        found.append(Detail(name_start, m.end(), "setting"))
    known = tuple(sorted({k for k in known if k.strip()}))
    if known:
        found.extend(Detail(m.start(), m.end(), "setting") for m in _terms_pattern(known).finditer(text))
    return found


_LETTERS_RE = re.compile(r"[^\W\d_]+")
_NUMBER_RE = re.compile(r"(?<!\d)\d{1,2}(?!\d)")
_LETTER_RE = re.compile(r"(?<![\w’'-])[A-Z]\d?(?![\w’'])")
_NEXT_WORD_RE = re.compile(r"\s+(" + TOKEN_RE.pattern + ")")


def _lower(text: str) -> str:
    """``text`` in lower case, each character still at its place."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class _Triggers:
    """The trigger words of every sentence, found in one pass over the whole text: a sentence's
    words as triggers see them (lower case, the parts of a hyphenated word apart), with "#number"
    and "#letter" where a number or a capital letter stands alone."""

    def __init__(self, text: str, lower: str, r: Rules):
        hits = [(m.start(), m.group(0)) for m in r.trigger.finditer(lower)]
        hits += [(m.start(), "#number") for m in _NUMBER_RE.finditer(text)]
        hits += [(m.start(), "#letter") for m in _LETTER_RE.finditer(text)]
        hits.sort()
        self._starts = [h[0] for h in hits]
        self._words = [h[1] for h in hits]

    def within(self, start: int, end: int) -> set[str]:
        return set(self._words[bisect_left(self._starts, start) : bisect_left(self._starts, end)])


def _term_end(text: str, lower: str, first: re.Match, term: Term) -> int:
    """Where ``term`` ends if it starts at the word ``first``, else 0."""
    if term.exact is not None and text[first.start() : first.end()] != term.exact[0]:
        return 0
    pos = first.end()
    for i in range(1, len(term.words)):
        m = _NEXT_WORD_RE.match(lower, pos)
        if m is None or m.group(1) != term.words[i]:
            return 0
        if term.exact is not None and text[m.start(1) : m.end(1)] != term.exact[i]:
            return 0
        pos = m.end()
    return pos


def _term_details(text: str, r: Rules, lower: str | None = None) -> list[Detail]:
    """Every term of every kind, found word by word: the longest term of each kind at each word."""
    lower = _lower(text) if lower is None else lower
    found = []
    for m in TOKEN_RE.finditer(lower):
        candidates = r.terms.get(m.group(0))
        if not candidates:
            continue
        done: set[str] = set()
        for term in candidates:
            if term.kind in done:
                continue
            end = _term_end(text, lower, m, term)
            if end:
                done.add(term.kind)
                after = _NEXT_WORD_RE.match(lower, end)
                if after is None or after.group(1) not in r.service_words:
                    found.append(Detail(m.start(), end, term.kind))
    return found


def _pattern_details(text: str, r: Rules, start: int, end: int, kinds: Iterable[Kind]) -> list[Detail]:
    return [
        Detail(m.start(), m.end(), kind.name)
        for kind in kinds
        if kind.pattern is not None
        for m in kind.pattern.finditer(text, start, end)
        if m.end() > m.start()
    ]


@functools.cache
def _large_places() -> frozenset[str]:
    return frozenset(p.lower() for p in wordlists.places())


def _places(text: str, r: Rules, large: Iterable[str]) -> list[Detail]:
    """Small places: a capitalised name after "from", "in", "at"... that no English dictionary
    knows and that is not a known large place."""
    known = _large_places() | {p.lower() for p in large}
    found = []
    for m in r.place.finditer(text):
        name = m.group("name")
        words = [_bare(w) for w in name.split()]
        if name.lower() in known or words[0] in known or any(w in r.generic for w in words):
            continue
        if all(wordlists.is_english(w) for w in words):
            continue
        found.append(Detail(m.start("name"), m.end("name"), "place"))
    return found


def _named(text: str, r: Rules, known_settings: Iterable[str], large_places: Iterable[str]) -> list[Detail]:
    """Named settings, and small places that are not part of one ("Oakfield Lodge" is one detail)."""
    settings = _settings(text, r, known_settings)
    cover = [(d.start, d.end) for d in settings]
    places = [
        d for d in _places(text, r, large_places) if not any(s < d.end and d.start < e for s, e in cover)
    ]
    return settings + places


def units(text: str) -> list[tuple[int, int]]:
    """Sentences, lines and table cells, as (start, end)."""
    bounds = []
    start = 0
    for m in UNIT_BREAK_RE.finditer(text):
        if m.start() > start:
            bounds.append((start, m.start()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def _reason(kinds: set[str], order: tuple[Kind, ...]) -> str:
    words = [k.words for k in order if k.name in kinds]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _groups(found: list[Detail], gap: int) -> list[list[Detail]]:
    """Details no more than ``gap`` characters apart, together."""
    groups: list[list[Detail]] = []
    reach = -1
    for d in found:
        if groups and d.start - reach <= gap:
            groups[-1].append(d)
            reach = max(reach, d.end)
        else:
            groups.append([d])
            reach = d.end
    return groups


def warnings(
    text: str, known_settings: Iterable[str] = (), large_places: Iterable[str] = ()
) -> list[Suggestion]:
    """Warnings (category ``indirect``) where details that identify someone together meet.
    ``known_settings``: the authority's own terms (schools, estates); ``large_places``: names
    that are not small places (the authority and region names)."""
    r = rules()
    by_name = {k.name: k for k in r.kinds}
    about_kinds = [k for k in r.kinds if k.about and k.pattern is not None]
    other_kinds = [k for k in r.kinds if not k.about and k.pattern is not None]
    lower = _lower(text)
    cheap = _term_details(text, r, lower) + _named(text, r, known_settings, large_places)
    bounds = units(text)
    starts = [s for s, _ in bounds]
    per_unit: dict[int, list[Detail]] = {}

    for d in cheap:
        i = max(bisect_right(starts, d.start) - 1, 0)
        end = min(d.end, bounds[i][1])  # a detail across a break belongs to where it starts
        if end > d.start:
            per_unit.setdefault(i, []).append(Detail(d.start, end, d.kind))
    triggers = _Triggers(text, lower, r)
    # Sentences about someone, by the patterns of `about`: one pass over the whole text.
    about_units = {bisect_right(starts, m.start()) - 1 for m in r.about.finditer(lower)}
    out: list[Suggestion] = []
    for i, (u_start, u_end) in enumerate(bounds):
        found = per_unit.get(i, [])
        words = triggers.within(u_start, u_end)
        # The patterns run only where they could matter: in a sentence about someone, holding
        # one of their trigger words; an exact date only beside an incident.
        about_found = _pattern_details(
            text, r, u_start, u_end, [k for k in about_kinds if k.may_match(words)]
        )
        about = bool(about_found) or any(by_name[d.kind].about for d in found)
        if not about and i not in about_units:
            continue
        present = {d.kind for d in found}
        others = [k for k in other_kinds if k.may_match(words) and (k.needs is None or k.needs in present)]
        found = sorted(found + about_found + _pattern_details(text, r, u_start, u_end, others))
        for group in _groups(found, r.gap):
            kinds = {d.kind for d in group}
            kinds = {k for k in kinds if by_name[k].needs is None or by_name[k].needs in kinds}
            score = sum(by_name[k].weight for k in kinds)
            if score < r.threshold:
                continue
            counted = [d for d in group if d.kind in kinds]
            start = min(d.start for d in counted)
            end = max(d.end for d in counted)
            out.append(
                Suggestion(
                    start,
                    end,
                    text[start:end],
                    CATEGORY,
                    RULE,
                    round(min(1.0, score / (2 * r.threshold)), 2),
                    _reason(kinds, r.kinds),
                )
            )
    return sorted(out)
