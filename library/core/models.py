"""The data model. Every change to the schema goes through an Alembic migration in ``migrations/``."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from library.core.db import Base, utcnow


class Role(enum.StrEnum):
    READER = "reader"
    CONTRIBUTOR = "contributor"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "reader": "Reader",
            "contributor": "Contributor",
            "approver": "Approver",
            "admin": "Administrator",
        }[self.value]


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Scope(enum.StrEnum):
    AUTHORITY = "authority"
    REGION = "region"
    NATIONAL = "national"


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    authorities: Mapped[list[Authority]] = relationship(back_populates="region", order_by="Authority.name")


class Authority(Base):
    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Sign-in with Microsoft: the council's Entra ID tenant, and (optionally) the only email
    # domains accepted from it.
    tenant_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    email_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A tenant is used for sign-in once confirmed: at once where the authority had no contributor
    # or approver when it was connected, else by one of its approvers.
    tenant_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    tenant_confirmed_by_id: Mapped[int | None] = mapped_column(Integer)  # a user's id (no cycle of keys)

    region: Mapped[Region] = relationship(back_populates="authorities")
    users: Mapped[list[User]] = relationship(back_populates="authority")


user_service_areas = Table(
    "user_service_areas",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("service_area_id", ForeignKey("service_areas.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored folded to lower case, so the unique constraint ignores case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Part of the id kept in the session cookie: raising it ends every session of this user on
    # the server (sign-out, a changed password, deactivation), whatever copies of cookies exist.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The kinds of notice this person asked not to be sent ("shared", "ready"...).
    notices_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Digests of what is new in what they follow: "daily" or "weekly"; and when the last was made.
    digest_frequency: Mapped[str] = mapped_column(String(8), default="weekly", server_default="weekly")
    digest_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Who this person is to their council's identity provider: "tenant:subject".
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)

    authority: Mapped[Authority | None] = relationship(back_populates="users")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")
    # The service areas a person works in: their first page shows what is new there.
    areas: Mapped[list[ServiceArea]] = relationship(
        secondary=user_service_areas, order_by="ServiceArea.position"
    )

    # flask-login: the session holds "id:session_version", so an ended session no longer loads.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version or 1}"

    # flask-login: an inactive user is treated as signed out.
    @property
    def is_active(self) -> bool:
        return bool(self.active)

    # flask-login: only an active person counts as signed in; the anonymous user is another class.
    @property
    def is_authenticated(self) -> bool:
        return self.is_active

    is_anonymous = False

    # Two loads of one person (in two sessions) are the same person, for as long as their session lasts.
    def __eq__(self, other: object) -> bool:
        return self.get_id() == other.get_id() if isinstance(other, User) else NotImplemented

    __hash__ = object.__hash__

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def can_upload(self) -> bool:
        return self.role in (Role.CONTRIBUTOR.value, Role.APPROVER.value) and self.authority_id is not None


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # "owner", "admin", "operator" or "deactivated": why the token stopped working.
    revoked_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="tokens")


class ServiceArea(Base):
    __tablename__ = "service_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class DocumentType(Base):
    __tablename__ = "document_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


document_service_areas = Table(
    "document_service_areas",
    Base.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("service_area_id", ForeignKey("service_areas.id"), primary_key=True),
)


challenge_service_areas = Table(
    "challenge_service_areas",
    Base.metadata,
    Column("challenge_id", ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True),
    Column("service_area_id", ForeignKey("service_areas.id"), primary_key=True),
)


class Challenge(Base):
    """A peer challenge: the documents one visit left behind, kept together in chain order.

    These are the owners' working details. Readers see what was frozen with each consented
    document (``DocumentVersion.challenge_*``), never these rows directly.
    """

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    focus: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    authority: Mapped[Authority] = relationship()
    service_areas: Mapped[list[ServiceArea]] = relationship(
        secondary=challenge_service_areas, order_by="ServiceArea.position"
    )
    documents: Mapped[list[Document]] = relationship(back_populates="challenge")
    redactions: Mapped[list[ChallengeRedaction]] = relationship(
        order_by="ChallengeRedaction.id", cascade="all, delete-orphan", passive_deletes=True
    )


class Document(Base):
    __tablename__ = "documents"
    # Lists of the newest shared documents a person may read walk this index in order and stop
    # after a page, never reading the rows (whose extracted text makes them long).
    __table_args__ = (Index("ix_documents_listing", "status", "published_at", "scope", "authority_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    document_type_id: Mapped[int] = mapped_column(ForeignKey("document_types.id"))
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.DRAFT.value, index=True)
    scope: Mapped[str | None] = mapped_column(String(16))
    # The text extracted from the original file, unredacted: owners only.
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    # How the file was read (library.extraction.Report.as_dict): pages read by OCR, pages not read,
    # pictures left out. Page numbers and places only. Owners only.
    extraction_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # "withdrawn" by the owning authority's approver, or "taken_down" by an administrator.
    withdrawal_kind: Mapped[str | None] = mapped_column(String(16))
    # Deleted for good (after withdrawal): the row stays as the tombstone, its content is gone.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The hand-off: a contributor marks a draft ready for approval; an approver may send it back.
    ready_at: Mapped[datetime | None] = mapped_column(DateTime)
    ready_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_back_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_back_note: Mapped[str | None] = mapped_column(Text)
    # The peer challenge it came from (its place in the chain comes from its type).
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="SET NULL"), index=True
    )

    authority: Mapped[Authority] = relationship()
    challenge: Mapped[Challenge | None] = relationship(back_populates="documents")
    uploader: Mapped[User | None] = relationship(foreign_keys=[uploader_id])
    ready_by: Mapped[User | None] = relationship(foreign_keys=[ready_by_id])
    sent_back_by: Mapped[User | None] = relationship(foreign_keys=[sent_back_by_id])
    check: Mapped[DocumentCheck | None] = relationship(
        uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )
    document_type: Mapped[DocumentType] = relationship()
    service_areas: Mapped[list[ServiceArea]] = relationship(
        secondary=document_service_areas, order_by="ServiceArea.position"
    )
    original: Mapped[StoredFile | None] = relationship(back_populates="document", uselist=False)
    redactions: Mapped[list[Redaction]] = relationship(
        order_by="Redaction.start", cascade="all, delete-orphan", passive_deletes=True
    )
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", passive_deletes=True
    )

    @property
    def current_version(self) -> DocumentVersion | None:
        return next((v for v in reversed(self.versions) if v.is_current), None)

    def set_hand_off(
        self, *, ready_by_id: int | None = None, sent_back_by_id: int | None = None, note: str | None = None
    ) -> None:
        """Where the hand-off stands: ready (by whom), sent back (by whom, with a note), or
        neither (all left out). Setting one clears the other."""
        now = utcnow()
        self.ready_at, self.ready_by_id = (now if ready_by_id else None), ready_by_id
        self.sent_back_at, self.sent_back_by_id = (now if sent_back_by_id else None), sent_back_by_id
        self.sent_back_note = note if sent_back_by_id else None


class DocumentCheck(Base):
    """The last final check of a document, and a digest of everything it read: lists of many
    documents show whether each can be consented without running every check again."""

    __tablename__ = "document_checks"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    findings: Mapped[int] = mapped_column(Integer)
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # What it found (field, places, value, category, reason): pages show the last check's result
    # while nothing it read changed, instead of running detection over the text again.
    details: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class StoredFile(Base):
    """An uploaded original, kept in the data folder under a generated name."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), unique=True)
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    # The name the uploader's computer gave it: shown to owners only, never used on disk.
    original_filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="original")


