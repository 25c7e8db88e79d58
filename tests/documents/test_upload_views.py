"""Uploading on the page: every sample, and every kind of bad input."""

import io
import json

import pytest
from sqlalchemy import func, select

from library.core.models import AuditEvent, Document, StoredFile
from library.core.rendering import render_markdown
from tests import filemakers as fm


def _form(data: bytes, name: str, **overrides):
    form = {
        "title": "Early help self-assessment",
        "summary": "What we told the visiting team.",
        "document_type": "self-assessment",
        "service_areas": ["early-help", "front-door-and-mash"],
        "year": "2025",
        "file": (io.BytesIO(data), name),
    }
    form.update(overrides)
    return form


def _count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def _stored_files(app) -> list:
    from pathlib import Path

    root = Path(app.config["DATA_DIR"]) / "originals"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_page_shows_the_form(client, login):
    login("kgm_contributor")
    html = client.get("/upload").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert "Early help" in html and "Self-assessment" in html


@pytest.mark.parametrize(
    "name",
    [
        "kingsmere-early-help-self-assessment.md",
        "kingsmere-early-help-self-assessment.docx",
        "kingsmere-early-help-self-assessment.pdf",
        "kingsmere-early-help-action-plan.docx",
        "kingsmere-early-help-feedback.pptx",
        "ashcombe-send-scoping-letter.txt",
    ],
)
def test_each_sample_uploads_through_the_page(client, login, db, app, samples, name):
    login("kgm_contributor")
    data = (samples / name).read_bytes()
    response = client.post("/upload", data=_form(data, name), content_type="multipart/form-data")
    assert response.status_code == 302
    document = db.scalars(select(Document)).one()
    assert response.headers["Location"] == f"/documents/{document.id}/redact?uploaded=1"
    assert document.status == "draft"
    assert document.authority.code == "KGM"
    assert sorted(a.slug for a in document.service_areas) == ["early-help", "front-door-and-mash"]
    assert document.year == 2025
    assert document.extracted_text.strip()
    # The original is kept under a generated name, never the client's.
    stored = db.scalars(select(StoredFile)).one()
    assert name not in stored.storage_key
    files = _stored_files(app)
    assert len(files) == 1 and files[0].read_bytes() == data
    assert files[0].name == stored.storage_key.split("/")[1]
    # The upload lands on the workspace, saying what was found; the owners see the extracted text
    # on the document's page, one click away.
    landing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Uploaded. We found" in landing and 'id="workspace-heading"' in landing and "autofocus" in landing
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "The text as it was read from the file" in page
    assert str(render_markdown(document.extracted_text, shift_headings=2)) in page
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "document.uploaded")).one()
    assert event.subject_id == document.id and event.actor_id is not None


BAD_UPLOADS = [
    (
        "png named pdf",
        lambda: _form(fm.png_bytes(), "report.pdf"),
        415,
        "named .pdf but its content is a PNG image",
    ),
    ("empty file", lambda: _form(b"", "empty.docx"), 400, "The selected file is empty."),
    (
        "encrypted pdf",
        lambda: _form(fm.pdf([["Secret"]], encrypt_with="pw12345"), "locked.pdf"),
        400,
        "protected with a password",
    ),
    (
        "truncated docx",
        lambda: _form(fm.docx(fm.para("words " * 300))[:900], "cut.docx"),
        400,
        "damaged or incomplete",
    ),
    (
        "zip bomb",
        lambda: _form(fm.zip_bomb_docx(12 * 1024 * 1024), "bomb.docx"),
        400,
        "expands to far more than its size",
    ),
    ("scanned pdf", lambda: _form(fm.scanned_pdf(), "scan.pdf"), 400, "looks like a scan"),
    ("missing title", lambda: _form(b"# Notes\n", "notes.md", title="  "), 400, "Enter a title."),
    (
        "unknown type",
        lambda: _form(b"# Notes\n", "notes.md", document_type="novel"),
        400,
        "is not a document type we know",
    ),
    (
        "no service area",
        lambda: _form(b"# Notes\n", "notes.md", service_areas=[]),
        400,
        "Choose at least one service area.",
    ),
    ("bad year", lambda: _form(b"# Notes\n", "notes.md", year="1066"), 400, "Enter a year between"),
    ("no file", lambda: {k: v for k, v in _form(b"", "x").items() if k != "file"}, 400, "Select a file."),
]


