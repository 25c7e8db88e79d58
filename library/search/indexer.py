"""The library's search index: a cache of the database that can always be rebuilt.

Every change to what readers may find (consent, scope, withdrawal, take-down) asks for the
document's entry to be brought in line (``core.outbox.index``). With an index in the data folder (Tantivy,
Whoosh) that writes a row to ``index_outbox`` in the same transaction; after the commit one process
at a time drains the outbox into the index, bringing each entry in line with the database as it
is then, so a retried or repeated drain is harmless and a failed one loses nothing. With the
PostgreSQL backend the entries themselves are written just before that transaction commits, in
it: no outbox, and every app host reads the same index.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from library.core import access, locks, vocabularies
from library.core.models import Authority, Document, DocumentStatus, DocumentVersion, IndexOutbox
from library.web import catch_up
from search_index import IndexedDocument, SearchBackend, TantivyBackend, WhooshBackend

log = logging.getLogger(__name__)
DRAIN_TIMEOUT = 15.0
BATCH = 200


def entries_for(session: Session, ids) -> tuple[list[IndexedDocument], list[int]]:
    """What the index should hold for these documents as the session sees them now."""
    documents = {d.id: d for d in _load(session, ids)}
    upserts, removals = [], []
    for doc_id in ids:
        entry = to_indexed(documents[doc_id]) if doc_id in documents else None
        (upserts.append(entry) if entry else removals.append(doc_id))
    return upserts, removals


def fingerprint(document: Document, version: DocumentVersion) -> str:
    body = "|".join(
        [
            version.text_hash,
            str(version.number),
            document.scope or "",
            document.authority.code,
            document.authority.region.slug,
            document.authority.name,
        ]
    )
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def to_indexed(document: Document) -> IndexedDocument | None:
    """What the index holds for a document: its published version only, or nothing."""
    version = document.current_version
    if document.status != DocumentStatus.PUBLISHED.value or version is None or not document.scope:
        return None
    return IndexedDocument(
        id=document.id,
        title=version.title,
        summary=version.summary,
        text=version.text,
        authority=document.authority.code,
        authority_name=document.authority.name,
        region=document.authority.region.slug,
        document_type=version.document_type.slug,
        service_areas=[a.slug for a in version.service_areas],
        year=version.year,
        published_at=version.consented_at,
        labels=[access.audience_of(document).label()],
        fingerprint=fingerprint(document, version),
    )


def _load(session: Session, ids) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.id.in_(list(ids)))
            .options(
                selectinload(Document.versions).selectinload(DocumentVersion.service_areas),
                selectinload(Document.versions).selectinload(DocumentVersion.document_type),
                selectinload(Document.authority).selectinload(Authority.region),
            )
        )
    )


class Indexer:
    """Drains the outbox into the backend; one drainer at a time across processes."""

    def __init__(self, backend: SearchBackend, make_session: sessionmaker, lock_path: Path, engine=None):
        self.backend = backend
        self.make_session = make_session
        self.lock_path = lock_path
        # An index every host shares (PostgreSQL) is built by one process of all hosts: a lock in
        # the database. An index in the data folder is this host's: a lock on its file.
        self.engine = engine if getattr(backend, "in_transaction", False) else None

    deferred = False  # set while many commits come at once (seed-demo): one drain at the end

    @contextmanager
    def defer(self):
        """Leave the outbox to one drain after the block, not one per commit."""
        self.deferred = True
        try:
            yield
        finally:
            self.deferred = False
            self.drain()

    def pending(self) -> int:
        with self.make_session() as session:
            return session.scalar(select(func.count(IndexOutbox.id))) or 0

    def drain(self, timeout: float = DRAIN_TIMEOUT) -> int:
        """Apply every outbox row. Returns how many documents were brought up to date."""
        done = 0
        while True:
            with locks.held(self.lock_path, timeout) as mine:  # this host's index: this host's lock
                if not mine:
                    log.warning("search outbox busy for %.0fs; left for the next drain", timeout)
                    return done
                drained, failed = self._drain_locked()
                done += drained
            if failed:
                return done  # the rows stay for the next drain (after the next commit, or a reindex)
            # A row committed while we held the lock, by a process that found it held, is ours.
            if not self.pending():
                return done
            timeout = 0.5

    def _drain_locked(self) -> tuple[int, bool]:
        done = 0
        with self.make_session() as session:
            while True:
                rows = list(session.scalars(select(IndexOutbox).order_by(IndexOutbox.id).limit(BATCH)))
                if not rows:
                    return done, False
                ids = {r.document_id for r in rows}
                upserts, removals = entries_for(session, ids)
                try:
                    self.backend.apply(upserts, removals)
                except Exception as exc:  # the rows stay, to be tried again
                    log.exception("search index write failed; will retry")
                    for r in rows:
                        r.attempts += 1
                        r.last_error = str(exc)[:500]
                    session.commit()
                    return done, True
                session.execute(delete(IndexOutbox).where(IndexOutbox.id.in_([r.id for r in rows])))
                session.commit()
                done += len(ids)

    def published(self, session: Session) -> Iterator[IndexedDocument]:
        ids = list(
            session.scalars(
                select(Document.id)
                .where(Document.status == DocumentStatus.PUBLISHED.value)
                .order_by(Document.id)
            )
        )
        for start in range(0, len(ids), BATCH):
            for document in _load(session, ids[start : start + BATCH]):
                entry = to_indexed(document)
                if entry is not None:
                    yield entry

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Build a fresh index from the database aside, swap it in, then apply what changed meanwhile."""
        with self.make_session() as session:
            started = session.scalar(select(func.max(IndexOutbox.id))) or 0
            count = self.backend.rebuild(self.published(session), progress)
            session.execute(delete(IndexOutbox).where(IndexOutbox.id <= started))
            session.commit()
        self.drain()
        return count

    def fill_if_empty(self) -> int:
        """A new index (a first start, or another backend chosen) is built from the database.
        One process does it; the others go on without waiting."""
        with self.make_session() as session:
            published = session.scalar(
                select(func.count(Document.id)).where(Document.status == DocumentStatus.PUBLISHED.value)
            )
        if not published or self.backend.size():
            return 0
        with locks.held(self.lock_path.with_name("fill.lock"), engine=self.engine) as mine:
            if not mine or self.backend.size():
                return 0
            log.info("the search index is empty: building it from %d published documents", published)
            return self.rebuild()

    def differences(self) -> list[dict]:
        """Documents whose index entry differs from the database."""
        indexed = self.backend.indexed()
        with self.make_session() as session:
            expected = {d.id: d.fingerprint for d in self.published(session)}
        out = []
        for doc_id in sorted(set(indexed) | set(expected)):
            if doc_id not in expected:
                out.append({"id": doc_id, "problem": "in the index but not published"})
            elif doc_id not in indexed:
                out.append({"id": doc_id, "problem": "published but not in the index"})
            elif indexed[doc_id] != expected[doc_id]:
                out.append({"id": doc_id, "problem": "the index holds an older version or scope"})
        return out


