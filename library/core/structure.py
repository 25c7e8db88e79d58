"""The structure of a document's markdown text: its sections, its key lines of enquiry, and
headings grouped across documents (case, numbering and wording variants as one).

Pure functions: no Flask, no database. Section numbers are the order headings appear in the text
(1, 2, ...); the rendered page gives each heading the id ``section-N`` (see
:func:`anchor_headings`), so ``/documents/ID#section-N`` is that section.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from whoosh.lang.porter import stem

from search_index.common import Thesaurus

_ATX_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$|^ {0,3}(#{1,6})[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ITEM_RE = re.compile(r"^(\s{0,8})(?:\d{1,3}[.)]|[-*+•])[ \t]+(.*\S)\s*$")
_LABEL_RE = re.compile(r"^\s*(?:\*\*|__)?(.{3,80}?)(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*$")
KLOE_HEADING_RE = re.compile(r"\b(?:key\s+)?lines?\s+of\s+(?:en|in)quiry\b|\bKLOEs?\b", re.I)
KLOE_MAX = 600  # characters: longer items are prose, not a line of enquiry
KLOES_PER_DOCUMENT = 60


@dataclass
class Section:
    n: int
    level: int
    heading: str
    # Offsets into the text: the heading line starts at ``start``; its body runs from
    # ``body_start`` to ``end`` (the next heading of the same or a higher level).
    start: int
    body_start: int
    end: int

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "level": self.level,
            "heading": self.heading,
            "start": self.start,
            "body_start": self.body_start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Section:
        return cls(**{k: data[k] for k in ("n", "level", "heading", "start", "body_start", "end")})


_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_INLINE_MARK_RE = re.compile(r"(\*\*|__|\*|_|`)")


def plain_heading(text: str) -> str:
    """A heading's words without inline markup (emphasis, code marks, escapes)."""
    if "\\" in text:
        text = _ESCAPE_RE.sub(r"\1", text)
    if "*" in text or "_" in text or "`" in text:
        text = _INLINE_MARK_RE.sub("", text)
    return " ".join(text.split())


def sections(text: str) -> list[Section]:
    """Every heading of the text in order (ATX ``#`` headings and underlined ones), outside code.
    Remembered for the last few texts: a page and the consent it leads to read the same one."""
    return list(_sections(text))


@lru_cache(maxsize=16)
def _sections(text: str) -> tuple[Section, ...]:
    found: list[tuple[int, str, int, int]] = []  # level, heading, start, body_start
    lines = text.splitlines(keepends=True)
    offset = 0
    fence: str | None = None
    previous: tuple[str, int] | None = None  # a one-line paragraph so far, and its offset
    in_paragraph = False
    for line in lines:
        bare = line.rstrip("\r\n")
        start, offset = offset, offset + len(line)
        marker = _FENCE_RE.match(bare)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence, previous, in_paragraph = marker.group(1), None, False
            continue
        atx = _ATX_RE.match(bare)
        if atx:
            level = len(atx.group(1) or atx.group(3))
            heading = plain_heading(atx.group(2) or "")
            if heading:
                found.append((level, heading, start, offset))
            previous, in_paragraph = None, False
            continue
        setext = _SETEXT_RE.match(bare)
        if setext and previous is not None:
            words = plain_heading(previous[0])
            if words:
                found.append((1 if setext.group(1)[0] == "=" else 2, words, previous[1], offset))
                previous, in_paragraph = None, False
                continue
        if not bare.strip() or bare.startswith(("    ", "\t", ">")) or _ITEM_RE.match(bare) or "|" in bare:
            previous, in_paragraph = None, False
        else:
            # Only a one-line paragraph is taken as an underlined heading.
            previous = None if in_paragraph else (bare, start)
            in_paragraph = True
    made = [
        Section(i + 1, level, heading, start, body_start, len(text))
        for i, (level, heading, start, body_start) in enumerate(found)
    ]
    # Each section ends where the next heading of its level or a higher one starts: one pass,
    # with the sections still open on a stack (their levels rise from the bottom).
    open_: list[Section] = []
    for section in made:
        while open_ and open_[-1].level >= section.level:
            open_.pop().end = section.start
        open_.append(section)
    return tuple(made)


def top_level(found: list[Section]) -> list[Section]:
    """The sections a reader would call the document's sections: a single level-1 heading is the
    document's title; below it, the highest level used."""
    if not found:
        return []
    ones = [s for s in found if s.level == 1]
    rest = [s for s in found if not (len(ones) == 1 and s is ones[0])]
    if not rest:
        return []
    level = min(s.level for s in rest)
    return [s for s in rest if s.level == level]


