"""Redaction: find what must not be published, and replace it with labels.

Pure functions over text; nothing here knows about Flask or the database.
"""

from .detectors import Suggestion
from .engine import detect, find_variants, name_parts, term_pattern
from .replace import CATEGORIES, LABELS, Span, apply

__all__ = [
    "CATEGORIES",
    "LABELS",
    "Span",
    "Suggestion",
    "apply",
    "detect",
    "find_variants",
    "name_parts",
    "term_pattern",
]
