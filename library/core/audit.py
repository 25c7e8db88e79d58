"""The audit trail: one row per thing that happened, never changed afterwards."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from sqlalchemy.orm import Session

from library.core import settings
from library.core.models import AuditEvent, Document, User

log = logging.getLogger(__name__)


def actor_label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return f"{actor.name} <{actor.email}>"


def record(
    session: Session,
    actor: User | None,
    action: str,
    *,
    subject_type: str,
    subject_id: int | None = None,
    authority_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; it is written with the change it describes."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label(actor),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        authority_id=authority_id,
        details=details or {},
    )
    session.add(event)
    log.debug("audit %s %s:%s by %s", action, subject_type, subject_id, event.actor_id or "system")
    return event


def for_document(
    session: Session,
    actor: User | None,
    action: str,
    document: Document,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """An event about a document, filed under its authority (whose approvers read it)."""
    return record(
        session,
        actor,
        action,
        subject_type="document",
        subject_id=document.id,
        authority_id=document.authority_id,
        details=details,
    )


def value_hash(session: Session, value: str) -> str:
    """A keyed hash of a value (a redacted value, a reason, what was typed), so the trail can show
    two events were about the same value without ever holding the value itself. The key comes
    with the session (``db.init_app``)."""
    key = settings.of(session).audit_key
    return hmac.new(key, " ".join(value.lower().split()).encode(), hashlib.sha256).hexdigest()[:32]
