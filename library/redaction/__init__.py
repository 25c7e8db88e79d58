"""Redaction: find what must not be published, and replace it with labels.

Pure functions over text; nothing here knows about Flask or the database.
"""

from .detectors import Suggestion
from .engine import WARNING, detect, find_values, find_variants, name_parts, term_pattern
from .names import RULES
from .replace import CATEGORIES, LABELS, WORDS, Piece, Span, apply, apply_mapped, category_words, to_original
from .spans import Cover

__all__ = [
    "CATEGORIES",
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
]
