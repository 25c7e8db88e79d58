"""Search by meaning: each shared version's passages embedded at consent (see
``search_index.embedding``), and the documents a caller may read ranked by how close their
passages are to a query.

What is embedded is the text consented to, never the working draft; the vectors are kept with the
version (``VersionPassage``) and go with it. Each process holds the current versions' vectors in
memory (8 bits a dimension: about 5 KB a 20-section document), adding the new ones when a
version is consented to. Who may read what is the database's read rule
(``access.readable_filter``), the same rule that has the last word on every word-search result,
applied before any vector is compared: a document the caller may not read is never scored.

A document's score is the best of its passages plus its passages' mean, both cosine similarities.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from library.core import access
from library.core.models import (
    AuditEvent,
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
# How close a document must be to the query as asked to count as found by meaning (its score:
# best passage plus passages' mean; 2.0 would be the query itself). all-MiniLM-L6-v2 puts
# queries about nothing the library holds ("gardening tips for roses") at most 0.35 from any
# document of the development set of benchmarks/relevance, and most documents about a query's
# topic above 0.4. What is kept is ranked, and at most a window of it is added to the results.
MIN_SCORE = 0.35
# Pseudo-relevance feedback: the mean of the closest documents added to the query, at this
# weight, to rank again the documents found (a query's few words say less than the documents'
# many; it reorders what was found and never adds to it).
FEEDBACK_DOCUMENTS = 5
FEEDBACK_WEIGHT = 1.0


def attach(version: DocumentVersion) -> None:
    """Embed the version's title and sections, as consented to, and keep them with it (both
    cores: a 20-page document's seventy sections). Without the model, nothing is kept, and
    ``search reindex`` embeds the version once the model is installed."""
    if not embedding.available():
        log.warning(
            "document %s shared without its meaning: the embedding model is not installed",
            version.document.id,
        )
        return
    items = embedding.passages(version.title, version.text)
    vectors = embedding.embed([text for text, _start in items], cores=2)
    version.passages = [
        VersionPassage(position=i, start=start, vector=embedding.to_bytes(vector))
        for i, ((_text, start), vector) in enumerate(zip(items, vectors, strict=True))
    ]


def _kept_by_this_model():
    """Passages whose vectors this model made (another model's are of another size)."""
    return func.length(VersionPassage.vector) == embedding.VECTOR_BYTES


def unembedded():
    """Current versions whose meaning is not kept, or was made by another model."""
    return DocumentVersion.is_current.is_(True) & (
        ~DocumentVersion.passages.any() | DocumentVersion.passages.any(~_kept_by_this_model())
    )


def backfill(session: Session, batch: int = 200) -> int:
    """Embed the current versions shared before search by meaning existed, whose passages were
    lost, or whose vectors an earlier model made; returns how many. Run by ``search reindex``."""
    if not embedding.available():
        raise RuntimeError(f"the embedding model is not installed: {embedding.INSTALL_HINT}")
    done = 0
    while True:
        versions = list(
            session.scalars(
                select(DocumentVersion).where(unembedded()).order_by(DocumentVersion.id).limit(batch)
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
    """The current versions' passages, in memory, for one process.

    Per document: the mean of its passages (float32, to rank every document at once by the mean
    of its passages' similarity) and its passages (8 bits a dimension, each row with its scale,
    to find the best passage of those that rank high). A consent adds the new version's passages
    (the passages' ids only grow); the document's older ones are set aside, and everything is
    read again once a fifth of what is held is set aside.
    """

    def __init__(self):
        self.last_id = 0
        self.doc_ids = np.zeros(0, dtype=np.int64)  # per slot: the document, or -1 set aside
        self.means = np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
        self.first = np.zeros(0, dtype=np.int64)  # per slot: its first passage's row
        self.count = np.zeros(0, dtype=np.int64)
        self.passages = np.zeros((0, embedding.DIMENSIONS), dtype=np.int8)
        self.scales = np.zeros(0, dtype=np.float32)  # a passage's vector is its row times its scale
        self.starts = np.zeros(0, dtype=np.int64)
        self.slot_of: dict[int, int] = {}
        self._by_doc: np.ndarray | None = None

    def _query(self, after: int, newest: int):
        """The current versions' passages up to ``newest`` (only those of versions with a
        passage newer than ``after``, when given)."""
        stmt = (
            select(DocumentVersion.document_id, VersionPassage.start, VersionPassage.vector)
            .join(VersionPassage, VersionPassage.version_id == DocumentVersion.id)
            .where(DocumentVersion.is_current.is_(True), VersionPassage.id <= newest, _kept_by_this_model())
        )
        if after:
            newer = select(VersionPassage.version_id).where(VersionPassage.id > after)
            stmt = stmt.where(VersionPassage.version_id.in_(newer))
        return stmt

    def updated(self, session: Session, newest: int) -> _Vectors:
        """These vectors and what consent added up to passage ``newest``, as a new object: a
        search under way goes on reading the one it started with."""
        aside = int((self.doc_ids < 0).sum())
        full = newest < self.last_id or aside * 5 > max(len(self.doc_ids), 1)
        stmt = self._query(0 if full else self.last_id, newest)
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        # Read in batches straight into the arrays kept: a library's vectors are never all in
        # memory twice, nor as Python objects.
        passages = np.empty((total, embedding.DIMENSIONS), dtype=np.int8)
        scales = np.empty(total, dtype=np.float32)
        starts = np.empty(total, dtype=np.int64)
        ids, firsts, counts, means = [], [], [], []
        base = 0 if full else len(self.passages)
        row, group, group_id = 0, [], None

        def close_group() -> None:
            if group_id is None:
                return
            block = np.array(group, dtype=np.float32)
            scale = np.maximum(np.abs(block).max(axis=1), 1e-9) / 127.0
            passages[row - len(group) : row] = np.rint(block / scale[:, None]).astype(np.int8)
            scales[row - len(group) : row] = scale
            ids.append(group_id)
            firsts.append(base + row - len(group))
            counts.append(len(group))
            means.append(block.mean(axis=0))

        result = session.execute(
            stmt.order_by(DocumentVersion.document_id, VersionPassage.position).execution_options(
                yield_per=2000
            )
        )
        for doc_id, start, vector in result:
            if row >= total:
                break  # (a version consented to meanwhile: the next look brings it in)
            if doc_id != group_id:
                close_group()
                group, group_id = [], doc_id
            group.append(embedding.from_bytes(vector))
            starts[row] = start
            row += 1
        close_group()
        result.close()
        passages, scales, starts = passages[:row], scales[:row], starts[:row]
        fresh = _Vectors()
        old = _Vectors() if full else self
        doc_ids, slot_of = old.doc_ids.copy(), dict(old.slot_of)
        for doc_id in ids:
            was = slot_of.pop(doc_id, None)
            if was is not None:
                doc_ids[was] = -1  # an older version's: set aside
        slot_of.update(zip(ids, range(len(doc_ids), len(doc_ids) + len(ids)), strict=True))
        new_means = np.array(means, dtype=np.float32).reshape(-1, embedding.DIMENSIONS)
        fresh.slot_of = slot_of
        fresh.doc_ids = np.concatenate([doc_ids, np.array(ids, dtype=np.int64)])
        fresh.means = np.vstack([old.means, new_means]) if len(old.means) else new_means
        fresh.first = np.concatenate([old.first, np.array(firsts, dtype=np.int64)])
        fresh.count = np.concatenate([old.count, np.array(counts, dtype=np.int64)])
        fresh.passages = np.vstack([old.passages, passages]) if len(old.passages) else passages
        fresh.scales = np.concatenate([old.scales, scales])
        fresh.starts = np.concatenate([old.starts, starts])
        fresh.last_id = newest
        log.info("search by meaning: %d documents' passages in memory", len(slot_of))
        return fresh

    def slots(self, allowed: Iterable[int]) -> np.ndarray:
        """The slots of the allowed documents held."""
        ids = np.fromiter(allowed, dtype=np.int64)
        if not len(ids) or not self.slot_of:
            return np.zeros(0, dtype=np.int64)
        if self._by_doc is None:  # a look-up table from document id to slot, made once per update
            table = np.full(max(self.slot_of) + 1, -1, dtype=np.int64)
            table[np.fromiter(self.slot_of.keys(), dtype=np.int64)] = np.fromiter(
                self.slot_of.values(), dtype=np.int64
            )
            self._by_doc = table
        ids = ids[(ids >= 0) & (ids < len(self._by_doc))]
        found = self._by_doc[ids]
        return found[found >= 0]

    def score(self, slots: np.ndarray, query: np.ndarray, limit: int, min_score: float) -> list[Found]:
        """The documents in ``slots`` by best passage plus mean of passages, best first: every
        one ranked by the mean, the best ``CANDIDATES`` of those by both."""
        if not len(slots):
            return []
        mean_scores = (self.means @ query)[slots]  # every document at once: no copy of the matrix
        take = min(len(slots), max(CANDIDATES, limit * 2))
        top = np.argpartition(-mean_scores, take - 1)[:take] if take < len(slots) else np.arange(len(slots))
        chosen = slots[top]
        counts = self.count[chosen]
        # Every passage row of the chosen documents, in one gather and one product.
        offsets = np.repeat(self.first[chosen] - np.r_[0, np.cumsum(counts)[:-1]], counts)
        rows = offsets + np.arange(int(counts.sum()))
        sims = (self.passages[rows].astype(np.float32) @ query) * self.scales[rows]
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        best = np.maximum.reduceat(sims, starts)
        totals = best + mean_scores[top]
        keep = np.flatnonzero(totals >= min_score)
        keep = keep[np.argsort(-totals[keep], kind="stable")][:limit]
        found = []
        for i in keep:
            a = starts[i]
            at = rows[a + int(np.argmax(sims[a : a + counts[i]]))]
            found.append(Found(int(self.doc_ids[chosen[i]]), float(totals[i]), int(self.starts[at])))
        return found


_held: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per database engine
_held_lock = threading.Lock()
_update_lock = threading.Lock()


def _vectors_of(session: Session) -> _Vectors:
    """This process's vectors of the session's database, brought up to date."""
    engine = session.get_bind().engine
    with _held_lock:
        vectors = _held.get(engine)
        if vectors is None:
            vectors = _held[engine] = _Vectors()
    newest = session.scalar(select(func.max(VersionPassage.id))) or 0
    if newest != vectors.last_id:
        with _update_lock:  # one update at a time; a reader keeps the vectors it has
            with _held_lock:
                vectors = _held[engine]
            if newest != vectors.last_id:
                vectors = vectors.updated(session, newest)
                with _held_lock:
                    _held[engine] = vectors
    return vectors


def warm(session: Session) -> None:
    """Load the model and this database's vectors now (a serving process, at start), and say if
    shared versions are still to be embedded by this model."""
    embedding.warm()
    if not embedding.available():
        return
    _vectors_of(session)
    waiting = session.scalar(select(func.count()).select_from(DocumentVersion).where(unembedded())) or 0
    if waiting:
        log.warning(
            "search by meaning: %d shared versions are not embedded by %s yet; run `flask search reindex`",
            waiting,
            embedding.MODEL,
        )


# The readable documents of an audience and filters, kept while nothing was recorded in the audit
# trail (every change to who may read what is: consent, scope, withdrawal, take-down, deletion, an
# authority's region) and for at most READABLE_SECONDS.
READABLE_SECONDS = 30.0
_readable: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per database engine
_readable_lock = threading.Lock()


def readable_ids(session: Session, actor: User | None, filters: dict[str, list[str]]) -> frozenset[int]:
    """The documents the caller may read now, narrowed by the search filters (each: any of its
    values), by the current version's details, as the index files them."""
    labels = access.caller_labels(actor)
    key = (
        None if labels is None else tuple(sorted(labels)),
        tuple(sorted((name, tuple(sorted(values))) for name, values in filters.items())),
    )
    stamp = (session.scalar(select(func.max(AuditEvent.id))), int(time.monotonic() // READABLE_SECONDS))
    engine = session.get_bind().engine
    with _readable_lock:
        held = _readable.setdefault(engine, {})
        found = held.get(key)
    if found is not None and found[0] == stamp:
        return found[1]
    ids = frozenset(_readable_now(session, actor, filters))
    with _readable_lock:
        if len(held) > 1000:
            held.clear()
        held[key] = (stamp, ids)
    return ids


def _readable_now(session: Session, actor: User | None, filters: dict[str, list[str]]) -> set[int]:
    where = access.readable_filter(actor)
    if where is None:
        return set()
    stmt = select(Document.id).where(where)  # without a filter, read from an index alone
    if {"service_area", "document_type", "year"} & set(filters):
        stmt = stmt.join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id) & DocumentVersion.is_current.is_(True),
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
    return set(session.connection().execute(stmt).scalars())  # plain rows: no objects made


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
    if not text.strip() or not embedding.available():
        return []
    allowed = readable_ids(session, actor, filters or {}) if allowed is None else allowed
    if not allowed:
        return []
    vectors = _vectors_of(session)
    slots = vectors.slots(allowed)
    query = embedding.embed([text])[0]
    # Found: the documents at least MIN_SCORE close to the query as asked (a query close to
    # nothing stays close to nothing). Then feedback: the query moved towards what the closest
    # of them are about ranks them again (only documents the caller may read shape it).
    first = vectors.score(slots, query, limit, MIN_SCORE)
    if not first:
        return []
    centre = vectors.means[[vectors.slot_of[f.id] for f in first[:FEEDBACK_DOCUMENTS]]].mean(axis=0)
    query = query + FEEDBACK_WEIGHT * centre
    query = query / max(float(np.linalg.norm(query)), 1e-9)
    return vectors.score(vectors.slots(f.id for f in first), query, limit, -np.inf)


# "Related documents": how much sharing a service area, and the document type, counts beside
# closeness in meaning (a score of best passage plus mean, up to 2).
SAME_AREA = 0.5
SAME_TYPE = 0.25
CANDIDATES = 50


def related(session: Session, actor: User | None, document_id: int, limit: int = 5) -> list[int] | None:
    """The documents the caller may read closest in meaning to this one's shared version, those
    in the same service area and of the same type first; None when its meaning is not kept."""
    if not embedding.available():
        return None
    vectors = _vectors_of(session)
    slot = vectors.slot_of.get(document_id)
    if slot is None:
        return None
    centre = vectors.means[slot] / max(float(np.linalg.norm(vectors.means[slot])), 1e-9)
    allowed = readable_ids(session, actor, {}) - {document_id}
    close = vectors.score(vectors.slots(allowed), centre, CANDIDATES, -np.inf)
    if not close:
        return []
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
