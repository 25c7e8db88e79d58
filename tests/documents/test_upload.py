from pathlib import Path

import pytest
from sqlalchemy import func, select

from library.core import access
from library.core.errors import Gone, NotFound, PermissionDenied, UnsupportedFile, ValidationError
from library.core.models import Document
from library.core.storage import LocalFileStorage
from library.documents import upload
from library.extraction import Limits


@pytest.fixture
def storage(app):
    return LocalFileStorage(Path(app.config["DATA_DIR"]) / "originals")


def _input(**overrides):
    values = dict(
        title="Notes",
        document_type="action-plan",
        service_areas=["early-help"],
        year="2025",
        filename="notes.md",
        data=b"# Notes\n\nSome text.\n",
    )
    values.update(overrides)
    return upload.UploadInput(**values)


def test_upload_collects_every_error_at_once(db, storage, people):
    with pytest.raises(ValidationError) as info:
        upload.upload_document(
            db,
            storage,
            people.kgm_contributor,
            _input(title="", document_type="", service_areas=[], year="soon", data=b""),
            Limits(),
        )
    assert set(info.value.errors) == {"title", "document_type", "service_areas", "year", "file"}


def test_file_type_errors_keep_their_status(db, storage, people):
    with pytest.raises(UnsupportedFile) as info:
        upload.upload_document(db, storage, people.kgm_contributor, _input(filename="x.exe"), Limits())
    assert info.value.status == 415 and "file" in info.value.errors


def test_nothing_is_left_behind_when_the_database_write_fails(db, storage, people, monkeypatch):
    def fail(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(upload.audit, "record", fail)
    with pytest.raises(RuntimeError):
        upload.upload_document(db, storage, people.kgm_contributor, _input(), Limits())
    assert db.scalar(select(func.count(Document.id))) == 0
    assert not any(p.is_file() for p in storage.root.rglob("*"))


def test_only_owners_upload(db, storage, people):
    for who in (people.kgm_reader, people.admin, None):
        with pytest.raises(PermissionDenied):
            upload.upload_document(db, storage, who, _input(), Limits())


def test_viewer_rules_for_drafts_and_withdrawn_documents(db, storage, people):
    doc = upload.upload_document(db, storage, people.kgm_contributor, _input(), Limits())
    assert access.get_for_viewer(db, people.kgm_approver, doc.id).id == doc.id
    with pytest.raises(NotFound):
        access.get_for_viewer(db, people.kgm_reader, doc.id)
    # Withdrawn: readers it was shared with get a tombstone, everyone else a 404.
    doc.status, doc.scope = "withdrawn", "region"
    db.commit()
    with pytest.raises(Gone):
        access.get_for_viewer(db, people.ash_reader, doc.id)
    with pytest.raises(NotFound):
        access.get_for_viewer(db, people.brk_reader, doc.id)


def test_read_original_for_owners_only(db, storage, people):
    doc = upload.upload_document(db, storage, people.kgm_contributor, _input(), Limits())
    stored, data = upload.read_original(storage, db, people.kgm_approver, doc.id)
    assert data == b"# Notes\n\nSome text.\n" and stored.kind == "md"
    with pytest.raises(NotFound):
        upload.read_original(storage, db, people.kgm_reader, doc.id)