@pytest.mark.parametrize("label,make,status,message", BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_upload_gets_a_clear_message_and_stores_nothing(
    client, login, db, app, label, make, status, message
):
    app.config["ZIP_MAX_UNCOMPRESSED_BYTES"] = 8 * 1024 * 1024
    login("kgm_contributor")
    response = client.post("/upload", data=make(), content_type="multipart/form-data")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "There is a problem" in html  # the error summary
    assert message in html.replace("&#39;", "'")
    assert "<title>Error:" in html
    assert _count(db, Document) == 0 and _count(db, StoredFile) == 0
    assert _stored_files(app) == []


def test_upload_over_the_request_limit(client, login, db, app):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024 // 2
    login("kgm_contributor")
    response = client.post(
        "/upload", data=_form(b"a" * 60_000, "big.txt"), content_type="multipart/form-data"
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "The file must be smaller than" in html
    assert _count(db, Document) == 0


def test_upload_over_the_file_limit(client, login, db, app):
    app.config["UPLOAD_MAX_BYTES"] = 10_000
    login("kgm_contributor")
    response = client.post(
        "/upload", data=_form(b"a" * 20_000, "big.txt"), content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert "The file must be smaller than" in response.get_data(as_text=True)
    assert _count(db, Document) == 0


@pytest.mark.parametrize("who", ["kgm_reader", "admin"])
def test_readers_and_admins_cannot_upload(client, login, db, who):
    login(who)
    assert client.get("/upload").status_code == 403
    response = client.post(
        "/upload", data=_form(b"# Notes\n", "notes.md"), content_type="multipart/form-data"
    )
    assert response.status_code == 403
    assert "Only contributors and approvers can upload" in response.get_data(as_text=True)
    assert _count(db, Document) == 0


def test_upload_needs_sign_in(client, people):
    response = client.get("/upload")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_form_keeps_what_was_entered_after_an_error(client, login):
    login("kgm_contributor")
    html = client.post(
        "/upload",
        data=_form(fm.png_bytes(), "x.pdf", title="My careful title"),
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'value="My careful title"' in html


def test_manifest_lists_only_known_samples(samples):
    files = json.loads((samples / "manifest.json").read_text())["files"]
    assert all((samples / name).exists() for name in files)


def test_the_upload_pages_script_is_told_where_the_work_is(client, login, db):
    """Sent by the upload page's script (to show progress), a successful upload answers with the
    workspace's address; the browser opens it as a page of its own, where the message waits."""
    login("kgm_contributor")
    response = client.post(
        "/upload",
        data=_form(b"# Notes\n\nAmelia Hughes met the family.\n", "notes.md"),
        content_type="multipart/form-data",
        headers={"X-Upload-Progress": "1"},
    )
    assert response.status_code == 200
    document = db.scalars(select(Document)).one()
    assert response.get_json() == {"location": f"/documents/{document.id}/redact?uploaded=1"}
    page = client.get(response.get_json()["location"]).get_data(as_text=True)
    assert "Uploaded. We found 1 name of a person to review" in page
    # Refused input still answers with the form and its errors, as a page.
    refused = client.post(
        "/upload",
        data=_form(b"", "empty.md"),
        content_type="multipart/form-data",
        headers={"X-Upload-Progress": "1"},
    )
    assert refused.status_code == 400 and "govuk-error-summary" in refused.get_data(as_text=True)
