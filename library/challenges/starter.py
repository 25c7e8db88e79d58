"""What a starter document says under each section, drawn from the examples.

- **Prompts for the section and the document type**: each chosen section is recognised as a kind
  of section (content/starter.toml: "context", "strengths", "workforce"...) by what its headings
  mean and the words they use, and gets that kind's questions for the document type (a self-
  assessment asks "what do we do well", a feedback letter "what did the team see working well").
  A section of no known kind gets questions that name its heading.
- **What the examples say there**: the points most examples make in that section, each with how
  many examples make it: sentences of different examples that say nearly the same thing (by
  meaning) are one point; a point made by one example only is not listed.
- **An extract chosen for substance**: of the examples' sections, one long enough to read, hardly
  touched by redaction labels, not repeating itself, and making the most of the common points.
- **Key lines of enquiry by theme** (content/starter.toml's themes).

Everything here works on published text the caller may read (the caller passes it in).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from library.core.vocabularies import CONTENT_DIR
from library.redaction.replace import LABEL_RE
from search_index import embedding

# A kind or theme is recognised when its headings or questions mean nearly the same (cosine
# similarity of all-MiniLM-L6-v2 vectors) and words that mark it count for more (measured on
# benchmarks/relevance/starter.toml; README, "The starter").
WORD_WEIGHT = 0.25  # added for each marking word found, at most two
KIND_AT_LEAST = 0.55
THEME_AT_LEAST = 0.5
# ...and clearly closer than the next: a text nearly as close to two kinds is of neither.
MARGIN = 0.05
# Two sentences make the same point when their vectors are at least this alike.
SAME_POINT = 0.65
# A point is not listed when it is this alike to one listed before it (the same point with other
# particulars: "the missing episode on 1 March at ..." and "... on 12 March at ...").
DISTINCT_BELOW = 0.6
MAX_POINTS = 5
MAX_POINT_EXAMPLES = 30  # the most recent examples with the section are read for its points
POINT_WORDS = (6, 40)  # a sentence shorter or longer than this is not a point
# A section makes a good extract when it has words enough, is barely touched by redaction
# labels and does not repeat itself.
EXTRACT_MIN_WORDS = 15
EXTRACT_MAX_LABELS = 0.02  # labels per word
EXTRACT_MAX_REPEATED = 0.2  # share of its paragraphs that repeat another

FEEDBACK_TYPES = frozenset({"feedback-presentation", "feedback-letter"})
# Sentences about the document rather than the service: where to look, whom to ask.
_ABOUT_THE_DOCUMENT_RE = re.compile(
    r"\b(?:this (?:section|document|report|paper|presentation|letter|self-assessment)|"
    r"see (?:appendix|section|below|above|annex)|(?:contact|email|phone|telephone)\b|please\b|www\.|https?://)",
    re.I,
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[\"'‘“(\[]?[A-Z0-9])")
_MARKUP_RE = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|>\s*)+")
_WORD_RE = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")


@dataclass(frozen=True)
class Kind:
    name: str
    like: tuple[str, ...]
    words: tuple[str, ...]
    prompts: dict = field(default_factory=dict, hash=False, compare=False)

    def prompts_for(self, document_type: str) -> list[str]:
        voice = "feedback" if document_type in FEEDBACK_TYPES else "own"
        return list(self.prompts.get(document_type) or self.prompts.get(voice) or self.prompts["default"])


@dataclass(frozen=True)
class Guide:
    kinds: tuple[Kind, ...]
    themes: tuple[Kind, ...]
    closing: dict = field(default_factory=dict, hash=False, compare=False)


@lru_cache(maxsize=1)
def guide() -> Guide:
    """content/starter.toml, read once per process."""
    with open(CONTENT_DIR / "starter.toml", "rb") as fh:
        data = tomllib.load(fh)
    kinds = tuple(
        Kind(s["kind"], tuple(s["like"]), tuple(s.get("words", ())), dict(s["prompts"]))
        for s in data["section"]
    )
    themes = tuple(Kind(t["name"], tuple(t["like"]), tuple(t.get("words", ()))) for t in data["theme"])
    for kind in kinds:
        if "default" not in kind.prompts:
            raise ValueError(f"content/starter.toml: section kind {kind.name} needs default prompts")
    if "default" not in data["closing"]:
        raise ValueError("content/starter.toml: [closing] needs a default")
    return Guide(kinds, themes, dict(data["closing"]))


def _words(text: str) -> str:
    return " " + " ".join(_WORD_RE.findall(text.lower().replace("’", "'"))) + " "


def marks(text: str, words: tuple[str, ...]) -> int:
    """How many of ``words`` (words or phrases, each matching any word it begins) ``text`` holds."""
    padded = _words(text)
    return sum(1 for w in words if " " + " ".join(_WORD_RE.findall(w.lower())) in padded)


@lru_cache(maxsize=4)
def _like_vectors(options: tuple[Kind, ...]):
    """The vectors of every option's ``like``, in order (rows as ``names`` in ``recognise``)."""
    return embedding.embed([like for option in options for like in option.like])


