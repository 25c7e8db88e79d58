"""Bounded work per upload: pages, characters, suggestions, time and memory, each refused with a
plain message that names the limit, with nothing stored."""

import io

from sqlalchemy import func, select

from library.models import Document
from tests import filemakers as fm


def _upload(api, data: bytes, name: str):
    return api("kgm_contributor").post(
        "/api/v1/documents",
        data={
            "title": "Plan",
            "document_type": "action-plan",
            "service_areas": ["early-help"],
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def _nothing_stored(db) -> bool:
    db.expire_all()
    return db.scalar(select(func.count(Document.id))) == 0


def test_a_small_pdf_of_pages_sharing_one_stream_is_refused_for_its_text(api, db):
    data = fm.shared_stream_pdf()
    assert len(data) < 20_000
    response = _upload(api, data, "crafted.pdf")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_much_text" and "750,000 characters" in error["message"]
    assert _nothing_stored(db)


def test_forty_thousand_emails_are_refused_plainly(api, db):
    response = _upload(api, fm.many_emails_text(40_000), "contacts.txt")
    assert response.status_code == 413 and "characters" in response.get_json()["error"]["message"]
    assert _nothing_stored(db)


def test_too_many_pages(app, api, db):
    app.config["UPLOAD_MAX_PAGES"] = 2
    response = _upload(api, fm.pdf([["# A", "Text on the page."]] * 3), "three.pdf")
    assert response.status_code == 413
    assert response.get_json()["error"]["message"].startswith(
        "The file has 3 pages; the library takes at most 2."
    )
    assert _nothing_stored(db)


def test_too_many_suggestions(app, api, db):
    app.config["UPLOAD_MAX_SUGGESTIONS"] = 3
    response = _upload(api, fm.many_emails_text(5), "contacts.txt")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert (
        error["code"] == "too_many_suggestions" and "more than the 3 one review can take" in error["message"]
    )
    assert _nothing_stored(db)


def test_reading_runs_under_a_deadline(app, api, db):
    app.config["PROCESSING_TIMEOUT_SECONDS"] = 0.0
    response = _upload(api, b"# Plan\n\nA short plan.\n", "plan.md")
    assert response.status_code == 413
    assert "it took more than 0 seconds" in response.get_json()["error"]["message"]
    assert _nothing_stored(db)


def test_reading_runs_under_a_memory_ceiling(app, api, db):
    # The package limits let this file through, so the ceiling is what stops it.
    app.config.update(ZIP_MAX_UNCOMPRESSED_BYTES=10**9, ZIP_MAX_RATIO=10**6, PROCESSING_MEMORY_MB=200)
    response = _upload(api, fm.large_docx(1_000_000), "big.docx")
    assert response.status_code == 413
    assert "it needed more than 200 MB of memory" in response.get_json()["error"]["message"]
    assert _nothing_stored(db)


def test_the_page_shows_the_limit_as_a_form_error(app, client, login, db):
    app.config["UPLOAD_MAX_PAGES"] = 1
    login("kgm_contributor")
    response = client.post(
        "/upload",
        data={
            "title": "Plan",
            "document_type": "action-plan",
            "service_areas": ["early-help"],
            "file": (io.BytesIO(fm.pdf([["Text on the page."]] * 2)), "two.pdf"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 413) and "the library takes at most 1" in html
    assert _nothing_stored(db)
