"""Is the service well: the database answers, the search index can be read, and neither the
search outbox nor the mail outbox has work waiting longer than it should."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from library.core.db import utcnow
from library.core.models import IndexOutbox, MailMessage

log = logging.getLogger(__name__)


@dataclass
class Health:
    checks: dict[str, bool]

    @property
    def ok(self) -> bool:
        return all(self.checks.values())


def _age(session: Session, column) -> float:
    oldest = session.scalar(select(func.min(column)))
    return (utcnow() - oldest).total_seconds() if oldest else 0.0


def check(session: Session, backend, *, index_max_age: float, mail_max_age: float) -> Health:
    """Each check by name, True when it passes. A failure is logged with its cause; the answer
    itself says only which check failed."""
    checks = {}
    try:
        session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:
        log.exception("health: the database does not answer")
        session.rollback()
        return Health({"database": False, "search_index": False, "index_outbox": False, "mail_outbox": False})
    try:
        backend.size()
        checks["search_index"] = True
    except Exception:
        log.exception("health: the search index cannot be read")
        checks["search_index"] = False
    checks["index_outbox"] = _age(session, IndexOutbox.created_at) <= index_max_age
    waiting = select(MailMessage.created_at).where(MailMessage.sent_at.is_(None))
    oldest_mail = session.scalar(select(func.min(waiting.subquery().c.created_at)))
    checks["mail_outbox"] = oldest_mail is None or (utcnow() - oldest_mail).total_seconds() <= mail_max_age
    for name, passed in checks.items():
        if not passed:
            log.warning("health: %s check failed", name)
    return Health(checks)
