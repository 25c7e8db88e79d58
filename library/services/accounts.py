"""Authorities, users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import search
from ..db import utcnow
from ..models import ApiToken, Authority, Document, DocumentStatus, Region, Role, User
from . import audit
from .errors import NotFound, PermissionDenied, ValidationError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "pcl_"  # noqa: S105 - a label, not a secret
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
            search.enqueue(session, document_id)
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


def _check_role_and_authority(session: Session, role: str, authority_code: str | None) -> Authority | None:
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


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.", field="password"
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
    """Add a user. Without a password the account cannot sign in until one is set."""
    _require_admin(actor)
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
    authority = _check_role_and_authority(session, role, authority_code)
    if password is not None:
        validate_password(password)
    user = User(
        email=email,
        name=name,
        role=role,
        authority=authority,
        active=True,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
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


def update_user(
    session: Session,
    actor: User,
    user: User,
    *,
    name: str,
    role: str,
    authority_code: str | None,
    active: bool,
    password: str | None = None,
) -> None:
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the user's name.", field="name")
    authority = _check_role_and_authority(session, role, authority_code)
    if user.id == actor.id and (not active or role != Role.ADMIN.value):
        raise ValidationError("You cannot remove your own administrator access.", field="role")
    if password:
        validate_password(password)
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
    if password:
        user.password_hash = hash_password(password)
        changes["password"] = ["", "changed"]
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


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer and similar time either way)."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    audit.record(
        session,
        user,
        "user.signed_in",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
    )
    session.commit()
    return user


# API tokens --------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: User | None, user: User) -> str:
    """A new API token for ``user``; returned once, only its hash is kept."""
    if actor is not None and actor.id != user.id:
        _require_admin(actor)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_token_hash(token), prefix=token[:10]))
    audit.record(
        session,
        actor,
        "token.created",
        subject_type="user",
        subject_id=user.id,
        authority_id=user.authority_id,
        details={"prefix": token[:10]},
    )
    session.commit()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
        session.commit()
    return row.user
