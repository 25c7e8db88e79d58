"""The details of a document's peer challenge (its title and focus) are shared with the document,
so they are reviewed like its text: what detection finds in them is a suggestion its owners
redact, keep or put in their own words on the consent page, and consent waits for every one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from library.core import audit
from library.core.db import utcnow
from library.core.errors import Conflict, NotFound, ValidationError
from library.core.limits import REPLACEMENT_MAX
from library.core.models import Challenge, ChallengeRedaction, Document, RedactionStatus, User
from library.documents import workspace

FIELDS = ("title", "focus")
SUGGESTED, ACCEPTED, REJECTED = (s.value for s in RedactionStatus)


def _value(challenge: Challenge, field: str) -> str:
    return (challenge.title if field == "title" else challenge.focus) or ""


def review(session: Session, document: Document) -> list[ChallengeRedaction]:
    """The suggestions for the details of the document's challenge as they read now: detection
    runs again (with the authority's term lists); a decision stays while the words it was made on
    are still there; suggestions for words since changed go."""
    challenge = document.challenge
    if challenge is None:
        return []
    detect = workspace.detector_for(session, document, warn=False)
    changed = False
    for row in list(challenge.redactions):
        if _value(challenge, row.field)[row.start : row.end] != row.text:
            challenge.redactions.remove(row)  # the details changed under it
            changed = True
    have = {(r.field, r.start, r.end) for r in challenge.redactions}
    for field in FIELDS:
        for s in detect(_value(challenge, field)):
            if (field, s.start, s.end) not in have:
                changed = True
                challenge.redactions.append(
                    ChallengeRedaction(
                        field=field,
                        start=s.start,
                        end=s.end,
                        text=s.text,
                        category=s.category,
                        rule=s.rule,
                        status=SUGGESTED,
                    )
                )
    if changed:
        session.commit()  # (so that the suggestions shown keep their ids for the decisions on them)
    return sorted(challenge.redactions, key=lambda r: (FIELDS.index(r.field), r.start))


def pending(session: Session, document: Document) -> list[ChallengeRedaction]:
    return [r for r in review(session, document) if r.status == SUGGESTED]


def decide(
    session: Session,
    actor: User,
    document_id: int,
    redaction_id: int,
    status: str,
    words: str | None = None,
) -> ChallengeRedaction:
    """Redact (``accepted``, with ``words`` of the reviewer's own instead of a label if given) or
    keep (``rejected``) one suggestion in the challenge's details, from one of its documents."""
    if status not in (ACCEPTED, REJECTED):
        raise ValidationError("status must be 'accepted' or 'rejected'.", field="status")
    document = workspace.editable(session, actor, document_id)
    row = next((r for r in review(session, document) if r.id == redaction_id), None)
    if row is None:
        raise NotFound("No such suggestion in this peer challenge's details.")
    replacement = None
    if words is not None and status == ACCEPTED:
        replacement = " ".join(str(words).split())
        if not replacement:
            raise ValidationError("Enter the words readers will see instead.", field="replacement")
        if len(replacement) > REPLACEMENT_MAX:
            raise ValidationError(f"Enter {REPLACEMENT_MAX} characters or fewer.", field="replacement")
        if row.category == "person":
            raise Conflict(
                "Names of people get a numbered label ([PERSON 1]). Redact it instead.", field="replacement"
            )
        if workspace.detector_for(session, document, warn=False)(replacement):
            raise ValidationError("Use words that identify no one.", field="replacement")
    row.status, row.replacement = status, replacement
    row.decided_by_id, row.decided_at = actor.id, utcnow()
    details = {
        "challenge": row.challenge_id,
        "field": row.field,
        "category": row.category,
        "value_hash": audit.value_hash(session, row.text),
    }
    if replacement:
        details["replacement_hash"] = audit.value_hash(session, replacement)
    audit.for_document(session, actor, f"challenge_redaction.{status}", document, details)
    session.commit()
    return row
