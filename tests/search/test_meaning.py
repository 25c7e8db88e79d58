"""Search by meaning: what is embedded (the version consented to, kept with it and gone with it),
and that meaning never finds, shows or counts a document the caller may not read."""

import numpy as np
import pytest
from sqlalchemy import func, select

from library.core.models import DocumentVersion, VersionPassage
from library.search import meaning
from search_index import embedding
from tests.search.conftest import _search

pytestmark = pytest.mark.parametrize("app", ["default", "whoosh"], indirect=True)

READS = {
    "kgm_reader": {"national", "region", "authority"},
    "ash_reader": {"national", "region"},
    "brk_reader": {"national"},
    "admin": {"national", "region", "authority"},
}


def test_consent_keeps_the_meaning_of_the_text_consented_to(db, published):
    version = db.scalars(
        select(DocumentVersion).where(
            DocumentVersion.document_id == published["national"], DocumentVersion.is_current.is_(True)
        )
    ).one()
    items = embedding.passages(version.title, version.text)
    assert [p.start for p in version.passages] == [start for _text, start in items]
    first = embedding.from_bytes(version.passages[0].vector)
    assert first.shape == (embedding.DIMENSIONS,) and abs(float(np.linalg.norm(first)) - 1) < 1e-3
    # The title's vector is the title's, as embedded now.
    assert float(first @ embedding.embed([version.title])[0]) > 0.999


@pytest.mark.parametrize("who", sorted(READS))
def test_meaning_finds_only_what_the_caller_may_read(app, db, api, people, published, monkeypatch, who):
    monkeypatch.setattr(meaning, "MIN_SCORE", -10.0)  # every document counts as close
    actor = getattr(people, who)
    found = {f.id for f in meaning.search(db, actor, "support for families")}
    assert found == {published[s] for s in READS[who]}
    # Through the app: a query no word of which is in any document, found by meaning alone.
    body = _search(api, who, "?q=zzqx+wombats")
    assert body["found_by"] == "meaning"
    assert {r["id"] for r in body["results"]} == {published[s] for s in READS[who]}
    assert body["total"] == len(READS[who])
    assert sum(body["facets"]["service_area"].values()) == len(READS[who])
    # A filter narrows meaning as it narrows words.
    body = _search(api, who, "?q=zzqx+wombats&service_area=send")
    assert {r["id"] for r in body["results"]} == {published["national"]}


def test_withdrawn_and_deleted_documents_are_not_found_by_meaning(
    app, db, api, people, published, monkeypatch
):
    monkeypatch.setattr(meaning, "MIN_SCORE", -10.0)
    doc_id = published["national"]
    approver = api("kgm_approver")
    assert (
        approver.delete(f"/api/v1/documents/{doc_id}/consent", json={"reason": "Withdrawn."}).status_code
        == 200
    )
    assert doc_id not in {f.id for f in meaning.search(db, people.brk_reader, "special educational needs")}
    assert doc_id not in {r["id"] for r in _search(api, "kgm_reader", "?q=zzqx+wombats")["results"]}
    before = db.scalar(select(func.count(VersionPassage.id)))
    response = approver.delete(f"/api/v1/documents/{doc_id}")
    assert response.status_code in (200, 204), response.get_json()
    db.expire_all()
    assert db.scalar(select(func.count(VersionPassage.id))) < before


@pytest.mark.parametrize("who", sorted(READS))
def test_related_documents_are_only_what_the_caller_may_read(app, db, people, published, who):
    from library.search import service

    actor = getattr(people, who)
    offered = service.more_like_this(db, app.extensions["search"], actor, published["national"])
    assert {h.id for h in offered} == {published[s] for s in READS[who] - {"national"}}


def test_related_documents_share_a_service_area_first(app, db, api, people, published):
    """A second SEND document comes before documents of other areas, however close they are."""
    from library.search import service
    from tests.search.conftest import consent

    owner = api("kgm_contributor")
    import io

    doc_id = owner.post(
        "/api/v1/documents",
        data={
            "title": "Annual reviews",
            "document_type": "action-plan",
            "service_areas": ["send"],
            "year": "2025",
            "file": (io.BytesIO(b"# Annual reviews\n\nReviews held on time.\n"), "d.md"),
        },
        content_type="multipart/form-data",
    ).get_json()["id"]
    owner.post(f"/api/v1/documents/{doc_id}/redactions/accept-all")
    assert consent(api, doc_id, "national").status_code == 200
    offered = service.more_like_this(db, app.extensions["search"], people.kgm_reader, published["national"])
    assert [h.id for h in offered][0] == doc_id


