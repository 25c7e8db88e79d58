"""Where uploaded originals live: a folder inside the data folder, under generated names.

The interface is small (save, open, delete) so that another backend could replace it. Keys are
generated here and checked on every use; a path is only ever built from a key that matches the
pattern, and is checked to resolve inside the storage root.
"""

from __future__ import annotations

import os
import re
import secrets
from abc import ABC, abstractmethod
from pathlib import Path

_KEY_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}\.(docx|pptx|pdf|md|txt)$")


class StorageError(Exception):
    pass


class FileStorage(ABC):
    @abstractmethod
    def save(self, data: bytes, kind: str) -> str:
        """Store the bytes and return a new key."""

    @abstractmethod
    def read(self, key: str) -> bytes: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...


class LocalFileStorage(FileStorage):
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    def path_for(self, key: str) -> Path:
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise StorageError(f"invalid storage key {key!r}")
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError(f"storage key {key!r} escapes the storage folder")
        return path

    def save(self, data: bytes, kind: str) -> str:
        name = secrets.token_hex(16)
        key = f"{name[:2]}/{name}.{kind}"
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return key

    def read(self, key: str) -> bytes:
        return self.path_for(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)
