"""One lock for work that one process at a time should do (building a new index, draining an
index outbox, the day's digests).

With PostgreSQL (``engine`` given and PostgreSQL), a session-level advisory lock held on a
connection of its own: it holds across every process of every host that shares the database, and
is let go when the connection closes, so a killed process never leaves it held. Otherwise an
exclusive lock on a file in the data folder: it holds across the processes of one host (SQLite is
one host's database).
"""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text


def advisory_key(name: str) -> int:
    """A lock name as PostgreSQL's 64-bit advisory lock key."""
    return int.from_bytes(
        hashlib.sha256(f"peer-challenge-library:{name}".encode()).digest()[:8], "big", signed=True
    )


@contextmanager
def held(path: Path, timeout: float = 0.0, engine=None) -> Iterator[bool]:
    """Hold the lock named by ``path`` (by its file name, with PostgreSQL) for the block. Yields
    False, without the lock, when another process kept it for ``timeout`` seconds (0: do not
    wait)."""
    if engine is not None and engine.dialect.name == "postgresql":
        with _advisory(engine, path.name, timeout) as mine:
            yield mine
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with open(path, "a+") as fh:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.01)
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def _advisory(engine, name: str, timeout: float) -> Iterator[bool]:
    key = advisory_key(name)
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        while not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(0.02)
        try:
            yield True
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
