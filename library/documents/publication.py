"""Consent and publication: what an approver agrees to share, with whom, and withdrawing it.

Consent is per document and per version. What was consented is frozen in a DocumentVersion;
later edits make a new draft that readers do not see until consent is given again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from library.core import access, audit, outbox, published, settings, structure, word
from library.core.db import utcnow
from library.core.errors import (
    Conflict,
    ContentChanged,
    NotFound,
    PermissionDenied,
    Unavailable,
    ValidationError,
)
from library.core.models import (
    Authority,
    Document,
    DocumentStatus,
    DocumentVersion,
    Kloe,
    MailMessage,
    Scope,
    User,
)
from library.core.storage import StorageError
from library.documents import challenge_details, notices, workspace
from library.search import meaning

SCOPES = tuple(s.value for s in Scope)
# The document types whose key lines of enquiry go into the bank.
KLOE_TYPES = ("scoping-document", "self-assessment")
FORM_STATEMENT = (
    "I confirm that I may consent for {authority}, that I have seen what will be shared as this page sets it "
    "out, and that it may be shared with the readers I have chosen. I understand that I can withdraw this "
    "consent at any time."
)
STATEMENT = (
    "I confirm that I may consent for {authority}, that I have seen what will be shared as the consent "
    "page set it out, and that it may be shared with {audience}. I understand that I can withdraw this "
    "consent at any time."
)

log = logging.getLogger(__name__)


@dataclass
class Audience:
    scope: str
    label: str
    description: str
    authorities: int


def audiences(session: Session, authority: Authority) -> list[Audience]:
    """Each scope in plain words: who will be able to read the document."""
    in_region = session.scalar(
        select(func.count(Authority.id)).where(Authority.region_id == authority.region_id)
    )
    everyone = session.scalar(select(func.count(Authority.id)))
    return [
        Audience(
            "authority", "Own authority only", f"Only staff of {authority.name} who use the library.", 1
        ),
        Audience(
            "region",
            f"Own region: {authority.region.name}",
            f"Staff of the {in_region} member authorit{'y' if in_region == 1 else 'ies'} in the "
            f"{authority.region.name}, including yours.",
            in_region,
        ),
        Audience(
            "national",
            "All regions",
            f"Staff of every member authority in England ({everyone} at present), including yours.",
            everyone,
        ),
    ]


def audience_words(session: Session, authority: Authority, scope: str) -> str:
    return next(a.description for a in audiences(session, authority) if a.scope == scope)


def audience_phrase(session: Session, authority: Authority, scope: str) -> str:
    """The audience to follow "shared with": "staff of the 2 member authorities in the South East,
    including yours" (no capital, no full stop)."""
    words = audience_words(session, authority, scope)
    return words[0].lower() + words[1:].rstrip(".")


def statement_for(session: Session, document: Document, scope: str) -> str:
    return STATEMENT.format(
        authority=document.authority.name, audience=audience_phrase(session, document.authority, scope)
    )


# What would be published -------------------------------------------------------------------------


def kloes_to_share(document: Document, shot: published.Snapshot) -> list[structure.FoundKloe]:
    """The key lines of enquiry consent would put in the bank (scoping documents and
    self-assessments only)."""
    if document.document_type.slug not in KLOE_TYPES:
        return []
    return structure.kloes(shot.text, shot.sections)


def blockers(session: Session, document: Document) -> list[str]:
    """Why consent cannot be given now (an empty list when it can)."""
    if document.status == DocumentStatus.WITHDRAWN.value:
        return ["This document has been withdrawn. Upload it again to share it."]
    reasons = []
    pending = sum(1 for r in document.redactions if r.status == "suggested")
    if pending:
        reasons.append(f"{pending} suggested redaction{'s are' if pending != 1 else ' is'} still to review.")
    findings = workspace.checked(session, document)
    if findings:
        reasons.append(
            f"The final redaction check found {len(findings)} thing{'s' if len(findings) != 1 else ''} "
            "still to redact."
        )
    waiting = challenge_details.pending(session, document)
    if waiting:
        reasons.append(
            f"{len(waiting)} suggestion{'s are' if len(waiting) != 1 else ' is'} in the peer challenge's "
            "details (its title and focus, which are shared with this document) still to review."
        )
    return reasons


# Who may act ---------------------------------------------------------------------------------------


