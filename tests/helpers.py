"""Small helpers shared by tests."""

from __future__ import annotations

import io

from library.core import published
from library.core.models import Document
from library.documents import publication


def consent(session, approver, document_id: int, scope: str, confirm: bool = True):
    """Give consent as an approver who has just read the consent page: with the current hash."""
    document = session.get(Document, document_id)
    content_hash = published.snapshot(document).content_hash if document is not None else "unknown"
    return publication.give_consent(session, approver, document_id, scope, confirm, content_hash)


def publish(
    app, db, people, make_document, text: str, scope: str, *, who: str = "kgm", challenge=None, **metadata
):
    """Upload ``text`` as ``who``'s contributor, accept every suggestion, attach it to
    ``challenge`` and consent to ``scope`` as their approver. Returns the document's id."""
    from library.documents import workspace

    document = make_document(text, who=f"{who}_contributor", **metadata)
    db.expire_all()  # (changes made through the app's own sessions are read afresh)
    with app.app_context():
        if challenge is not None:
            from library.core.models import Challenge

            db.get(Document, document.id).challenge = db.get(Challenge, challenge)
            db.commit()
        workspace.accept_all(db, db.merge(people[f"{who}_contributor"]), document.id)
        if scope != "draft":
            consent(db, db.merge(people[f"{who}_approver"]), document.id, scope)
    return document.id


def upload_via_api(
    api,
    data: bytes,
    name: str,
    *,
    who: str = "kgm_contributor",
    title: str = "Plan",
    document_type: str = "action-plan",
    areas: tuple[str, ...] = ("early-help",),
):
    """``POST /api/v1/documents`` with this file, as ``who`` (the ``api`` fixture)."""
    return api(who).post(
        "/api/v1/documents",
        data={
            "title": title,
            "document_type": document_type,
            "service_areas": list(areas),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )
