"""Search by meaning: each shared version's passages embedded at consent (see
``search_index.embedding``), and the documents a caller may read ranked by how close their
passages are to a query.

What is embedded is the text consented to, never the working draft; the vectors are kept with the
version (``VersionPassage``) and go with it. Each process holds the current versions' vectors in
memory (float16: about 5 KB a document), reloading the new ones when a version is consented to.
Who may read what is the database's read rule (``access.readable_filter``), the same rule that has
the last word on every word-search result, applied before any vector is compared: a document the
caller may not read is never scored.

A document's score is the best of its passages plus its passages' mean, both cosine similarities.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from library.core import access
from library.core.models import (
    Authority,
    Document,
    DocumentType,
    DocumentVersion,
    Region,
    ServiceArea,
    User,
    VersionPassage,
    version_service_areas,
)
from search_index import embedding

log = logging.getLogger(__name__)
# How close a document must be to count as found by meaning alone (its score: best passage plus
# passages' mean; 2.0 would be the query itself). On the development set of benchmarks/relevance,
# 0.4 keeps 68% of the documents about a query's topic and 13% of the others (0.3: 84% and 31%;
# 0.5: 51% and 4%); what is kept is ranked, and at most a window of it is added to the results.
MIN_SCORE = 0.4


def attach(version: DocumentVersion) -> None:
    """Embed the version's title and sections, as consented to, and keep them with it."""
    items = embedding.passages(version.title, version.text)
    vectors = embedding.embed([text for text, _start in items])
    version.passages = [
        VersionPassage(position=i, start=start, vector=embedding.to_bytes(vector))
        for i, ((_text, start), vector) in enumerate(zip(items, vectors, strict=True))
    ]


def backfill(session: Session, batch: int = 200) -> int:
    """Embed the current versions shared before search by meaning existed (or whose passages
    were lost); returns how many. Run by ``search reindex``."""
    done = 0
    while True:
        versions = list(
            session.scalars(
                select(DocumentVersion)
                .where(DocumentVersion.is_current.is_(True), ~DocumentVersion.passages.any())
                .order_by(DocumentVersion.id)
                .limit(batch)
            )
        )
        if not versions:
            return done
        for version in versions:
            attach(version)
        session.commit()
        done += len(versions)


@dataclass
class Found:
    id: int
    score: float
    passage_start: int  # where the closest passage begins in the version's text


class _Vectors:
    """The current versions' passages, in memory: one matrix, each row's document and start."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stamp: tuple | None = None
        self.matrix = np.zeros((0, embedding.DIMENSIONS), dtype=np.float16)
        self.owner = np.zeros(0, dtype=np.int64)
        self.start = np.zeros(0, dtype=np.int64)

    def current(self, session: Session) -> _Vectors:
        stamp = tuple(
            session.execute(select(func.max(VersionPassage.id), func.count(VersionPassage.id))).one()
        )
        if stamp != self.stamp:
            with self.lock:
                if stamp != self.stamp:
                    self._load(session, stamp)
        return self

    def _load(self, session: Session, stamp: tuple) -> None:
        rows = session.execute(
            select(DocumentVersion.document_id, VersionPassage.start, VersionPassage.vector)
            .join(VersionPassage, VersionPassage.version_id == DocumentVersion.id)
            .where(DocumentVersion.is_current.is_(True))
            .order_by(DocumentVersion.document_id, VersionPassage.position)
        ).all()
        matrix = np.zeros((len(rows), embedding.DIMENSIONS), dtype=np.float16)
        for i, (_doc, _start, vector) in enumerate(rows):
            matrix[i] = embedding.from_bytes(vector)
        self.matrix = matrix
        self.owner = np.array([r[0] for r in rows], dtype=np.int64)
        self.start = np.array([r[1] for r in rows], dtype=np.int64)
        self.stamp = stamp
        log.info("search by meaning: %d passages of %d documents in memory", len(rows), len(set(self.owner)))


_vectors = _Vectors()


def readable_ids(session: Session, actor: User | None, filters: dict[str, list[str]]) -> set[int]:
    """The documents the caller may read now, narrowed by the search filters (each: any of its
    values), by the current version's details, as the index files them."""
    where = access.readable_filter(actor)
    if where is None:
        return set()
    stmt = (
        select(Document.id)
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id) & DocumentVersion.is_current.is_(True),
        )
        .where(where)
    )
    for name, values in filters.items():
        if name == "service_area":
            stmt = stmt.where(
                DocumentVersion.id.in_(
                    select(version_service_areas.c.version_id)
                    .join(ServiceArea, ServiceArea.id == version_service_areas.c.service_area_id)
                    .where(ServiceArea.slug.in_(values))
                )
            )
        elif name == "document_type":
            stmt = stmt.where(
                DocumentVersion.document_type_id.in_(
                    select(DocumentType.id).where(DocumentType.slug.in_(values))
                )
            )
        elif name == "year":
            stmt = stmt.where(DocumentVersion.year.in_([int(v) for v in values if v.isdigit()]))
        elif name == "authority":
            stmt = stmt.where(
                Document.authority_id.in_(select(Authority.id).where(Authority.code.in_(values)))
            )
        elif name == "region":
            stmt = stmt.where(
                Document.authority_id.in_(
                    select(Authority.id)
                    .join(Region, Region.id == Authority.region_id)
                    .where(Region.slug.in_(values))
                )
            )
    return set(session.scalars(stmt))


