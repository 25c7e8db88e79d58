"""The redaction workspace page and the term lists page, without JavaScript."""

import io
import re

import pytest
from sqlalchemy import select

from library.models import Redaction

TEXT = b"# Notes\n\nAmelia Hughes met Dr Marcus Bell at the MASH. Amelia's school is <b>Oakfield</b>.\n"


@pytest.fixture
def doc_id(client, login):
    login("kgm_contributor")
    response = client.post(
        "/upload",
        data={
            "title": "Notes on Amelia Hughes",
            "document_type": "action-plan",
            "service_areas": ["early-help"],
            "file": (io.BytesIO(TEXT), "n.md"),
        },
        content_type="multipart/form-data",
    )
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _preview(html: str) -> str:
    return html.split('id="preview-text"')[1].split('id="redact-more"')[0]


def _page(client, doc_id) -> str:
    response = client.get(f"/documents/{doc_id}/redact")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_workspace_shows_suggestions_progress_and_preview(client, doc_id):
    html = _page(client, doc_id)
    assert "0 of 4</strong> suggestions reviewed" in html
    assert re.search(
        r'<mark class="app-mark app-mark--suggested" id="r-\d+" data-category="person">Amelia Hughes', html
    )
    assert "&lt;b&gt;Oakfield&lt;/b&gt;" in html  # the text is escaped, never interpreted
    assert 'id="preview-text"' in html
    assert "Redact all 4 suggestions" in html


def test_document_page_links_to_the_workspace(client, doc_id):
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert f'href="/documents/{doc_id}/redact"' in html and "4 to review" in html


def test_accept_reject_and_accept_all_with_plain_forms(client, db, doc_id):
    rows = list(db.scalars(select(Redaction).where(Redaction.document_id == doc_id).order_by(Redaction.id)))
    marcus = next(r for r in rows if r.text == "Dr Marcus Bell")
    response = client.post(f"/documents/{doc_id}/redactions/{marcus.id}", data={"status": "rejected"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#row-{marcus.id}")
    response = client.post(
        f"/documents/{doc_id}/redactions/value", data={"value": "Amelia Hughes", "status": "accepted"}
    )
    assert response.status_code == 302
    client.post(f"/documents/{doc_id}/redactions/accept-all")
    html = _page(client, doc_id)
    assert "4 of 4</strong> suggestions reviewed" in html
    preview = _preview(html)
    assert "Amelia" not in preview and "Dr Marcus Bell" in preview
    # Kept on purpose: the final check does not count it.
    assert "The final check found" not in html and "Final check passed" in html


def test_redact_more_text_form(client, doc_id):
    response = client.post(
        f"/documents/{doc_id}/redactions/add",
        data={"text": "Oakfield", "category": "school", "all_occurrences": "y"},
    )
    assert response.status_code == 302
    html = _page(client, doc_id)
    assert "[SCHOOL]" in _preview(html)


@pytest.mark.parametrize(
    "text,message",
    [("", "Enter the text to redact."), ("x", "at least two characters"), ("Nowhere", "is not in the text")],
)
def test_redact_more_text_errors(client, doc_id, text, message):
    response = client.post(f"/documents/{doc_id}/redactions/add", data={"text": text, "category": "other"})
    assert response.status_code == 400
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "There is a problem" in html and message in html


def test_check_again_applies_new_terms(client, doc_id):
    client.post("/terms", data={"term": "Oakfield", "kind": "always", "category": "school"})
    client.post(f"/documents/{doc_id}/redactions/detect")
    html = _page(client, doc_id)
    assert re.search(r'data-category="school">Oakfield', html)


def test_others_cannot_open_the_workspace(client, login, doc_id):
    client.post("/logout")
    for who in ("kgm_reader", "ash_contributor", "admin"):
        login(who)
        assert client.get(f"/documents/{doc_id}/redact").status_code == 404, who
        assert client.post(f"/documents/{doc_id}/redactions/accept-all").status_code == 404, who
        client.post("/logout")


def test_terms_page(client, login, people):
    login("kgm_approver")
    assert "None yet." in client.get("/terms").get_data(as_text=True)
    response = client.post(
        "/terms", data={"term": "Brookfield Estate", "kind": "always", "category": "place"}
    )
    assert response.status_code == 302
    html = client.get("/terms").get_data(as_text=True)
    assert "Brookfield Estate" in html
    response = client.post("/terms", data={"term": "b", "kind": "always", "category": "place"})
    assert response.status_code == 400 and "at least two characters" in response.get_data(as_text=True)
    term_id = re.search(r"/terms/(\d+)/delete", html).group(1)
    assert client.post(f"/terms/{term_id}/delete").status_code == 302
    assert "Brookfield Estate" not in client.get("/terms").get_data(as_text=True)


def test_readers_have_no_terms_page(client, login):
    login("kgm_reader")
    assert client.get("/terms").status_code == 403


def test_each_suggestion_says_what_found_it(client, doc_id):
    html = _page(client, doc_id)
    assert "Found by a title before it (Mr, Dr, Cllr)" in html
