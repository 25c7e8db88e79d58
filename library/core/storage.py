"""Where uploaded originals live, under generated names: a folder inside the data folder (the
embedded default, for one host), or an S3-compatible bucket (``STORAGE_URL=s3://bucket/prefix``),
which every host of a deployment shares.

The interface is small (save, read, delete, and put for a restore). Keys are generated here from
128 random bits and checked on every use; a path or an object name is only ever built from a key
that matches the pattern, and a path is checked to resolve inside the storage root.
"""

from __future__ import annotations

import os
import re
import secrets
from abc import ABC, abstractmethod
from pathlib import Path

from library.extraction.base import MEDIA_TYPES

_KEY_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}\.(docx|pptx|pdf|md|txt)$")


class StorageError(Exception):
    """The store failed or holds something other than what was saved. The message names the key
    and the cause, never the content."""


class StorageMissing(StorageError, FileNotFoundError):
    """No original under that key (deleted, or never stored)."""


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise StorageError(f"invalid storage key {key!r}")
    return key


def new_key(kind: str) -> str:
    name = secrets.token_hex(16)
    return check_key(f"{name[:2]}/{name}.{kind}")


class FileStorage(ABC):
    # A short name for logs and the start-up line ("local folder", "S3 bucket ...").
    description = ""
    # Whether every host of a deployment sees the same originals.
    shared = False

    @abstractmethod
    def save(self, data: bytes, kind: str) -> str:
        """Store the bytes and return a new key."""

    @abstractmethod
    def read(self, key: str) -> bytes: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Store the bytes under a key that already exists elsewhere (a restore)."""


class LocalFileStorage(FileStorage):
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.description = f"the local folder {self.root}"

    def path_for(self, key: str) -> Path:
        check_key(key)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError(f"storage key {key!r} escapes the storage folder")
        return path

    def save(self, data: bytes, kind: str) -> str:
        key = new_key(kind)
        self.put(key, data)
        return key

    def put(self, key: str, data: bytes) -> None:
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)

    def read(self, key: str) -> bytes:
        return self.path_for(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)


class S3FileStorage(FileStorage):
    """Originals as objects of an S3 bucket (AWS S3, or any S3-compatible service), named
    ``prefix`` + key. Every write asks for server-side encryption; every read checks the object's
    length and content type against what was written. The endpoint, region and credentials come
    from the standard AWS variables (``AWS_ENDPOINT_URL``, ``AWS_DEFAULT_REGION``,
    ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``) or the host's role."""

    shared = True

    def __init__(self, bucket: str, prefix: str = "", *, client=None, encryption: str = "AES256"):
        if not bucket:
            raise StorageError("STORAGE_URL names no bucket: use s3://bucket or s3://bucket/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.encryption = encryption
        self.description = f"the S3 bucket {bucket}" + (f" under {self.prefix}" if self.prefix else "")
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "s3",
                config=Config(
                    retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30
                ),
            )
        self.client = client

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _failed(self, action: str, key: str, exc: Exception) -> StorageError:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        return StorageError(f"{action} {key} in {self.description} failed: {code}")

    def save(self, data: bytes, kind: str) -> str:
        key = new_key(kind)
        self.put(key, data)
        return key

    def put(self, key: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        kind = key.rsplit(".", 1)[-1]
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._name(key),
                Body=data,
                ContentLength=len(data),
                ContentType=MEDIA_TYPES[kind],
                ServerSideEncryption=self.encryption,
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("storing", key, exc) from exc

    def read(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        kind = key.rsplit(".", 1)[-1]
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
            data = answer["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise StorageMissing(f"no object {key} in {self.description}") from exc
            raise self._failed("reading", key, exc) from exc
        except BotoCoreError as exc:
            raise self._failed("reading", key, exc) from exc
        if answer.get("ContentLength") != len(data):
            raise StorageError(f"reading {key} in {self.description}: fewer bytes than the object's length")
        if answer.get("ContentType") != MEDIA_TYPES[kind]:
            raise StorageError(
                f"reading {key} in {self.description}: not the content type it was stored with"
            )
        return data

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("deleting", key, exc) from exc

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._failed("looking for", key, exc) from exc


def from_config(cfg, data_dir: str | os.PathLike) -> FileStorage:
    """The storage the settings choose: ``STORAGE_URL=s3://bucket/prefix``, or the local folder
    ``originals`` in the data folder when it is empty."""
    url = (cfg.get("STORAGE_URL") or "").strip()
    if not url:
        return LocalFileStorage(Path(data_dir) / "originals")
    if not url.startswith("s3://"):
        raise StorageError(
            f"STORAGE_URL must start with s3:// (or be empty for the local folder), not {url!r}"
        )
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    return S3FileStorage(bucket, prefix, encryption=cfg.get("STORAGE_ENCRYPTION") or "AES256")
