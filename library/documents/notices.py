"""What the people of a document are told by email: it is ready for approval, sent back, shared,
withdrawn or taken down. Titles as readers get them (before consent: with every suggestion
applied), never a redacted value or a note."""

from __future__ import annotations

from sqlalchemy.orm import Session

from library.core import access, published
from library.core.models import Document, DocumentStatus, User
from library.mail import messages


def workers_on(document: Document) -> list[User]:
    """The people who worked on a document: who uploaded it and who marked it ready."""
    people = [u for u in (document.uploader, document.ready_by) if u is not None]
    unique = {
        u.id: u for u in people if u.role in access.OWNER_ROLES and u.authority_id == document.authority_id
    }
    return list(unique.values())


def _others(people: list[User], actor: User | None) -> list[User]:
    return [p for p in people if actor is None or p.id != actor.id]


def safe_title(document: Document) -> str:
    """A document's title as a message may give it: as published, or before consent with every
    suggestion (reviewed or not) applied, so that no value waiting for review reaches a mailbox."""
    version = document.current_version
    if version is not None and document.status == DocumentStatus.PUBLISHED.value:
        return version.title
    return published.redacted_mapped(document, "title", pending_too=True)[0]


def _when(moment) -> str:
    """When an event happened, as part of its key: the same event is one key."""
    return moment.isoformat() if moment else ""


def _document_link(session: Session, document: Document, page: str = "") -> str:
    return f"{messages.base_url(session)}/documents/{document.id}{page}"


def ready_for_approval(session: Session, actor: User, document: Document) -> None:
    title = safe_title(document)
    message = messages.Message(
        subject=f"Ready for approval: {title}",
        paragraphs=[
            f"{actor.name} marked “{title}” ready for approval. It needs an approver of "
            f"{document.authority.name} to read it and decide whether to share it.",
        ],
        link=_document_link(session, document, "/consent"),
        link_text="Read it and decide",
    )
    key = f"ready:document:{document.id}:{_when(document.ready_at)}"
    for approver in _others(access.approvers_of(session, document.authority_id), actor):
        messages.send(session, approver, "ready", key, message)


def sent_back(session: Session, actor: User, document: Document) -> None:
    title = safe_title(document)
    message = messages.Message(
        subject=f"Sent back: {title}",
        paragraphs=[
            f"{actor.name} sent “{title}” back with a note. Read the note on the document's page, make "
            "the changes, then mark it ready for approval again.",
        ],
        link=_document_link(session, document),
        link_text="Read the note",
    )
    key = f"sent_back:document:{document.id}:{_when(document.sent_back_at)}"
    for person in _others(workers_on(document), actor):
        messages.send(session, person, "sent_back", key, message)


def shared(
    session: Session, actor: User, document: Document, audience: str, *, scope_change: bool = False
) -> None:
    version = document.current_version
    if version is None:
        return
    paragraphs = [f"{actor.name} shared “{version.title}” with {audience}."]
    if version.summary:
        paragraphs.append(f"Its summary, as readers see it: {version.summary}")
    message = messages.Message(
        subject=f"Shared: {version.title}",
        paragraphs=paragraphs,
        link=_document_link(session, document),
        link_text="See it",
    )
    key = f"shared:document:{document.id}:version:{version.number}:{document.scope if scope_change else ''}"
    for person in _others(workers_on(document), actor):
        messages.send(session, person, "shared", key, message)


def withdrawn(session: Session, actor: User, document: Document, *, taken_down: bool) -> None:
    version = document.current_version or (document.versions[-1] if document.versions else None)
    title = version.title if version is not None else safe_title(document)
    if taken_down:
        words = f"An administrator of the library took down “{title}”. Readers can no longer find or open it."
        people = workers_on(document) + access.approvers_of(session, document.authority_id)
    else:
        words = f"{actor.name} withdrew “{title}”. Readers can no longer find or open it."
        people = workers_on(document)
    message = messages.Message(
        subject=f"{'Taken down' if taken_down else 'Withdrawn'}: {title}",
        paragraphs=[words, "The audit trail records who did it, when and why."],
        link=_document_link(session, document),
        link_text="See the document",
    )
    key = f"withdrawn:document:{document.id}:{_when(document.withdrawn_at)}"
    unique = {p.id: p for p in _others(people, actor)}
    for person in unique.values():
        messages.send(session, person, "withdrawn", key, message)
