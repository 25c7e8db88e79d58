"""Reading the audit trail: approvers see their authority's documents' events, administrators all."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, Authority, Role, User
from .errors import PermissionDenied

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
