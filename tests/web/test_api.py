"""The JSON API: bearer tokens, taxonomy, upload, listing and reading documents."""

import io

import pytest
from sqlalchemy import func, select

from library.core.models import ApiToken, Document
from tests import filemakers as fm

SAMPLE_NAMES = [
    "kingsmere-early-help-self-assessment.md",
    "kingsmere-early-help-self-assessment.docx",
    "kingsmere-early-help-self-assessment.pdf",
    "kingsmere-early-help-action-plan.docx",
    "kingsmere-early-help-feedback.pptx",
    "ashcombe-send-scoping-letter.txt",
]


def _upload(api_client, data: bytes, name: str, **overrides):
    form = {
        "title": "A document",
        "document_type": "action-plan",
        "service_areas": ["early-help"],
        "year": "2025",
        "summary": "",
        "file": (io.BytesIO(data), name),
    }
    form.update(overrides)
    return api_client.post("/api/v1/documents", data=form, content_type="multipart/form-data")


def _documents(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Document.id)))


def test_no_token_is_401(client, people):
    response = client.get("/api/v1/taxonomy")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer pcl_wrong", "Basic abc", "Bearer "])
def test_bad_token_is_401(client, people, header):
    response = client.get("/api/v1/taxonomy", headers={"Authorization": header})
    assert response.status_code == 401
    assert set(response.get_json()["error"]) == {"code", "message"}


def test_session_cookie_is_not_enough_for_the_api(client, login):
    login("kgm_contributor")
    assert client.get("/api/v1/taxonomy").status_code == 401


def test_token_of_a_deactivated_user_stops_working(api, db, people):
    caller = api("kgm_reader")
    assert caller.get("/api/v1/taxonomy").status_code == 200
    user = db.merge(people.kgm_reader)
    user.active = False
    db.commit()
    assert caller.get("/api/v1/taxonomy").status_code == 401


def test_only_the_token_hash_is_stored(api, db, people):
    caller = api("kgm_reader")
    token = caller.headers["Authorization"].split()[1]
    rows = db.scalars(select(ApiToken)).all()
    assert len(rows) == 1
    assert token not in (rows[0].token_hash, rows[0].prefix)
    assert len(rows[0].token_hash) == 64


def test_taxonomy(api):
    body = api("kgm_reader").get("/api/v1/taxonomy").get_json()
    assert {"regions", "authorities", "service_areas", "document_types"} <= set(body)
    assert {"slug": "south-east", "name": "South East"} in body["regions"]
    assert any(a["code"] == "KGM" and a["region"] == "south-east" for a in body["authorities"])
    assert any(s["slug"] == "send" for s in body["service_areas"])
    assert any(t["slug"] == "self-assessment" for t in body["document_types"])


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_each_sample_uploads_through_the_api(api, db, samples, name):
    caller = api("kgm_approver")
    response = _upload(caller, (samples / name).read_bytes(), name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["scope"] is None
    assert body["authority"] == {"code": "KGM", "name": "Kingsmere Borough Council"}
    assert body["region"] == "south-east"
    assert body["url"] == f"/documents/{body['id']}"
    assert "text" not in body
    assert response.headers["Location"] == f"/api/v1/documents/{body['id']}"
    text = caller.get(f"/api/v1/documents/{body['id']}/text").get_json()["text"]
    assert text.strip()
    db.expire_all()
    assert db.get(Document, body["id"]).extracted_text == text


BAD = [
    ("png named pdf", lambda: (fm.png_bytes(), "x.pdf", {}), 415, "type_mismatch"),
    ("empty file", lambda: (b"", "x.docx", {}), 400, "invalid"),
    ("encrypted pdf", lambda: (fm.pdf([["Secret"]], encrypt_with="pw12345"), "x.pdf", {}), 400, "invalid"),
    ("truncated docx", lambda: (fm.docx(fm.para("w " * 400))[:900], "x.docx", {}), 400, "invalid"),
    ("zip bomb", lambda: (fm.zip_bomb_docx(12 * 1024 * 1024), "x.docx", {}), 400, "invalid"),
    ("scanned pdf", lambda: (fm.scanned_pdf(), "x.pdf", {}), 400, "invalid"),
    ("missing title", lambda: (b"# Notes\n", "x.md", {"title": ""}), 400, "invalid"),
    ("unknown type", lambda: (b"# Notes\n", "x.md", {"document_type": "poem"}), 400, "invalid"),
    ("unknown area", lambda: (b"# Notes\n", "x.md", {"service_areas": ["astrology"]}), 400, "invalid"),
    ("spreadsheet", lambda: (b"a,b\n", "x.xlsx", {}), 415, "unsupported_file"),
]


@pytest.mark.parametrize("label,make,status,code", BAD, ids=[b[0] for b in BAD])
def test_bad_upload_is_a_json_error_and_stores_nothing(api, db, label, make, status, code):
    data, name, overrides = make()
    response = _upload(api("kgm_contributor"), data, name, **overrides)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["message"] and error["code"] in (code, "type_mismatch", "invalid", "unsupported_file")
    assert _documents(db) == 0


def test_file_over_the_limit_is_413(api, app, db):
    app.config["UPLOAD_MAX_BYTES"] = 10_000
    response = _upload(api("kgm_contributor"), b"a" * 20_000, "big.txt")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "file_too_large"
    app.config["MAX_CONTENT_LENGTH"] = 15_000
    response = _upload(api("kgm_contributor"), b"a" * 20_000, "big.txt")
    assert response.status_code == 413
    assert _documents(db) == 0


@pytest.mark.parametrize("who", ["kgm_reader", "admin"])
def test_readers_and_admins_cannot_upload(api, db, who):
    response = _upload(api(who), b"# Notes\n", "x.md")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert _documents(db) == 0


def test_listing_and_reading_follow_ownership(api, db):
    owner = api("kgm_contributor")
    doc_id = _upload(owner, b"# Our notes\n\nText.\n", "notes.md").get_json()["id"]
    listed = owner.get("/api/v1/documents").get_json()
    assert listed["total"] == 1 and listed["results"][0]["id"] == doc_id
    assert owner.get(f"/api/v1/documents/{doc_id}").status_code == 200
    assert api("kgm_approver").get(f"/api/v1/documents/{doc_id}/text").status_code == 200
    # A draft is invisible to readers, other authorities and administrators: 404, never 403.
    for who in ("kgm_reader", "ash_contributor", "ash_reader", "brk_reader", "admin"):
        caller = api(who)
        assert caller.get(f"/api/v1/documents/{doc_id}").status_code == 404, who
        assert caller.get(f"/api/v1/documents/{doc_id}/text").status_code == 404, who
    assert api("kgm_reader").get("/api/v1/documents").get_json()["total"] == 0
    assert api("ash_contributor").get("/api/v1/documents").get_json()["total"] == 0


def test_unknown_document_is_404(api):
    response = api("kgm_contributor").get("/api/v1/documents/999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=1000"])