def _check_scope(scope: str | None) -> str:
    if scope not in SCOPES:
        raise ValidationError("Choose who may read it: authority, region or national.", field="scope")
    return scope


# Consent -----------------------------------------------------------------------------------------


CHANGED_MESSAGE = (
    "The text changed after you opened this page (someone changed a redaction or the details). "
    "Nothing was shared: read it again below, then consent."
)


def _check_hash(content_hash: str | None) -> str:
    if not isinstance(content_hash, str) or not content_hash.strip():
        raise ValidationError(
            "Send the content_hash of the text you read (from the preview or the consent page).",
            field="content_hash",
        )
    return content_hash.strip().lower()


def give_consent(
    session: Session,
    actor: User,
    document_id: int,
    scope: str | None,
    confirm: bool,
    content_hash: str | None,
    read: str | None = None,
) -> DocumentVersion:
    """Publish the current redacted version to ``scope``, if it is exactly what the approver read:
    ``content_hash`` is the hash of the snapshot shown to them (see :func:`snapshot`). ``read``:
    "summary" where the approver consented from the summary without opening the full text,
    "text" where they opened it; recorded with the consent."""
    document = access.for_approver(session, actor, document_id)
    scope = _check_scope(scope)
    if confirm is not True:
        raise ValidationError("Confirm the consent statement to share the document.", field="confirm")
    content_hash = _check_hash(content_hash)
    if document.status == DocumentStatus.WITHDRAWN.value:
        raise Conflict("This document has been withdrawn; consent can no longer be given.")
    reasons = blockers(session, document)
    if reasons:
        raise Conflict(" ".join(reasons))
    now_snapshot = published.snapshot(document)
    if now_snapshot.content_hash != content_hash:
        _refused_stale(session, actor, document, "consent", content_hash, now_snapshot.content_hash)
    current = document.current_version
    if current is not None and current.text_hash == now_snapshot.content_hash:
        if document.scope == scope:
            raise Conflict("This version is already shared with that audience.")
        change_scope(session, actor, document_id, scope, content_hash)
        return current
    if current is not None:
        current.is_current = False
    version = DocumentVersion(
        document=document,
        number=(current.number + 1) if current else 1,
        title=now_snapshot.title,
        summary=now_snapshot.summary,
        text=now_snapshot.text,
        document_type_id=now_snapshot.document_type_id,
        year=now_snapshot.year,
        service_areas=list(document.service_areas),
        scope=scope,
        text_hash=now_snapshot.content_hash,
        statement=statement_for(session, document, scope),
        consented_by_id=actor.id,
        consented_at=utcnow(),
        is_current=True,
    )
    session.add(version)
    _freeze_structure(version, document, now_snapshot)
    meaning.attach(version)
    first = document.status != DocumentStatus.PUBLISHED.value
    document.status = DocumentStatus.PUBLISHED.value
    document.scope = scope
    document.published_at = version.consented_at
    document.set_hand_off()  # the hand-off is done
    session.flush()
    outbox.index(session, document.id)
    notices.shared(session, actor, document, audience_phrase(session, document.authority, scope))
    audit.for_document(
        session,
        actor,
        "consent.given",
        document,
        {
            "version": version.number,
            "scope": scope,
            "text_hash": version.text_hash,
            "first_publication": first,
            **({"read": read} if read in ("summary", "text") else {}),
        },
    )
    session.commit()
    return version


def _freeze_structure(version: DocumentVersion, document: Document, shot: published.Snapshot) -> None:
    """Keep with the version what readers see of its challenge, its sections and its key lines
    of enquiry: all of them read from the text and details consented to."""
    if shot.challenge is not None:
        version.challenge_id = shot.challenge.id
        version.challenge_title = shot.challenge.title
        version.challenge_focus = shot.challenge.focus
        version.challenge_year = shot.challenge.year
        version.challenge_areas = sorted(shot.challenge.areas)
    found = shot.sections
    version.sections = [s.as_dict() for s in found]
    version.kloes = [
        Kloe(document_id=document.id, position=i, section=k.section, text=k.text)
        for i, k in enumerate(kloes_to_share(document, shot), start=1)
    ]