def test_narrowing_the_scope_takes_a_document_out_of_meaning_at_once(
    app, db, api, people, published, monkeypatch
):
    monkeypatch.setattr(meaning, "MIN_SCORE", -10.0)
    doc_id = published["national"]
    assert doc_id in {f.id for f in meaning.search(db, people.brk_reader, "plans")}  # remembered now
    approver = api("kgm_approver")
    content_hash = approver.get(f"/api/v1/documents/{doc_id}/preview").get_json()["content_hash"]
    response = approver.post(
        f"/api/v1/documents/{doc_id}/consent",
        json={"scope": "authority", "confirm": True, "content_hash": content_hash},
    )
    assert response.status_code == 200, response.get_json()
    db.expire_all()
    assert doc_id not in {f.id for f in meaning.search(db, people.brk_reader, "plans")}
    assert doc_id in {f.id for f in meaning.search(db, people.kgm_reader, "plans")}


def test_a_new_version_replaces_its_meaning_and_a_search_under_way_keeps_what_it_read(
    app, db, api, published
):
    from library.core.models import Document
    from tests.search.conftest import consent

    before = meaning._vectors_of(db)
    held = len(before.slot_of)
    doc_id = published["national"]
    document = db.get(Document, doc_id)
    document.extracted_text = (
        "# SEND self-assessment\n\n## Transport\n\nBuses to school.\n\n## Tribunals\n\nAppeals.\n"
    )
    db.commit()
    api("kgm_contributor").post(f"/api/v1/documents/{doc_id}/redactions/accept-all")
    assert consent(api, doc_id, "national").status_code == 200
    db.expire_all()
    after = meaning._vectors_of(db)
    assert after is not before and (before.doc_ids >= 0).all()  # the old one untouched
    assert len(after.slot_of) == held  # the document once, by its new version
    slot = after.slot_of[doc_id]
    version = db.get(Document, doc_id).current_version
    assert after.count[slot] == len(version.passages) == 4  # the title, and each heading with its text


def test_vectors_made_by_an_earlier_model_are_set_aside_until_reindex_embeds_them_again(
    app, db, published, people, monkeypatch
):
    monkeypatch.setattr(meaning, "MIN_SCORE", -10.0)
    doc_id = published["national"]
    version = db.scalars(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc_id, DocumentVersion.is_current.is_(True)
        )
    ).one()
    starts = [p.start for p in version.passages]
    version.passages = [  # as an earlier model of 256 dimensions kept them
        VersionPassage(position=i, start=start, vector=(np.ones(256, dtype="<f4") / 16).tobytes())
        for i, start in enumerate(starts)
    ]
    db.commit()
    meaning._held.clear()  # a process starting with them
    assert db.scalar(select(func.count()).select_from(DocumentVersion).where(meaning.unembedded())) == 1
    found = {f.id for f in meaning.search(db, people.kgm_reader, "support for families")}
    assert found == {published["region"], published["authority"]}  # set aside, nothing broken

    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Embedded 1 shared version for search by meaning." in result.output
    db.expire_all()
    kept = db.scalars(select(VersionPassage.vector).where(VersionPassage.version_id == version.id)).all()
    assert len(kept) == len(starts) and {len(v) for v in kept} == {embedding.VECTOR_BYTES}
    assert db.scalar(select(func.count()).select_from(DocumentVersion).where(meaning.unembedded())) == 0
    found = {f.id for f in meaning.search(db, people.kgm_reader, "support for families")}
    assert found == set(published.values())


def test_without_the_model_consent_shares_the_document_and_reindex_embeds_it_later(
    app, db, api, people, published, monkeypatch
):
    from tests.helpers import upload_via_api
    from tests.search.conftest import consent

    doc_id = upload_via_api(api, b"# Annual reviews\n\nReviews held on time.\n", "d.md").get_json()["id"]
    api("kgm_contributor").post(f"/api/v1/documents/{doc_id}/redactions/accept-all")
    with monkeypatch.context() as patched:
        patched.setattr(embedding, "available", lambda: False)
        assert consent(api, doc_id, "national").status_code == 200
        assert meaning.search(db, people.kgm_reader, "annual reviews") == []  # words alone
    db.expire_all()
    version = db.scalars(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc_id, DocumentVersion.is_current.is_(True)
        )
    ).one()
    assert version.passages == []
    assert _search(api, "kgm_reader", "?q=annual+reviews")["results"][0]["id"] == doc_id
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert "Embedded 1 shared version for search by meaning." in result.output, result.output
    db.expire_all()
    assert len(db.get(DocumentVersion, version.id).passages) == 2  # the title, and the section