CATCH_UP_SECONDS = 5.0


def _write_in_transaction(makers: sessionmaker, backend) -> None:
    """Sessions ask for entries to be written in their own transaction, just before it commits."""
    makers.configure(info={**makers.kw.get("info", {}), "search_in_transaction": True})

    @event.listens_for(makers, "before_commit")
    def _write_entries(session: Session) -> None:
        while session.info.get("search_ids"):
            ids = session.info.pop("search_ids")
            session.flush()
            upserts, removals = entries_for(session, sorted(ids))
            backend.write(session.connection(), upserts, removals)

    @event.listens_for(makers, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("search_ids", None)


def make_backend(app: Flask) -> SearchBackend:
    kind, thesaurus = app.config.get("SEARCH_BACKEND", "tantivy"), vocabularies.load_thesaurus()
    if kind == "postgres":
        from search_index.postgres_backend import PostgresBackend

        return PostgresBackend(app.extensions["db_engine"], thesaurus)
    folder = Path(app.config["DATA_DIR"]) / "search" / ("whoosh" if kind == "whoosh" else "tantivy")
    return (WhooshBackend if kind == "whoosh" else TantivyBackend)(folder, thesaurus)


def init_app(app: Flask) -> None:
    backend = make_backend(app)
    makers = app.extensions["db_sessionmaker"]
    indexer = Indexer(
        backend, makers, Path(app.config["DATA_DIR"]) / "search" / "outbox.lock", app.extensions["db_engine"]
    )
    app.extensions["search"] = backend
    app.extensions["search_indexer"] = indexer
    if getattr(backend, "in_transaction", False):
        _write_in_transaction(makers, backend)

    @event.listens_for(app.extensions["db_sessionmaker"], "after_commit")
    def _drain_after_commit(session: Session) -> None:
        if session.info.get("search_outbox") and app.config.get("CRASH_AFTER_COMMIT") == "search":
            os.kill(os.getpid(), signal.SIGKILL)  # tests only: a crash between commit and drain
        if session.info.pop("search_outbox", False) and not indexer.deferred:
            try:
                indexer.drain()
            except Exception:  # the outbox keeps the work; the next drain or a reindex finishes it
                log.exception("draining the search outbox failed")

    # A process that died between a commit and its drain left rows behind: the next request of
    # any process (checking at most every few seconds) brings the index in line.
    catch_up.on_requests(
        app, "the search outbox", CATCH_UP_SECONDS, lambda: indexer.pending() and indexer.drain()
    )
