"""Backups: a consistent copy of the database and the originals, taken while the app runs, with a
manifest of every file's SHA-256; checked, and restored into an empty data folder.

The database is copied first, as one snapshot (SQLite's online backup API, or ``pg_dump``, which
reads one transaction's view). Then the originals that snapshot refers to are copied: originals
are written once under generated names and never changed, so each copy is the file the snapshot
knows. The search index is not copied: a restore rebuilds it from the restored database.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from library.core.db import utcnow
from library.core.storage import FileStorage, LocalFileStorage, StorageError

MANIFEST = "manifest.json"
SQLITE_FILE = "library.core.db"
PG_FILE = "database.dump"


class BackupError(Exception):
    """A backup cannot be made, checked or restored: the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url(url: str) -> str:
    """A SQLAlchemy URL as libpq (pg_dump, pg_restore) reads it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _empty_folder(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new folder.")
    target.mkdir(parents=True, exist_ok=True)


@dataclass
class Summary:
    files: int = 0
    bytes: int = 0
    documents: int = 0
    missing: list[str] = field(default_factory=list)


def _contents(conn) -> tuple[list[str], int]:
    keys = [row[0] for row in conn.execute(text("SELECT storage_key FROM stored_files"))]
    return keys, conn.execute(text("SELECT count(*) FROM documents")).scalar() or 0


def _run(tool: str, *arguments: str) -> None:
    """Run a PostgreSQL client program (pg_dump, pg_restore); a BackupError says why it failed."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed: install the PostgreSQL client tools.")
    try:
        subprocess.run([path, *arguments], check=True, capture_output=True, text=True)  # noqa: S603 - a fixed program
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{tool} failed: {' '.join(exc.stderr.strip().splitlines()[-1:])}") from exc


def create(database_url: str, data_dir: Path, target: Path, storage: FileStorage | None = None) -> Summary:
    """Back up the database and the originals it refers to (from ``storage``: the data folder's
    own by default, or the bucket the settings name) into the empty folder ``target``."""
    _empty_folder(target)
    summary = Summary()
    if database_url.startswith("sqlite"):
        source = make_url(database_url).database
        with sqlite3.connect(source) as live_db, sqlite3.connect(target / SQLITE_FILE) as copy:
            live_db.backup(copy)  # online: writers wait a moment, readers not at all
        database = {"kind": "sqlite", "file": SQLITE_FILE}
        engine = create_engine(f"sqlite:///{target / SQLITE_FILE}")
        try:
            with engine.connect() as conn:
                keys, summary.documents = _contents(conn)
        finally:
            engine.dispose()
    else:
        # One snapshot for pg_dump and for reading which originals it refers to.
        engine = create_engine(database_url, isolation_level="REPEATABLE READ")
        try:
            with engine.connect() as conn, conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
                _run(
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(target / PG_FILE),
                    _libpq_url(database_url),
                )
                keys, summary.documents = _contents(conn)
        finally:
            engine.dispose()
        database = {"kind": "postgresql", "file": PG_FILE}
    live = storage or LocalFileStorage(data_dir / "originals")
    copies = LocalFileStorage(target / "originals")
    (target / "originals").mkdir()
    for key in keys:
        try:
            data = live.read(key)  # the key is checked: it cannot point outside the store
        except FileNotFoundError:
            summary.missing.append(key)  # deleted for good since the snapshot
            continue
        except StorageError as exc:
            raise BackupError(f"The originals could not be read: {exc}") from exc
        copies.put(key, data)
    files = {}
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        relative = path.relative_to(target).as_posix()
        files[relative] = _sha256(path)
        summary.files += 1
        summary.bytes += path.stat().st_size
    manifest = {
        "created_at": utcnow().isoformat() + "Z",
        "database": database,
        "documents": summary.documents,
        "files": files,
        "missing_originals": summary.missing,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return summary


def verify(target: Path) -> list[str]:
    """What is wrong with a backup (empty: nothing)."""
    try:
        manifest = json.loads((target / MANIFEST).read_text())
    except (OSError, ValueError):
        return [f"no readable {MANIFEST} in {target}"]
    problems = []
    for relative, expected in manifest.get("files", {}).items():
        path = target / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif _sha256(path) != expected:
            problems.append(f"{relative}: changed since the backup (SHA-256 differs)")
    listed = set(manifest.get("files", {}))
    extra = [p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()]
    problems += [f"{name}: not in the manifest" for name in extra if name not in listed and name != MANIFEST]
    if manifest.get("database", {}).get("file") not in listed:
        problems.append("the database file is not in the manifest")
    return problems


def _database_is_empty(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            if "documents" not in tables:
                return True
            users = conn.execute(text("SELECT count(*) FROM users")).scalar() or 0
            documents = conn.execute(text("SELECT count(*) FROM documents")).scalar() or 0
            return users == 0 and documents == 0
    finally:
        engine.dispose()


def restore(source: Path, database_url: str, data_dir: Path, storage: FileStorage | None = None) -> int:
    """Restore a checked backup into an empty data folder (and empty database), its originals
    into ``storage`` (the data folder's own by default, or the bucket the settings name); returns
    how many documents it holds. The caller rebuilds the search index."""
    problems = verify(source)
    if problems:
        raise BackupError("The backup does not check out: " + "; ".join(problems[:5]))
    manifest = json.loads((source / MANIFEST).read_text())
    originals = data_dir / "originals"
    if storage is None and originals.exists() and any(originals.iterdir()):
        raise BackupError(f"{data_dir} already holds originals: restore only into an empty data folder.")
    kind = manifest["database"]["kind"]
    if (kind == "sqlite") != database_url.startswith("sqlite"):
        raise BackupError(f"This is a {kind} backup; DATABASE_URL points at another kind of database.")
    if kind == "sqlite":
        live = Path(make_url(database_url).database)
        if live.exists() and not _database_is_empty(database_url):
            raise BackupError(f"{live} already holds a library: restore only into an empty data folder.")
        live.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(live) + suffix).unlink(missing_ok=True)
        with sqlite3.connect(source / SQLITE_FILE) as backup, sqlite3.connect(live) as copy:
            backup.backup(copy)
    else:
        if not _database_is_empty(database_url):
            raise BackupError("The database already holds a library: restore only into an empty one.")
        _run(
            "pg_restore",
            "--no-owner",
            "--clean",
            "--if-exists",
            "--dbname",
            _libpq_url(database_url),
            str(source / PG_FILE),
        )
    copies = LocalFileStorage(source / "originals")
    if storage is None:
        originals.mkdir(parents=True, exist_ok=True)
    restored = storage or LocalFileStorage(originals)
    for relative in manifest["files"]:
        if not relative.startswith("originals/"):
            continue
        key = relative.removeprefix("originals/")
        try:
            restored.put(key, copies.read(key))
        except StorageError as exc:
            raise BackupError(f"The originals could not be restored: {exc}") from exc
    return int(manifest.get("documents", 0))