def recognise(texts: list[str], options: tuple[Kind, ...], at_least: float) -> list[Kind | None]:
    """Which of ``options`` each text is (None where none is close enough): by the closest of
    each option's ``like`` in meaning, plus WORD_WEIGHT for each of its ``words`` the text holds."""
    if not texts:
        return []
    names = [i for i, option in enumerate(options) for _ in option.like]
    if embedding.available():
        sims = embedding.embed_remembered(texts) @ _like_vectors(options).T
    else:  # without the model, by the words that mark each kind alone
        sims = np.zeros((len(texts), len(names)), dtype=np.float32)
    out: list[Kind | None] = []
    for i, text in enumerate(texts):
        best = [-1.0] * len(options)
        for j, option_index in enumerate(names):
            best[option_index] = max(best[option_index], float(sims[i, j]))
        scored = [
            best[k] + WORD_WEIGHT * min(marks(text, option.words), 2) for k, option in enumerate(options)
        ]
        ranked = sorted(range(len(options)), key=scored.__getitem__, reverse=True)
        k = ranked[0]
        clear = len(ranked) < 2 or scored[k] - scored[ranked[1]] >= MARGIN
        out.append(options[k] if scored[k] >= at_least and clear else None)
    return out


def kind_of(heading: str, variants: list[str]) -> Kind | None:
    """The kind of a section, by its heading and the headings examples give it: the kind most of
    them are (the chosen heading's first), or None."""
    candidates = list(dict.fromkeys([heading, *variants]))[:4]
    found = [k for k in recognise(candidates, guide().kinds, KIND_AT_LEAST) if k is not None]
    if not found:
        return None
    return max(found, key=lambda k: (found.count(k), -found.index(k)))


def closing(document_type: str) -> str:
    """The question that ends a section of no known kind in a document of this type."""
    questions = guide().closing
    return questions.get(document_type, questions["default"])


def prompts(kind: Kind | None, heading: str, document_type: str, fallback: list[str]) -> list[str]:
    """The prompts for a section of this kind in a document of this type; a section of no kind
    gets prompts naming its heading."""
    if kind is not None:
        return kind.prompts_for(document_type)
    subject = heading[:1].lower() + heading[1:] if heading[1:2].islower() else heading
    return [
        f"What do we want a reader to understand about {subject}?",
        f"What evidence shows how well we are doing on {subject}, and what does it show?",
        *fallback[-1:],
    ]


# What the examples say ----------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """The sentences of a section's published text: its paragraphs and list items, not its
    headings or tables, markup taken off."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "|")):
            continue
        line = _MARKUP_RE.sub("", line).replace("**", "").replace("__", "")
        out.extend(s.strip() for s in _SENTENCE_END_RE.split(line) if s.strip())
    return out


def is_point(sentence: str) -> bool:
    """A sentence that can stand as a point: a statement of some length about the service, with
    no redaction label in it and not about the document itself."""
    words = len(sentence.split())
    return (
        POINT_WORDS[0] <= words <= POINT_WORDS[1]
        and not sentence.endswith("?")
        and not LABEL_RE.search(sentence)
        and not _ABOUT_THE_DOCUMENT_RE.search(sentence)
        and sum(c.isalpha() for c in sentence) >= 0.6 * len(sentence)
    )


@dataclass
class Point:
    text: str
    count: int  # how many examples make it
    documents: list[int]


