"""Single-use links mailed to people: invitations (choose your own password) and password resets.

The secret is in the link only; the database keeps its SHA-256. A link works once, until it
expires (``INVITATION_DAYS``, ``RESET_MINUTES``); using one ends every other link of that kind
for that person, and a change of access (deactivation, a new role or authority) ends every open
link of theirs (``accounts.end_access``). No link works for a deactivated account or activates
one; an invitation works only for an account that has never been used. Asking for a reset gets
the same answer whether or not the address is known.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from library.accounts import notices
from library.accounts import service as accounts
from library.core import access, audit, settings
from library.core.db import utcnow
from library.core.errors import PermissionDenied, ServiceError
from library.core.models import AccountLink, Authority, Document, Role, User
from library.mail import messages

INVITATION, RESET = "invitation", "reset"


class LinkProblem(ServiceError):
    """An expired, used or unknown link: a plain page says what to do next."""

    status = 410
    code = "link_not_valid"
    title = "This link cannot be used"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_link(session: Session, user: User, purpose: str, actor: User | None) -> str:
    lifetime = (
        timedelta(days=settings.of(session).invitation_days)
        if purpose == INVITATION
        else timedelta(minutes=settings.of(session).reset_minutes)
    )
    secret = secrets.token_urlsafe(32)
    session.add(
        AccountLink(
            user=user,
            purpose=purpose,
            secret_hash=_hash(secret),
            created_by_id=actor.id if actor is not None else None,
            expires_at=utcnow() + lifetime,
        )
    )
    session.flush()
    return secret


def link_url(session: Session, purpose: str, secret: str) -> str:
    page = "invitation" if purpose == INVITATION else "password/reset"
    return f"{messages.base_url(session)}/{page}/{secret}"


@dataclass
class OpenLink:
    link: AccountLink
    user: User


def open_link(session: Session, secret: str, purpose: str) -> OpenLink:
    """The person a link is for, if it is one of ours, unused and in time."""
    link = session.scalar(
        select(AccountLink).where(
            AccountLink.secret_hash == _hash(secret or ""), AccountLink.purpose == purpose
        )
    )
    if link is None:
        raise LinkProblem(f"This link is not one we sent, or it was copied only in part. {_again(purpose)}")
    return open_link_row(link)


def secret_hash(secret: str) -> str:
    """What the database keeps of a link's secret (and what a session may keep of it)."""
    return _hash(secret or "")


def _again(purpose: str) -> str:
    return (
        "Ask the person who invited you to send a new invitation."
        if purpose == INVITATION
        else "Ask for a new link on the “Forgotten your password?” page."
    )


def open_link_row(link: AccountLink) -> OpenLink:
    """``link``, if it can still be used: unused, not ended, in time, for an active account (and,
    for an invitation, an account never used)."""
    again = _again(link.purpose)
    if link.used_at is not None:
        raise LinkProblem(f"This link has already been used: each link works once. {again}")
    if link.ended_at is not None:
        raise LinkProblem(f"This link no longer works: the account was changed after it was sent. {again}")
    if link.expires_at < utcnow():
        raise LinkProblem(f"This link has expired. {again}")
    if not link.user.is_active:
        raise LinkProblem("This account is deactivated. Ask your authority's approver or an administrator.")
    if link.purpose == INVITATION and (
        link.user.last_login_at is not None or link.user.password_hash or link.user.external_id
    ):
        raise LinkProblem(
            "This account is already in use: sign in with its password, or ask for a new one on the "
            "“Forgotten your password?” page."
        )
    return OpenLink(link, link.user)


def complete(session: Session, secret: str, purpose: str, password: str, confirm: str) -> User:
    """Use a link: the person's own password is set, every session of theirs ends, and every
    other link of this kind for them stops working."""
    opened = open_link(session, secret, purpose)
    user = opened.user
    accounts.validate_new_password(password, confirm, user)
    user.password_hash = accounts.hash_password(password)  # a link never activates an account
    use(session, opened)
    action = "user.password_reset" if purpose == RESET else "user.invitation_accepted"
    audit.record(
        session, user, action, subject_type="user", subject_id=user.id, authority_id=user.authority_id
    )
    session.commit()
    return user


def use(session: Session, opened: OpenLink) -> None:
    """The link is used: every session of its person ends, and so does every other open link of
    that kind for them."""
    accounts.end_every_session(opened.user)
    session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == opened.user.id,
            AccountLink.purpose == opened.link.purpose,
            AccountLink.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


# Password reset ------------------------------------------------------------------------------------


