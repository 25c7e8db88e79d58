"""The interface every search backend implements, and the values it takes and gives."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

FACETS = ("service_area", "document_type", "region", "authority", "year")


@dataclass
class IndexedDocument:
    id: int
    title: str
    summary: str
    text: str
    authority: str  # code
    authority_name: str
    region: str  # slug
    document_type: str  # slug
    service_areas: list[str]
    year: int | None
    published_at: datetime
    labels: list[str]
    # Changes whenever anything indexed changes: lets a check compare the index with the database.
    fingerprint: str = ""


@dataclass
class SearchQuery:
    text: str = ""
    # Each filter: the values to keep (any of them).
    filters: dict[str, list[str]] = field(default_factory=dict)
    # The caller's access labels; None means every document (administrators).
    labels: list[str] | None = field(default_factory=list)
    sort: str = "relevance"  # or "date"
    page: int = 1
    per_page: int = 20
    # False: hits without snippets (ranking alone, when a page is chosen later).
    snippets: bool = True
    # Only these documents (their snippets once a page is chosen: no facets, no "did you mean");
    # None: no such limit.
    ids: list[int] | None = None


@dataclass
class Hit:
    id: int
    score: float
    title: str
    snippet: str  # escaped HTML: only <mark> is markup
    fields: dict


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None


class SearchBackend(ABC):
    @abstractmethod
    def apply(self, upserts: Iterable[IndexedDocument], removals: Iterable[int]) -> None:
        """Add or replace ``upserts`` and remove ``removals``, all in one commit."""

    def add(self, documents: Iterable[IndexedDocument]) -> int:
        """Add or replace these documents; returns how many."""
        documents = list(documents)
        self.apply(documents, [])
        return len(documents)

    def remove(self, ids: Iterable[int]) -> None:
        """Remove these documents if present."""
        self.apply([], ids)

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to let go of
        """Let go of open files or readers."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def more_like_this(self, document_id: int, labels: list[str] | None, limit: int = 5) -> list[Hit]: ...

    @abstractmethod
    def rebuild(self, documents: Iterable[IndexedDocument], progress=None) -> int:
        """Build a new index from scratch beside the current one, then swap it in."""

    @abstractmethod
    def indexed(self) -> dict[int, str]:
        """Every indexed document's id and fingerprint."""

    @abstractmethod
    def size(self) -> int:
        """How many documents the index holds (reading it: a health check)."""
