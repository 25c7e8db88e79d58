"""An authority's approvers manage its people: who reads, contributes and approves.

Administrators do not create owner accounts of an authority that has an approver; its approvers
invite them (``links.invite``), change their roles and deactivate them here. Every change is
audited and the authority's other approvers are told.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from library.accounts import notices
from library.accounts import service as accounts
from library.core import access, audit
from library.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from library.core.models import Role, User


def _require_approver(actor: User | None) -> User:
    if actor is None or actor.role != Role.APPROVER.value or actor.authority_id is None:
        raise PermissionDenied("Only an authority's approvers manage its people.")
    return actor


def people_of(session: Session, actor: User) -> list[User]:
    _require_approver(actor)
    return list(
        session.scalars(
            select(User)
            .where(User.authority_id == actor.authority_id)
            .order_by(User.active.desc(), User.name)
        )
    )


def _member(session: Session, actor: User, user_id: int) -> User:
    _require_approver(actor)
    user = session.get(User, user_id)
    if user is None or user.authority_id != actor.authority_id:
        raise NotFound("No such person at your authority.")
    return user


def _active_approvers(session: Session, authority_id: int) -> int:
    return (
        session.scalar(
            select(func.count(User.id)).where(
                User.authority_id == authority_id, User.role == Role.APPROVER.value, User.active.is_(True)
            )
        )
        or 0
    )


def change_role(session: Session, actor: User, user_id: int, role: str) -> User:
    user = _member(session, actor, user_id)
    if role not in access.AUTHORITY_ROLES:
        raise ValidationError("Choose reader, contributor or approver.", field="role")
    if role == user.role:
        raise Conflict(f"{user.name} is already {access.ROLE_WORDS[role]}.")
    if user.role == Role.APPROVER.value and _active_approvers(session, user.authority_id) <= 1:
        raise Conflict("Your authority needs at least one approver: make someone else an approver first.")
    old = user.role
    user.role = role
    accounts.end_access(session, user)  # the new access starts at their next sign-in
    event = audit.record(
        session,
        actor,
        "user.role_changed",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
        details={"role": [old, role]},
    )
    session.flush()
    if old in access.OWNER_ROLES or role in access.OWNER_ROLES:
        notices.account_changed(session, actor, user, "role changed", event.id)
    session.commit()
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    user = _member(session, actor, user_id)
    if (
        not active
        and user.id != actor.id
        and user.role == Role.APPROVER.value
        and (_active_approvers(session, user.authority_id) <= 1)
    ):
        raise Conflict("Your authority needs at least one active approver.")
    accounts.change_active(session, actor, user, active)
    return user
