"""The audit trail: one row per thing that happened, never changed afterwards."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditEvent, User

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


def value_hash(value: str) -> str:
    """A keyed hash of a redacted value, so the trail can show two decisions were about the same
    value without ever holding the value itself."""
    import hashlib
    import hmac

    from flask import current_app

    key = hashlib.sha256(b"audit-values:" + current_app.config["SECRET_KEY"].encode()).digest()
    return hmac.new(key, " ".join(value.lower().split()).encode(), hashlib.sha256).hexdigest()[:32]
