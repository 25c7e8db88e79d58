"""Interval look-ups in O(log n), so that detection stays linear in the length of the text."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right, insort
from collections.abc import Callable, Iterable

_WORD_RE = re.compile(r"\w+")


_ALNUM_RUN_RE = re.compile(r"[^\W_]+")


_WORDS_OF: dict[int, tuple[str, str, frozenset[str]]] = {}


def _words_of(text: str) -> tuple[str, frozenset[str]]:
    """``text`` in lower case and the set of its words (runs of letters and digits), kept for the
    text last asked about: several callers look for phrases in the same text."""
    cached = _WORDS_OF.get(id(text))
    if cached is not None and cached[0] is text:
        return cached[1], cached[2]
    lower = text.lower()
    words = frozenset(_ALNUM_RUN_RE.findall(lower))
    _WORDS_OF.clear()
    _WORDS_OF[id(text)] = (text, lower, words)
    return lower, words


@functools.lru_cache(maxsize=1 << 14)
def _phrase_words(phrase: str) -> tuple[str, ...]:
    """The words of a phrase (lower case): the same few thousand phrases come with every text."""
    return tuple(_ALNUM_RUN_RE.findall(phrase))


def phrase_spans(text: str, phrases: Iterable[str], *, whole_words: bool = False) -> list[tuple[int, int]]:
    """Where each phrase occurs in ``text``, in any case. ``whole_words``: not inside a longer word
    ("Bury" is a place, "Burya" is not); then a phrase is looked for only when every word of it
    is a word of the text, so hundreds of phrases cost one pass over the text."""
    spans: list[tuple[int, int]] = []
    if whole_words:
        lower, present = _words_of(text)
    else:
        lower, present = text.lower(), None
    n = len(lower)
    if len(lower) != len(text):
        present = None  # (lower case changed a length: every phrase the slow way, on the text's offsets)
        lower = text
    for phrase in {p.lower() for p in phrases if p.strip()}:
        if present is not None and not present.issuperset(_phrase_words(phrase)):
            continue
        start = lower.find(phrase) if lower is not text else _find_any_case(text, phrase, 0)
        while start != -1:
            end = start + len(phrase)
            if not whole_words or (
                (start == 0 or not lower[start - 1].isalnum()) and (end >= n or not lower[end].isalnum())
            ):
                spans.append((start, end))
            start = (
                lower.find(phrase, start + 1)
                if lower is not text
                else _find_any_case(text, phrase, start + 1)
            )
    return spans


def _find_any_case(text: str, phrase: str, start: int) -> int:
    m = re.compile(re.escape(phrase), re.I).search(text, start)
    return m.start() if m else -1


class Cover:
    """Fixed spans; :meth:`contains` answers whether one of them wholly contains a stretch."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._reach: list[int] = []  # the furthest end among the spans so far
        furthest = -1
        for _, end in ordered:
            furthest = max(furthest, end)
            self._reach.append(furthest)

    def contains(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start)
        return i > 0 and self._reach[i - 1] >= end