def document_url(document_id: int, section: int | None = None) -> str:
    """The address of a document's page, or of one of its sections on it."""
    return f"/documents/{document_id}" + (f"#section-{section}" if section else "")


def section_text(text: str, section: Section) -> str:
    """The body of a section (its subsections included), without the heading line."""
    return text[section.body_start : section.end].strip("\n")


# Key lines of enquiry ------------------------------------------------------------------------------


@dataclass
class FoundKloe:
    section: int
    text: str


def _inline_plain(text: str) -> str:
    return " ".join(re.sub(r"(\*\*|__|`)", "", text).split())


def kloes(text: str, found: list[Section] | None = None) -> list[FoundKloe]:
    """The key lines of enquiry of a text: the numbered or bulleted items (and questions written
    as paragraphs) of every section headed "key lines of enquiry" (or "KLOEs", "lines of
    enquiry"), and of a list introduced by such a label in a paragraph of its own."""
    found = sections(text) if found is None else found
    spans: list[tuple[int, int, int]] = []  # body start, end, section number
    for s in found:
        if KLOE_HEADING_RE.search(s.heading):
            spans.append((s.body_start, s.end, s.n))
    # "Key lines of enquiry:" as a paragraph of its own, followed by a list.
    for match in re.finditer(r"(?m)^[^\n#|>]{0,80}$", text):
        line = match.group(0)
        if not line.strip() or not KLOE_HEADING_RE.search(line) or not _LABEL_RE.match(line):
            continue
        start = match.end()
        if any(a <= start < b for a, b, _n in spans):
            continue
        after = text[start:]
        ending = re.search(r"\n[ \t]*\n(?![ \t]*(?:\d{1,3}[.)]|[-*+•])[ \t])", after.lstrip("\n"))
        stop = start + (len(after) - len(after.lstrip("\n"))) + (ending.start() if ending else len(after))
        owner = next((s.n for s in reversed(found) if s.start <= start), 0)
        spans.append((start, stop, owner))
    items: list[FoundKloe] = []
    for start, end, number in sorted(spans):
        items += _items(text[start:end], number)
        if len(items) >= KLOES_PER_DOCUMENT:
            break
    seen: set[str] = set()
    unique = []
    for item in items[:KLOES_PER_DOCUMENT]:
        key = item.text.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _items(body: str, number: int) -> list[FoundKloe]:
    items: list[list[str]] = []
    current: list[str] | None = None
    for line in body.splitlines():
        if _ATX_RE.match(line):
            current = None
            continue
        item = _ITEM_RE.match(line)
        if item:
            current = [item.group(2)]
            items.append(current)
        elif not line.strip():
            current = None
        elif current is not None and line.startswith((" ", "\t")):
            current.append(line.strip())
        else:
            words = line.strip()
            current = None
            if words.endswith("?") and not words.startswith("|"):
                items.append([words])
    made = []
    for parts in items:
        words = _inline_plain(" ".join(parts))
        if 3 <= len(words) <= KLOE_MAX:
            made.append(FoundKloe(number, words))
    return made


# Headings across documents ------------------------------------------------------------------------

STOPWORDS = frozenset(
    "a an the and or of to for in on at by with we our us you your they their what how is are be "
    "do does did it its this that these those from about as into has have was were will can".split()
)
_NUMBERING_RE = re.compile(
    r"^\s*(?:(?:section|part|chapter|appendix|annex|step)\s+)?"
    r"(?:\d+(?:\.\d+)*[.):]?|[ivxlc]+[.):]|[a-z][.):])\s+",
    re.I,
)
_TRAILING_RE = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*$")


def display_heading(heading: str) -> str:
    """A heading without its numbering or a trailing remark in brackets."""
    text = _NUMBERING_RE.sub("", plain_heading(heading))
    text = _TRAILING_RE.sub("", text).strip(" :.-–—")
    return text or plain_heading(heading)


@lru_cache(maxsize=20000)
def _key(heading: str, thesaurus: Thesaurus | None) -> frozenset[str]:
    text = display_heading(heading)
    if thesaurus is not None:
        text = Thesaurus.TOKEN_RE_INLINE.sub(" ", thesaurus.substitute(text.replace('"', " ")))
        concepts = {f"concept{n}" for n in thesaurus.concepts(display_heading(heading))}
    else:
        concepts = set()
    words = re.findall(r"[a-z0-9]+", text.casefold())
    stems = {stem(w) for w in words if w not in STOPWORDS and not w.startswith("xthesaurusconcept")}
    key = stems | concepts
    return frozenset(key or {stem(w) for w in words} or {text.casefold()})


