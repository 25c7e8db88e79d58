"""Who may read, change or approve what: defined once here, and asked by every route and query.

The read rule is one definition: a published document reaches one **audience** (every member
authority, the authorities of one region, or one authority: its scope), and a person belongs to
audiences (everyone, their authority's region, their authority; administrators, who may take any
published document down, reach every one; an inactive person or one without an authority, none).
A person may read a published document when its audience is one of theirs. The three forms the
library needs are all made from that definition, so they cannot disagree (a property test checks
that they never do):

- :func:`can_read_published`, the Python predicate, for one document in hand;
- :func:`readable_filter`, the SQL clause, for lists and counts (and :func:`readable_versions`,
  the query of the current versions a person may read, built on it);
- :func:`caller_labels`, the search index's access labels (``national``, ``region:<slug>``,
  ``authority:<code>``: the labels of ``search_index.base.labels_for_scope``).

Owners are the contributors and approvers of the authority a document or peer challenge belongs
to; they see every state of it. The getters (:func:`get_for_owner`, :func:`get_for_viewer`,
:func:`for_approver`, and those of peer challenges) answer 404 to everyone else, never revealing
that it exists, and a tombstone (410) to a reader of a withdrawn document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from library.core.db import utcnow
from library.core.errors import Gone, NotFound, PermissionDenied, ValidationError
from library.core.models import (
    ApiToken,
    Authority,
    Challenge,
    Document,
    DocumentStatus,
    DocumentVersion,
    Role,
    Scope,
    User,
)

# Roles ---------------------------------------------------------------------------------------------

# The roles that work on an authority's documents (and read its drafts).
OWNER_ROLES = (Role.CONTRIBUTOR.value, Role.APPROVER.value)
# The roles an authority's approvers give its people.
AUTHORITY_ROLES = (Role.READER.value, Role.CONTRIBUTOR.value, Role.APPROVER.value)
# Each role in words, as pages and messages give it.
ROLE_WORDS = {
    Role.READER.value: "a reader",
    Role.CONTRIBUTOR.value: "a contributor",
    Role.APPROVER.value: "an approver",
    Role.ADMIN.value: "an administrator",
}
TOKEN_PREFIX = "pcl_"  # noqa: S105 - a label, not a secret


def is_owner(user: User | None, thing: Document | Challenge) -> bool:
    """Contributors and approvers of the authority that uploaded the document (or recorded the
    peer challenge)."""
    return (
        user is not None
        and user.is_active
        and user.role in OWNER_ROLES
        and user.authority_id is not None
        and user.authority_id == thing.authority_id
    )


# The read rule -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a shared document reaches: every member authority (``national``), the authorities of
    one region, or one authority. Compared by scope and id; the slug and code name it in the
    index."""

    scope: str
    id: int | None = None
    name: str = ""  # the region's slug or the authority's code

    def key(self) -> tuple[str, int | None]:
        return (self.scope, self.id)

    def label(self) -> str:
        """Its access label in the search index."""
        if self.scope == Scope.NATIONAL.value:
            return "national"
        return f"{self.scope}:{self.name}"

    def clause(self) -> ColumnElement[bool]:
        """The documents shared with this audience, as SQL."""
        if self.scope == Scope.NATIONAL.value:
            return Document.scope == Scope.NATIONAL.value
        if self.scope == Scope.REGION.value:
            in_region = select(Authority.id).where(Authority.region_id == self.id)
            return and_(Document.scope == Scope.REGION.value, Document.authority_id.in_(in_region))
        return and_(Document.scope == Scope.AUTHORITY.value, Document.authority_id == self.id)


class _Everyone:
    """The audiences of an administrator: every one."""


EVERY = _Everyone()


def audience_of(document: Document) -> Audience | None:
    """The audience a document's scope reaches (none before it is first shared)."""
    authority = document.authority
    if document.scope == Scope.NATIONAL.value:
        return Audience(Scope.NATIONAL.value)
    if document.scope == Scope.REGION.value:
        return Audience(Scope.REGION.value, authority.region_id, authority.region.slug)
    if document.scope == Scope.AUTHORITY.value:
        return Audience(Scope.AUTHORITY.value, authority.id, authority.code)
    return None


def audiences_of(user: User | None) -> list[Audience] | _Everyone:
    """The audiences a person belongs to."""
    if user is None or not user.is_active:
        return []
    if user.is_admin:
        return EVERY
    authority = user.authority
    if authority is None:
        return []
    return [
        Audience(Scope.NATIONAL.value),
        Audience(Scope.REGION.value, authority.region_id, authority.region.slug),
        Audience(Scope.AUTHORITY.value, authority.id, authority.code),
    ]


def scope_covers(user: User | None, document: Document) -> bool:
    """Whether the document's audience is one of the person's (whatever its state: a withdrawn
    document's readers get its tombstone)."""
    audiences, audience = audiences_of(user), audience_of(document)
    if audience is None:
        return False
    if audiences is EVERY:
        return True
    return audience.key() in {a.key() for a in audiences}


def can_read_published(user: User | None, document: Document) -> bool:
    """The read rule, in Python."""
    return document.status == DocumentStatus.PUBLISHED.value and scope_covers(user, document)


def can_view(user: User | None, document: Document) -> bool:
    """Owners see every state of their documents; everyone else a published one in scope."""
    return is_owner(user, document) or can_read_published(user, document)


