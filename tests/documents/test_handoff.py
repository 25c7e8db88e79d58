"""The hand-off: ready for approval, sent back with a note, and the lists of what waits."""

import pytest
from sqlalchemy import select

from library.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from library.core.models import AuditEvent
from library.documents import handoff, workspace
from tests.helpers import consent

TEXT = "# Plan\n\nAmelia Hughes (DOB 03/04/2014) was seen by Marcus Bell on 01632 960 415.\n"


@pytest.fixture
def doc(make_document):
    return make_document(TEXT, title="Action plan", year=2025)


def _actions(db):
    return db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_ready_is_refused_until_the_check_passes(app, db, doc, people):
    with app.app_context():
        with pytest.raises(Conflict, match="still to review"):
            handoff.mark_ready(db, people.kgm_contributor, doc.id)
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        workspace.add_term(db, people.kgm_contributor, "Plan", "always", "other")
        with pytest.raises(Conflict, match="final redaction check"):
            handoff.mark_ready(db, people.kgm_contributor, doc.id)
    assert doc.ready_at is None


def test_keeping_values_lets_the_document_be_marked_ready(app, db, doc, people):
    with app.app_context():
        workspace.decide_value(db, people.kgm_contributor, doc.id, "Marcus Bell", "rejected")
        phone = next(r for r in doc.redactions if r.category == "phone")
        workspace.decide(db, people.kgm_contributor, doc.id, phone.id, "rejected")
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        handoff.mark_ready(db, people.kgm_contributor, doc.id)
        (task,) = handoff.waiting_for_consent(db, people.kgm_approver)
    assert doc.ready_by_id == people.kgm_contributor.id and doc.ready_at is not None
    assert task.ready and task.can_consent and task.state == "With the approver: can be consented now"
    assert task.prepared_by.id == people.kgm_contributor.id
    assert "document.ready" in _actions(db)


def test_send_back_with_a_note_then_ready_again_then_consent(app, db, doc, people):
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        handoff.mark_ready(db, people.kgm_contributor, doc.id)
        with pytest.raises(ValidationError, match="Write a note"):
            handoff.send_back(db, people.kgm_approver, doc.id, "  ")
        handoff.send_back(db, people.kgm_approver, doc.id, "Please redact the name of the school too.")
        assert doc.ready_at is None and doc.sent_back_note.startswith("Please redact")
        assert doc.sent_back_by_id == people.kgm_approver.id
        (task,) = handoff.tasks(db, people.kgm_contributor)
        assert task.sent_back and not task.ready
        handoff.mark_ready(db, people.kgm_contributor, doc.id)
        assert doc.sent_back_at is None and doc.sent_back_note is None
        consent(db, people.kgm_approver, doc.id, "region")
        assert doc.ready_at is None
        assert handoff.waiting_for_consent(db, people.kgm_approver) == []
        with pytest.raises(Conflict, match="nothing new"):
            handoff.mark_ready(db, people.kgm_contributor, doc.id)
    sent_back = db.scalars(select(AuditEvent).where(AuditEvent.action == "document.sent_back")).one()
    # The note may quote the text: the trail keeps only its length.
    assert sent_back.details == {"note_length": len("Please redact the name of the school too.")}


@pytest.mark.parametrize(
    "who,error",
    [
        ("kgm_contributor", PermissionDenied),
        ("kgm_reader", NotFound),
        ("ash_approver", NotFound),
        ("admin", NotFound),
    ],
)
def test_only_the_owning_approver_sends_back(app, db, doc, people, who, error):
    with app.app_context(), pytest.raises(error):
        handoff.send_back(db, people[who], doc.id, "A note")


@pytest.mark.parametrize("who,error", [("kgm_reader", NotFound), ("ash_contributor", NotFound)])
def test_only_owners_mark_ready(app, db, doc, people, who, error):
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        with pytest.raises(error):
            handoff.mark_ready(db, people[who], doc.id)


def test_the_waiting_list_never_calls_a_blocked_document_reviewed(app, db, doc, people, make_document):
    other = make_document("# Notes\n\nNothing personal here at all.\n", title="Notes")
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        workspace.add_term(db, people.kgm_contributor, "Plan", "always", "other")
        items = {t.document.id: t for t in handoff.waiting_for_consent(db, people.kgm_approver)}
        with pytest.raises(PermissionDenied):
            handoff.waiting_for_consent(db, people.kgm_contributor)
    assert not items[doc.id].can_consent
    assert items[doc.id].state == "Draft: the final check finds 2 things to redact"  # title and text
    assert items[other.id].can_consent
