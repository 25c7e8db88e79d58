"""What readers would get of a document now: each field with its accepted redactions applied,
and the snapshot (text and metadata, the peer challenge's details among them) that consent
freezes. Consent, the owners' pages and the challenge's page all compare against this one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from library import redaction as engine
from library.core import structure
from library.core.models import Challenge, Document, DocumentStatus, RedactionStatus

FIELDS = ("title", "summary", "text")


def field_text(document: Document, field: str) -> str:
    """The field as uploaded (or edited), before any redaction."""
    return {"title": document.title, "summary": document.summary or "", "text": document.extracted_text}[
        field
    ]


def redacted_mapped(
    document: Document, field: str, *, pending_too: bool = False
) -> tuple[str, list[engine.Piece]]:
    """:func:`redacted`, and the pieces that map it back to the original text. ``pending_too``:
    suggestions still to review are applied as well (for a message about a draft)."""
    statuses = (
        (RedactionStatus.ACCEPTED.value, RedactionStatus.SUGGESTED.value)
        if pending_too
        else (RedactionStatus.ACCEPTED.value,)
    )
    spans = [
        engine.Span(r.start, r.end, r.category, r.text, r.replacement)
        for r in document.redactions
        if r.field == field and r.status in statuses
    ]
    return engine.apply_mapped(field_text(document, field), spans)


def challenge_detail(challenge: Challenge, field: str) -> str:
    """A peer challenge's title or focus as readers would get it: each stretch redacted on review
    replaced by its label or the reviewer's words."""
    value = challenge.title if field == "title" else challenge.focus
    # A decision counts only while the words it was made on are where it was made (the details
    # may have changed since; the review then asks again).
    spans = [
        engine.Span(r.start, r.end, r.category, r.text, r.replacement)
        for r in challenge.redactions
        if r.field == field
        and r.status == RedactionStatus.ACCEPTED.value
        and (value or "")[r.start : r.end] == r.text
    ]
    return engine.apply_mapped(value or "", spans)[0] if spans else value


def redacted(document: Document, field: str = "text") -> str:
    """The field as readers would get it: every accepted redaction applied."""
    return redacted_mapped(document, field)[0]


@dataclass
class SharedChallenge:
    """What readers will see of the document's peer challenge."""

    id: int
    title: str
    focus: str
    year: int | None
    areas: list[str]  # service area slugs

    def as_list(self) -> list:
        return [self.id, self.title, self.focus, self.year, sorted(self.areas)]


@dataclass
class Snapshot:
    title: str
    summary: str
    text: str
    document_type_id: int
    service_area_ids: list[int]
    year: int | None
    challenge: SharedChallenge | None = None

    @property
    def content_hash(self) -> str:
        parts: list = [
            self.title,
            self.summary,
            self.text,
            self.document_type_id,
            sorted(self.service_area_ids),
            self.year,
        ]
        if self.challenge is not None:  # (so that the hashes of versions without one stand)
            parts.append({"challenge": self.challenge.as_list()})
        body = json.dumps(parts, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()

    @property
    def sections(self) -> list[structure.Section]:
        return structure.sections(self.text)


def snapshot(document: Document) -> Snapshot:
    """The redacted title, summary and text, and the metadata (the peer challenge's details
    among them), as they would be published now."""
    challenge = document.challenge
    return Snapshot(
        title=redacted(document, "title"),
        summary=redacted(document, "summary"),
        text=redacted(document, "text"),
        document_type_id=document.document_type_id,
        service_area_ids=[a.id for a in document.service_areas],
        year=document.year,
        challenge=None
        if challenge is None
        else SharedChallenge(
            challenge.id,
            challenge_detail(challenge, "title"),
            challenge_detail(challenge, "focus"),
            challenge.year,
            [a.slug for a in challenge.service_areas],
        ),
    )


def has_unpublished_changes(document: Document) -> bool:
    """Whether what would be published now differs from the version readers have."""
    version = document.current_version
    return version is not None and version.text_hash != snapshot(document).content_hash


@dataclass(frozen=True)
class State:
    """Where a document stands, the one way lists, pages, the API (``state``) and emails say it."""

    key: str  # draft | with_approver | sent_back | shared | changed_since_shared | withdrawn | deleted
    words: str
    colour: str  # a GOV.UK tag colour

    @property
    def tag_class(self) -> str:
        return f"govuk-tag--{self.colour}"


STATES = {
    "draft": State("draft", "Draft", "grey"),
    "with_approver": State("with_approver", "With the approver", "blue"),
    "sent_back": State("sent_back", "Sent back", "orange"),
    "shared": State("shared", "Shared", "green"),
    "changed_since_shared": State("changed_since_shared", "Changed since shared", "yellow"),
    "withdrawn": State("withdrawn", "Withdrawn", "red"),
    "deleted": State("deleted", "Deleted", "red"),
}


def state(document: Document, *, changed: bool | None = None) -> State:
    """The one state of ``document`` (see :data:`STATES`). ``changed``: whether it differs from
    its shared version, where the caller already knows (it costs a snapshot otherwise)."""
    if document.deleted_at is not None:
        return STATES["deleted"]
    if document.status == DocumentStatus.WITHDRAWN.value:
        return STATES["withdrawn"]
    if document.status == DocumentStatus.PUBLISHED.value:
        if changed is None:
            changed = has_unpublished_changes(document)
        return STATES["changed_since_shared" if changed else "shared"]
    if document.sent_back_at is not None:
        return STATES["sent_back"]
    if document.ready_at is not None:
        return STATES["with_approver"]
    return STATES["draft"]
