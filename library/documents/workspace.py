"""Redaction of a document: suggestions from the detection engine, decisions by its owners,
the redacted preview, and the final check that nothing redacted is still there."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from library import redaction as engine
from library.core import access, audit, published, structure
from library.core.db import utcnow
from library.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from library.core.limits import REPLACEMENT_MAX, TERM_MAX
from library.core.models import (
    Authority,
    Document,
    DocumentCheck,
    Redaction,
    RedactionStatus,
    RedactionTerm,
    Region,
    User,
)
from library.documents import processing

FIELDS = published.FIELDS
SUGGESTED, ACCEPTED, REJECTED = (s.value for s in RedactionStatus)
WARNING = engine.WARNING  # the category of warnings about combinations of details


def _require_editor(actor: User | None, document: Document) -> None:
    if actor is None or actor.role not in ("contributor", "approver"):
        raise PermissionDenied("Only contributors and approvers can redact documents.")


# Detection ---------------------------------------------------------------------------------------


def authority_terms(session: Session, authority_id: int) -> tuple[list[tuple[str, str]], list[str]]:
    rows = session.scalars(select(RedactionTerm).where(RedactionTerm.authority_id == authority_id))
    always, never = [], []
    for row in rows:
        if row.kind == "always":
            always.append((row.term, row.category))
        else:
            never.append(row.term)
    return always, never


def known_places(session: Session) -> list[str]:
    """Authority and region names: never people."""
    names = [a.name for a in session.scalars(select(Authority))]
    names += [r.name for r in session.scalars(select(Region))]
    for name in list(names):
        # "Kingsmere Borough Council" is also written "Kingsmere".
        first = name.split()[0]
        if len(first) > 3:
            names.append(first)
    return names


def detection_terms(session: Session, authority_id: int) -> processing.Terms:
    """What detection needs from the database: the authority's term lists and the place names."""
    always, never = authority_terms(session, authority_id)
    return processing.Terms(always=always, never=never, allow=known_places(session))


def detector_for(
    session: Session, document: Document, terms: processing.Terms | None = None, *, warn: bool = True
) -> Callable[[str], list[engine.Suggestion]]:
    """Detection with the document's authority term lists and the known place names, loaded once
    for all the texts it is then given (or given, for a list of one authority's documents).
    ``warn``: with warnings about combinations of details (the final check leaves them out: they
    are for a person's judgement, and every one was decided before it runs)."""
    terms = terms or detection_terms(session, document.authority_id)
    return lambda text: engine.detect(
        text, always=terms.always, never=terms.never, allow=terms.allow, warn=warn
    )


def run_detection(session: Session, actor: User | None, document: Document, found: dict | None = None) -> int:
    """Add suggestions for the title, summary and text; keeps every decision already made.
    ``found``: suggestions per field already made (by the upload worker). Returns how many new
    suggestions were added."""
    if found is None:
        detect = detector_for(session, document)
        added = sum(_suggest(detect, document, field, skip_decided=True) for field in FIELDS)
    else:
        added = sum(
            _suggest(_given(found.get(field, [])), document, field, skip_decided=True) for field in FIELDS
        )
    audit.for_document(session, actor, "redaction.detected", document, {"suggestions": added})
    return added


def _given(items: list[engine.Suggestion]) -> Callable[[str], list[engine.Suggestion]]:
    return lambda _text: items


def redetect_field(session: Session, document: Document, field: str) -> int:
    """The text of a field changed: its old redactions no longer fit, so detect afresh."""
    for r in [r for r in document.redactions if r.field == field]:
        document.redactions.remove(r)
    return _suggest(detector_for(session, document), document, field, skip_decided=False)


