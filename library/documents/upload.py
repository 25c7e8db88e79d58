"""Documents: upload with extraction, and the queries that decide who sees which document."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from library.core import access, audit, vocabularies
from library.core.db import utcnow
from library.core.errors import (
    Conflict,
    FileTooLarge,
    NotFound,
    PermissionDenied,
    Unavailable,
    UnsupportedFile,
    ValidationError,
)
from library.core.limits import SUMMARY_MAX, TITLE_MAX
from library.core.models import (
    Document,
    DocumentStatus,
    DocumentType,
    DocumentVersion,
    StoredFile,
    User,
    version_service_areas,
)
from library.core.storage import FileStorage, StorageError
from library.documents import processing, workspace
from library.documents.workspace import redetect_field
from library.extraction import ExtractionError, Limits, strip_invisible

log = logging.getLogger(__name__)


@dataclass
class UploadInput:
    title: str = ""
    summary: str = ""
    document_type: str = ""
    service_areas: list[str] = field(default_factory=list)
    year: str | int | None = None
    filename: str = ""
    data: bytes | None = None
    # The id of one of the authority's peer challenges, None to detach, KEEP to leave as it is.
    challenge: object = "keep"


KEEP = "keep"


def _check_metadata(session: Session, form: UploadInput) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    clean: dict = {}
    title = " ".join(strip_invisible(form.title or "").split())
    if not title:
        errors["title"] = "Enter a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"The title must be {TITLE_MAX} characters or fewer."
    clean["title"] = title
    summary = strip_invisible(form.summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = f"The summary must be {SUMMARY_MAX} characters or fewer."
    clean["summary"] = summary
    slug = (form.document_type or "").strip()
    doc_type = session.scalar(select(DocumentType).where(DocumentType.slug == slug)) if slug else None
    if not slug:
        errors["document_type"] = "Choose the type of document."
    elif doc_type is None:
        errors["document_type"] = f"'{slug}' is not a document type we know. Choose one from the list."
    clean["document_type"] = doc_type
    clean["service_areas"], problem = vocabularies.check_areas(session, form.service_areas or [])
    if problem:
        errors["service_areas"] = problem
    clean["year"], problem = vocabularies.check_year(form.year)
    if problem:
        errors["year"] = problem
    return clean, errors


def upload_document(
    session: Session, storage: FileStorage, actor: User, form: UploadInput, limits: Limits
) -> Document:
    """Check the metadata and the file, extract the text, store the original, record it all.

    Nothing is stored unless everything is accepted.
    """
    if actor is None or not actor.can_upload:
        raise PermissionDenied("Only contributors and approvers can upload documents for their authority.")
    clean, errors = _check_metadata(session, form)
    challenge = None
    if form.challenge not in (KEEP, None, ""):
        try:
            challenge = access.challenge_for_document(session, actor, form.challenge)
        except ValidationError as exc:
            errors["challenge"] = exc.message
        # (another authority's challenge, or none: NotFound, 404, as for any id the actor may not see)
    analysis = None
    file_error: ExtractionError | None = None
    if not form.data:
        errors["file"] = "Select a file." if form.data is None else "The selected file is empty."
    else:
        read = processing.analyse if limits.isolate else processing.analyse_here
        terms = workspace.detection_terms(session, actor.authority_id)
        try:
            analysis = read(
                form.data, form.filename, limits, clean.get("title", ""), clean.get("summary", ""), terms
            )
        except ExtractionError as exc:
            file_error = exc
            errors["file"] = exc.message
    if errors:
        message = next(iter(errors.values()))
        if file_error is not None and file_error.status == 413:
            too_large = FileTooLarge(file_error.message, errors=errors)
            too_large.code = file_error.code  # which limit: file_too_large, too_much_text...
            raise too_large
        if file_error is not None and file_error.status == 415:
            raise UnsupportedFile(file_error.message, errors=errors)
        raise ValidationError(message, errors=errors)

    extracted = analysis.extracted
    try:
        key = storage.save(form.data, extracted.kind)
    except StorageError as exc:
        log.error("an upload's original could not be stored: %s", exc)
        raise Unavailable(
            "We could not store the file just now, so nothing was saved. Try again in a few minutes."
        ) from exc
    try:
        document = Document(
            authority_id=actor.authority_id,
            uploader=actor,
            title=clean["title"],
            summary=clean["summary"],
            document_type=clean["document_type"],
            service_areas=clean["service_areas"],
            year=clean["year"],
            status=DocumentStatus.DRAFT.value,
            extracted_text=extracted.text,
            extraction_report=extracted.report.as_dict() if extracted.report else None,
            challenge=challenge,
        )
        document.original = StoredFile(
            storage_key=key,
            original_filename=(form.filename or "upload")[-255:],
            kind=extracted.kind,
            media_type=extracted.media_type,
            size=len(form.data),
            sha256=hashlib.sha256(form.data).hexdigest(),
        )
        session.add(document)
        session.flush()
        audit.for_document(
            session,
            actor,
            "document.uploaded",
            document,
            {
                "kind": extracted.kind,
                "size": len(form.data),
                "document_type": clean["document_type"].slug,
                "characters": len(extracted.text),
                "ocr_pages": len(extracted.report.ocr_pages),
                "pages_not_read": len(extracted.report.unread_pages),
                "pictures_left_out": len(extracted.report.pictures),
            },
        )
        workspace.run_detection(session, actor, document, found=analysis.suggestions)
        session.flush()
        workspace.note_clean_upload(session, document, terms)
        session.commit()
    except Exception:
        session.rollback()
        try:
            storage.delete(key)
        except StorageError as exc:  # the row was not written: the object is an orphan to remove
            log.error("an original whose document was not saved could not be removed: %s", exc)
        raise
    log.info("document %s uploaded (%s, %d bytes)", document.id, extracted.kind, len(form.data))
    return document


# Reading ---------------------------------------------------------------------------------------


def _with_relations(stmt: Select) -> Select:
    return stmt.options(
        selectinload(Document.service_areas),
        selectinload(Document.document_type),
        selectinload(Document.authority),
        selectinload(Document.original),
    )


def update_details(session: Session, actor: User, document_id: int, form: UploadInput) -> Document:
    """Change the title, summary, type, service areas, year or peer challenge. A changed title or summary is
    checked for personal information again. On a published document this makes a new draft
    version: readers keep the consented one until consent is given again."""
    document = access.get_for_owner(session, actor, document_id)
    if document.status == DocumentStatus.WITHDRAWN.value:
        raise Conflict("This document has been withdrawn; its details can no longer change.")
    clean, errors = _check_metadata(session, form)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    challenge = (
        None if form.challenge == KEEP else access.challenge_for_document(session, actor, form.challenge)
    )
    changed = []
    for name in ("title", "summary"):
        if getattr(document, name) != clean[name]:
            setattr(document, name, clean[name])
            redetect_field(session, document, name)
            changed.append(name)
    if document.document_type_id != clean["document_type"].id:
        document.document_type = clean["document_type"]
        changed.append("document_type")
    if {a.id for a in document.service_areas} != {a.id for a in clean["service_areas"]}:
        document.service_areas = clean["service_areas"]
        changed.append("service_areas")
    if document.year != clean["year"]:
        document.year = clean["year"]
        changed.append("year")
    if form.challenge != KEEP:
        if document.challenge_id != (challenge.id if challenge else None):
            document.challenge = challenge
            changed.append("challenge")
    if changed:
        document.updated_at = utcnow()
        audit.for_document(session, actor, "document.updated", document, {"changed": changed})
    session.commit()
    return document


def own_documents(
    session: Session, actor: User, *, page: int = 1, per_page: int = 20
) -> tuple[list[Document], int]:
    """The actor's authority's documents: every status for owners, published ones for readers."""
    if actor.authority_id is None:
        return [], 0
    where = [Document.authority_id == actor.authority_id]
    if actor.role not in access.OWNER_ROLES:
        readable = access.readable_filter(actor)
        if readable is None:
            return [], 0
        where.append(readable)
    total = session.scalar(select(func.count(Document.id)).where(*where)) or 0
    stmt = (
        _with_relations(
            select(Document).where(*where).order_by(Document.updated_at.desc(), Document.id.desc())
        )
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(session.scalars(stmt)), total


def read_original(
    storage: FileStorage, session: Session, actor: User, document_id: int
) -> tuple[StoredFile, bytes]:
    """The uploaded original: only ever for the owners."""
    document = access.get_for_owner(session, actor, document_id)
    if document.original is None:
        raise NotFound("This document has no stored original.")
    original = document.original
    try:
        data = storage.read(original.storage_key)
        if len(data) != original.size or hashlib.sha256(data).hexdigest() != original.sha256:
            raise StorageError(f"{original.storage_key} is not the file that was stored")
    except (StorageError, OSError) as exc:
        log.error("an original could not be read: %s", exc)
        raise Unavailable(
            "The original file could not be read just now. Try again in a few minutes."
        ) from exc
    return original, data


def recent_readable(
    session: Session, actor: User | None, limit: int = 5, area_ids: list[int] | None = None
) -> list[Document]:
    """The newest documents this person may read; with ``area_ids``, only those whose shared
    version is in one of those service areas."""
    where = access.readable_filter(actor)
    if where is None:
        return []
    stmt = select(Document).where(where)
    if area_ids:
        in_areas = (
            select(DocumentVersion.document_id)
            .join(version_service_areas, version_service_areas.c.version_id == DocumentVersion.id)
            .where(
                DocumentVersion.is_current.is_(True), version_service_areas.c.service_area_id.in_(area_ids)
            )
        )
        stmt = stmt.where(Document.id.in_(in_areas))
    stmt = _with_relations(stmt.order_by(Document.published_at.desc())).limit(limit)
    return list(session.scalars(stmt))
