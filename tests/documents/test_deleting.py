"""Deleting a withdrawn document for good: nothing of its content stays in the database, the
files or the index; its tombstone and its audit events do."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from library.core.db import utcnow
from library.core.errors import Conflict, NotFound, PermissionDenied
from library.core.models import Document
from library.documents import publication, workspace
from tests.helpers import consent

SECRET_WORDS = "Zephyrine Quillfeather"
TEXT = f"# Notes\n\n{SECRET_WORDS} met the team. The quokka protocol worked.\n"


@pytest.fixture
def withdrawn(app, db, people, make_document):
    doc = make_document(TEXT, title="Quokka protocol notes", summary="About the quokka protocol.")
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        consent(db, people.kgm_approver, doc.id, "national")
        publication.withdraw(db, people.kgm_approver, doc.id, "No longer current.")
    return doc


def _everything_in_the_database(db) -> str:
    rows = []
    for table in (
        "documents",
        "document_versions",
        "redactions",
        "stored_files",
        "document_checks",
        "mail_outbox",
        "audit_events",
        "index_outbox",
    ):
        query = text(f"SELECT * FROM {table}")  # noqa: S608 - table names from the list above
        rows += [json.dumps([str(v) for v in row]) for row in db.execute(query)]
    return "\n".join(rows).lower()


def test_deleted_for_good_leaves_only_the_tombstone_and_the_audit(app, db, people, withdrawn, client, api):
    from library.mail import messages

    with app.app_context():  # a digest that listed it when it was shared
        messages.send(
            db,
            people.brk_reader,
            "digest",
            "digest:test",
            messages.Message(
                "New", [f"- Quokka protocol notes: http://x/documents/{withdrawn.id}"], "http://x", "See"
            ),
        )
        db.commit()
    storage = app.extensions["file_storage"]
    key = withdrawn.original.storage_key
    assert storage.path_for(key).exists()
    assert "quokka" in _everything_in_the_database(db)
    with app.app_context():
        publication.delete_for_good(db, storage, people.kgm_approver, withdrawn.id)
    everything = _everything_in_the_database(db)
    assert "quokka" not in everything and "zephyrine" not in everything and "quillfeather" not in everything
    assert not storage.path_for(key).exists()
    assert app.extensions["search_indexer"].differences() == []
    reader = api("brk_reader")
    assert reader.get("/api/v1/search?q=quokka").get_json()["total"] == 0
    gone = reader.get(f"/api/v1/documents/{withdrawn.id}")
    assert gone.status_code == 410 and gone.get_json()["tombstone"]["deleted"] is True
    actions = [r[0] for r in db.execute(text("SELECT action FROM audit_events ORDER BY id"))]
    assert "consent.withdrawn" in actions and "document.deleted" in actions
    row = db.get(Document, withdrawn.id)
    assert row.title == "Deleted document" and row.deleted_at is not None


def test_only_the_approver_and_only_once_withdrawn(app, db, people, withdrawn, make_document):
    storage = app.extensions["file_storage"]
    draft = make_document(b"# Draft\n\nText.\n", title="Draft")
    with app.app_context():
        with pytest.raises(Conflict, match="withdraw it first"):
            publication.delete_for_good(db, storage, people.kgm_approver, draft.id)
        with pytest.raises(PermissionDenied):
            publication.delete_for_good(db, storage, people.kgm_contributor, withdrawn.id)
        with pytest.raises((NotFound, PermissionDenied)):
            publication.delete_for_good(db, storage, people.ash_approver, withdrawn.id)
        publication.delete_for_good(db, storage, people.kgm_approver, withdrawn.id)
        with pytest.raises(Conflict, match="already"):
            publication.delete_for_good(db, storage, people.kgm_approver, withdrawn.id)


def test_retention_purge_deletes_what_was_withdrawn_long_ago(app, db, people, withdrawn, runner):
    withdrawn.withdrawn_at = utcnow() - timedelta(days=40)
    db.commit()
    result = runner.invoke(args=["retention", "purge", "--older-than", "60"])
    assert result.exit_code == 0 and "Deleted 0 withdrawn document(s)" in result.output
    result = runner.invoke(args=["retention", "purge", "--older-than", "30"])
    assert result.exit_code == 0 and "Deleted 1 withdrawn document(s)" in result.output
    db.expire_all()
    assert db.get(Document, withdrawn.id).deleted_at is not None
    assert "quokka" not in _everything_in_the_database(db)
    assert runner.invoke(args=["retention", "purge", "--older-than", "-1"]).exit_code == 1


def test_the_page_and_the_api(app, client, db, login, people, withdrawn, api):
    login("kgm_approver")
    page = client.get(f"/documents/{withdrawn.id}").get_data(as_text=True)
    assert "Delete for good" in page
    assert client.post(f"/documents/{withdrawn.id}/delete").status_code == 302  # not confirmed
    assert db.get(Document, withdrawn.id).deleted_at is None
    assert client.post(f"/documents/{withdrawn.id}/delete", data={"confirm": "y"}).status_code == 302
    page = client.get(f"/documents/{withdrawn.id}").get_data(as_text=True)
    assert "deleted for good" in page and "quokka" not in page.lower()
    assert api("kgm_approver").delete(f"/api/v1/documents/{withdrawn.id}").status_code == 409
    assert api("kgm_contributor").delete(f"/api/v1/documents/{withdrawn.id}").status_code == 403
