"""audit events keep identifiers and keyed hashes only: free text in existing rows is taken out

Revision ID: 0017
Revises: 0016

Audit events are append-only (database triggers refuse UPDATE and DELETE). This migration is the
one documented exception: it lifts the UPDATE trigger for its own transaction, takes out of
existing rows the text people typed that was never published (a peer challenge's title and
focus, reasons for withdrawal and take-down, addresses typed at a failed sign-in, anything an
identity provider sent as an error), marks each row it changed with ``"rewritten": "0017"``, and
puts the trigger back. The rows themselves (who, what, when, to which subject) stay.
"""

import re

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# Keys that held free text in any action, and keys that did in some actions only.
FREE_TEXT = {"title", "focus", "summary", "note", "query", "words", "replacement", "text", "filename"}
BY_ACTION = {
    "consent.withdrawn": {"reason"},
    "document.taken_down": {"reason"},
    "user.sign_in_failed": {"email"},
    "user.sign_in_refused": {"email"},
}
_PROVIDER_ERROR = re.compile(r"^Microsoft answered “.*”$", re.S)


def _clean(action: str, details: dict) -> dict | None:
    """The row's details without free text, or None if there was none."""
    if not isinstance(details, dict):
        return None
    drop = FREE_TEXT | BY_ACTION.get(action, set())
    cleaned = {k: v for k, v in details.items() if k not in drop}
    reason = cleaned.get("reason")
    if isinstance(reason, str) and _PROVIDER_ERROR.match(reason):
        cleaned["reason"] = "Microsoft answered with an error"
    if cleaned == details:
        return None
    cleaned["rewritten"] = "0017"
    return cleaned


def _set_update_trigger(enabled: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        verb = "ENABLE" if enabled else "DISABLE"
        op.execute(f"ALTER TABLE audit_events {verb} TRIGGER audit_events_no_update")
    elif enabled:
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")


def upgrade() -> None:
    events = sa.table(
        "audit_events", sa.column("id", sa.Integer), sa.column("action", sa.String), sa.column("details", sa.JSON)
    )
    bind = op.get_bind()
    changes = []
    for row in bind.execute(sa.select(events.c.id, events.c.action, events.c.details)):
        cleaned = _clean(row.action, row.details)
        if cleaned is not None:
            changes.append((row.id, cleaned))
    if not changes:
        return
    _set_update_trigger(False)
    for event_id, cleaned in changes:
        bind.execute(sa.update(events).where(events.c.id == event_id).values(details=cleaned))
    _set_update_trigger(True)


def downgrade() -> None:
    pass  # what was taken out is gone for good