def heading_key(heading: str, thesaurus: Thesaurus | None = None) -> frozenset[str]:
    """What a heading is about: its words' stems without filler words, numbering or a bracketed
    remark, thesaurus terms as their concept ("KLOEs" and "Key lines of enquiry" alike)."""
    return _key(heading, thesaurus)


def _alike(a: frozenset[str], b: frozenset[str]) -> bool:
    if a == b:
        return True
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if small <= large and len(large) - len(small) <= 1:
        return True
    return len(a & b) / len(a | b) >= 0.6


@dataclass
class Example:
    """One document an outline is made from: its id, and its top-level sections."""

    document_id: int
    sections: list[Section]


@dataclass
class HeadingGroup:
    key: frozenset[str]
    variants: Counter = field(default_factory=Counter)
    # document id -> (the section there, its relative place in that document 0..1)
    places: dict[int, tuple[Section, float]] = field(default_factory=dict)
    # Every section in the group (a document may have more than one), as (document id, section).
    members: list[tuple[int, Section]] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.variants.most_common(1)[0][0]

    @property
    def count(self) -> int:
        return len(self.places)

    @property
    def position(self) -> float:
        return sum(p for _s, p in self.places.values()) / max(len(self.places), 1)


def group_headings(examples: Iterable[Example], thesaurus: Thesaurus | None = None) -> list[HeadingGroup]:
    """The sections of many documents grouped by what they are about, most common first (then
    in their usual order). Each document counts once per group, at its first such section."""
    by_key: dict[frozenset[str], list[tuple[int, Section, float]]] = defaultdict(list)
    for example in examples:
        total = max(len(example.sections), 1)
        for i, s in enumerate(example.sections):
            by_key[heading_key(s.heading, thesaurus)].append((example.document_id, s, i / total))
    groups: list[HeadingGroup] = []
    for key, places in sorted(by_key.items(), key=lambda kv: (-len({p[0] for p in kv[1]}), sorted(kv[0]))):
        group = next((g for g in groups if _alike(g.key, key)), None)
        if group is None:
            group = HeadingGroup(key)
            groups.append(group)
        for document_id, s, where in places:
            group.variants[display_heading(s.heading)] += 1
            group.members.append((document_id, s))
            if document_id not in group.places:
                group.places[document_id] = (s, where)
    groups.sort(key=lambda g: (-g.count, g.position, g.heading.casefold()))
    return groups


# Two groups of sections are about the same thing when the mean of their sections' meanings are at
# least this close (cosine). Chosen on the development set of benchmarks/relevance (README).
SAME_MEANING = 0.6
# How much more alike two groups count when their headings name the same concept: sections of one
# kind about different things (two lists of key lines of enquiry) are some 0.3 alike, unrelated
# ones under 0.2, so a concept in common joins the first and not the second.
HINT = 0.4


def group_by_meaning(
    examples: Iterable[Example],
    meanings: dict[tuple[int, int], Any],
    thesaurus: Thesaurus | None = None,
    threshold: float = SAME_MEANING,
) -> list[HeadingGroup]:
    """The sections of many documents grouped by what they say (``meanings``: each section's
    unit vector by (document id, the section's start), as kept at consent), their headings as a
    hint: sections whose headings have the same stems and concepts start in one group; then the
    two groups closest in meaning are joined while they are at least ``threshold`` alike, groups
    whose headings name a thesaurus concept in common counting ``HINT`` more alike. (Headings
    whose words are a subset of another's are not a hint: "Our priorities" is not "Priorities of
    the review".) A section
    without a meaning stays in its heading's group. Named, counted and ordered as
    :func:`group_headings` does."""
    import numpy as np

    examples = list(examples)
    by_key: dict[frozenset[str], list[tuple[int, Section, float]]] = defaultdict(list)
    for example in examples:
        total = max(len(example.sections), 1)
        for i, s in enumerate(example.sections):
            by_key[heading_key(s.heading, thesaurus)].append((example.document_id, s, i / total))
    # The most common headings first, as group_headings takes them: of equally common names, a
    # group is named by the one it met first.
    ordered = sorted(by_key.items(), key=lambda kv: (-len({p[0] for p in kv[1]}), sorted(kv[0])))
    clusters = [list(places) for _key, places in ordered]

    def centre(places) -> Any:
        found = [meanings[(d, s.start)] for d, s, _w in places if (d, s.start) in meanings]
        if not found:
            return None
        mean = np.mean(found, axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-9)

    # What decides a join, as matrices over the groups, each updated where a join changes it
    # (not rebuilt): how alike two groups are, whether both hold a section of one document (then
    # they are about different things), whether their headings name a concept in common (the
    # thesaurus's hint).
    centres = [centre(c) for c in clusters]
    live = np.array([c is not None for c in centres], dtype=bool)
    if live.sum() < 2:
        return _named_groups(clusters, thesaurus)
    n = len(clusters)
    dimensions = len(next(c for c in centres if c is not None))
    vectors = np.array([np.zeros(dimensions) if c is None else c for c in centres], dtype=np.float32)
    apart = _share_any([{d for d, _s, _w in places} for _key, places in ordered])
    hinted = _share_any([{w for w in key if w.startswith("concept")} for key, _places in ordered])

    def alike(rows) -> Any:  # the join scores of these groups with every group
        sims = vectors[rows] @ vectors.T
        sims += HINT * hinted[rows]
        sims[apart[rows]] = -1.0
        sims[:, ~live] = -np.inf
        return sims

    scores = alike(np.arange(n))
    scores[~live] = -np.inf
    np.fill_diagonal(scores, -1.0)
    while True:
        a, b = np.unravel_index(int(np.argmax(scores)), scores.shape)
        if scores[a, b] < threshold:
            break
        keep, gone = min(a, b), max(a, b)
        clusters[keep].extend(clusters[gone])
        clusters[gone] = []
        for matrix in (apart, hinted):  # what either held, the joined group holds
            matrix[keep] |= matrix[gone]
            matrix[:, keep] = matrix[keep]
        vectors[keep] = centre(clusters[keep])
        live[gone] = False
        scores[gone] = -np.inf
        scores[:, gone] = -np.inf
        scores[keep] = alike([keep])[0]
        scores[keep, keep] = -1.0
        scores[:, keep] = scores[keep]
    return _named_groups(clusters, thesaurus)


