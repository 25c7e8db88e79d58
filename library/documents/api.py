"""The documents' routes of the JSON API: upload, details, redaction, the hand-off, consent,
withdrawal, downloads, the authority's term lists."""

from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for

from library.core import access, events, published
from library.core.errors import ValidationError
from library.core.models import Document, User
from library.documents import challenge_details, handoff, publication, workspace
from library.documents import upload as documents
from library.extraction import Limits, Report
from library.web.api import api_user, bp, iso, json_body, page_args
from library.web.database import get_session
from library.web.openapi import DOCX


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def document_json(document: Document, user: User) -> dict:
    """The API's view of a document. Readers get the published version only (its redacted title,
    summary and text); the unredacted text is never here: see /text (owners only)."""
    owner = access.is_owner(user, document)
    version = document.current_version
    is_published = document.status == "published" and version is not None
    shown = document if owner or not is_published else version
    changed = published.has_unpublished_changes(document) if owner else False
    body = {
        "id": document.id,
        "title": shown.title,
        "summary": shown.summary,
        "document_type": shown.document_type.slug,
        "service_areas": [a.slug for a in shown.service_areas],
        "year": shown.year,
        "authority": {"code": document.authority.code, "name": document.authority.name},
        "region": document.authority.region.slug,
        "status": document.status,
        "state": published.state(document, changed=changed).key
        if owner
        else ("shared" if is_published else document.status),
        "scope": document.scope,
        "published_at": iso(document.published_at),
        "withdrawn_at": iso(document.withdrawn_at),
        "url": url_for("documents.show", document_id=document.id),
    }
    if is_published and (owner or access.can_read_published(user, document)):
        body["text"] = version.text
        body["version"] = version.number
    if owner:
        body["challenge"] = (
            {"id": document.challenge.id, "title": document.challenge.title} if document.challenge else None
        )
    else:
        shared = version if is_published and version.challenge_id else None
        body["challenge"] = {"id": shared.challenge_id, "title": shared.challenge_title} if shared else None
    if owner:
        body["created_at"] = iso(document.created_at)
        body["extraction"] = Report.from_dict(document.extraction_report).as_dict()
        body["unpublished_changes"] = changed
        body["hand_off"] = {
            "ready_at": iso(document.ready_at),
            "ready_by": document.ready_by.name if document.ready_by else None,
            "sent_back_at": iso(document.sent_back_at),
            "sent_back_by": document.sent_back_by.name if document.sent_back_by else None,
            "note": document.sent_back_note,
        }
        if document.original is not None:
            body["original"] = {
                "filename": document.original.original_filename,
                "kind": document.original.kind,
                "size": document.original.size,
            }
    return body


@bp.post("/documents")
def create_document():
    upload = request.files.get("file")
    form = documents.UploadInput(
        title=request.form.get("title", ""),
        summary=request.form.get("summary", ""),
        document_type=request.form.get("document_type", ""),
        service_areas=request.form.getlist("service_areas"),
        year=request.form.get("year"),
        filename=upload.filename if upload else "",
        data=upload.read() if upload else None,
        challenge=request.form.get("challenge_id") or documents.KEEP,
    )
    document = documents.upload_document(
        get_session(), current_app.extensions["file_storage"], api_user(), form, limits()
    )
    response = jsonify(document_json(document, api_user()))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_document", document_id=document.id)
    return response


@bp.get("/documents")
def list_documents():
    page, per_page = page_args()
    items, total = documents.own_documents(get_session(), api_user(), page=page, per_page=per_page)
    return jsonify(
        {
            "total": total,
            "page": page,
            "per_page": per_page,
            "results": [document_json(d, api_user()) for d in items],
        }
    )


@bp.get("/documents/<int:document_id>")
def get_document(document_id: int):
    document = access.get_for_viewer(get_session(), api_user(), document_id)
    count_use(api_user(), document, "view")
    return jsonify(document_json(document, api_user()))


@bp.get("/documents/<int:document_id>/text")
def get_text(document_id: int):
    document = access.get_for_owner(get_session(), api_user(), document_id)
    return jsonify({"text": document.extracted_text})


def redaction_json(r) -> dict:
    return {
        "id": r.id,
        "field": r.field,
        "start": r.start,
        "end": r.end,
        "text": r.text,
        "category": r.category,
        "rule": r.rule,
        "source": r.source,
        "status": r.status,
        "reason": r.reason or None,
        "replacement": r.replacement,
    }