def common_points(sections: dict[int, str], limit: int = MAX_POINTS) -> tuple[list[Point], dict[int, int]]:
    """The points most of these sections ({document id: section text}) make, most made first:
    each the most typical of the sentences that say nearly the same thing, with how many of the
    documents make it (two at least). Also how many of the points each document makes."""
    pool: list[tuple[int, str]] = []
    for document_id, text in sections.items():
        seen = set()
        for s in sentences(text):
            key = _words(s)
            if is_point(s) and key not in seen:
                seen.add(key)
                pool.append((document_id, s))
    made = {d: 0 for d in sections}
    if len({d for d, _s in pool}) < 2:
        return [], made
    vectors = embedding.embed_quickly([s for _d, s in pool])  # hundreds, while the reader waits
    sims = vectors @ vectors.T
    documents = sorted({d for d, _s in pool})
    column = {d: i for i, d in enumerate(documents)}
    owner = [column[d] for d, _s in pool]
    # best[i, k]: how close document k comes to sentence i (its closest sentence).
    best = np.full((len(pool), len(documents)), -1.0, dtype=np.float32)
    for j, k in enumerate(owner):
        np.maximum(best[:, k], sims[:, j], out=best[:, k])
    support = best >= SAME_POINT
    count = support.sum(axis=1)
    closeness = np.where(support, best, 0.0).sum(axis=1)
    order = sorted(range(len(pool)), key=lambda i: (-int(count[i]), -float(closeness[i]), len(pool[i][1]), i))
    chosen: list[int] = []
    for i in order:
        if count[i] < 2 or len(chosen) >= limit:
            break
        if any(sims[i, j] >= DISTINCT_BELOW for j in chosen):
            continue
        chosen.append(i)
    points = []
    for i in chosen:
        makers = [documents[k] for k in range(len(documents)) if support[i, k]]
        for d in makers:
            made[d] += 1
        points.append(Point(pool[i][1], int(count[i]), makers))
    return points, made


# The extract --------------------------------------------------------------------------------------


@dataclass
class Substance:
    words: int
    labels: float  # redaction labels per word
    repeated: float  # share of paragraphs that repeat another (labels and numbers aside)
    statements: float  # share of sentences that could stand as points

    @property
    def readable(self) -> bool:
        return (
            self.words >= EXTRACT_MIN_WORDS
            and self.labels <= EXTRACT_MAX_LABELS
            and self.repeated <= EXTRACT_MAX_REPEATED
        )


def substance(text: str) -> Substance:
    words = len(text.split())
    labels = len(LABEL_RE.findall(text))
    paragraphs = [
        _words(re.sub(r"\d+", "#", LABEL_RE.sub(" ", p))) for p in re.split(r"\n\s*\n|\n(?=\s*[-*+] )", text)
    ]
    paragraphs = [p for p in paragraphs if p.strip()]
    repeated = 1 - len(set(paragraphs)) / len(paragraphs) if paragraphs else 0.0
    found = sentences(text)
    statements = sum(map(is_point, found)) / len(found) if found else 0.0
    return Substance(words, labels / max(words, 1), repeated, statements)


def choose_extract(sections: dict[int, str], made: dict[int, int]) -> int | None:
    """The document whose section makes the best extract: readable (see :class:`Substance`), then
    making the most of the common points, then the most statements; None if none is readable."""
    scored = []
    for document_id, text in sections.items():
        found = substance(text)
        if found.readable:
            scored.append((made.get(document_id, 0), found.statements, -found.labels, document_id))
    return max(scored)[-1] if scored else None


# Key lines of enquiry by theme -------------------------------------------------------------------

OTHER_THEME = "Other lines of enquiry"


def by_theme(questions: list[str]) -> list[tuple[str, list[int]]]:
    """The questions (their indexes) grouped under the themes of content/starter.toml, in the
    themes' order, each keeping the order given; those of no theme last."""
    themes = guide().themes
    found = recognise(questions, themes, THEME_AT_LEAST)
    groups: dict[str, list[int]] = {}
    for i, theme in enumerate(found):
        groups.setdefault(theme.name if theme else OTHER_THEME, []).append(i)
    order = [t.name for t in themes] + [OTHER_THEME]
    return [(name, groups[name]) for name in order if name in groups]