def readable_filter(user: User | None) -> ColumnElement[bool] | None:
    """The read rule, as a WHERE clause on documents (None: nothing)."""
    audiences = audiences_of(user)
    published = Document.status == DocumentStatus.PUBLISHED.value
    if audiences is EVERY:  # every audience: any document shared with one
        return and_(published, Document.scope.is_not(None))
    if not audiences:
        return None
    return and_(published, or_(*(a.clause() for a in audiences)))


def caller_labels(user: User | None) -> list[str] | None:
    """The read rule, as the search index's access labels a caller's queries are filtered by
    (None: every published document)."""
    audiences = audiences_of(user)
    if audiences is EVERY:
        return None
    return [a.label() for a in audiences]


def readable_versions(user: User | None, *entities, where=()) -> Select | None:
    """The current shared versions the person may read, with their documents: ``SELECT
    entities`` (by default the version and its document) over them, narrowed by ``where``;
    None when they may read nothing."""
    clause = readable_filter(user)
    if clause is None:
        return None
    return (
        select(*(entities or (DocumentVersion, Document)))
        .select_from(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(clause, DocumentVersion.is_current.is_(True), *where)
    )


def without_texts() -> tuple:
    """Query options for lists of (version, document) rows: the long texts (the unredacted one
    among them) stay unread, and each document's authority comes in one more query."""
    return (
        defer(Document.extracted_text),
        defer(DocumentVersion.text),
        defer(DocumentVersion.sections),
        selectinload(Document.authority),
    )


def nothing() -> ColumnElement[bool]:
    """A WHERE clause no row meets (for a person who may read nothing)."""
    return false()


# Getters -------------------------------------------------------------------------------------------


def get_for_owner(session: Session, actor: User | None, document_id: int) -> Document:
    """A document its owners may work on; 404 for everyone else (never reveal it exists)."""
    document = session.get(Document, document_id)
    if document is None or not is_owner(actor, document):
        raise NotFound("No such document.")
    return document


def get_for_viewer(session: Session, actor: User | None, document_id: int) -> Document:
    """A document as ``actor`` may see it: owners always; readers once published and in scope;
    a withdrawn one's readers get its tombstone (410)."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("No such document.")
    if can_view(actor, document):
        return document
    if document.status == DocumentStatus.WITHDRAWN.value and scope_covers(actor, document):
        raise Gone(tombstone_message(document), tombstone=tombstone(document))
    raise NotFound("No such document.")


def for_approver(session: Session, actor: User | None, document_id: int) -> Document:
    """A document its authority's approvers decide on: 403 to those who may see it but not
    decide, 404 to everyone else."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("No such document.")
    if not is_owner(actor, document):
        if actor is not None and (
            can_view(actor, document) or actor.is_admin and document.status == DocumentStatus.PUBLISHED.value
        ):
            raise PermissionDenied("Only the approver of the authority that owns this document can do this.")
        raise NotFound("No such document.")
    if actor.role != Role.APPROVER.value:
        raise PermissionDenied("Only your authority's approver can give or withdraw consent.")
    return document


def tombstone(document: Document) -> dict:
    """What readers may still learn of a withdrawn document: never its content or title."""
    return {
        "id": document.id,
        "authority": {"code": document.authority.code, "name": document.authority.name},
        "document_type": document.document_type.slug,
        "document_type_name": document.document_type.name,
        "withdrawn_at": document.withdrawn_at.isoformat() + "Z" if document.withdrawn_at else None,
        "taken_down": document.withdrawal_kind == "taken_down",
        "deleted": document.deleted_at is not None,
    }


def tombstone_message(document: Document) -> str:
    when = document.withdrawn_at.strftime("%-d %B %Y") if document.withdrawn_at else "recently"
    if document.deleted_at is not None:
        deleted = document.deleted_at.strftime("%-d %B %Y")
        return (
            f"{document.authority.name} withdrew this {document.document_type.name.lower()} on {when}; "
            f"it was deleted for good on {deleted}."
        )
    if document.withdrawal_kind == "taken_down":
        kind = document.document_type.name.lower()
        return f"This {kind} was taken down by the library's administrators on {when}."
    return f"{document.authority.name} withdrew this {document.document_type.name.lower()} on {when}."


def challenge_for_owner(session: Session, actor: User | None, challenge_id: int) -> Challenge:
    """A peer challenge its authority's owners may change; 404 for everyone else."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None or not is_owner(actor, challenge):
        raise NotFound("No such peer challenge.")
    return challenge


def challenge_for_document(session: Session, actor: User, value) -> Challenge | None:
    """The challenge a document of the actor's authority may be attached to (``None`` detaches;
    another authority's, or none: 404, as for any id the actor may not see)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        challenge_id = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            "challenge_id is the id of one of your authority's peer challenges, or null.",
            field="challenge_id",
        ) from None
    challenge = session.get(Challenge, challenge_id) if 0 < challenge_id < 2**31 else None
    if challenge is None or not is_owner(actor, challenge):
        raise NotFound("There is no such peer challenge of your authority.", field="challenge_id")
    return challenge


# Who acts for an authority -------------------------------------------------------------------------


def approvers_of(session: Session, authority_id: int) -> list[User]:
    """The active approvers of an authority."""
    return list(
        session.scalars(
            select(User).where(
                User.authority_id == authority_id, User.role == Role.APPROVER.value, User.active.is_(True)
            )
        )
    )


# Who is asking -------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is kept of an API token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(session: Session, token: str) -> User | None:
    """The active person an API token stands for, if it is one of ours, unrevoked and in time."""
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