@bp.get("/documents/<int:document_id>/redactions")
def list_redactions(document_id: int):
    _document, items = workspace.redactions_for(get_session(), api_user(), document_id)
    return jsonify({"redactions": [redaction_json(r) for r in items]})


@bp.post("/documents/<int:document_id>/redactions")
def add_redactions(document_id: int):
    body = json_body()
    if "text" in body and not isinstance(body["text"], str):
        raise ValidationError("text must be a string.", field="text")
    made = workspace.add_manual(
        get_session(),
        api_user(),
        document_id,
        text=body.get("text") if "text" in body else None,
        all_occurrences=bool(body.get("all_occurrences", True)),
        start=body.get("start"),
        end=body.get("end"),
        category=body.get("category"),
        field=body.get("field", "text"),
    )
    response = jsonify({"redactions": [redaction_json(r) for r in made]})
    response.status_code = 201
    return response


def _own_words(body: dict) -> str | None:
    """The caller's own words instead of a label (a decision to redact that way), if sent."""
    if "replacement" not in body:
        return None
    if body.get("status", "accepted") != "accepted" or not isinstance(body["replacement"], str):
        raise ValidationError(
            "replacement is text, sent alone or with status 'accepted'.", field="replacement"
        )
    return body["replacement"]


@bp.patch("/documents/<int:document_id>/redactions/<int:redaction_id>")
def patch_redaction(document_id: int, redaction_id: int):
    body = json_body()
    words = _own_words(body)
    if words is not None:
        item = workspace.generalise(get_session(), api_user(), document_id, redaction_id, words)
        return jsonify(redaction_json(item))
    item = workspace.decide(
        get_session(),
        api_user(),
        document_id,
        redaction_id,
        str(body.get("status", "")),
        never_redact=body.get("never_redact") is True,
    )
    return jsonify(redaction_json(item))


def challenge_redaction_json(row) -> dict:
    return {
        "id": row.id,
        "field": row.field,
        "start": row.start,
        "end": row.end,
        "text": row.text,
        "category": row.category,
        "rule": row.rule,
        "status": row.status,
        "replacement": row.replacement,
    }


@bp.get("/documents/<int:document_id>/challenge-redactions")
def get_challenge_redactions(document_id: int):
    session = get_session()
    document = access.get_for_owner(session, api_user(), document_id)
    return jsonify(
        {"redactions": [challenge_redaction_json(r) for r in challenge_details.review(session, document)]}
    )


@bp.patch("/documents/<int:document_id>/challenge-redactions/<int:redaction_id>")
def patch_challenge_redaction(document_id: int, redaction_id: int):
    body = json_body()
    words = _own_words(body)
    status = "accepted" if words is not None else str(body.get("status", ""))
    row = challenge_details.decide(get_session(), api_user(), document_id, redaction_id, status, words)
    return jsonify(challenge_redaction_json(row))


@bp.post("/documents/<int:document_id>/redactions/accept-all")
def accept_all(document_id: int):
    count = workspace.accept_all(get_session(), api_user(), document_id)
    return jsonify({"accepted": count})


@bp.get("/documents/<int:document_id>/preview")
def get_preview(document_id: int):
    session = get_session()
    document = access.get_for_owner(session, api_user(), document_id)
    result = workspace.preview(document)
    findings = workspace.checked(session, document)
    return jsonify(
        {
            "text": result.text,
            "title": result.title,
            "summary": result.summary,
            "pending": result.pending,
            "reviewed": result.reviewed,
            "total": result.total,
            "content_hash": published.snapshot(document).content_hash,
            "final_check": {
                "passed": not findings,
                "findings": [
                    {
                        "field": f.field,
                        "start": f.start,
                        "end": f.end,
                        "text": f.text,
                        "category": f.category,
                        "reason": f.reason,
                        "source_start": f.source_start,
                        "source_end": f.source_end,
                    }
                    for f in findings
                ],
            },
        }
    )


def term_json(t) -> dict:
    return {"id": t.id, "term": t.term, "kind": t.kind, "category": t.category}


@bp.get("/terms")
def list_terms():
    return jsonify({"terms": [term_json(t) for t in workspace.list_terms(get_session(), api_user())]})


