"""Authorities, users, passwords and API tokens."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from library.accounts.throttle import SignInThrottle
from library.core import access, audit, outbox
from library.core.db import utcnow
from library.core.errors import Conflict, NotFound, PermissionDenied, TooManyAttempts, ValidationError
from library.core.models import (
    AccountLink,
    ApiToken,
    Authority,
    Document,
    DocumentStatus,
    Region,
    Role,
    ServiceArea,
    User,
)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).resolve().parents[2] / "content" / "security" / "common_passwords.txt"
# Checked against when the email is unknown, so that sign-in takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("Only administrators can manage authorities and users.")


# Authorities -------------------------------------------------------------------------------------


def get_region(session: Session, slug: str) -> Region:
    region = session.scalar(select(Region).where(Region.slug == (slug or "").strip()))
    if region is None:
        known = ", ".join(r.slug for r in session.scalars(select(Region).order_by(Region.slug)))
        raise ValidationError(f"Unknown region '{slug}'. Choose one of: {known}.", field="region")
    return region


def get_authority(session: Session, code: str) -> Authority:
    authority = session.scalar(select(Authority).where(func.lower(Authority.code) == (code or "").lower()))
    if authority is None:
        raise NotFound(f"No authority has the code '{code}'.", field="authority")
    return authority


def create_authority(
    session: Session, actor: User | None, code: str, name: str, region_slug: str
) -> Authority:
    """Add an authority. ``actor`` is None for the command line (an operator on the server)."""
    _require_admin(actor)
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not CODE_RE.match(code):
        errors["code"] = "Enter a code of letters, numbers, hyphens or underscores (up to 32)."
    elif session.scalar(select(Authority).where(func.lower(Authority.code) == code.lower())):
        errors["code"] = f"An authority with the code '{code}' already exists."
    if not name:
        errors["name"] = "Enter the authority's name."
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer."
    try:
        region = get_region(session, region_slug)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    authority = Authority(code=code, name=name, region=region)
    session.add(authority)
    session.flush()
    audit.record(
        session,
        actor,
        "authority.created",
        subject_type="authority",
        subject_id=authority.id,
        authority_id=authority.id,
        details={"code": code, "name": name, "region": region.slug},
    )
    session.commit()
    return authority


def update_authority(
    session: Session, actor: User, authority: Authority, name: str, region_slug: str
) -> None:
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the authority's name.", field="name")
    region = get_region(session, region_slug)
    changes = {}
    if name != authority.name:
        changes["name"] = [authority.name, name]
    if region.id != authority.region_id:
        changes["region"] = [authority.region.slug, region.slug]
    authority.name, authority.region = name, region
    if changes:
        # Region labels and authority names are in the search index: re-index its documents at once.
        for document_id in session.scalars(
            select(Document.id).where(
                Document.authority_id == authority.id, Document.status == DocumentStatus.PUBLISHED.value
            )
        ):
            outbox.index(session, document_id)
    audit.record(
        session,
        actor,
        "authority.updated",
        subject_type="authority",
        subject_id=authority.id,
        authority_id=authority.id,
        details=changes,
    )
    session.commit()


# Users -------------------------------------------------------------------------------------------


def check_role_and_authority(session: Session, role: str, authority_code: str | None) -> Authority | None:
    if role not in {r.value for r in Role}:
        raise ValidationError(
            f"Unknown role '{role}'. Choose reader, contributor, approver or admin.", field="role"
        )
    if not authority_code:
        if role != Role.ADMIN.value:
            raise ValidationError("Choose the user's authority.", field="authority")
        return None
    try:
        return get_authority(session, authority_code)
    except NotFound as exc:
        raise ValidationError(exc.message, field="authority") from exc


def validate_password(password: str, *, email: str = "", name: str = "") -> None:
    """At least MIN_PASSWORD_LENGTH characters, not a common password, not the person's name or
    email address."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.", field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer.", field="password"
        )
    core = password_core(password)
    personal = {password_core(part) for part in [email.split("@")[0], *name.split()] if len(part) >= 3}
    rest = core
    for part in sorted(personal, key=len, reverse=True):
        rest = rest.replace(part, "")
    if not core or len(set(core)) <= 2 or core in common_passwords() or len(rest) < 4:
        raise ValidationError(
            "Choose a password that is harder to guess: this one is too common, or made of your name, "
            "your email address or a repeated or simple pattern. Three or four random words work well.",
            field="password",
        )


