"""What the contributor is told about how their file was read: OCR pages, pages not read, pictures."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from library.core.models import AuditEvent, Document
from library.documents import reading
from library.extraction import ocr
from tests import filemakers as fm
from tests.helpers import publish, upload_via_api

needs_tesseract = pytest.mark.skipif(not ocr.available(), reason="Tesseract is not installed")
LINES = [
    "The peer team met thirty practitioners across the front door.",
    "Leaders know their service well and act on what audits tell them.",
]


def _post(api, data: bytes, name: str):
    return upload_via_api(
        api, data, name, title="Feedback from the visit", document_type="feedback-presentation"
    )


def test_page_lists():
    assert reading.pages([4]) == "page 4"
    assert reading.pages([5, 2, 3]) == "pages 2, 3 and 5"
    assert reading.pages(list(range(21, 301))) == "pages 21 to 300"
    assert reading.pages([1, 2, 3, 7, 9, 10]) == "pages 1 to 3, 7, 9 and 10"


def _notes(report: dict) -> list[reading.Note]:
    return reading.notes(Document(extraction_report=report), ocr_max_pages=20)


def test_notes_say_what_was_read_and_what_was_left_out():
    notes = _notes(
        {
            "ocr_pages": [2, 3],
            "unread_pages": [{"page": p, "why": "scanned_too_many"} for p in range(21, 31)]
            + [{"page": 7, "why": "image_too_large"}],
            "pictures": [
                {"where": "slide 4", "described": True},
                {"where": "slide 7", "described": False},
                {"where": "slide 7", "described": False},
            ],
        }
    )
    texts = [n.text for n in notes]
    assert texts[0].startswith("Pages 2 and 3 were scans, read by text recognition (OCR). Check the text")
    assert notes[0].warning
    assert texts[1].startswith("Pages 21 to 30 are scanned and were not read: the library reads at most 20")
    assert texts[2].startswith("Page 7 was not read: it is one picture too large to read.")
    assert texts[3].startswith(
        "3 pictures were not included: slide 4 and slide 7. Pictures are never published"
    )
    assert "2 of them have no description (slide 7)" in texts[3]
    assert not notes[3].warning
    assert _notes(None) == [] and _notes({}) == []


def test_one_picture_without_description():
    (note,) = _notes({"pictures": [{"where": "page 4", "described": False}]})
    assert note.text.startswith("1 picture was not included: page 4.")
    assert "It has no description (page 4): if it shows something readers need" in note.text


def test_pictures_are_reported_through_the_api_and_on_the_workspace(api, client, login, db):
    response = _post(api, fm.pptx_with_chart_and_pictures(["Peers with the director", ""]), "deck.pptx")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["extraction"]["pictures"] == [
        {"where": "slide 1", "described": True},
        {"where": "slide 2", "described": True},
        {"where": "slide 2", "described": False},
    ]
    assert "| 2023 | 412 | 61 |" in db.get(Document, body["id"]).extracted_text
    login("kgm_contributor")
    page = client.get(f"/documents/{body['id']}/redact").get_data(as_text=True)
    assert "How your file was read" in page
    assert "3 pictures were not included: slide 1 and slide 2." in page
    shown = client.get(f"/documents/{body['id']}").get_data(as_text=True)
    assert "3 pictures were not included" in shown
    # counts only in the audit trail
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "document.uploaded")).one()
    assert event.details["pictures_left_out"] == 3 and event.details["ocr_pages"] == 0
    assert "director" not in json.dumps(event.details)


def test_readers_never_see_how_a_file_was_read(app, api, db, people, make_document):
    document_id = publish(app, db, people, make_document, "# Notes\n\nEarly help notes.\n", "national")
    db.get(Document, document_id).extraction_report = {"ocr_pages": [1], "unread_pages": [], "pictures": []}
    db.commit()
    body = api("brk_reader").get(f"/api/v1/documents/{document_id}").get_json()
    assert body["text"] and "extraction" not in body
    owner = api("kgm_contributor").get(f"/api/v1/documents/{document_id}").get_json()
    assert owner["extraction"]["ocr_pages"] == [1]


@needs_tesseract
def test_a_scanned_pdf_is_read_and_the_workspace_says_to_check_it(api, client, login, db):
    response = _post(api, fm.scan_of(fm.pdf([LINES])), "signed-letter.pdf")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["extraction"]["ocr_pages"] == [1]
    document = db.get(Document, body["id"])
    assert "Leaders know their service well" in document.extracted_text
    login("kgm_contributor")
    page = client.get(f"/documents/{document.id}/redact").get_data(as_text=True)
    assert "Page 1 was a scan, read by text recognition (OCR). Check the text of that page closely" in page


def test_a_scan_without_text_recognition_gets_a_plain_answer(api, app, db):
    app.config["OCR_ENABLED"] = False
    response = _post(api, fm.scan_of(fm.pdf([LINES])), "scan.pdf")
    assert response.status_code == 400
    assert "looks like a scan" in response.get_json()["error"]["message"]
    assert db.scalar(select(Document.id)) is None


def test_deletion_for_good_removes_the_report(app, db, people, make_document):
    from library.documents import publication

    document_id = publish(app, db, people, make_document, "# Notes\n\nEarly help notes.\n", "national")
    db.get(Document, document_id).extraction_report = {
        "ocr_pages": [1],
        "unread_pages": [],
        "pictures": [{"where": "under “Quokka”", "described": False}],
    }
    db.commit()
    with app.app_context():
        publication.withdraw(db, people.kgm_approver, document_id, "No longer current.")
        publication.delete_for_good(db, app.extensions["file_storage"], people.kgm_approver, document_id)
    db.expire_all()
    assert db.get(Document, document_id).extraction_report is None
    assert "quokka" not in " ".join(str(r) for r in db.execute(text("SELECT * FROM documents"))).lower()