@bp.post("/terms")
def add_term():
    body = json_body()
    term = workspace.add_term(
        get_session(), api_user(), str(body.get("term", "")), str(body.get("kind", "")), body.get("category")
    )
    response = jsonify(term_json(term))
    response.status_code = 201
    return response


@bp.delete("/terms/<int:term_id>")
def delete_term(term_id: int):
    workspace.delete_term(get_session(), api_user(), term_id)
    return "", 204


@bp.patch("/documents/<int:document_id>")
def patch_document(document_id: int):
    body = json_body()
    session = get_session()
    document = access.get_for_owner(session, api_user(), document_id)
    form = documents.UploadInput(
        title=body.get("title", document.title),
        summary=body.get("summary", document.summary),
        document_type=body.get("document_type", document.document_type.slug),
        service_areas=body.get("service_areas", [a.slug for a in document.service_areas]),
        year=body.get("year", document.year),
        challenge=body.get("challenge_id", documents.KEEP),
    )
    if not isinstance(form.service_areas, list) or not all(isinstance(x, str) for x in form.service_areas):
        raise ValidationError("service_areas must be a list of slugs.", field="service_areas")
    for name in ("title", "summary", "document_type"):
        if not isinstance(getattr(form, name), str):
            raise ValidationError(f"{name} must be a string.", field=name)
    document = documents.update_details(session, api_user(), document_id, form)
    return jsonify(document_json(document, api_user()))


@bp.post("/documents/<int:document_id>/consent")
def give_consent(document_id: int):
    body = json_body()
    session = get_session()
    publication.give_consent(
        session,
        api_user(),
        document_id,
        body.get("scope"),
        body.get("confirm") is True,
        body.get("content_hash"),
    )
    return jsonify(document_json(session.get(Document, document_id), api_user()))


@bp.post("/documents/<int:document_id>/ready")
def mark_ready(document_id: int):
    document = handoff.mark_ready(get_session(), api_user(), document_id)
    return jsonify(document_json(document, api_user()))


@bp.post("/documents/<int:document_id>/send-back")
def send_back(document_id: int):
    body = json_body()
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        raise ValidationError("note must be a string.", field="note")
    document = handoff.send_back(get_session(), api_user(), document_id, note)
    return jsonify(document_json(document, api_user()))


@bp.delete("/documents/<int:document_id>/consent")
def withdraw_consent(document_id: int):
    body = g.get("api_body") or {}
    if not isinstance(body, dict):
        raise ValidationError("Send a JSON object in the request body.")
    document = publication.withdraw(get_session(), api_user(), document_id, body.get("reason"))
    return jsonify(document_json(document, api_user()))


@bp.post("/documents/<int:document_id>/take-down")
def take_down(document_id: int):
    body = json_body()
    document = publication.take_down(get_session(), api_user(), document_id, body.get("reason"))
    return jsonify({"id": document.id, "status": document.status, "withdrawn_at": iso(document.withdrawn_at)})


def count_use(user: User, document: Document, kind: str) -> None:
    """Say that a shared document was read or downloaded (the usage counts listen)."""
    events.document_used.send(current_app._get_current_object(), user=user, document=document, kind=kind)


def download_response(user: User, document_id: int):
    """The published text as markdown (``format=md``, the default) or Word (``format=docx``)."""
    kind = request.args.get("format", "md") or "md"
    if kind not in ("md", "docx"):
        raise ValidationError("format is md or docx.", field="format")
    session = get_session()
    if kind == "docx":
        data = publication.download_docx(session, user, document_id)
        response = current_app.response_class(data, mimetype=DOCX)
    else:
        response = current_app.response_class(
            publication.download_markdown(session, user, document_id), mimetype="text/markdown"
        )
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="peer-challenge-library-{document_id}.{kind}"'
    )
    count_use(user, session.get(Document, document_id), "download")
    return response


@bp.get("/documents/<int:document_id>/download")
def download(document_id: int):
    return download_response(api_user(), document_id)


@bp.delete("/documents/<int:document_id>")
def delete_document(document_id: int):
    """A withdrawn document deleted for good by its authority's approver (its tombstone stays)."""
    storage = current_app.extensions["file_storage"]
    publication.delete_for_good(get_session(), storage, api_user(), document_id)
    return "", 204
