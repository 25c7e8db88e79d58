"""Backups taken while the library is written to, checked, and restored into an empty library."""

import hashlib
import io
import json
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from library import create_app


def _upload(api, n: int) -> None:
    response = api("kgm_contributor").post(
        "/api/v1/documents",
        data={
            "title": f"Notes {n}",
            "document_type": "action-plan",
            "service_areas": ["early-help"],
            "file": (io.BytesIO(f"# Notes {n}\n\nEarly help worked with the family.\n".encode()), f"n{n}.md"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.fixture
def empty_library(tmp_path, app):
    """A new data folder and an empty database of the same kind, for a restore."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        yield tmp_path / "restored", f"sqlite:///{tmp_path / 'restored' / 'library.core.db'}"
        return
    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    restored_url = url.rsplit("/", 1)[0] + f"/{name}"
    yield tmp_path / "restored", restored_url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_backup_taken_while_writing_restores_to_a_matching_library(
    app, db, api, people, tmp_path, empty_library
):
    from library.documents import workspace
    from tests.helpers import consent

    for n in range(3):
        _upload(api, n)
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, 1)
        consent(db, people.kgm_approver, 1, "national")
    stop = threading.Event()
    written = []

    def writer():
        n = 100
        while not stop.is_set():
            _upload(api, n)
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["backup", "create", str(tmp_path / "backup")])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert written, "the writer wrote during the backup"
    assert runner.invoke(args=["backup", "verify", str(tmp_path / "backup")]).exit_code == 0
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())

    data_dir, url = empty_library
    restored = create_app({"ENV_NAME": "test", "DATA_DIR": str(data_dir), "DATABASE_URL": url})
    result = restored.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert f"Restored {manifest['documents']} document(s); 1 published one(s) indexed again." in result.output
    # The restored library: the snapshot's documents, their originals byte for byte, a search
    # index that matches its database.
    engine = create_engine(url)
    with engine.connect() as conn:
        docs = conn.execute(text("SELECT id, title, status FROM documents ORDER BY id")).all()
        keys = [r[0] for r in conn.execute(text("SELECT storage_key FROM stored_files"))]
    engine.dispose()
    assert len(docs) == manifest["documents"] >= 3 and docs[0][2] == "published"
    for key in keys:
        original = hashlib.sha256((Path(app.config["DATA_DIR"]) / "originals" / key).read_bytes()).hexdigest()
        copy = hashlib.sha256((data_dir / "originals" / key).read_bytes()).hexdigest()
        assert copy == original
    assert restored.extensions["search_indexer"].differences() == []
    assert restored.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0
    restored.extensions["db_engine"].dispose()


def test_verify_finds_changed_missing_and_extra_files(app, db, api, people, tmp_path):
    _upload(api, 1)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "create", str(tmp_path / "b")]).exit_code == 0
    (original,) = [p for p in (tmp_path / "b" / "originals").rglob("*") if p.is_file()]
    original.write_bytes(b"tampered")
    (tmp_path / "b" / "stray.txt").write_text("x")
    result = runner.invoke(args=["backup", "verify", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "changed since the backup" in result.output and "stray.txt: not in the manifest" in result.output
    original.unlink()
    assert "missing" in runner.invoke(args=["backup", "verify", str(tmp_path / "b")]).output


def test_refusals(app, db, api, people, tmp_path):
    runner = app.test_cli_runner()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = runner.invoke(args=["backup", "create", str(tmp_path / "full")])
    assert result.exit_code == 1 and "is not empty" in result.output
    _upload(api, 1)
    assert runner.invoke(args=["backup", "create", str(tmp_path / "b")]).exit_code == 0
    # Restoring over a library that holds documents is refused, and changes nothing.
    result = runner.invoke(args=["backup", "restore", str(tmp_path / "b")])
    assert result.exit_code == 1 and "restore only into an empty" in result.output
    assert len(result.output.strip().splitlines()) == 1