_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})


def password_core(password: str) -> str:
    """The part of a password that guessing starts from: lower case, common swaps undone, digits
    and symbols taken off both ends, spaces and joining marks removed."""
    folded = password.lower()
    stripped = folded.strip("0123456789!?.,;:*#-_+=~^%&()[]{}<>'\"/\\| ")
    return re.sub(r"[\s._-]+", "", stripped.translate(_LEET))


@cache
def common_passwords() -> frozenset[str]:
    text = COMMON_PASSWORDS.read_text(encoding="utf-8")
    return frozenset(
        password_core(line) or line.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def create_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    name: str,
    role: str,
    authority_code: str | None,
    password: str | None,
) -> User:
    """Add a user (the command line, with a password for scripts and tests). Without a password
    the account cannot sign in until one is set; people are invited instead (``links.invite``)."""
    _require_admin(actor)
    authority = check_role_and_authority(session, role, authority_code)
    if password is not None:
        validate_password(password, email=normalise_email(email), name=(name or "").strip())
    user = new_user(session, actor, email=email, name=name, role=role, authority=authority)
    if password:
        user.password_hash = hash_password(password)
    email = user.email
    audit.record(
        session,
        actor,
        "user.created",
        subject_type="user",
        subject_id=user.id,
        authority_id=authority.id if authority else None,
        details={"email": email, "role": role},
    )
    session.commit()
    return user