def request_reset(session: Session, email: str, *, allowed: bool = True) -> None:
    """Mail a reset link to the person with this address, if there is one and it is active. The
    caller answers the same way in every case. ``allowed``: False once this address asked too
    often: nothing is sent, and nothing says so."""
    user = session.scalar(select(User).where(User.email == accounts.normalise_email(email or "")))
    if user is None or not user.is_active or not allowed:
        audit.record(
            session,
            None,
            "user.reset_refused",
            subject_type="user",
            subject_id=user.id if user else None,
            details={"reason": "throttled" if user and not allowed else "unknown or deactivated"},
        )
        session.commit()
        return
    secret = _new_link(session, user, RESET, None)
    minutes = settings.of(session).reset_minutes
    message = messages.Message(
        subject="Reset your password",
        paragraphs=[
            "Someone (we hope you) asked to reset the password of your Peer Challenge Library account.",
            f"The link below lets you choose a new password. It works once, for {minutes} minutes. "
            "Choosing a new password signs you out everywhere.",
            "If you did not ask, ignore this message: your password stays as it is.",
        ],
        link=link_url(session, RESET, secret),
        link_text="Choose a new password",
    )
    messages.send(session, user, "reset", f"reset:{_hash(secret)[:16]}", message, optional=False)
    audit.record(session, None, "user.reset_requested", subject_type="user", subject_id=user.id)
    session.commit()


# Invitations ---------------------------------------------------------------------------------------


def _check_may_invite(session: Session, actor: User | None, role: str, authority: Authority | None) -> None:
    """Who may invite whom. The command line (no actor) may invite anyone. An administrator
    invites readers, administrators, and the first approver of an authority that has no owner
    account and no document yet (so no administrator can reach a draft). An approver invites the
    people of their own authority."""
    if actor is None:
        return
    if actor.is_admin:
        if role == Role.CONTRIBUTOR.value:
            raise PermissionDenied("Contributors are invited by their authority's approvers.")
        if role == Role.APPROVER.value and authority is not None:
            has_owner = session.scalar(
                select(User.id)
                .where(User.authority_id == authority.id, User.role.in_(access.OWNER_ROLES))
                .limit(1)
            )
            has_documents = session.scalar(
                select(Document.id).where(Document.authority_id == authority.id).limit(1)
            )
            if has_owner or has_documents:
                raise PermissionDenied(
                    f"{authority.name} already has people who contribute or approve: its approvers invite "
                    "the rest. Administrators invite only the first approver of an authority."
                )
        return
    if actor.role == Role.APPROVER.value and authority is not None and authority.id == actor.authority_id:
        if role == Role.ADMIN.value:
            raise PermissionDenied("Only administrators invite administrators.")
        return
    raise PermissionDenied("Only your authority's approvers, or administrators, invite people.")


def invite(
    session: Session, actor: User | None, *, email: str, name: str, role: str, authority_code: str | None
) -> User:
    """Make the account (without a password) and mail the person a link to choose theirs."""
    authority = accounts.check_role_and_authority(session, role, authority_code)
    _check_may_invite(session, actor, role, authority)
    user = accounts.new_user(session, actor, email=email, name=name, role=role, authority=authority)
    secret = _new_link(session, user, INVITATION, actor)
    days = settings.of(session).invitation_days
    where = f" at {authority.name}" if authority else ""
    message = messages.Message(
        subject="You are invited to the Peer Challenge Library",
        paragraphs=[
            f"{actor.name if actor else 'The library'} invited you to the Peer Challenge Library as "
            f"{access.ROLE_WORDS.get(role, role)}{where}.",
            "The library holds what councils' children's services learned from their peer challenges, "
            "shared with consent.",
            f"Choose your password with the link below. It works once, for {days} days.",
        ],
        link=link_url(session, INVITATION, secret),
        link_text="Choose your password",
    )
    messages.send(session, user, "invitation", f"invitation:{_hash(secret)[:16]}", message, optional=False)
    event = audit.record(
        session,
        actor,
        "user.invited",
        subject_type="user",
        subject_id=user.id,
        authority_id=authority.id if authority else None,
        details={"email": user.email, "role": role},
    )
    if role in access.OWNER_ROLES:
        session.flush()
        notices.account_changed(session, actor, user, "created", event.id)
    session.commit()
    return user


def describe_invitation(opened: OpenLink) -> str:
    user = opened.user
    where = f" at {user.authority.name}" if user.authority else ""
    return f"{user.name}, you are invited as {access.ROLE_WORDS.get(user.role, user.role)}{where}."