def search(
    session: Session,
    actor: User | None,
    text: str,
    filters: dict[str, list[str]] | None = None,
    limit: int = 100,
    allowed: set[int] | None = None,
) -> list[Found]:
    """The documents the caller may read closest in meaning to ``text``, best first, those
    scoring at least MIN_SCORE (at most ``limit``)."""
    if not text.strip():
        return []
    allowed = readable_ids(session, actor, filters or {}) if allowed is None else allowed
    if not allowed:
        return []
    vectors = _vectors.current(session)
    if not len(vectors.owner):
        return []
    keep = np.isin(vectors.owner, np.fromiter(allowed, dtype=np.int64))
    if not keep.any():
        return []
    owner, start = vectors.owner[keep], vectors.start[keep]
    sims = vectors.matrix[keep].astype(np.float32) @ embedding.embed([text])[0]
    return _rank(owner, start, sims, limit)


def _rank(
    owner: np.ndarray, start: np.ndarray, sims: np.ndarray, limit: int, min_score: float | None = None
) -> list[Found]:
    """Per document (its rows together, in order): best passage + mean of its passages."""
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    counts = np.diff(np.r_[first, len(owner)])
    best = np.maximum.reduceat(sims, first)
    scores = best + np.add.reduceat(sims, first) / counts
    chosen = np.flatnonzero(scores >= (MIN_SCORE if min_score is None else min_score))
    chosen = chosen[np.argsort(-scores[chosen], kind="stable")][:limit]
    found = []
    for i in chosen:
        a, b = first[i], first[i] + counts[i]
        at = a + int(np.argmax(sims[a:b]))
        found.append(Found(int(owner[a]), float(scores[i]), int(start[at])))
    return found


# "Related documents": how much sharing a service area, and the document type, counts beside
# closeness in meaning (a score of best passage plus mean, up to 2).
SAME_AREA = 0.5
SAME_TYPE = 0.25
CANDIDATES = 50


def related(session: Session, actor: User | None, document_id: int, limit: int = 5) -> list[int] | None:
    """The documents the caller may read closest in meaning to this one's shared version, those
    in the same service area and of the same type first; None when its meaning is not kept."""
    vectors = _vectors.current(session)
    own = vectors.owner == document_id
    if not own.any():
        return None
    centre = vectors.matrix[own].astype(np.float32).mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    allowed = readable_ids(session, actor, {}) - {document_id}
    if not allowed:
        return []
    keep = np.isin(vectors.owner, np.fromiter(allowed, dtype=np.int64))
    if not keep.any():
        return []
    sims = vectors.matrix[keep].astype(np.float32) @ centre
    close = _rank(vectors.owner[keep], vectors.start[keep], sims, CANDIDATES, min_score=-np.inf)
    details = _details(session, [document_id, *(f.id for f in close)])
    areas, kind = details.get(document_id, (set(), None))

    def score(found: Found) -> float:
        other_areas, other_kind = details.get(found.id, (set(), None))
        return found.score + SAME_AREA * bool(areas & other_areas) + SAME_TYPE * (kind == other_kind)

    return [f.id for f in sorted(close, key=score, reverse=True)[:limit]]


def _details(session: Session, ids: list[int]) -> dict[int, tuple[set[int], int]]:
    """Each document's current version's service areas and type."""
    rows = session.execute(
        select(
            DocumentVersion.document_id,
            DocumentVersion.document_type_id,
            version_service_areas.c.service_area_id,
        )
        .outerjoin(version_service_areas, version_service_areas.c.version_id == DocumentVersion.id)
        .where(DocumentVersion.document_id.in_(ids), DocumentVersion.is_current.is_(True))
    ).all()
    out: dict[int, tuple[set[int], int]] = {}
    for doc_id, type_id, area_id in rows:
        areas, _ = out.setdefault(doc_id, (set(), type_id))
        if area_id is not None:
            areas.add(area_id)
    return out
