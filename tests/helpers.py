"""Small helpers shared by tests."""

from __future__ import annotations

from library.models import Document
from library.services import publication


def consent(session, approver, document_id: int, scope: str, confirm: bool = True):
    """Give consent as an approver who has just read the consent page: with the current hash."""
    document = session.get(Document, document_id)
    content_hash = publication.snapshot(document).content_hash if document is not None else "unknown"
    return publication.give_consent(session, approver, document_id, scope, confirm, content_hash)
