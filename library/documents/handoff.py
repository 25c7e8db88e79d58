"""The hand-off between the people who prepare a document and the approver who consents to it.

A contributor marks a document "ready for approval" once its final check passes; an approver may
send it back with a note. Neither is a gate: an approver may consent to any document whose check
passes. Both are audited; the note itself stays on the document (it may quote the text), and the
trail holds only its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from library.core import access, audit, published
from library.core.errors import Conflict, PermissionDenied, ValidationError
from library.core.limits import NOTE_MAX
from library.core.models import Document, DocumentStatus, Role, User
from library.documents import notices, publication, workspace


def needs_consent(document: Document) -> bool:
    """A draft, or a shared document whose text or details changed since consent."""
    if document.status == DocumentStatus.DRAFT.value:
        return True
    return document.status == DocumentStatus.PUBLISHED.value and published.has_unpublished_changes(document)


def _check_needs_consent(document: Document) -> None:
    if document.status == DocumentStatus.WITHDRAWN.value:
        raise Conflict("This document has been withdrawn.")
    if not needs_consent(document):
        raise Conflict("This document is shared and has not changed since: there is nothing new to approve.")


def mark_ready(session: Session, actor: User, document_id: int) -> Document:
    """The contributor says the document is ready for the approver. Refused (409) while
    suggestions are pending or the final check finds anything."""
    document = workspace.editable(session, actor, document_id)
    _check_needs_consent(document)
    reasons = publication.blockers(session, document)
    if reasons:
        raise Conflict("Not ready yet: " + " ".join(reasons))
    document.set_hand_off(ready_by_id=actor.id)
    notices.ready_for_approval(session, actor, document)
    return _recorded(session, actor, document, "document.ready", {"status": document.status})


def send_back(session: Session, actor: User, document_id: int, note: str | None) -> Document:
    """The approver returns the document to its contributors with a note of what to change."""
    document = access.for_approver(session, actor, document_id)
    note = (note or "").strip()
    if not note:
        raise ValidationError("Write a note saying what needs to change.", field="note")
    if len(note) > NOTE_MAX:
        raise ValidationError(f"The note must be {NOTE_MAX} characters or fewer.", field="note")
    _check_needs_consent(document)
    document.set_hand_off(sent_back_by_id=actor.id, note=note)
    notices.sent_back(session, actor, document)
    return _recorded(session, actor, document, "document.sent_back", {"note_length": len(note)})


def _recorded(session: Session, actor: User, document: Document, action: str, details: dict) -> Document:
    audit.for_document(session, actor, action, document, details)
    session.commit()
    return document


# What each person has to do ------------------------------------------------------------------------


@dataclass
class Task:
    """A document that needs someone's attention, and where it stands."""

    document: Document
    pending: int
    findings: int
    changed: bool  # shared before, changed since

    @property
    def can_consent(self) -> bool:
        return self.pending == 0 and self.findings == 0

    @property
    def ready(self) -> bool:
        return self.document.ready_at is not None

    @property
    def sent_back(self) -> bool:
        return self.document.sent_back_at is not None

    @property
    def prepared_by(self) -> User | None:
        return self.document.ready_by or self.document.uploader

    @property
    def prepared_at(self) -> datetime:
        return self.document.ready_at or self.document.updated_at

    @property
    def state(self) -> str:
        """In plain words, where the document stands: its one state, then what is left to do."""
        words = published.state(self.document, changed=self.changed).words
        if self.pending:
            return f"{words}: {self.pending} suggestion{'s' if self.pending != 1 else ''} still to review"
        if self.findings:
            found = f"{self.findings} thing{'s' if self.findings != 1 else ''}"
            return f"{words}: the final check finds {found} to redact"
        if self.sent_back:
            return f"{words}: waiting for the contributors"
        return f"{words}: can be consented now"


def tasks(session: Session, actor: User) -> list[Task]:
    """The authority's documents that wait for consent (drafts, and shared ones changed since),
    ready ones first, each with where its check stands. Only owners have tasks."""
    if actor.role not in (Role.CONTRIBUTOR.value, Role.APPROVER.value) or actor.authority_id is None:
        raise PermissionDenied("Only contributors and approvers have documents to finish.")
    rows = session.scalars(
        select(Document)
        .where(Document.authority_id == actor.authority_id, Document.status.in_(("draft", "published")))
        .options(
            # What telling a changed shared document from an unchanged one reads, in four queries
            # for the whole list instead of two a document.
            selectinload(Document.redactions),
            selectinload(Document.versions),
            selectinload(Document.service_areas),
            selectinload(Document.challenge),
        )
        .order_by(Document.updated_at.desc())
    )
    out = []
    terms = workspace.detection_terms(session, actor.authority_id)  # once for the whole list
    for document in rows:
        if not needs_consent(document):
            continue
        state = workspace.check_state(session, document, terms)
        out.append(
            Task(document, state.pending, state.findings, document.status == DocumentStatus.PUBLISHED.value)
        )
    session.commit()  # keeps the check results just made
    out.sort(key=lambda t: (not t.ready, not t.can_consent, -t.prepared_at.timestamp()))
    return out


def waiting_for_consent(session: Session, actor: User) -> list[Task]:
    """The approver's list: what waits for their consent."""
    if actor.role != Role.APPROVER.value or actor.authority_id is None:
        raise PermissionDenied("Only approvers have a list of documents waiting for consent.")
    # A document sent back waits for its contributors, not for the approver, until it is ready again.
    return [t for t in tasks(session, actor) if not t.sent_back]
