"""Who may do what with a document. Every route asks these, never its own ad hoc check."""

from __future__ import annotations

import hashlib

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from library.core.db import utcnow
from library.core.models import ApiToken, Authority, Challenge, Document, DocumentStatus, Role, Scope, User

OWNER_ROLES = (Role.CONTRIBUTOR.value, Role.APPROVER.value)
# Each role in words, as pages and messages give it.
ROLE_WORDS = {
    Role.READER.value: "a reader",
    Role.CONTRIBUTOR.value: "a contributor",
    Role.APPROVER.value: "an approver",
    Role.ADMIN.value: "an administrator",
}
TOKEN_PREFIX = "pcl_"  # noqa: S105 - a label, not a secret


def is_owner(user: User | None, document: Document | Challenge) -> bool:
    """Contributors and approvers of the authority that uploaded the document (or recorded the
    peer challenge)."""
    return (
        user is not None
        and user.is_active
        and user.role in OWNER_ROLES
        and user.authority_id is not None
        and user.authority_id == document.authority_id
    )


def scope_covers(user: User | None, document: Document) -> bool:
    """Whether the document's sharing scope reaches this user. Administrators, who may take any
    published document down, read every published one (never a draft)."""
    if user is None or not user.is_active:
        return False
    if user.is_admin:
        return document.scope is not None
    if user.authority is None:
        return False
    if document.scope == Scope.NATIONAL.value:
        return True
    if document.scope == Scope.REGION.value:
        return user.authority.region_id == document.authority.region_id
    if document.scope == Scope.AUTHORITY.value:
        return user.authority_id == document.authority_id
    return False


def can_read_published(user: User | None, document: Document) -> bool:
    return document.status == DocumentStatus.PUBLISHED.value and scope_covers(user, document)


def can_view(user: User | None, document: Document) -> bool:
    """Owners see every state of their documents; everyone else a published one in scope."""
    return is_owner(user, document) or can_read_published(user, document)


def readable_filter(user: User | None) -> Select | None:
    """A WHERE clause for the published documents this user may read, or None for none."""
    if user is None or not user.is_active:
        return None
    if user.is_admin:
        return Document.status == DocumentStatus.PUBLISHED.value
    if user.authority is None:
        return None
    region_authorities = select(Authority.id).where(Authority.region_id == user.authority.region_id)
    return and_(
        Document.status == DocumentStatus.PUBLISHED.value,
        or_(
            Document.scope == Scope.NATIONAL.value,
            and_(Document.scope == Scope.REGION.value, Document.authority_id.in_(region_authorities)),
            and_(Document.scope == Scope.AUTHORITY.value, Document.authority_id == user.authority_id),
        ),
    )


# Who is asking -----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is kept of an API token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(session: Session, token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
        session.commit()
    return row.user


# Who acts for an authority ---------------------------------------------------------------------


def approvers_of(session: Session, authority_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User).where(
                User.authority_id == authority_id, User.role == Role.APPROVER.value, User.active.is_(True)
            )
        )
    )
