"""Word lists for the name detector, loaded once: first names and surnames from packages, and
the project's own allow-list and common words from ``content/redaction/``."""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources
from pathlib import Path

import pycountry

CONTENT = Path(__file__).resolve().parents[2] / "content" / "redaction"


def _content_lines(name: str) -> list[str]:
    lines = []
    for line in (CONTENT / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


@functools.cache
def common_words() -> frozenset[str]:
    return frozenset(word.lower() for line in _content_lines("common_words.txt") for word in line.split())


@functools.cache
def allow_phrases() -> tuple[str, ...]:
    return tuple(_content_lines("allow_list.txt"))


@functools.cache
def word_names() -> frozenset[str]:
    """Given names that are also everyday words: names only where a person fits."""
    return frozenset(word.lower() for line in _content_lines("word_names.txt") for word in line.split())


@functools.cache
def la_numbers() -> frozenset[int]:
    """The local authority numbers a Unique Pupil Number may begin with (content/redaction)."""
    return frozenset(int(line) for line in _content_lines("la_numbers.txt"))


@functools.cache
def languages() -> tuple[str, ...]:
    """Names of languages (ISO 639-1 through pycountry, and the spoken forms of
    content/redaction/languages.txt): a language is never a person."""
    found = {language.name for language in pycountry.languages if hasattr(language, "alpha_2")}
    found |= {n.split(";")[0].strip() for n in found}
    found |= set(_content_lines("languages.txt"))
    return tuple(sorted(found))


@functools.cache
def countries() -> tuple[str, ...]:
    """Names of countries (ISO 3166 through pycountry, with their common and official names): a
    country is never a person, unless it is a given name too (Jordan, Georgia, India), which the
    name rules judge by what surrounds it."""
    found = set()
    given = given_names()
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value and value.lower() not in given:
                found.add(value)
    return tuple(sorted(found))


@functools.cache
def countries_named_like_people() -> tuple[str, ...]:
    """Countries whose name is a given name too (Jordan, Georgia, Chad): kept where the words
    around them speak of countries."""
    given = given_names()
    found = set()
    for country in pycountry.countries:
        for attribute in ("name", "common_name"):
            value = getattr(country, attribute, None)
            if value and value.lower() in given:
                found.add(value)
    return tuple(sorted(found))


@functools.cache
def helplines() -> tuple[str, ...]:
    """National helplines and services whose names are public (content/redaction/helplines.txt), and
    hospitals named like people (hospitals.txt)."""
    return tuple(_content_lines("helplines.txt") + _content_lines("hospitals.txt"))


@functools.cache
def places() -> tuple[str, ...]:
    """English local authorities (and their short forms), counties, cities and towns."""
    return tuple(_content_lines("places.txt"))


_FOLD = str.maketrans(
    {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)


def fold(word: str) -> str:
    """A word without its accents: "ciarán" -> "ciaran", "yılmaz" -> "yilmaz"."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.cache
def english_words() -> frozenset[str]:
    """The GNU Collaborative International Dictionary of English (the english-words package), in
    lower case: a word found here may be an ordinary word; one found nowhere is most likely a name."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))


# Endings that make a dictionary word into another (the dictionary lists head words), with the
# shortest stem each may leave: a short stem would make names English ("Yared", "Ines").
_SUFFIXES = (
    ("ies", "y", 4),
    ("es", "", 4),
    ("s", "", 4),
    ("ed", "", 5),
    ("ed", "e", 5),
    ("ing", "", 5),
    ("ing", "e", 5),
    ("ly", "", 5),
    # words made from words: "adulthood", "readiness", "kinship", "placements"
    ("hood", "", 4),
    ("hoods", "", 4),
    ("ness", "", 4),
    ("iness", "y", 4),
    ("ship", "", 4),
    ("ships", "", 4),
    ("ment", "", 4),
    ("ments", "", 4),
    ("less", "", 4),
    ("ful", "", 4),
)


@functools.lru_cache(maxsize=1 << 16)
def is_english(word: str, *, loose: bool = False) -> bool:
    """Whether ``word`` (lower case) is an English word, allowing common endings. ``loose``
    allows short stems too ("used"), for words in lower case, which are rarely names."""
    words = english_words()
    if word in words:
        return True
    for suffix, replacement, shortest in _SUFFIXES:
        shortest = 2 if loose else shortest
        stem = word[: -len(suffix)] + replacement
        if word.endswith(suffix) and len(stem) >= shortest and stem in words:
            return True
    return False


@functools.cache
def given_names() -> frozenset[str]:
    """Every given name on the lists, ordinary words among them ("will", "grace"), with and without
    accents; the rules decide when such a word is a name."""
    names = set(_raw_first_names())
    names |= {fold(n) for n in names}
    return frozenset(names)


@functools.cache
def _raw_first_names() -> frozenset[str]:
    found: set[str] = set()
    data = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text(encoding="iso-8859-1")
    for line in data.splitlines():
        if not line or line.startswith("#"):
            continue
        name = line[3:29].strip()
        if name and " " not in name and "+" not in name and name.isalpha():
            found.add(name.lower())
    for filename in ("dist.male.first", "dist.female.first"):
        for line in resources.files("names").joinpath(filename).read_text().splitlines():
            if line.strip():
                found.add(line.split()[0].lower())
    return frozenset(n for n in found if len(n) > 1)


@functools.cache
def surnames() -> frozenset[str]:
    """US census surnames (names package): used only beside other evidence."""
    found = {
        line.split()[0].lower()
        for line in resources.files("names").joinpath("dist.all.last").read_text().splitlines()
        if line.strip()
    }
    return frozenset(n for n in found if len(n) > 1) - common_words()
