"""Reading the audit trail: approvers see their authority's documents' events, administrators all."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from library.core.errors import PermissionDenied
from library.core.models import AuditEvent, Authority, Document, DocumentVersion, Role, User
from library.redaction import category_words

PAGE_SIZE = 50


def _query(actor: User, document_id: int | None = None):
    if actor.is_admin:
        stmt = select(AuditEvent)
    elif actor.role == Role.APPROVER.value and actor.authority_id is not None:
        stmt = select(AuditEvent).where(
            AuditEvent.authority_id == actor.authority_id, AuditEvent.subject_type.in_(("document", "term"))
        )
    else:
        raise PermissionDenied("Only approvers and administrators can read the audit trail.")
    if document_id is not None:
        stmt = stmt.where(AuditEvent.subject_type == "document", AuditEvent.subject_id == document_id)
    return stmt


def events_for(session: Session, actor: User, *, document_id: int | None = None, page: int = 1):
    stmt = _query(actor, document_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    return list(rows), total


def export_rows(session: Session, actor: User):
    names = {a.id: a.code for a in session.scalars(select(Authority))}
    for event in session.scalars(_query(actor).order_by(AuditEvent.id)):
        yield [
            event.id,
            event.created_at.isoformat(timespec="seconds") + "Z",
            event.actor_label,
            event.action,
            event.subject_type,
            event.subject_id or "",
            names.get(event.authority_id, ""),
            json.dumps(event.details, sort_keys=True, ensure_ascii=False),
        ]


# In plain words ------------------------------------------------------------------------------------

AUDIENCES = {"authority": "their own authority only", "national": "all regions"}


def _name(event: AuditEvent) -> str:
    return event.actor.name if event.actor is not None else event.actor_label.split(" <", 1)[0]


def document_titles(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    """The title to show for each document in ``events``: only text that was consented (the
    title of its newest shared version), whoever reads the trail; "a draft (document N)" for a
    document never shared, and "a deleted document (document N)" for one deleted for good."""
    ids = {e.subject_id for e in events if e.subject_type == "document" and e.subject_id is not None}
    if not ids:
        return {}
    titles = {
        document_id: f"a deleted document (document {document_id})"
        if deleted
        else f"a draft (document {document_id})"
        for document_id, deleted in session.execute(
            select(Document.id, Document.deleted_at.is_not(None)).where(Document.id.in_(ids))
        )
    }
    shared = session.execute(
        select(DocumentVersion.document_id, DocumentVersion.title)
        .where(DocumentVersion.document_id.in_(ids))
        .order_by(DocumentVersion.document_id, DocumentVersion.number)
    )
    for document_id, title in shared:  # the newest version last: its title stays
        titles[document_id] = title
    return titles


def describe(event: AuditEvent, titles: dict[int, str], regions: dict[int, str]) -> str:
    """One event as a sentence: "Anna Approver shared 'Early help action plan' with the South
    East region"."""
    who, d = _name(event), event.details or {}
    title = f"‘{titles.get(event.subject_id, f'document {event.subject_id}')}’"
    category = d.get("category", "other")
    count = d.get("count", 1)

    def audience(scope: str | None) -> str:
        if scope == "region":
            region = regions.get(event.authority_id)
            return f"the {region} region" if region else "their region"
        return AUDIENCES.get(scope or "", "nobody")

    sentences = {
        "consent.given": lambda: (
            f"{who} shared {title} with {audience(d.get('scope'))}"
            + (f" (version {d['version']})" if d.get("version") else "")
        ),
        "consent.scope_changed": lambda: f"{who} changed who can read {title} to {audience(d.get('to'))}",
        "consent.withdrawn": lambda: f"{who} withdrew consent for {title}, giving a reason",
        "consent.refused_stale": lambda: (
            f"{who}'s consent to {title} was refused: the text had changed since they read it"
        ),
        "document.taken_down": lambda: f"{who} took down {title}, giving a reason",
        "document.uploaded": lambda: f"{who} uploaded {title}",
        "document.updated": lambda: f"{who} changed the details of {title}",
        "document.ready": lambda: f"{who} marked {title} ready for approval",
        "document.sent_back": lambda: f"{who} sent {title} back to its contributors with a note",
        "redaction.detected": lambda: f"The checks made {d.get('suggestions', 0)} suggestions in {title}",
        "redaction.accepted": lambda: f"{who} redacted {a_or_an(category_words(category))} in {title}",
        "redaction.rejected": lambda: f"{who} kept {a_or_an(category_words(category))} in {title}",
        "redaction.accepted_value": lambda: (
            f"{who} redacted {a_or_an(category_words(category))} "
            f"in {count} place{'s' if count != 1 else ''} in {title}"
        ),
        "redaction.rejected_value": lambda: (
            f"{who} kept {a_or_an(category_words(category))} "
            f"in {count} place{'s' if count != 1 else ''} in {title}"
        ),
        "redaction.accepted_all": lambda: (
            f"{who} redacted all {count} suggestions still to review in {title}"
        ),
        "redaction.accepted_category": lambda: (
            f"{who} redacted all {count} {category_words(category, count)} in {title}"
        ),
        "redaction.added": lambda: (
            f"{who} redacted text of their own in {title} ({count} place{'s' if count != 1 else ''})"
        ),
        "redaction.generalised": lambda: (
            f"{who} replaced {a_or_an(category_words(category))} in {title} with words of their own"
        ),
        "user.invited": lambda: f"{who} invited {d.get('email', 'someone')} as {d.get('role', 'a user')}",
        "user.invitation_accepted": lambda: f"{who} accepted their invitation and chose a password",
        "user.reset_requested": lambda: f"{who} asked for a password reset link",
        "user.password_reset": lambda: f"{who} reset their password with a mailed link",
        "user.role_changed": lambda: f"{who} changed a person's role ({' to '.join(d.get('role') or [])})",
        "user.sign_in_refused": lambda: (
            f"A sign-in was refused ({d.get('method', 'password')}): {d.get('reason', '')}"
        ),
        "authority.tenant_changed": lambda: f"{who} changed sign-in with Microsoft for an authority",
        "term.added": lambda: f"{who} added a term to the {d.get('kind', '')}-redact list",
        "term.removed": lambda: f"{who} removed a term from the {d.get('kind', '')}-redact list",
    }
    make = sentences.get(event.action)
    if make is not None:
        return make()
    return f"{who}: {event.action.replace('.', ' ').replace('_', ' ')}"


def a_or_an(words: str) -> str:
    return ("an " if words[:1].lower() in "aeiou" or words.startswith("NHS") else "a ") + words


def sentences(session: Session, actor: User, events: list[AuditEvent]) -> list[str]:
    """Each event of a page of the trail in plain words."""
    titles = document_titles(session, events)
    regions = {a.id: a.region.name for a in session.scalars(select(Authority))}
    return [describe(event, titles, regions) for event in events]