def new_user(
    session: Session, actor: User | None, *, email: str, name: str, role: str, authority: Authority | None
) -> User:
    """A new account, checked (address format, not taken, a name), without a password."""
    email = normalise_email(email)
    name = (name or "").strip()
    if not EMAIL_RE.match(email):
        raise ValidationError(
            "Enter an email address in the right format, like name@council.gov.uk.", field="email"
        )
    if session.scalar(select(User).where(User.email == email)):
        raise ValidationError(f"A user with the email {email} already exists.", field="email")
    if not name:
        raise ValidationError("Enter the user's name.", field="name")
    user = User(email=email, name=name, role=role, authority=authority, active=True, password_hash=None)
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    actor: User,
    user: User,
    *,
    name: str,
    role: str,
    authority_code: str | None,
    active: bool,
) -> None:
    """An administrator changes a person's name, reader or administrator access, or deactivates
    them. Never a password (people choose their own), and never a role that reads drafts:
    contributors and approvers come from their authority's approvers (or the command line)."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the user's name.", field="name")
    authority = check_role_and_authority(session, role, authority_code)
    if user.id == actor.id and (not active or role != Role.ADMIN.value):
        raise ValidationError("You cannot remove your own administrator access.", field="role")
    moves = role != user.role or (authority.code if authority else None) != (
        user.authority.code if user.authority else None
    )
    if moves and (role in access.OWNER_ROLES or user.role in access.OWNER_ROLES):
        raise PermissionDenied(
            "Contributors and approvers are invited and managed by their authority's approvers. "
            "You can change their name, or deactivate them."
        )
    changes: dict[str, list] = {}
    for field, old, new in (
        ("name", user.name, name),
        ("role", user.role, role),
        ("authority", user.authority.code if user.authority else None, authority.code if authority else None),
        ("active", user.active, active),
    ):
        if old != new:
            changes[field] = [old, new]
    user.name, user.role, user.authority, user.active = name, role, authority, active
    if "active" in changes or "role" in changes or "authority" in changes:
        end_access(session, user)  # sign in again with the new access; links sent before end
    if "active" in changes and not active:
        changes["tokens_revoked"] = [0, revoke_all_tokens(user, "deactivated")]
    audit.record(
        session,
        actor,
        "user.updated",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
        details=changes,
    )
    session.commit()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No user has the email {normalise_email(email)}.")
    return user


def _typed_for_audit(session: Session, user: User | None, email: str) -> dict:
    """What a failed sign-in's audit event keeps of what was typed in the email box: nothing when
    it names an account (the event's subject says whose), else a keyed hash, so that attempts on
    one address can be counted without keeping what was typed (a password, say)."""
    if user is not None:
        return {}
    return {"email_hash": audit.value_hash(session, normalise_email(email)[:254])}


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    throttle: SignInThrottle | None = None,
    address: str | None = None,
) -> User | None:
    """The active user with these credentials, or None (same answer and similar time either way).

    With ``throttle``: once too many attempts failed for the address (or from the client
    ``address``), every attempt is refused with TooManyAttempts, whatever the password. Failed and
    refused attempts are audited.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if throttle is not None and throttle.blocked(email or "", address):
        # No password hashing here: the answer is the same whatever is sent, and hashing for
        # every refused attempt would hand an attacker the server's processors.
        _audit_sign_in_failure(session, user, email, "throttled")
        raise TooManyAttempts(
            f"Too many failed attempts to sign in. Wait {throttle.minutes} minutes, then try again, "
            "or ask your administrator to help."
        )
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        reason = "unknown email" if user is None else "no password set"
    elif not check_password_hash(user.password_hash, password or ""):
        reason = "wrong password"
    elif not user.active:
        reason = "deactivated"
    else:
        reason = ""
    if reason:
        if throttle is not None:
            throttle.failed(email or "", address)
        _audit_sign_in_failure(session, user, email, reason)
        return None
    if throttle is not None:
        throttle.succeeded(email)
    record_sign_in(session, user)
    return user


def record_sign_in(session: Session, user: User, method: str | None = None) -> None:
    """A person signed in (with a password, or ``method``): noted and audited."""
    user.last_login_at = utcnow()
    audit.record(
        session,
        user,
        "user.signed_in",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
        details={"method": method} if method else None,
    )
    session.commit()


def _audit_sign_in_failure(session: Session, user: User | None, email: str, reason: str) -> None:
    audit.record(
        session,
        None,
        "user.sign_in_refused" if reason == "throttled" else "user.sign_in_failed",
        subject_type="user",
        subject_id=user.id if user else None,
        authority_id=user.authority_id if user else None,
        details={**_typed_for_audit(session, user, email), "reason": reason},
    )
    session.commit()


def end_every_session(user: User) -> None:
    """Every session of ``user`` ends on the server: copies of old session cookies stop working."""
    user.session_version = (user.session_version or 1) + 1


def end_access(session: Session, user: User) -> None:
    """What a change of a person's access (deactivation, a new role or authority) ends: every
    session of theirs, and every link mailed to them and not yet used (an invitation or a reset
    sent for the old access must not open the new one, nor bring back a deactivated account)."""
    end_every_session(user)
    if user.id is not None:
        session.execute(
            update(AccountLink)
            .where(
                AccountLink.user_id == user.id,
                AccountLink.used_at.is_(None),
                AccountLink.ended_at.is_(None),
            )
            .values(ended_at=utcnow())
        )


def validate_new_password(new: str, confirm: str, user: User) -> None:
    """A new password that may be used, typed the same twice; errors by field."""
    errors = {}
    try:
        validate_password(new, email=user.email, name=user.name)
    except ValidationError as exc:
        errors["new_password"] = exc.message
    if not errors and new != confirm:
        errors["confirm_password"] = "The two new passwords are not the same."  # noqa: S105 - a message
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)


def end_sessions(session: Session, user: User) -> None:
    """The user signs out: every session of theirs ends, on every browser."""
    end_every_session(user)
    audit.record(
        session,
        user,
        "user.signed_out",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
    )
    session.commit()


def change_password(session: Session, actor: User, current: str, new: str, confirm: str) -> User:
    """The signed-in person changes their own password; every other session of theirs ends."""
    errors = {}
    if not actor.password_hash or not check_password_hash(actor.password_hash, current or ""):
        errors["current_password"] = "Your current password is not right."  # noqa: S105 - a message
    try:
        validate_password(new, email=actor.email, name=actor.name)
    except ValidationError as exc:
        errors["new_password"] = exc.message
    if not errors.get("new_password") and new != confirm:
        errors["confirm_password"] = "The two new passwords are not the same."  # noqa: S105
    if not errors.get("new_password") and current and new == current:
        errors["new_password"] = "Choose a password different from your current one."  # noqa: S105
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    actor.password_hash = hash_password(new)
    end_every_session(actor)
    audit.record(
        session,
        actor,
        "user.password_changed",
        subject_type="user",
        subject_id=actor.id,
        authority_id=actor.authority_id,
    )
    session.commit()
    return actor


