"""Word lists for the name detector, loaded once: first names and surnames from packages, and
the project's own allow-list and common words from ``content/redaction/``."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

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
def first_names() -> frozenset[str]:
    """Given names of many countries (gender-guesser's dictionary) and the US census lists (names)."""
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
    return frozenset(n for n in found if len(n) > 1) - common_words()


@functools.cache
def surnames() -> frozenset[str]:
    """US census surnames (names package): used only beside other evidence."""
    found = {
        line.split()[0].lower()
        for line in resources.files("names").joinpath("dist.all.last").read_text().splitlines()
        if line.strip()
    }
    return frozenset(n for n in found if len(n) > 1) - common_words()
