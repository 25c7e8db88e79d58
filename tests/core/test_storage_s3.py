"""Originals in an S3 bucket: a real S3 endpoint on 127.0.0.1 (moto's server), through the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from library.core import storage as storage_module
from library.core.models import Document, StoredFile
from library.core.storage import S3FileStorage, StorageError, StorageMissing
from tests.helpers import upload_via_api


def _objects(client, name: str) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", [])]


def test_save_read_delete_with_encryption_and_unguessable_keys(bucket):
    name, client = bucket
    store = S3FileStorage(name, "library/originals")
    key = store.save(b"%PDF-1.4 a small file", "pdf")
    other = store.save(b"%PDF-1.4 a small file", "pdf")
    assert key != other and len(key.split("/")[1].split(".")[0]) == 32  # 128 random bits
    assert _objects(client, name) == sorted([f"library/originals/{key}", f"library/originals/{other}"])
    head = client.head_object(Bucket=name, Key=f"library/originals/{key}")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/pdf" and head["ContentLength"] == 21
    assert store.read(key) == b"%PDF-1.4 a small file"
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(StorageMissing):
        store.read(key)
    with pytest.raises(StorageError):
        store.read("../../etc/passwd")


def test_an_object_that_is_not_what_was_stored_is_refused(bucket):
    name, client = bucket
    store = S3FileStorage(name)
    key = store.save(b"PK\x03\x04 a word file", "docx")
    client.put_object(Bucket=name, Key=key, Body=b"<html>swapped</html>", ContentType="text/html")
    with pytest.raises(StorageError, match="content type"):
        store.read(key)


def test_settings_choose_the_store(app, s3_endpoint, tmp_path):
    assert isinstance(storage_module.from_config({}, tmp_path), storage_module.LocalFileStorage)
    chosen = storage_module.from_config({"STORAGE_URL": "s3://my-bucket/a/b"}, tmp_path)
    assert isinstance(chosen, S3FileStorage) and chosen.bucket == "my-bucket" and chosen.prefix == "a/b/"
    from config import ConfigError, load_config

    with pytest.raises(ConfigError, match="STORAGE_URL"):
        import os

        os.environ["STORAGE_URL"] = "ftp://nowhere"
        try:
            load_config("test")
        finally:
            del os.environ["STORAGE_URL"]


def _upload(api, data: bytes = b"# Notes\n\nEarly help worked with the family.\n", name: str = "n.md"):
    return upload_via_api(api, data, name, title="Notes")


def test_upload_keeps_the_original_in_the_bucket_and_deletion_removes_it(
    app, db, api, people, s3_storage, bucket, client, login
):
    name, s3 = bucket
    response = _upload(api)
    assert response.status_code == 201, response.get_data(as_text=True)
    document_id = response.get_json()["id"]
    key = db.scalar(select(StoredFile.storage_key))
    assert _objects(s3, name) == [f"originals/{key}"]
    assert not list((Path(app.config["DATA_DIR"]) / "originals").rglob("*.md"))  # nothing on this host
    login("kgm_contributor")
    original = client.get(f"/documents/{document_id}/original")
    assert original.status_code == 200 and original.data == b"# Notes\n\nEarly help worked with the family.\n"

    from library.documents import publication, workspace
    from tests.helpers import consent

    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, document_id)
        consent(db, people.kgm_approver, document_id, "national")
        publication.withdraw(db, people.kgm_approver, document_id, "No longer current.")
        publication.delete_for_good(db, s3_storage, people.kgm_approver, document_id)
    assert _objects(s3, name) == []


def test_the_store_down_at_upload_saves_nothing(app, db, api, s3_storage):
    app.extensions["file_storage"] = S3FileStorage(
        s3_storage.bucket, "originals", client=_client_to_nowhere()
    )
    response = _upload(api)
    assert response.status_code == 503
    assert "nothing was saved" in response.get_json()["error"]["message"]
    assert db.scalar(select(func.count(Document.id))) == 0


def test_a_database_failure_after_the_object_is_stored_removes_it(
    app, db, people, s3_storage, bucket, monkeypatch
):
    from library.documents import upload
    from library.extraction import Limits

    name, client = bucket

    def fail(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(upload.audit, "record", fail)
    form = upload.UploadInput(
        title="Notes",
        document_type="action-plan",
        service_areas=["early-help"],
        filename="n.md",
        data=b"# Notes\n\nEarly help.\n",
    )
    with pytest.raises(RuntimeError):
        upload.upload_document(db, s3_storage, people.kgm_contributor, form, Limits())
    assert db.scalar(select(func.count(Document.id))) == 0
    assert _objects(client, name) == []


def test_the_store_down_when_deleting_for_good_deletes_nothing(app, db, api, people, s3_storage):
    from library.core.errors import Unavailable
    from library.documents import publication, workspace
    from tests.helpers import consent

    document_id = _upload(api).get_json()["id"]
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, document_id)
        consent(db, people.kgm_approver, document_id, "national")
        publication.withdraw(db, people.kgm_approver, document_id, "No longer current.")
        down = S3FileStorage(s3_storage.bucket, "originals", client=_client_to_nowhere())
        with pytest.raises(Unavailable):
            publication.delete_for_good(db, down, people.kgm_approver, document_id)
    db.rollback()
    assert db.get(Document, document_id).deleted_at is None


def test_backup_covers_the_bucket(app, db, api, people, s3_storage, bucket, tmp_path, s3_endpoint):
    import boto3

    name, client = bucket
    for n in range(3):
        assert _upload(api, f"# Notes {n}\n\nEarly help.\n".encode(), f"n{n}.md").status_code == 201
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", "create", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["backup", "verify", str(tmp_path / "backup")]).exit_code == 0
    copies = sorted(p.name for p in (tmp_path / "backup" / "originals").rglob("*") if p.is_file())
    assert copies == sorted(k.rsplit("/", 1)[-1] for k in _objects(client, name))

    # restore into an empty library whose originals go to another bucket
    from library.ops import backup

    other = f"{name}-restored"[:63]
    boto3.client("s3").create_bucket(
        Bucket=other, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    target = S3FileStorage(other, "originals")
    keys = [
        r.removeprefix("originals/")
        for r in json.loads((tmp_path / "backup" / "manifest.json").read_text())["files"]
        if r.startswith("originals/")
    ]
    assert len(keys) == 3
    if app.config["DATABASE_URL"].startswith("sqlite"):
        restored_dir = tmp_path / "restored"
        documents = backup.restore(
            tmp_path / "backup", f"sqlite:///{restored_dir / 'library.core.db'}", restored_dir, target
        )
        assert documents == 3
        assert not (restored_dir / "originals").exists()  # the originals went to the bucket
    else:  # a PostgreSQL backup restores into a database of its own (tests/ops/test_backup.py)
        for key in keys:
            target.put(key, storage_module.LocalFileStorage(tmp_path / "backup" / "originals").read(key))
    for key in keys:
        assert target.read(key) == s3_storage.read(key)


def _client_to_nowhere():
    import socket

    import boto3
    from botocore.config import Config

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1),
    )