class Occupied:
    """Non-overlapping spans, added one by one; :meth:`overlaps` checks a new one against them."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._spans, (start, float("inf")))
        if i > 0 and self._spans[i - 1][1] > start:
            return True
        return i < len(self._spans) and self._spans[i][0] < end

    def add(self, start: int, end: int) -> None:
        insort(self._spans, (start, end))


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _literal_matcher(phrase: str) -> Callable[[str, int], tuple[int, int] | None]:
    """Whole words, any case, any run of white space between them: a term pattern without
    compiling a regular expression for each of thousands of values."""
    words = [w.lower() for w in phrase.split()]

    def match(text: str, at: int) -> tuple[int, int] | None:
        n = len(text)
        if at > 0 and _is_word_char(text[at - 1]):
            return None
        pos = at
        for i, word in enumerate(words):
            if i:
                start = pos
                while pos < n and text[pos].isspace():
                    pos += 1
                if pos == start:
                    return None
            if text[pos : pos + len(word)].lower() != word:
                return None
            pos += len(word)
        if pos < n and _is_word_char(text[pos]):
            return None
        return at, pos

    return match


def _regex_matcher(phrase: str, compile_pattern) -> Callable[[str, int], tuple[int, int] | None]:
    """The phrase's own pattern, compiled the first time the phrase's first word turns up."""
    compiled: list[re.Pattern] = []

    def match(text: str, at: int) -> tuple[int, int] | None:
        if not compiled:
            compiled.append(compile_pattern(phrase))
        m = compiled[0].match(text, at)
        return (m.start(), m.end()) if m else None

    return match


class PhraseIndex:
    """Many phrases found in one pass over a text.

    A phrase is tried only where the text has its first word, so the cost is the length of the
    text plus the candidates, not the text times the phrases. At each place the longest match
    wins and matches do not overlap, as one big alternation would behave. ``compile_pattern``
    gives a phrase's pattern; with ``literal`` the phrase is matched as whole words in any case
    (what :func:`term_pattern` matches) without compiling anything.
    """

    def __init__(self, phrases: Iterable[str], compile_pattern, *, literal: bool = False):
        # Keyed by the first word, or the first two words where there are two (many people
        # share a first name), so that each place in the text has few candidates.
        self._by_key: dict[str | tuple[str, str], list[tuple[int, Callable]]] = {}
        self._unanchored: list[re.Pattern] = []
        self._first_words: set[str] = set()
        for phrase in phrases:
            words = list(_WORD_RE.finditer(phrase))
            prefix = phrase[: words[0].start()] if words else ""
            if not words or any(c.isspace() for c in prefix):
                self._unanchored.append(compile_pattern(phrase))
                continue
            matcher = _literal_matcher(phrase) if literal else _regex_matcher(phrase, compile_pattern)
            first = words[0].group(0).lower()
            key = (first, words[1].group(0).lower()) if len(words) > 1 else first
            self._by_key.setdefault(key, []).append((len(prefix), matcher))
            self._first_words.add(first)

    def _try(
        self, text: str, token: tuple[int, str], following: str | None, last_end: int, found: list
    ) -> int:
        """The longest match starting at ``token`` (a word and where it starts), if any."""
        start, word = token
        candidates = self._by_key.get(word)
        if following is not None and word in self._first_words:
            pair = self._by_key.get((word, following))
            if pair:
                candidates = candidates + pair if candidates else pair
        if not candidates:
            return last_end
        best = None
        for prefix_len, matcher in candidates:
            at = start - prefix_len
            if at < last_end:
                continue
            span = matcher(text, at)
            if span and (best is None or span[1] > best[1]):
                best = span
        if best is None:
            return last_end
        found.append(best)
        return best[1]

    def spans(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        for pattern in self._unanchored:
            found.extend(m.span() for m in pattern.finditer(text))
        if self._by_key:
            last_end = 0
            for start, word in self._first_word_places(text):
                following = _FOLLOWING_RE.match(text, start + len(word))
                last_end = self._try(
                    text, (start, word), following.group(1).lower() if following else None, last_end, found
                )
        if self._unanchored:
            found.sort(key=lambda span: (span[0], -span[1]))
            kept, last_end = [], -1
            for span in found:
                if span[0] >= last_end:
                    kept.append(span)
                    last_end = span[1]
            found = kept
        return found

    def _first_word_places(self, text: str) -> list[tuple[int, str]]:
        """(start, word) of every whole word of the text that starts a phrase, in order: found by
        str.find for each such word rather than by walking every word of the text."""
        lower = text.lower()
        if len(lower) != len(text):  # lower case changed a length: walk the words
            return [(m.start(), m.group(0).lower()) for m in _WORD_RE.finditer(text)]
        n = len(lower)
        places = []
        for word in self._first_words:
            at = lower.find(word)
            while at != -1:
                end = at + len(word)
                if (at == 0 or not _word_char(lower[at - 1])) and (end >= n or not _word_char(lower[end])):
                    places.append((at, word))
                at = lower.find(word, end)
        places.sort()
        return places


_FOLLOWING_RE = re.compile(r"\W*(\w+)")


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"