def test_bad_paging_is_400(api, query):
    assert api("kgm_contributor").get(f"/api/v1/documents?{query}").status_code == 400


def test_unknown_api_path_and_method_are_json(api):
    caller = api("kgm_contributor")
    assert caller.get("/api/v1/nothing").get_json()["error"]["code"] == "not_found"
    response = caller.delete("/api/v1/taxonomy")
    assert response.status_code == 405 and "error" in response.get_json()


def test_api_sets_no_cookie(api):
    response = api("kgm_contributor").get("/api/v1/taxonomy")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/documents/{id}/redactions", {"text": "Amelia Hughes", "category": {"a": 1}}, "category"),
        ("/api/v1/documents/{id}/redactions", {"text": "Amelia Hughes", "category": ["person"]}, "category"),
        ("/api/v1/documents/{id}/redactions", {"text": "Amelia Hughes", "category": 7}, "category"),
        (
            "/api/v1/documents/{id}/redactions",
            {"text": "Amelia Hughes", "all_occurrences": "no"},
            "all_occurrences",
        ),
        ("/api/v1/documents/{id}/redactions", {"text": ["Amelia"]}, "text"),
        ("/api/v1/terms", {"term": "Hartley", "kind": "always", "category": {"x": 1}}, "category"),
        ("/api/v1/terms", {"term": "Hartley", "kind": "always", "category": 3}, "category"),
        ("/api/v1/terms", {"term": 12345, "kind": "always"}, "term"),
        ("/api/v1/terms", {"term": ["Hartley"], "kind": "never"}, "term"),
    ],
)
def test_json_fields_of_the_wrong_type_are_a_400_naming_the_field(api, path, body, field):
    from io import BytesIO

    made = api("kgm_contributor").post(
        "/api/v1/documents",
        data={
            "file": (BytesIO(b"# Notes\n\nAmelia Hughes met us.\n"), "n.md"),
            "title": "Notes",
            "document_type": "action-plan",
            "service_areas": ["early-help"],
        },
        content_type="multipart/form-data",
    )
    response = api("kgm_contributor").post(path.format(id=made.get_json()["id"]), json=body)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_never_redact_and_reasons_of_the_wrong_type_are_refused(api):
    from io import BytesIO

    made = (
        api("kgm_contributor")
        .post(
            "/api/v1/documents",
            data={
                "file": (BytesIO(b"# Notes\n\nAmelia Hughes met us.\n"), "n.md"),
                "title": "Notes",
                "document_type": "action-plan",
                "service_areas": ["early-help"],
            },
            content_type="multipart/form-data",
        )
        .get_json()
    )
    redactions = (
        api("kgm_contributor").get(f"/api/v1/documents/{made['id']}/redactions").get_json()["redactions"]
    )
    first = redactions[0]["id"]
    response = api("kgm_contributor").patch(
        f"/api/v1/documents/{made['id']}/redactions/{first}",
        json={"status": "rejected", "never_redact": "yes"},
    )
    assert response.status_code == 400 and "never_redact" in response.get_json()["error"]["fields"]
    for body in ({"reason": {"why": "x"}}, {"reason": ["x"]}, {"reason": 5}, {}):
        response = api("admin").post(f"/api/v1/documents/{made['id']}/take-down", json=body)
        assert response.status_code == 400 and "reason" in response.get_json()["error"]["fields"], body
        response = api("kgm_approver").delete(f"/api/v1/documents/{made['id']}/consent", json=body)
        assert response.status_code == 400, body


def test_ids_beyond_the_database_and_methods_not_allowed(api):
    reader = api("kgm_reader")
    for method in ("get", "delete", "patch"):
        response = getattr(reader, method)("/api/v1/documents/99999999999999999999", json={})
        assert response.status_code in (403, 404), (method, response.status_code)  # never 405 or 500
    response = reader.put("/api/v1/documents/1")
    assert response.status_code == 405 and response.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"