class AuditEvent(Base):
    """Append-only: rows are inserted, never changed or deleted (a database trigger enforces it)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who acted, as text, so the trail still reads if the user is renamed.
    actor_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _audit_no_update(_mapper, _connection, _target) -> None:
    raise AppendOnlyError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _audit_no_delete(_mapper, _connection, _target) -> None:
    raise AppendOnlyError("audit events are append-only")


class RedactionStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Redaction(Base):
    """A stretch of a document's text (or its title or summary) to redact, suggested or chosen."""

    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    # Which text the offsets refer to: the extracted text, the title or the summary.
    field: Mapped[str] = mapped_column(String(16), default="text")
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    # The value itself: as sensitive as the extracted text, shown to owners only.
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(48))
    score: Mapped[float] = mapped_column(default=1.0)
    # For a warning (category "indirect"): which details met there, in plain words.
    reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Words of the reviewer's own that readers get instead of a label ("a teenager with a
    # disability"); only with status accepted.
    replacement: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8))  # auto | manual
    status: Mapped[str] = mapped_column(String(12), default=RedactionStatus.SUGGESTED.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class ChallengeRedaction(Base):
    """A stretch of a peer challenge's title or focus to redact or keep: those details are shared
    with each of its documents, so they are reviewed like the documents' own text."""

    __tablename__ = "challenge_redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(16))  # title | focus
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)  # as sensitive as the details: owners only
    category: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(48))
    replacement: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=RedactionStatus.SUGGESTED.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class RedactionTerm(Base):
    """An authority's own list: terms it always redacts (staff, schools, estates) or never does."""

    __tablename__ = "redaction_terms"
    __table_args__ = (UniqueConstraint("authority_id", "kind", "normalised"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # always | never
    term: Mapped[str] = mapped_column(String(200))
    normalised: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), default="other")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


