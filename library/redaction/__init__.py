"""Redaction: find what must not be published, and replace it with labels. Pure functions over text:
no Flask, no database; imports nothing of the library."""

import gc
import hashlib
from importlib import metadata
from pathlib import Path

from library.redaction.detectors import RULES as _DETECTOR_RULES
from library.redaction.detectors import Suggestion
from library.redaction.engine import WARNING, detect, find_values, find_variants, name_parts, term_pattern
from library.redaction.names import RULES as _NAME_RULES
from library.redaction.replace import (
    CATEGORIES,
    LABELS,
    WORDS,
    Piece,
    Span,
    apply,
    apply_mapped,
    category_words,
    to_original,
)
from library.redaction.spans import Cover

__all__ = [
    "CATEGORIES",
    "FINGERPRINT",
    "WARNING",
    "Cover",
    "RULES",
    "LABELS",
    "Span",
    "Suggestion",
    "Piece",
    "WORDS",
    "category_words",
    "apply",
    "apply_mapped",
    "to_original",
    "detect",
    "find_values",
    "find_variants",
    "name_parts",
    "term_pattern",
    "warm",
]


def warm() -> None:
    """Load the word lists once, then set everything loaded so far aside from the garbage
    collector (``gc.freeze``): the lists live as long as the process, and a full collection
    would otherwise walk their hundreds of thousands of entries each time it runs during
    detection. For a process that detects many times (the upload workers' parent)."""
    detect("Warm the lists: Ms Amelia Hughes, a 15-year-old Roma girl at Hillcrest Academy, met Dr Ali Khan.")
    gc.collect()
    gc.freeze()


def _fingerprint() -> str:
    """What detection is made of: this package's code, its word lists in ``content/redaction``
    and the versions of the packages whose lists it reads. A stored result of detection (the
    final check) counts only while this is the same."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*here.glob("*.py"), *(here.parents[1] / "content" / "redaction").glob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for package in ("names", "gender-guesser", "english-words", "phonenumbers", "python-stdnum", "pycountry"):
        try:
            digest.update(f"{package}=={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()


FINGERPRINT = _fingerprint()
# What each rule saw, in plain words: the name finder's and the other detectors'.
RULES = {**_NAME_RULES, **_DETECTOR_RULES}