def _refused_stale(session: Session, actor: User, document: Document, what: str, sent: str, now: str):
    """Record a consent refused because the text changed under the approver, then refuse it."""
    session.rollback()
    audit.for_document(
        session,
        actor,
        "consent.refused_stale",
        document,
        {"action": what, "read_hash": sent[:64], "current_hash": now},
    )
    session.commit()
    raise ContentChanged(CHANGED_MESSAGE, field="content_hash")


def change_scope(
    session: Session, actor: User, document_id: int, scope: str | None, content_hash: str | None
) -> Document:
    """Share the published version more or less widely: takes effect at once. ``content_hash`` is
    that of the published version the approver was shown: a scope change never shares other text."""
    document = access.for_approver(session, actor, document_id)
    scope = _check_scope(scope)
    content_hash = _check_hash(content_hash)
    if document.status != DocumentStatus.PUBLISHED.value:
        raise Conflict("Only a published document's audience can be changed.")
    current = document.current_version
    if current is None or current.text_hash != content_hash:
        _refused_stale(session, actor, document, "scope", content_hash, current.text_hash if current else "")
    if document.scope == scope:
        raise Conflict("The document is already shared with that audience.")
    old = document.scope
    document.scope = scope
    outbox.index(session, document.id)
    notices.shared(
        session, actor, document, audience_phrase(session, document.authority, scope), scope_change=True
    )
    audit.for_document(session, actor, "consent.scope_changed", document, {"from": old, "to": scope})
    session.commit()
    return document


def _reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Give a reason.", field="reason")
    if len(reason) > 2000:
        raise ValidationError("The reason must be 2000 characters or fewer.", field="reason")
    return reason


def _end(session: Session, actor: User, document: Document, kind: str, reason: str) -> None:
    document.status = DocumentStatus.WITHDRAWN.value
    document.withdrawn_at = utcnow()
    document.withdrawn_by_id = actor.id
    document.withdrawn_reason = reason
    document.withdrawal_kind = kind
    outbox.index(session, document.id)
    notices.withdrawn(session, actor, document, taken_down=kind == "taken_down")
    audit.for_document(
        session,
        actor,
        "consent.withdrawn" if kind == "withdrawn" else "document.taken_down",
        document,
        {
            # The reason stays with the document (its owners read it); the trail keeps a keyed hash.
            "reason_hash": audit.value_hash(session, reason),
            "scope": document.scope,
            "version": document.current_version.number if document.current_version else None,
        },
    )
    session.commit()


def withdraw(session: Session, actor: User, document_id: int, reason: str | None) -> Document:
    """Withdraw consent: from the next request on, the document is gone from every reader's view."""
    document = access.for_approver(session, actor, document_id)
    reason = _reason(reason)
    if document.status != DocumentStatus.PUBLISHED.value:
        raise Conflict(
            "Only a published document can be withdrawn."
            if document.status == "draft"
            else "This document has already been withdrawn."
        )
    _end(session, actor, document, "withdrawn", reason)
    return document


def take_down(session: Session, actor: User, document_id: int, reason: str | None) -> Document:
    """An administrator takes a published document down, with a reason."""
    if actor is None or not actor.is_admin:
        raise PermissionDenied("Only administrators can take documents down.")
    document = session.get(Document, document_id)
    if document is None or document.status == DocumentStatus.DRAFT.value:
        raise NotFound("No such document.")  # administrators never see drafts
    reason = _reason(reason)
    if document.status != DocumentStatus.PUBLISHED.value:
        raise Conflict("This document is no longer published.")
    _end(session, actor, document, "taken_down", reason)
    return document


# Lists -------------------------------------------------------------------------------------------


def published_for_download(
    session: Session, actor: User, document_id: int
) -> tuple[Document, DocumentVersion]:
    """The document and the version readers get (owners too): never a draft."""
    document = access.get_for_viewer(session, actor, document_id)
    version = document.current_version
    if document.status != DocumentStatus.PUBLISHED.value or version is None:
        raise NotFound("This document has not been published, so there is nothing to download.")
    return document, version


def download_markdown(session: Session, actor: User, document_id: int) -> str:
    """The published redacted version as markdown: never the original file, never a draft."""
    document, version = published_for_download(session, actor, document_id)
    areas = ", ".join(a.name for a in version.service_areas)
    lines = [f"# {version.title}", ""]
    if version.summary:
        lines += [version.summary, ""]
    year = f", {version.year}" if version.year else ""
    lines += [
        f"_{document.authority.name} ({document.authority.region.name}). {version.document_type.name}{year}. "
        f"Service areas: {areas}. Version {version.number}, shared on {version.consented_at:%-d %B %Y} "
        "through the Peer Challenge Library._",
        "",
        "---",
        "",
        version.text.rstrip(),
        "",
    ]
    return "\n".join(lines)