# API tokens --------------------------------------------------------------------------------------


TOKEN_DAYS_DEFAULT = 90
TOKEN_DAYS_MAX = 366


def create_token(session: Session, actor: User | None, user: User, days: int = TOKEN_DAYS_DEFAULT) -> str:
    """A new API token for ``user`` that expires after ``days``; returned once, only its hash is
    kept. ``actor`` None is the command line (an operator on the server)."""
    if actor is not None and actor.id != user.id:
        _require_admin(actor)
    if not user.active:
        raise ValidationError(f"{user.email} is deactivated; reactivate the account first.", field="email")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= TOKEN_DAYS_MAX:
        raise ValidationError(f"A token lasts from 1 to {TOKEN_DAYS_MAX} days.", field="days")
    token = access.TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        token_hash=access.token_hash(token),
        prefix=token[:10],
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "token.created",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
        details={"token": row.id, "prefix": token[:10], "days": days},
    )
    session.commit()
    return token


def tokens_of(session: Session, actor: User | None, user: User) -> list[ApiToken]:
    """Every token of ``user``, newest first (the person themselves, administrators, operators)."""
    if actor is not None and actor.id != user.id:
        _require_admin(actor)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    )


def token_state(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= utcnow():
        return "expired"
    return "active"


def revoke_all_tokens(user: User, reason: str) -> int:
    now, count = utcnow(), 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at, token.revoked_reason = now, reason
            count += 1
    return count


def revoke_token(
    session: Session, actor: User | None, user: User, token_id: int | None = None, *, every: bool = False
) -> int:
    """Revoke one token of ``user`` (or every one): for good. Returns how many were revoked."""
    if actor is not None and actor.id != user.id:
        _require_admin(actor)
    reason = "operator" if actor is None else "owner" if actor.id == user.id else "admin"
    if every:
        count = revoke_all_tokens(user, reason)
    else:
        token = session.get(ApiToken, token_id) if isinstance(token_id, int) else None
        if token is None or token.user_id != user.id:
            raise NotFound(f"{user.email} has no token {token_id}.", field="token")
        if token.revoked_at is not None:
            raise Conflict(f"Token {token_id} is already revoked.")
        token.revoked_at, token.revoked_reason = utcnow(), reason
        count = 1
    audit.record(
        session,
        actor,
        "token.revoked",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
        details={"token": "all" if every else token_id, "count": count},
    )
    session.commit()
    return count


def set_active(session: Session, actor: User | None, user: User, active: bool) -> None:
    """Deactivate (signed out at once, every API token revoked for good) or reactivate a user."""
    _require_admin(actor)
    change_active(session, actor, user, active)


def change_active(session: Session, actor: User | None, user: User, active: bool) -> None:
    """The rules of deactivation, whoever may do it (an administrator, the authority's approver)."""
    if actor is not None and actor.id == user.id and not active:
        raise ValidationError("You cannot deactivate your own account.", field="user")
    if user.active == active:
        raise Conflict(f"{user.name} is already {'active' if active else 'deactivated'}.")
    user.active = active
    details: dict = {"active": [not active, active]}
    if not active:
        end_access(session, user)
        details["tokens_revoked"] = revoke_all_tokens(user, "deactivated")
    audit.record(
        session,
        actor,
        "user.activated" if active else "user.deactivated",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
        details=details,
    )
    session.commit()


def set_areas(session: Session, actor: User, slugs: list[str]) -> list:
    """The service areas a signed-in person works in (any role): their first page shows what is
    new there. Unknown areas are refused."""
    if actor is None:
        raise PermissionDenied("Sign in to choose your service areas.")
    wanted = sorted({s.strip() for s in slugs if s and s.strip()})
    areas = list(session.scalars(select(ServiceArea).where(ServiceArea.slug.in_(wanted)))) if wanted else []
    unknown = sorted(set(wanted) - {a.slug for a in areas})
    if unknown:
        raise ValidationError(f"Unknown service area: {', '.join(unknown)}.", field="areas")
    actor.areas = sorted(areas, key=lambda a: a.position)
    audit.record(
        session,
        actor,
        "user.areas_chosen",
        subject_type="user",
        subject_id=actor.id,
        details={"areas": wanted},
    )
    session.commit()
    return actor.areas