version_service_areas = Table(
    "version_service_areas",
    Base.metadata,
    Column("version_id", ForeignKey("document_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("service_area_id", ForeignKey("service_areas.id"), primary_key=True),
)


class DocumentVersion(Base):
    """What an approver consented to share: the redacted text and metadata, frozen.

    Readers only ever see a document's current version; later edits make a new draft that needs
    consent of its own.
    """

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        # The current versions and their documents, read without the versions' long texts.
        Index("ix_document_versions_current_document", "is_current", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(400))
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    document_type_id: Mapped[int] = mapped_column(ForeignKey("document_types.id"))
    year: Mapped[int | None] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(16))
    # SHA-256 of exactly the title, summary and text consented to.
    text_hash: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)
    consented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consented_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # The peer challenge as it was shown to the approver and shared with this version: readers
    # see these, never the challenge's working details.
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="SET NULL"), index=True
    )
    challenge_title: Mapped[str | None] = mapped_column(String(200))
    challenge_focus: Mapped[str | None] = mapped_column(Text)
    challenge_year: Mapped[int | None] = mapped_column(Integer)
    challenge_areas: Mapped[list[str] | None] = mapped_column(JSON)
    # The text's headings (see library/structure.py), found once at consent: outlines, links to a
    # section, comparisons and extracts read them.
    sections: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)

    document: Mapped[Document] = relationship(back_populates="versions")
    kloes: Mapped[list[Kloe]] = relationship(
        back_populates="version", order_by="Kloe.position", cascade="all, delete-orphan", passive_deletes=True
    )
    document_type: Mapped[DocumentType] = relationship()
    consented_by: Mapped[User | None] = relationship()
    service_areas: Mapped[list[ServiceArea]] = relationship(
        secondary=version_service_areas, order_by="ServiceArea.position"
    )
    passages: Mapped[list[VersionPassage]] = relationship(
        order_by="VersionPassage.position", cascade="all, delete-orphan", passive_deletes=True
    )


class VersionPassage(Base):
    """What a version's text means, for search by meaning: the embedding of its title and of each
    section (its heading and opening), computed once at consent from the text consented to and
    kept with the version; deleting the version or its document deletes them."""

    __tablename__ = "version_passages"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # 0: the title
    start: Mapped[int] = mapped_column(Integer)  # where it begins in the version's text
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian, unit length


class Kloe(Base):
    """A key line of enquiry found in a published version's text. Readers reach it only through
    its document's current version, so it shares the document's audience, and goes with it."""

    __tablename__ = "kloes"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # The ordinal of the section it sits in (its link: /documents/ID#section-N).
    section: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    version: Mapped[DocumentVersion] = relationship(back_populates="kloes")


class IndexOutbox(Base):
    """A document whose search entry must be brought in line with the database. Written in the
    same transaction as the change, drained by one writer at a time; a failed drain leaves the
    row to be tried again."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class MailMessage(Base):
    """A message waiting in the outbox (or sent). Written in the same transaction as the event
    that causes it, delivered after the commit and by ``notifications send``; a failure leaves it
    to be tried again later. One message per address and event: the unique key refuses a second."""

    __tablename__ = "mail_outbox"
    __table_args__ = (UniqueConstraint("to_address", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(32))
    # What caused it ("shared:document:42:version:3"): the same event never mails one address twice.
    event_key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Delivery: not before this time; a sender holds it until ``claimed_until`` while it sends.
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class AccountLink(Base):
    """A single-use link mailed to a person: an invitation (choose your password) or a password
    reset. Only a hash of its secret is kept."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # invitation | reset
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Ended unused, because the person's access changed (deactivated, a new role or authority).
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Follow(Base):
    """Something a person follows: a saved search (words and filters). Following a service area,
    a document type or a region is a search with that filter and no words."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    query: Mapped[str] = mapped_column(String(200), default="")
    filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # The search in one canonical form: following the same search twice is one follow.
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class UsageMonth(Base):
    """How often a document was read and downloaded in a month, by people of other authorities.
    ``month`` is the year and month as one number (202611). Never who they were."""

    __tablename__ = "usage_months"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    downloads: Mapped[int] = mapped_column(Integer, default=0)


class UsageReader(Base):
    """Each person of another authority who read a document, known only by a keyed hash (so the
    number of people, authorities and regions can be counted, never who they were)."""

    __tablename__ = "usage_readers"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    reader: Mapped[str] = mapped_column(String(32), primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(Integer)
    first_month: Mapped[int] = mapped_column(Integer)


class UsageActive(Base):
    """Who read anything in a month, by the same keyed hash: the programme's "readers active"."""

    __tablename__ = "usage_active"

    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    reader: Mapped[str] = mapped_column(String(32), primary_key=True)