def _share_any(sets: list[set]) -> Any:
    """Whether each two of these sets have a member in common, as a square boolean matrix."""
    import numpy as np

    index = {m: i for i, m in enumerate(sorted({m for s in sets for m in s}, key=str))}
    incidence = np.zeros((len(sets), max(len(index), 1)), dtype=np.float32)
    for i, members in enumerate(sets):
        incidence[i, [index[m] for m in members]] = 1.0
    return (incidence @ incidence.T) > 0


def _named_groups(clusters: list[list[tuple[int, Section, float]]], thesaurus: Thesaurus | None):
    """The groups of these clusters of sections, named, counted and ordered as group_headings does."""
    groups = []
    for places in clusters:
        if not places:
            continue
        group = HeadingGroup(heading_key(places[0][1].heading, thesaurus))
        for document_id, s, where in places:
            group.variants[display_heading(s.heading)] += 1
            group.members.append((document_id, s))
            if document_id not in group.places:
                group.places[document_id] = (s, where)
        groups.append(group)
    groups.sort(key=lambda g: (-g.count, g.position, g.heading.casefold()))
    return groups


def find_group(groups: list[HeadingGroup], heading: str, thesaurus: Thesaurus | None = None):
    """The group a heading belongs to (as :func:`group_headings` would put it), or None."""
    key = heading_key(heading, thesaurus)
    shown = display_heading(heading)
    exact = next((g for g in groups if g.key == key or shown in g.variants), None)
    return exact or next((g for g in groups if _alike(g.key, key)), None)


# Rendering ---------------------------------------------------------------------------------------

_HEADING_HTML_RE = re.compile(r"<h([1-6])((?:\s[^>]*)?)>(.*?)</h\1>", re.S)


_NOT_WORD_RE = re.compile(r"\W+")


def _comparable(text: str) -> str:
    return _NOT_WORD_RE.sub("", text.casefold())


_TAGS_RE = re.compile(r"<[^>]+>")
ANCHOR_LOOKAHEAD = 64


def anchor_headings(rendered: str, found: list[Section]) -> str:
    """Give each rendered heading the id ``section-N`` of the section it shows: matched in order
    by its words, so a heading the renderer made that the parser did not (or the reverse) never
    shifts the others."""
    wanted = [(s.n, _comparable(s.heading)) for s in found]
    at = 0

    def replace(match: re.Match) -> str:
        nonlocal at
        inner = match.group(3)
        if "<" in inner:
            inner = _TAGS_RE.sub("", inner)
        words = _comparable(html.unescape(inner) if "&" in inner else inner)
        # A heading is looked for among the next few only: linear however many fail to match.
        for i in range(at, min(at + ANCHOR_LOOKAHEAD, len(wanted))):
            if wanted[i][1] == words:
                at = i + 1
                level, attributes, inner = match.groups()
                return f'<h{level} id="section-{wanted[i][0]}"{attributes}>{inner}</h{level}>'
        return match.group(0)

    return _HEADING_HTML_RE.sub(replace, rendered)
