"""Full-text search for the library: a small backend interface and its Tantivy, Whoosh and
PostgreSQL backends.

Knows nothing of Flask or the database. Only published, redacted text and metadata are ever
given to it. Every query carries the caller's access labels, and nothing outside them is shown
or counted.
"""

from .base import Hit, IndexedDocument, SearchBackend, SearchQuery, SearchResult
from .tantivy_backend import TantivyBackend
from .whoosh_backend import WhooshBackend

__all__ = [
    "Hit",
    "IndexedDocument",
    "SearchBackend",
    "SearchQuery",
    "SearchResult",
    "TantivyBackend",
    "WhooshBackend",
]
