"""Notices by email: who is told what about a document, in words that hold no unredacted text,
and each person's choice of what they are sent."""

import pytest

from library.core.models import User
from library.documents import handoff, notices, publication, workspace
from library.mail import messages
from tests.helpers import consent

TEXT = "# Notes\n\nAmelia Hughes met the team at Hillcrest Academy.\n"


@pytest.fixture
def doc(make_document):
    return make_document(TEXT, title="Amelia Hughes: what we learned", summary="Step-down for Amelia Hughes.")


def _ready(app, db, people, doc):
    with app.app_context():
        workspace.accept_all(db, people.kgm_contributor, doc.id)
        handoff.mark_ready(db, people.kgm_contributor, doc.id)


def _all_text(message) -> str:
    return (
        message["Subject"]
        + message.get_body(("plain",)).get_content()
        + message.get_body(("html",)).get_content()
    )


def test_approvers_are_told_a_document_is_ready_without_its_unredacted_words(
    app, db, people, doc, mailbox, second_approver
):
    _ready(app, db, people, doc)
    to = sorted(m["To"] for m in mailbox.messages)
    assert to == ["a2@kgm.example", "approver@kgm.example"]  # not the contributor who did it
    message = mailbox.to("approver@kgm.example")[0]
    assert message["Subject"] == "Ready for approval: [PERSON 1]: what we learned"
    body = mailbox.text(message)
    assert "Colin Contributor marked “[PERSON 1]: what we learned” ready for approval" in body
    assert f"http://127.0.0.1:5000/documents/{doc.id}/consent" in body
    assert "Amelia" not in _all_text(message) and "Hillcrest" not in _all_text(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_title_hides_even_suggestions_not_yet_reviewed():
    from types import SimpleNamespace

    suggestion = SimpleNamespace(
        field="title",
        start=0,
        end=13,
        category="person",
        text="Amelia Hughes",
        status="suggested",
        replacement=None,
    )
    doc = SimpleNamespace(
        current_version=None,
        status="draft",
        title="Amelia Hughes notes",
        summary="",
        extracted_text="",
        redactions=[suggestion],
    )
    assert notices.safe_title(doc) == "[PERSON 1] notes"


def test_sent_back_shared_and_withdrawn_reach_the_contributor(app, db, people, doc, mailbox):
    _ready(app, db, people, doc)
    with app.app_context():
        handoff.send_back(db, people.kgm_approver, doc.id, "Please also redact Hillcrest Academy.")
        (back,) = mailbox.to("contributor@kgm.example")
        assert back["Subject"] == "Sent back: [PERSON 1]: what we learned"
        assert "Hillcrest" not in _all_text(back)  # the note stays on the page
        handoff.mark_ready(db, people.kgm_contributor, doc.id)
        consent(db, people.kgm_approver, doc.id, "region")
        shared = mailbox.to("contributor@kgm.example")[-1]
        assert shared["Subject"] == "Shared: [PERSON 1]: what we learned"
        body = mailbox.text(shared)
        assert "shared “[PERSON 1]: what we learned” with" in body and "South East" in body
        assert "Its summary, as readers see it: Step-down for [PERSON 1]." in body
        publication.withdraw(db, people.kgm_approver, doc.id, "Shared by mistake.")
        withdrawn = mailbox.to("contributor@kgm.example")[-1]
        assert withdrawn["Subject"] == "Withdrawn: [PERSON 1]: what we learned"
        assert "Shared by mistake" not in _all_text(withdrawn)
    assert all("Amelia" not in _all_text(m) for m in mailbox.messages)
    assert len(mailbox.to("contributor@kgm.example")) == 3


def test_a_take_down_tells_the_contributor_and_the_approvers(app, db, people, doc, mailbox):
    _ready(app, db, people, doc)
    with app.app_context():
        consent(db, people.kgm_approver, doc.id, "national")
        before = len(mailbox.messages)
        publication.take_down(db, people.admin, doc.id, "Holds a child's story.")
    told = sorted(m["To"] for m in mailbox.messages[before:])
    assert told == ["approver@kgm.example", "contributor@kgm.example"]
    assert all(m["Subject"].startswith("Taken down: ") for m in mailbox.messages[before:])


def test_each_person_chooses_what_they_are_sent_and_can_stop_with_one_click(app, db, people, doc, mailbox):
    with app.app_context():
        messages.set_choices(db, people.kgm_approver, ["shared", "withdrawn"])
    _ready(app, db, people, doc)
    assert mailbox.to("approver@kgm.example") == []  # "ready" turned off
    with app.app_context(), pytest.raises(Exception, match="not one of ours"):
        messages.turn_off(db, "forged-token")
    with app.app_context():
        token = messages.unsubscribe_token(db, people.kgm_contributor, "shared")
        user, kind = messages.turn_off(db, token)
    assert user.id == people.kgm_contributor.id and kind == "shared"
    assert "shared" in db.get(User, people.kgm_contributor.id).notices_off
    with app.app_context():
        consent(db, people.kgm_approver, doc.id, "region")
    assert not [m for m in mailbox.to("contributor@kgm.example") if m["Subject"].startswith("Shared")]