def _suggest(detect, document: Document, field: str, *, skip_decided: bool) -> int:
    """Add the detection engine's suggestions for one field; returns how many were added."""
    existing = {(r.start, r.end) for r in document.redactions if r.field == field}
    accepted = engine.Cover(
        (r.start, r.end) for r in document.redactions if r.field == field and r.status == ACCEPTED
    )
    added = 0
    for s in detect(published.field_text(document, field)):
        if skip_decided and ((s.start, s.end) in existing or accepted.contains(s.start, s.end)):
            continue
        document.redactions.append(
            Redaction(
                field=field,
                start=s.start,
                end=s.end,
                text=s.text,
                category=s.category,
                rule=s.rule,
                score=s.score,
                reason=s.reason[:300],
                source="auto",
                status=SUGGESTED,
            )
        )
        added += 1
    return added


# Reading -----------------------------------------------------------------------------------------


def _warnings_last(item: tuple[str, int]) -> tuple:
    category, n = item
    return (category == engine.WARNING, -n, category)


def found_words(document: Document) -> str:
    """What detection found to review, in a sentence: "12 names of people, 3 phone numbers and 2
    warnings about details that together may identify someone"."""
    counts: dict[str, int] = {}
    for r in document.redactions:
        if r.status == RedactionStatus.SUGGESTED.value:
            counts[r.category] = counts.get(r.category, 0) + 1
    if not counts:
        return ""
    parts = [
        f"{n} {engine.category_words(category, n)}"
        if category != engine.WARNING
        else f"{n} {'warning' if n == 1 else 'warnings'} about details that together may identify someone"
        for category, n in sorted(counts.items(), key=_warnings_last)
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def redactions_for(session: Session, actor: User, document_id: int) -> tuple[Document, list[Redaction]]:
    document = access.get_for_owner(session, actor, document_id)
    return document, sorted(document.redactions, key=lambda r: (FIELDS.index(r.field), r.start, r.end))


@dataclass
class Preview:
    title: str
    summary: str
    text: str
    pending: int
    reviewed: int
    total: int

    @property
    def sections(self) -> list[dict]:
        """The headings of the text readers would get, for its contents list."""
        return [s.as_dict() for s in structure.sections(self.text)]


def preview(document: Document) -> Preview:
    total = len(document.redactions)
    pending = sum(1 for r in document.redactions if r.status == SUGGESTED)
    return Preview(
        title=published.redacted(document, "title"),
        summary=published.redacted(document, "summary"),
        text=published.redacted(document, "text"),
        pending=pending,
        reviewed=total - pending,
        total=total,
    )


@dataclass
class Finding:
    field: str
    start: int  # in the redacted text
    end: int
    text: str
    category: str
    reason: str
    source_start: int = 0  # where it is in the original text of the field
    source_end: int = 0


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


def final_check(session: Session, document: Document, terms: processing.Terms | None = None) -> list[Finding]:
    """Detection again on the redacted text, and a search for every accepted value and its
    variants. Anything found blocks consent, except a value a person chose to keep in this
    document: that was a decision, not an oversight. A value both redacted and kept is found."""
    findings: list[Finding] = []
    accepted = [r for r in document.redactions if r.status == ACCEPTED]
    kept = {_norm(r.text) for r in document.redactions if r.status == REJECTED}
    # Keeping a warning says the combination may stay, not that every word inside it may.
    kept_spans = {
        field: engine.Cover(
            (r.start, r.end)
            for r in document.redactions
            if r.field == field and r.status == REJECTED and r.category != WARNING
        )
        for field in FIELDS
    }
    redacted_values = {_norm(r.text) for r in accepted}
    people = [r.text for r in accepted if r.category == "person"]
    # A school or an age is personal only beside the child it belongs to: the same words elsewhere
    # (a school in a list of the partnership's schools) are not an oversight.
    others = [r.text for r in accepted if r.category not in ("person", "school", "age")]
    detect = detector_for(session, document, terms, warn=False)

    def add(field, pieces, start, end, text, category, reason):
        key = _norm(text)
        source_start, source_end = engine.to_original(pieces, start, end)
        if key in kept and key in redacted_values:
            reason = "redacted in one place and kept in another"
        elif key in kept or kept_spans[field].contains(source_start, source_end):
            return  # a person read it there and kept it
        findings.append(Finding(field, start, end, text, category, reason, source_start, source_end))

    for field in FIELDS:
        text, pieces = published.redacted_mapped(document, field)
        for s in detect(text):
            add(field, pieces, s.start, s.end, s.text, s.category, "still detected")
        for s in engine.find_variants(text, people):
            add(field, pieces, s.start, s.end, s.text, "person", "a redacted name is still there")
        for start, end in engine.find_values(text, others):
            add(field, pieces, start, end, text[start:end], "other", "a redacted value is still there")
    unique: dict[tuple, Finding] = {}
    for f in findings:
        unique.setdefault((f.field, f.start, f.end), f)
    return sorted(unique.values(), key=lambda f: (FIELDS.index(f.field), f.start))


@dataclass
class CheckState:
    """Where a document stands before consent: suggestions still to decide, and what the final
    check still finds (only run once nothing is pending)."""

    pending: int
    findings: int

    @property
    def passes(self) -> bool:
        return self.pending == 0 and self.findings == 0


def _check_key(document: Document, terms: processing.Terms) -> str:
    """A digest of everything the final check reads: the texts, the decisions, the term lists,
    and what detection itself is made of (its code and word lists)."""
    digest = hashlib.sha256(engine.FINGERPRINT.encode())
    for field in FIELDS:
        digest.update(published.field_text(document, field).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    rows = sorted(
        (r.field, r.start, r.end, r.status, r.category, r.text, r.replacement or "")
        for r in document.redactions
    )
    body = [rows, sorted(terms.always), sorted(terms.never), sorted(terms.allow)]
    digest.update(json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _keep_check(document: Document, key: str, findings: list[Finding]) -> None:
    details = [dataclasses.asdict(f) for f in findings]
    if document.check is None:
        document.check = DocumentCheck(key=key, findings=len(findings), checked_at=utcnow(), details=details)
    else:
        check = document.check
        check.key, check.findings, check.checked_at, check.details = key, len(findings), utcnow(), details


def checked(session: Session, document: Document, terms: processing.Terms | None = None) -> list[Finding]:
    """What the final check finds now: the findings of the last check while nothing it reads has
    changed (the key says so), else a check run now and kept. Detection over a long text takes
    a second or two; the pages, consent and the API read the kept result instead of paying that
    each time."""
    terms = terms or detection_terms(session, document.authority_id)
    key = _check_key(document, terms)
    check = document.check
    if check is not None and check.key == key and check.details is not None:
        return [Finding(**f) for f in check.details]
    findings = final_check(session, document, terms)
    _keep_check(document, key, findings)
    return findings


def check_state(session: Session, document: Document, terms: processing.Terms | None = None) -> CheckState:
    """The document's :class:`CheckState`: suggestions still pending, or what the final check
    finds (:func:`checked`) once none are."""
    pending = sum(1 for r in document.redactions if r.status == SUGGESTED)
    if pending:
        return CheckState(pending, 0)
    terms = terms or detection_terms(session, document.authority_id)
    key = _check_key(document, terms)
    if document.check is None or document.check.key != key:
        return CheckState(0, len(checked(session, document, terms)))
    return CheckState(0, document.check.findings)


def note_clean_upload(session: Session, document: Document, terms: processing.Terms) -> None:
    """A document in which detection suggested nothing: the final check (detection again, with no
    decisions to look behind) would find nothing either, so its result is kept at once and no
    page has to run it."""
    if not document.redactions:
        _keep_check(document, _check_key(document, terms), [])


# Decisions ---------------------------------------------------------------------------------------


def _decided(redaction: Redaction, actor: User, status: str, replacement: str | None = None) -> None:
    """Record a decision. Any other decision than generalising drops words chosen before."""
    redaction.status = status
    redaction.replacement = replacement
    redaction.decided_by_id = actor.id
    redaction.decided_at = utcnow()


def _audit_decision(
    session: Session,
    actor: User,
    document: Document,
    action: str,
    redaction: Redaction,
    extra: dict | None = None,
) -> None:
    details = {
        "category": redaction.category,
        "rule": redaction.rule,
        "field": redaction.field,
        "source": redaction.source,
        "value_hash": audit.value_hash(session, redaction.text),
    }
    details.update(extra or {})
    audit.for_document(session, actor, action, document, details)


def _spread_name(session: Session, actor: User, document: Document, redaction: Redaction) -> int:
    """Once a name is accepted, every form of it in the document is redacted too."""
    return _spread_names(session, actor, document, [redaction.text])


def _spread_names(session: Session, actor: User, document: Document, values: list[str]) -> int:
    """:func:`_spread_name` for several names at once, in one pass over each text."""
    if not values:
        return 0
    added = 0
    for field in FIELDS:
        in_field = [r for r in document.redactions if r.field == field]
        by_span = {(r.start, r.end): r for r in in_field}
        accepted = engine.Cover((r.start, r.end) for r in in_field if r.status == ACCEPTED)
        people = engine.Cover((r.start, r.end) for r in in_field if r.category == "person")
        for s in engine.find_variants(published.field_text(document, field), values):
            match = by_span.get((s.start, s.end))
            if match is not None:
                if match.status != ACCEPTED:
                    _decided(match, actor, ACCEPTED)
                    added += 1
                continue
            if accepted.contains(s.start, s.end):
                continue
            if people.contains(s.start, s.end):
                continue  # part of another name ("Hughes" in "Claire Hughes"): that one decides
            new = Redaction(
                field=field,
                start=s.start,
                end=s.end,
                text=s.text,
                category="person",
                rule="name-variant",
                score=s.score,
                source="auto",
                status=ACCEPTED,
            )
            _decided(new, actor, ACCEPTED)
            document.redactions.append(new)
            added += 1
    return added


def _settle_inside(session: Session, actor: User, document: Document, warnings: list[Redaction]) -> int:
    """Redacting a warning (or putting it in other words) removes everything inside it from what
    readers get, so the suggestions inside it still to review are redacted too; a name among them
    is then redacted wherever else it appears."""
    settled = []
    for warning in warnings:
        for r in document.redactions:
            if (
                r.field == warning.field
                and r.status == SUGGESTED
                and r.category != WARNING
                and warning.start <= r.start
                and r.end <= warning.end
            ):
                _decided(r, actor, ACCEPTED)
                settled.append(r)
    _spread_names(session, actor, document, [r.text for r in settled if r.category == "person"])
    return len(settled)


def editable(session: Session, actor: User, document_id: int) -> Document:
    document = access.get_for_owner(session, actor, document_id)
    _require_editor(actor, document)
    if document.status == "withdrawn":
        raise Conflict("This document has been withdrawn; its redactions can no longer change.")
    return document


def check_again(session: Session, actor: User, document_id: int) -> int:
    """Run detection again (after the term lists changed, say); decisions already made stay."""
    document = editable(session, actor, document_id)
    added = run_detection(session, actor, document)
    session.commit()
    return added


def decide(
    session: Session,
    actor: User,
    document_id: int,
    redaction_id: int,
    status: str,
    *,
    never_redact: bool = False,
) -> Redaction:
    """Redact (``accepted``) or keep (``rejected``) one suggestion. Keeping it with
    ``never_redact`` also adds its value to the authority's never-redact list."""
    _check_status(status)
    document = editable(session, actor, document_id)
    redaction = next((r for r in document.redactions if r.id == redaction_id), None)
    if redaction is None:
        raise NotFound("No such redaction on this document.")
    _decided(redaction, actor, status)
    spread = 0
    if status == ACCEPTED and redaction.category == "person":
        spread = _spread_name(session, actor, document, redaction)
    if status == ACCEPTED and redaction.category == WARNING:
        spread = _settle_inside(session, actor, document, [redaction])
    _audit_decision(session, actor, document, f"redaction.{status}", redaction, {"variants": spread})
    if status == REJECTED and never_redact:
        _never_redact(session, actor, redaction.text)
    session.commit()
    return redaction


def generalise(session: Session, actor: User, document_id: int, redaction_id: int, words: str) -> Redaction:
    """Replace a suggestion with words of the reviewer's own ("a teenager with a disability")
    instead of a label: a decision like redacting it, recorded with keyed hashes of the value
    and of the words. Names of people keep their numbered labels, so that the text still says
    which mentions are the same person."""
    document = editable(session, actor, document_id)
    redaction = next((r for r in document.redactions if r.id == redaction_id), None)
    if redaction is None:
        raise NotFound("No such redaction on this document.")
    if redaction.category == "person":  # (what this suggestion is, not what was sent: 409)
        raise Conflict(
            "Names of people get a numbered label ([PERSON 1]) so that readers can follow who is who. "
            "Redact it instead.",
            field="replacement",
        )
    words = " ".join(str(words or "").split())
    if not words:
        raise ValidationError("Enter the words readers will see instead.", field="replacement")
    if len(words) > REPLACEMENT_MAX:
        raise ValidationError(f"Enter {REPLACEMENT_MAX} characters or fewer.", field="replacement")
    if _norm(words) == _norm(redaction.text):
        raise Conflict(
            "Those are the words already there. Write more general ones, or keep it.", field="replacement"
        )
    found = detector_for(session, document, warn=False)(words)
    if found:
        kinds = sorted({engine.category_words(s.category) for s in found})
        raise ValidationError(
            f"Your words include what looks like {' and '.join(kinds)} (“{found[0].text}”). "
            "Use words that identify no one.",
            field="replacement",
        )
    _decided(redaction, actor, ACCEPTED, replacement=words)
    inside = _settle_inside(session, actor, document, [redaction])
    _audit_decision(
        session,
        actor,
        document,
        "redaction.generalised",
        redaction,
        {"edit": "manual", "replacement_hash": audit.value_hash(session, words), "variants": inside},
    )
    session.commit()
    return redaction


def _check_status(status: str) -> None:
    if status not in (ACCEPTED, REJECTED):
        raise ValidationError("status must be 'accepted' or 'rejected'.", field="status")


def decide_value(
    session: Session,
    actor: User,
    document_id: int,
    value: str,
    status: str,
    *,
    category: str | None = None,
    never_redact: bool = False,
) -> int:
    """Redact or keep a value everywhere in the document (ignoring case): every suggestion with
    that value, of that category when one is given, whatever was decided before. Returns how many
    suggestions it covered."""
    _check_status(status)
    document = editable(session, actor, document_id)
    key = _norm(value or "")
    matching = [
        r
        for r in document.redactions
        if _norm(r.text) == key and (category is None or r.category == category)
    ]
    if not matching:
        raise ValidationError("No suggestion has that value.", field="value")
    for r in matching:
        _decided(r, actor, status)
    if status == ACCEPTED and matching[0].category == "person":
        _spread_name(session, actor, document, matching[0])
    if status == ACCEPTED:
        _settle_inside(session, actor, document, [r for r in matching if r.category == WARNING])
    _audit_decision(
        session, actor, document, f"redaction.{status}_value", matching[0], {"count": len(matching)}
    )
    if status == REJECTED and never_redact:
        _never_redact(session, actor, matching[0].text)
    session.commit()
    return len(matching)


def decide_category(session: Session, actor: User, document_id: int, category: str) -> int:
    """Redact every suggestion of a category still to review ("all 65 email addresses")."""
    document = editable(session, actor, document_id)
    category = _check_category(category)
    pending = [r for r in document.redactions if r.status == SUGGESTED and r.category == category]
    if not pending:
        raise ValidationError("No suggestion of that kind is still to review.", field="category")
    for r in pending:
        _decided(r, actor, ACCEPTED)
    if category == "person":
        _spread_names(session, actor, document, [r.text for r in pending])
    if category == WARNING:
        _settle_inside(session, actor, document, pending)
    audit.for_document(
        session, actor, "redaction.accepted_category", document, {"category": category, "count": len(pending)}
    )
    session.commit()
    return len(pending)


def _never_redact(session: Session, actor: User, value: str) -> None:
    """Add a kept value to the authority's never-redact list, unless it is there already."""
    term = " ".join(value.split())[:TERM_MAX]
    exists = session.scalar(
        select(RedactionTerm.id).where(
            RedactionTerm.authority_id == actor.authority_id,
            RedactionTerm.kind == "never",
            RedactionTerm.normalised == term.lower(),
        )
    )
    if exists is None and len(term) >= 2:
        _new_term(session, actor, term, "never", "other")


def accept_all(session: Session, actor: User, document_id: int) -> int:
    document = editable(session, actor, document_id)
    pending = [r for r in document.redactions if r.status == SUGGESTED]
    for r in pending:
        _decided(r, actor, ACCEPTED)
    _spread_names(session, actor, document, [r.text for r in pending if r.category == "person"])
    audit.for_document(
        session,
        actor,
        "redaction.accepted_all",
        document,
        {"count": len(pending), "categories": sorted({r.category for r in pending})},
    )
    session.commit()
    return len(pending)


def _check_category(category: str | None) -> str:
    category = (category or "other").strip()
    if category not in engine.CATEGORIES:
        raise ValidationError(
            f"Unknown category '{category}'. Choose one of: {', '.join(engine.CATEGORIES)}.", field="category"
        )
    return category


def _overlapping(document: Document, field: str, start: int, end: int, category: str) -> Redaction | None:
    """A redaction, not kept, that a new one of ``category`` there would clash with. Warnings
    may hold other redactions (a name inside "Child K, a 15-year-old ..."), so a warning and a
    redaction of another kind never clash."""
    return next(
        (
            r
            for r in document.redactions
            if r.field == field
            and r.status != REJECTED
            and r.start < end
            and start < r.end
            and (r.category == WARNING) == (category == WARNING)
        ),
        None,
    )


def add_manual(
    session: Session,
    actor: User,
    document_id: int,
    *,
    text: str | None = None,
    all_occurrences: bool = True,
    start: int | None = None,
    end: int | None = None,
    category: str | None = None,
    field: str = "text",
) -> list[Redaction]:
    """Redact chosen text: every occurrence of a value (the default), or one span by offsets."""
    document = editable(session, actor, document_id)
    category = _check_category(category)
    if field not in FIELDS:
        raise ValidationError("field must be title, summary or text.", field="field")
    source = published.field_text(document, field)
    made: list[Redaction] = []
    if text is None:
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
            raise ValidationError(
                "Give the text to redact, or its start and end as whole numbers.", field="text"
            )
        # What the span must be depends on this document's text and redactions: 409 otherwise.
        if start < 0 or end <= start:
            raise ValidationError("start must come before end.", field="start")
        if end > len(source):
            raise Conflict(f"The span {start}-{end} is outside the text (0-{len(source)}).", field="start")
        if not source[start:end].strip():
            raise Conflict("The span holds only spaces.", field="start")
        clash = _overlapping(document, field, start, end, category)
        if clash is not None:
            raise Conflict(f"The span overlaps redaction {clash.id} ('{clash.category}').", field="start")
        made.append(
            Redaction(
                field=field,
                start=start,
                end=end,
                text=source[start:end],
                category=category,
                rule="manual",
                score=1.0,
                source="manual",
                status=ACCEPTED,
            )
        )
    else:
        term = " ".join(str(text).split())
        if not term:
            raise ValidationError("Enter the text to redact.", field="text")
        if len(term) < 2:
            raise ValidationError(
                "Enter at least two characters: a single character would redact too much.", field="text"
            )
        if len(term) > TERM_MAX:
            raise ValidationError(f"Enter {TERM_MAX} characters or fewer.", field="text")
        matches = list(engine.term_pattern(term).finditer(source))
        if not matches:
            raise Conflict(f"'{term}' is not in the text.", field="text")
        if not all_occurrences:
            matches = matches[:1]
        for m in matches:
            clash = _overlapping(document, field, m.start(), m.end(), category)
            if (
                clash is not None
                and clash.status == ACCEPTED
                and clash.start <= m.start()
                and m.end() <= clash.end
            ):
                continue  # already redacted
            if clash is not None and clash.status == SUGGESTED:
                clash.status = REJECTED  # the owner's own choice replaces the suggestion
            made.append(
                Redaction(
                    field=field,
                    start=m.start(),
                    end=m.end(),
                    text=m.group(0),
                    category=category,
                    rule="manual",
                    score=1.0,
                    source="manual",
                    status=ACCEPTED,
                )
            )
        if not made:
            raise Conflict(f"Every occurrence of '{term}' is already redacted.", field="text")
    for r in made:
        _decided(r, actor, ACCEPTED)
        document.redactions.append(r)
    session.flush()
    if category == "person":
        _spread_names(session, actor, document, [r.text for r in made])
    _audit_decision(session, actor, document, "redaction.added", made[0], {"count": len(made)})
    session.commit()
    return made


# Term lists --------------------------------------------------------------------------------------


def list_terms(session: Session, actor: User) -> list[RedactionTerm]:
    if actor.authority_id is None or actor.role not in ("contributor", "approver"):
        raise PermissionDenied("Only contributors and approvers manage their authority's term lists.")
    return list(
        session.scalars(
            select(RedactionTerm)
            .where(RedactionTerm.authority_id == actor.authority_id)
            .order_by(RedactionTerm.kind, RedactionTerm.normalised)
        )
    )


def add_term(
    session: Session, actor: User, term: str, kind: str, category: str | None = None
) -> RedactionTerm:
    list_terms(session, actor)
    if kind not in ("always", "never"):
        raise ValidationError("Choose 'always' or 'never'.", field="kind")
    term = " ".join((term or "").split())
    if not term:
        raise ValidationError("Enter a term.", field="term")
    if len(term) < 2:
        raise ValidationError("Enter at least two characters.", field="term")
    if len(term) > TERM_MAX:
        raise ValidationError(f"Enter {TERM_MAX} characters or fewer.", field="term")
    if not re.search(r"\w", term):
        raise ValidationError("A term needs at least one letter or number.", field="term")
    category = _check_category(category) if kind == "always" else "other"
    normalised = term.lower()
    if session.scalar(
        select(RedactionTerm).where(
            RedactionTerm.authority_id == actor.authority_id,
            RedactionTerm.kind == kind,
            RedactionTerm.normalised == normalised,
        )
    ):
        raise Conflict(f"'{term}' is already on the list.", field="term")
    row = _new_term(session, actor, term, kind, category)
    session.commit()
    return row


def _new_term(session: Session, actor: User, term: str, kind: str, category: str) -> RedactionTerm:
    row = RedactionTerm(
        authority_id=actor.authority_id,
        kind=kind,
        term=term,
        normalised=term.lower(),
        category=category,
        created_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "term.added",
        subject_type="term",
        subject_id=row.id,
        authority_id=actor.authority_id,
        details={"kind": kind, "category": category, "value_hash": audit.value_hash(session, term)},
    )
    return row


def delete_term(session: Session, actor: User, term_id: int) -> None:
    list_terms(session, actor)
    row = session.get(RedactionTerm, term_id)
    if row is None or row.authority_id != actor.authority_id:
        raise NotFound("No such term.")
    audit.record(
        session,
        actor,
        "term.removed",
        subject_type="term",
        subject_id=row.id,
        authority_id=actor.authority_id,
        details={"kind": row.kind, "value_hash": audit.value_hash(session, row.term)},
    )
    session.delete(row)
    session.commit()


# The workspace -------------------------------------------------------------------------------------


@dataclass
class Group:
    """Every suggestion of one value and category: one decision can cover them all."""

    value: str
    category: str
    items: list[Redaction]
    key: str = ""
    count: int = 0
    pending: int = 0
    redacted: int = 0
    kept: int = 0
    first_id: int = 0
    rule: str = ""
    reason: str = ""  # for a warning: which details met there
    replacement: str = ""  # the reviewer's own words, where they chose some

    def __post_init__(self) -> None:
        # Counted once: lists of hundreds of groups are drawn after every decision.
        self.key = hashlib.sha256(f"{self.category}\x00{_norm(self.value)}".encode()).hexdigest()[:12]
        statuses = [r.status for r in self.items]
        self.count = len(statuses)
        self.pending = statuses.count(SUGGESTED)
        self.redacted = statuses.count(ACCEPTED)
        self.kept = statuses.count(REJECTED)
        self.first_id = self.items[0].id
        self.rule = self.items[0].rule
        self.reason = self.items[0].reason or ""
        self.replacement = next((r.replacement for r in self.items if r.replacement), "")

    @property
    def is_warning(self) -> bool:
        return self.category == WARNING


@dataclass
class FindingMark:
    """Where a finding of the final check is shown in the original text."""

    id: str
    field: str
    start: int
    end: int
    category: str
    status: str = "finding"


@dataclass
class Workspace:
    document: Document
    items: list[Redaction]
    preview: Preview
    findings: list[Finding]
    groups: list[Group]
    categories: list[tuple[str, int, int]]  # (category, still to review, in all)
    checked: bool = True  # False while the final check is left for a request of its own
    anchors: list[str] = dataclasses.field(default_factory=list)  # for each finding, the id of its place
    marks: list[FindingMark] = dataclasses.field(default_factory=list)

    @property
    def passes(self) -> bool:
        return self.checked and self.preview.pending == 0 and not self.findings

    def spans(self, field_name: str) -> list:
        """What the workspace highlights in a field: the redactions and the findings' places."""
        return [r for r in self.items if r.field == field_name] + [
            m for m in self.marks if m.field == field_name
        ]

    def context(self, item: Redaction, width: int = 40) -> tuple[str, str]:
        """The words before and after a redaction, for lists that show it out of the text."""
        text = published.field_text(self.document, item.field)
        before = " ".join(text[max(0, item.start - width) : item.start].split()[-6:])
        after = " ".join(text[item.end : item.end + width].split()[:6])
        return before, after


def workspace(session: Session, actor: User, document_id: int, *, check: bool = True) -> Workspace:
    """What the redaction workspace shows: the suggestions, grouped by value and by category, the
    preview, and (once nothing is pending) what the final check still finds. ``check=False``
    leaves the final check for a request of its own (``checked`` is then False)."""
    document, items = redactions_for(session, actor, document_id)
    result = preview(document)
    due = result.pending == 0
    findings = checked(session, document) if due and check else []
    by_value: dict[tuple[str, str], list[Redaction]] = {}
    for r in items:
        by_value.setdefault((r.category, _norm(r.text)), []).append(r)
    groups = [Group(rows[0].text, category, rows) for (category, _), rows in by_value.items()]
    groups.sort(key=lambda g: (g.pending == 0, -g.count, g.items[0].start))
    categories: dict[str, list[int]] = {}
    for r in items:
        counts = categories.setdefault(r.category, [0, 0])
        counts[0] += r.status == SUGGESTED
        counts[1] += 1
    ordered = sorted(categories.items(), key=lambda kv: (-kv[1][0], engine.CATEGORIES.index(kv[0])))
    ws = Workspace(document, items, result, findings, groups, [(c, n[0], n[1]) for c, n in ordered])
    ws.checked = check or not due
    for n, finding in enumerate(findings, start=1):
        under = next(
            (
                r
                for r in items
                if r.field == finding.field and r.start < finding.source_end and finding.source_start < r.end
            ),
            None,
        )
        if under is not None:
            ws.anchors.append(f"r-{under.id}")
        else:
            ws.anchors.append(f"r-f{n}")
            ws.marks.append(
                FindingMark(
                    f"f{n}", finding.field, finding.source_start, finding.source_end, finding.category
                )
            )
    return ws