# Deleting for good -------------------------------------------------------------------------------

DELETED_TITLE = "Deleted document"


def delete_for_good(session: Session, storage, actor: User, document_id: int) -> Document:
    """The owning authority's approver deletes a withdrawn document entirely: its original, its
    versions, its redactions and its index entry. Its tombstone (authority, type, dates) and its
    audit events, which hold no content, stay."""
    document = access.for_approver(session, actor, document_id)
    if document.status != DocumentStatus.WITHDRAWN.value:
        raise Conflict("Only a withdrawn document can be deleted for good: withdraw it first.")
    if document.deleted_at is not None:
        raise Conflict("This document has already been deleted for good.")
    erase(session, storage, document, actor, "document.deleted")
    return document


def erase(session: Session, storage, document: Document, actor: User | None, action: str) -> None:
    """Remove everything of a withdrawn document that holds content (see :func:`delete_for_good`;
    ``retention purge`` calls this for documents withdrawn long ago)."""
    had_original = document.original is not None
    if had_original:
        try:
            storage.delete(document.original.storage_key)
        except FileNotFoundError:
            pass  # already gone: what matters is that it is
        except StorageError as exc:  # nothing is deleted until the original is
            log.error("an original to delete for good could not be deleted: %s", exc)
            raise Unavailable(
                "The original file could not be deleted just now, so nothing was deleted. Try again in a "
                "few minutes."
            ) from exc
        session.delete(document.original)
    versions = len(document.versions)
    for version in list(document.versions):
        session.delete(version)
    document.redactions.clear()
    document.check = None
    document.service_areas = []
    # Messages about it, and digests that list it, hold its title: they go too.
    link = f"/documents/{document.id}"
    session.execute(
        delete(MailMessage).where(
            MailMessage.event_key.like(f"%:document:{document.id}:%")
            | MailMessage.body_text.like(f"%{link}\n%")
            | MailMessage.body_text.like(f"%{link}/%")
        )
    )
    document.title = DELETED_TITLE
    document.summary = ""
    document.extracted_text = ""
    document.extraction_report = None
    document.withdrawn_reason = None
    document.sent_back_note = None
    document.deleted_at = utcnow()
    outbox.index(session, document.id)
    audit.for_document(session, actor, action, document, {"versions": versions, "original": had_original})
    session.commit()


def purge(session: Session, storage, older_than_days: int) -> int:
    """Delete for good every document withdrawn more than ``older_than_days`` days ago."""
    if older_than_days < 0:
        raise ValidationError("--older-than is a number of days, 0 or more.", field="older_than")
    cutoff = utcnow() - timedelta(days=older_than_days)
    due = list(
        session.scalars(
            select(Document).where(
                Document.status == DocumentStatus.WITHDRAWN.value,
                Document.deleted_at.is_(None),
                Document.withdrawn_at <= cutoff,
            )
        )
    )
    for document in due:
        erase(session, storage, document, None, "document.purged")
    return len(due)


def download_docx(
    session: Session, actor: User | None, document_id: int, base_url: str | None = None
) -> bytes:
    """The published redacted version as a Word document: never the original, never a draft. Its
    links start with ``base_url`` (the service's address unless given)."""
    base_url = settings.of(session).base_url if base_url is None else base_url
    document, version = published_for_download(session, actor, document_id)
    doc = word.new_document(version.title)
    word.heading(doc, version.title, 0)
    if version.summary:
        word.paragraph(doc, version.summary)
    areas = ", ".join(a.name for a in version.service_areas)
    year = f", {version.year}" if version.year else ""
    about = word.paragraph(doc)
    word.run(
        about,
        f"{document.authority.name} ({document.authority.region.name}). {version.document_type.name}{year}. "
        f"Service areas: {areas}. Version {version.number}, shared on {version.consented_at:%-d %B %Y} "
        f"through the Peer Challenge Library: {base_url.rstrip('/')}{structure.document_url(document.id)}",
    ).italic = True
    word.add_markdown(doc, version.text, heading_offset=0, base_url=base_url)
    return word.to_bytes(doc)
