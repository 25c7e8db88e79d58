"""Counting reads and downloads without slowing a reader down.

A request only appends an event to this process's queue (microseconds). A thread writes the
queue every ``USAGE_FLUSH_SECONDS`` in one transaction: monthly counts are added with one
upsert per document and month, readers and active readers are inserted if new. The database does
the adding, so several workers and hosts count right together. What is queued when a process stops
is written at exit; a process killed outright loses at most the last interval's counts.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from library.core.models import UsageActive, UsageMonth, UsageReader

log = logging.getLogger(__name__)
MAX_QUEUED = 100_000  # past this, events are dropped (and logged) rather than memory grown


@dataclass(frozen=True)
class Event:
    document_id: int
    kind: str  # view | download
    reader: str  # a keyed hash of the person: never their id
    authority_id: int
    region_id: int
    month: int  # 202611


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def write(session: Session, events: list[Event]) -> None:
    """Add these events to the counts, in the session's transaction."""
    if not events:
        return
    months: Counter = Counter()
    for e in events:
        months[(e.document_id, e.month, e.kind)] += 1
    rows: dict[tuple[int, int], dict] = {}
    for (document_id, month, kind), n in months.items():
        row = rows.setdefault(
            (document_id, month), {"document_id": document_id, "month": month, "views": 0, "downloads": 0}
        )
        row["views" if kind == "view" else "downloads"] += n
    insert = _insert(session, UsageMonth)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["document_id", "month"],
            set_={
                "views": UsageMonth.views + insert.excluded.views,
                "downloads": UsageMonth.downloads + insert.excluded.downloads,
            },
        ),
        sorted(rows.values(), key=lambda r: (r["document_id"], r["month"])),
    )
    readers = {
        (e.document_id, e.reader): {
            "document_id": e.document_id,
            "reader": e.reader,
            "authority_id": e.authority_id,
            "region_id": e.region_id,
            "first_month": e.month,
        }
        for e in reversed(events)
    }
    session.execute(
        _insert(session, UsageReader).on_conflict_do_nothing(index_elements=["document_id", "reader"]),
        sorted(readers.values(), key=lambda r: (r["document_id"], r["reader"])),
    )
    active = sorted({(e.month, e.reader) for e in events})
    session.execute(
        _insert(session, UsageActive).on_conflict_do_nothing(index_elements=["month", "reader"]),
        [{"month": m, "reader": r} for m, r in active],
    )


class Recorder:
    """This process's queue of usage events and the thread that writes it."""

    def __init__(self, make_session: sessionmaker, interval: float = 2.0):
        self.make_session = make_session
        self.interval = interval
        self._queue: list[Event] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def record(self, event: Event | None) -> None:
        if event is None:
            return
        with self._lock:
            if len(self._queue) >= MAX_QUEUED:
                log.warning("usage queue full: an event for document %s was not counted", event.document_id)
                return
            self._queue.append(event)
        if self.interval <= 0:
            self.flush()
        elif self._thread is None:
            self._start()

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="usage-recorder", daemon=True)
            self._thread.start()
        atexit.register(self.flush)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def flush(self) -> int:
        """Write what is queued; on failure keep it for the next try. Returns how many were written."""
        with self._flushing:
            with self._lock:
                events, self._queue = self._queue, []
            if not events:
                return 0
            session = self.make_session()
            try:
                write(session, events)
                session.commit()
            except Exception:
                session.rollback()
                log.exception("writing %d usage events failed; they wait for the next try", len(events))
                with self._lock:
                    self._queue[:0] = events[: MAX_QUEUED - len(self._queue)]
                return 0
            finally:
                session.close()
            return len(events)

    def close(self) -> None:
        self._stop.set()
        self.flush()


def init_app(app: Flask) -> None:
    app.extensions["usage"] = Recorder(
        app.extensions["db_sessionmaker"], float(app.config.get("USAGE_FLUSH_SECONDS", 2.0))
    )
