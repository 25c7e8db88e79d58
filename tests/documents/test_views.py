"""Our documents, a document's page, and the original file (owners only)."""

import re
from pathlib import Path

import pytest

from library.core.storage import LocalFileStorage
from library.documents import upload
from library.extraction import Limits
from tests.helpers import consent


@pytest.fixture
def draft(app, db, people):
    storage = LocalFileStorage(Path(app.config["DATA_DIR"]) / "originals")
    return upload.upload_document(
        db,
        storage,
        db.merge(people.kgm_contributor),
        upload.UploadInput(
            title="Front door notes",
            summary="Notes",
            document_type="scoping-document",
            service_areas=["front-door-and-mash"],
            year=2024,
            filename="Mrs Smith notes.md",
            data=b"# Notes\n\nThe family of Jane Doe.\n",
        ),
        Limits(),
    )


def test_our_documents_lists_drafts_for_owners(client, login, draft):
    login("kgm_approver")
    html = client.get("/our-documents").get_data(as_text=True)
    assert "Front door notes" in html and "Draft" in html


def test_our_documents_empty_states(client, login, draft):
    login("kgm_reader")
    html = client.get("/our-documents").get_data(as_text=True)
    assert "Front door notes" not in html
    assert "Your authority has not shared any documents yet." in html
    client.post("/logout")
    login("ash_contributor")
    assert "Your authority has not uploaded any documents yet." in client.get("/our-documents").get_data(
        as_text=True
    )


def test_document_page_shows_text_to_owners_only(client, login, draft):
    login("kgm_contributor")
    html = client.get(f"/documents/{draft.id}").get_data(as_text=True)
    assert "The family of Jane Doe." in html
    assert "Mrs Smith notes.md" in html  # the owners see their file's name
    assert f'<a class="govuk-link" href="/documents/{draft.id}/original">Download the original</a>' in html
    client.post("/logout")
    for who in ("kgm_reader", "ash_contributor", "ash_reader", "brk_reader", "admin"):
        login(who)
        response = client.get(f"/documents/{draft.id}")
        assert response.status_code == 404, who
        assert "Jane Doe" not in response.get_data(as_text=True)
        client.post("/logout")


def test_original_is_served_to_owners_only(client, login, draft):
    login("kgm_approver")
    response = client.get(f"/documents/{draft.id}/original")
    assert response.status_code == 200
    assert response.data == b"# Notes\n\nThe family of Jane Doe.\n"
    assert "Mrs Smith" not in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    client.post("/logout")
    for who in ("kgm_reader", "ash_contributor", "brk_reader", "admin"):
        login(who)
        assert client.get(f"/documents/{draft.id}/original").status_code == 404, who
        client.post("/logout")


def test_unknown_document_is_404(client, login):
    login("kgm_contributor")
    assert client.get("/documents/12345").status_code == 404
    assert client.get("/documents/abc").status_code == 404


def test_our_documents_paginates(client, login, app, db, people):
    app.config["PAGE_SIZE"] = 2
    storage = LocalFileStorage(Path(app.config["DATA_DIR"]) / "originals")
    for i in range(5):
        upload.upload_document(
            db,
            storage,
            db.merge(people.kgm_contributor),
            upload.UploadInput(
                title=f"Doc {i}",
                document_type="action-plan",
                service_areas=["early-help"],
                filename="a.md",
                data=b"# A\n",
            ),
            Limits(),
        )
    login("kgm_contributor")
    html = client.get("/our-documents?page=2").get_data(as_text=True)
    assert "5 documents" in html and "govuk-pagination" in html
    assert client.get("/our-documents?page=zzz").status_code == 200


def test_readers_of_the_authority_see_only_the_published_title(client, login, app, db, people, make_document):
    from library.documents import workspace

    doc = make_document(b"# Notes\n\nText.\n", title="Plan for Amelia Hughes")
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        consent(db, people.kgm_approver, doc.id, "authority", True)
    login("kgm_reader")
    html = client.get("/our-documents").get_data(as_text=True)
    assert "Plan for [PERSON 1]" in html and "Amelia" not in html
    client.post("/logout")
    login("kgm_contributor")
    assert "Plan for Amelia Hughes" in client.get("/our-documents").get_data(as_text=True)


def test_a_long_document_has_contents_and_a_way_back_to_the_results(
    client, login, app, db, people, make_document
):
    from tests.helpers import publish

    text = "# Plan\n\n" + "".join(f"## Part {i}\n\nThe early help offer, part {i}.\n\n" for i in range(1, 6))
    doc_id = publish(app, db, people, make_document, text, "national", title="Long early help plan")
    login("ash_reader")
    back = "/search?q=early+help&page=2"
    html = client.get(f"/documents/{doc_id}", query_string={"back": back}).get_data(as_text=True)
    assert 'aria-labelledby="contents-heading"' in html
    for i in range(1, 6):
        assert f">Part {i}</a>" in html
    assert re.search(r'href="#section-\d+">Part 3</a>', html)
    assert 'href="/search?q=early+help&amp;page=2"' in html and "Back to results" in html
    # Only a page of search results is a way back: anything else is ignored.
    for bad in ("https://evil.example/search", "/admin", "//evil.example"):
        html = client.get(f"/documents/{doc_id}", query_string={"back": bad}).get_data(as_text=True)
        assert "Back to results" not in html
