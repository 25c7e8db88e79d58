"""The library's side of search: with the PostgreSQL backend, entries are written in the very
transaction that consents, re-scopes or withdraws, so every app host reads the same index."""

import io

import pytest
from sqlalchemy import func, select, text

from library import create_app
from library.core.models import Document, IndexOutbox
from library.search import service as search_service

pytestmark = pytest.mark.search_backend("postgres")


def _ready(api, title: str) -> tuple[int, str]:
    """A draft with every suggestion accepted: its id and the hash of what the approver reads."""
    owner = api("kgm_contributor")
    doc_id = owner.post(
        "/api/v1/documents",
        data={
            "title": title,
            "document_type": "self-assessment",
            "service_areas": ["early-help"],
            "year": "2025",
            "file": (io.BytesIO(f"# {title}\n\nWhat step-down to early help looks like.\n".encode()), "d.md"),
        },
        content_type="multipart/form-data",
    ).get_json()["id"]
    owner.post(f"/api/v1/documents/{doc_id}/redactions/accept-all")
    return doc_id, api("kgm_approver").get(f"/api/v1/documents/{doc_id}/preview").get_json()["content_hash"]


def _share(api, title: str, scope: str) -> int:
    doc_id, content_hash = _ready(api, title)
    response = api("kgm_approver").post(
        f"/api/v1/documents/{doc_id}/consent",
        json={"scope": scope, "confirm": True, "content_hash": content_hash},
    )
    assert response.status_code == 200, response.get_json()
    return doc_id


@pytest.fixture
def other_host(app, tmp_path):
    """A second app host: its own data folder, the same database."""
    other_dir = tmp_path / "other-host"
    other_dir.mkdir()
    other = create_app(
        {
            "ENV_NAME": "test",
            "DATA_DIR": str(other_dir),
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SEARCH_BACKEND": "postgres",
        }
    )
    yield other
    other.extensions["db_engine"].dispose()


def _found(host, user, q: str) -> list[int]:
    session = host.extensions["db_sessionmaker"]()
    try:
        reader = session.merge(user)
        page = search_service.search(
            session, host.extensions["search"], reader, search_service.parse_params({"q": [q]})
        )
        return [r["id"] for r in page.results]
    finally:
        session.close()


def test_consent_writes_the_entry_in_its_own_transaction_and_every_host_reads_it(
    app, api, db, people, other_host
):
    doc_id = _share(api, "Step-down review", "national")
    assert db.scalar(select(func.count(IndexOutbox.id))) == 0  # no outbox: nothing to drain
    row = db.execute(text("SELECT fingerprint FROM search_entries WHERE document_id = :id"), {"id": doc_id})
    assert row.scalar_one()
    assert _found(other_host, people.brk_reader, "step-down") == [doc_id]
    assert app.extensions["search_indexer"].differences() == []

    approver = api("kgm_approver")
    content_hash = approver.get(f"/api/v1/documents/{doc_id}/preview").get_json()["content_hash"]
    response = approver.post(
        f"/api/v1/documents/{doc_id}/consent",
        json={"scope": "authority", "confirm": True, "content_hash": content_hash},
    )
    assert response.status_code == 200, response.get_json()
    assert _found(other_host, people.brk_reader, "step-down") == []
    assert _found(other_host, people.kgm_reader, "step-down") == [doc_id]

    response = approver.delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "Out of date."})
    assert response.status_code == 200
    assert _found(other_host, people.kgm_reader, "step-down") == []
    assert db.execute(text("SELECT count(*) FROM search_entries")).scalar_one() == 0


def test_a_failed_entry_write_undoes_the_consent(app, api, db, monkeypatch):
    doc_id, content_hash = _ready(api, "Never half shared")
    approver = api("kgm_approver")

    def failing_write(*args, **kwargs):
        raise RuntimeError("the index table is unavailable")

    monkeypatch.setattr(app.extensions["search"], "write", failing_write)
    response = approver.post(
        f"/api/v1/documents/{doc_id}/consent",
        json={"scope": "national", "confirm": True, "content_hash": content_hash},
    )
    assert response.status_code == 500
    monkeypatch.undo()
    db.expire_all()
    assert db.get(Document, doc_id).status != "published"
    assert db.execute(text("SELECT count(*) FROM search_entries")).scalar_one() == 0
