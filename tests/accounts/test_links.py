"""Single-use links by email: password reset and invitations."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from library.accounts import links
from library.core.db import utcnow
from library.core.errors import PermissionDenied, ValidationError
from library.core.models import AccountLink, AuditEvent

NEW = "violet kettle orbit marmalade"


def _link(mailbox, address: str, path: str) -> str:
    (message,) = [m for m in mailbox.to(address) if path in mailbox.text(m)]
    return re.search(rf"http://127\.0\.0\.1:5000/{path}/(\S+)", mailbox.text(message)).group(1)


def test_reset_mails_a_single_use_link_that_ends_every_session(app, db, people, mailbox):
    user = people.kgm_contributor
    version = user.session_version
    with app.app_context():
        links.request_reset(db, "Contributor@KGM.example")
    secret = _link(mailbox, "contributor@kgm.example", "password/reset")
    message = mailbox.to("contributor@kgm.example")[0]
    assert message["Subject"] == "Reset your password" and "List-Unsubscribe" not in message
    assert "It works once, for 60 minutes" in mailbox.text(message)
    stored = db.scalars(select(AccountLink)).one()
    assert stored.secret_hash != secret and len(stored.secret_hash) == 64  # only a hash is kept
    with app.app_context():
        with pytest.raises(ValidationError):
            links.complete(db, secret, links.RESET, "short", "short")
        links.complete(db, secret, links.RESET, NEW, NEW)
        with pytest.raises(links.LinkProblem, match="already been used"):
            links.complete(db, secret, links.RESET, NEW, NEW)
    db.refresh(user)
    assert user.session_version == version + 1
    actions = [e.action for e in db.scalars(select(AuditEvent))]
    assert "user.reset_requested" in actions and "user.password_reset" in actions


def test_unknown_deactivated_and_throttled_addresses_get_nothing(app, db, people, mailbox):
    people.kgm_reader.active = False
    db.commit()
    with app.app_context():
        links.request_reset(db, "nobody@example.org")
        links.request_reset(db, "reader@kgm.example")
        links.request_reset(db, "approver@kgm.example", allowed=False)
    assert mailbox.messages == []
    reasons = [
        e.details["reason"]
        for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "user.reset_refused"))
    ]
    assert sorted(reasons) == ["throttled", "unknown or deactivated", "unknown or deactivated"]


def test_expired_and_forged_links_are_refused_plainly(app, db, people, mailbox):
    with app.app_context():
        links.request_reset(db, "contributor@kgm.example")
    secret = _link(mailbox, "contributor@kgm.example", "password/reset")
    row = db.scalars(select(AccountLink)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    with app.app_context():
        with pytest.raises(links.LinkProblem, match="expired"):
            links.open_link(db, secret, links.RESET)
        with pytest.raises(links.LinkProblem, match="not one we sent"):
            links.open_link(db, secret + "x", links.RESET)
        with pytest.raises(links.LinkProblem, match="not one we sent"):
            links.open_link(db, secret, links.INVITATION)  # a reset link is no invitation


def test_an_approver_invites_and_the_authoritys_approvers_are_told(app, db, people, mailbox):
    with app.app_context():
        user = links.invite(
            db,
            people.kgm_approver,
            email="new@kgm.example",
            name="Nia New",
            role="contributor",
            authority_code="KGM",
        )
    assert user.password_hash is None
    (invitation,) = mailbox.to("new@kgm.example")
    assert invitation["Subject"] == "You are invited to the Peer Challenge Library"
    assert (
        "Abi Approver invited you to the Peer Challenge Library as a contributor at Kingsmere"
        in mailbox.text(invitation)
    )
    secret = _link(mailbox, "new@kgm.example", "invitation")
    with app.app_context():
        links.complete(db, secret, links.INVITATION, NEW, NEW)
        with pytest.raises(links.LinkProblem):
            links.complete(db, secret, links.INVITATION, NEW, NEW)
    db.refresh(user)
    assert user.password_hash and user.active


def test_other_approvers_hear_of_a_new_owner_account(app, db, people, mailbox, second_approver):
    with app.app_context():
        links.invite(
            db,
            people.kgm_approver,
            email="n@kgm.example",
            name="Nia New",
            role="approver",
            authority_code="KGM",
        )
    (told,) = mailbox.to("a2@kgm.example")
    assert told["Subject"] == "Account created: Nia New"
    expected = "Nia New (n@kgm.example) now has an account as an approver at Kingsmere Borough Council"
    assert f"{expected} by Abi Approver" in mailbox.text(told)
    assert mailbox.to("approver@kgm.example") == []  # the one who did it


@pytest.mark.parametrize(
    ("who", "role", "authority", "allowed"),
    [
        ("kgm_approver", "approver", "KGM", True),
        ("kgm_approver", "reader", "KGM", True),
        ("kgm_approver", "contributor", "ASH", False),  # another authority
        ("kgm_approver", "admin", None, False),
        ("kgm_contributor", "contributor", "KGM", False),
        ("kgm_reader", "reader", "KGM", False),
        ("admin", "reader", "KGM", True),
        ("admin", "admin", None, True),
        ("admin", "contributor", "KGM", False),  # owners of an authority come from its approvers
        ("admin", "approver", "KGM", False),  # Kingsmere has owners already
    ],
)
def test_who_may_invite_whom(app, db, people, mailbox, who, role, authority, allowed):
    with app.app_context():
        call = lambda: links.invite(  # noqa: E731
            db, people[who], email="x@example.org", name="X Person", role=role, authority_code=authority
        )
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


def test_an_administrator_invites_the_first_approver_of_a_new_authority(app, db, people, mailbox):
    from library.accounts import service as accounts

    with app.app_context():
        accounts.create_authority(db, people.admin, "NEW", "Newtown Council", "south-east")
        links.invite(
            db,
            people.admin,
            email="first@new.example",
            name="First One",
            role="approver",
            authority_code="NEW",
        )
        with pytest.raises(PermissionDenied, match="Administrators invite only the first approver"):
            links.invite(
                db,
                people.admin,
                email="second@new.example",
                name="Second",
                role="approver",
                authority_code="NEW",
            )
    assert mailbox.to("first@new.example")


def test_the_audit_page_says_what_happened_in_words(app, db, people, mailbox):
    from library.accounts import people as people_service
    from library.core import trail as audit_trail

    with app.app_context():
        links.invite(
            db, people.kgm_approver, email="nia@kgm.example", name="Nia", role="reader", authority_code="KGM"
        )
        people_service.change_role(db, people.kgm_approver, people.kgm_reader.id, "contributor")
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    words = [audit_trail.describe(e, {}, {}) for e in events]
    assert "Abi Approver invited nia@kgm.example as reader" in words
    assert "Abi Approver changed a person's role (reader to contributor)" in words
