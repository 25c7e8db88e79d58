"""Bounded work per upload: pages, characters, suggestions, time and memory, each refused with a
plain message that names the limit, with nothing stored."""

import io

from sqlalchemy import func, select

from library.core.models import Document
from tests import filemakers as fm
from tests.helpers import upload_via_api


def _upload(api, data: bytes, name: str):
    return upload_via_api(api, data, name)


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


def test_a_text_of_too_many_elements_is_refused_before_any_page_renders_it(api, client, login, db):
    """200 KB of underlined headings (50,000 of them): every page showing it would pay for each,
    so it is refused. 80 KB of them (20,000, 29 s a page in the old renderer) opens at once."""
    import time

    response = _upload(api, b"a\n=\n" * 50_000, "headings.md")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_complex" and "40,000 one page can show" in error["message"]
    assert _nothing_stored(db)
    response = _upload(api, b"a\n=\n" * 20_000, "headings.md")
    assert response.status_code == 201
    document_id = response.get_json()["id"]
    login("kgm_contributor")
    for path in (f"/documents/{document_id}", f"/documents/{document_id}/redact"):
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        assert time.perf_counter() - started < 5


def test_deep_nesting_is_shown_flattened_on_every_page(app, api, client, login, db):
    """300 nested list levels and 2,000 nested quotes: accepted, shown on the owners' page and in
    the workspace with every word, the elements never nesting past the limit (no error)."""
    import re

    from library.core.rendering import MAX_DEPTH

    lists = "".join("  " * i + f"- level{i}\n" for i in range(300))
    quotes = ">" * 2000 + " deepest words\n"
    response = _upload(api, (lists + "\n\n" + quotes).encode(), "deep.md")
    assert response.status_code == 201, response.get_json()
    document_id = response.get_json()["id"]
    login("kgm_contributor")
    for path in (f"/documents/{document_id}", f"/documents/{document_id}/redact"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert "level0" in html and "level299" in html and "deepest words" in html
        depth = deepest = 0
        for closing, _tag in re.findall(r"<(/?)(ul|li|blockquote)\b", html):
            depth += -1 if closing else 1
            deepest = max(deepest, depth)
        assert deepest <= MAX_DEPTH
