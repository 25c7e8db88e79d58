"""One lock for work that one process at a time should do (draining an outbox, building a new
index, the day's digests): an exclusive lock on a file in the data folder, so it holds across the
processes of one host."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def held(path: Path, timeout: float = 0.0) -> Iterator[bool]:
    """Hold the lock named by ``path`` for the block. Yields False, without the lock, when another
    process kept it for ``timeout`` seconds (0: do not wait)."""
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
