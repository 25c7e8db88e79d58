import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from library.core import audit
from library.core.models import AppendOnlyError, AuditEvent, User


def test_audit_events_are_append_only(db, people):
    event = audit.record(db, people.admin, "test.event", subject_type="test", subject_id=1)
    db.commit()
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        db.commit()
    db.rollback()
    with pytest.raises(DBAPIError):
        db.execute(text("UPDATE audit_events SET action = 'changed'"))
    db.rollback()
    with pytest.raises(DBAPIError):
        db.execute(text("DELETE FROM audit_events"))
    db.rollback()
    assert db.get(AuditEvent, event.id).action == "test.event"


def test_email_is_unique_ignoring_case(db, people):
    from library.accounts import service as accounts
    from library.core.errors import ValidationError

    with pytest.raises(ValidationError, match="already exists"):
        accounts.create_user(
            db,
            None,
            email="Reader@KGM.Example",
            name="X",
            role="reader",
            authority_code="KGM",
            password="long-enough-pw",
        )


def test_foreign_keys_are_enforced(db, people):
    db.add(User(email="ghost@x.example", name="Ghost", role="reader", authority_id=9999, active=True))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
