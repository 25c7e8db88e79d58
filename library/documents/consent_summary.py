"""What an approver needs to see before consenting, on one screen: every decision that needs a
second pair of eyes (values kept, warnings kept or written more generally, redactions made by
hand, the authority's never-redact terms in the text), counts of the rest by kind, and what
changed since the version shared before. Each kept place is found in the text readers would get,
so that the page can highlight it there and link to it."""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from library import redaction
from library.core import published
from library.core.models import Document, Redaction, RedactionStatus, RedactionTerm, User
from library.core.published import Snapshot

KEPT = RedactionStatus.REJECTED.value  # a suggestion not taken: the words stay in the text
REDACTED = RedactionStatus.ACCEPTED.value


@dataclass
class Place:
    """One place of a decision in the text readers would get, for highlighting and linking."""

    id: int
    start: int
    end: int
    category: str
    status: str  # kept | generalised | manual


@dataclass
class KeptValue:
    text: str
    kind: str  # in words: "name of a person"
    places: list[Place]
    deciders: list[str]


@dataclass
class WarningDecision:
    text: str  # the words warned about, as the reviewer saw them
    reason: str
    own_words: str | None  # the words readers get instead, if written more generally
    decider: str
    place: Place | None


@dataclass
class ManualRedaction:
    text: str
    kind: str
    decider: str


@dataclass
class Change:
    before: str
    after: str


@dataclass
class DecisionChange:
    """A decision made or changed after the version shared now was consented to."""

    text: str
    kind: str
    decision: str  # in words: "kept", "redacted", "written more generally as “…”"
    decider: str
    place: str  # "the text", "the title", "the summary"
    places: int = 1  # how many places of the same value were decided the same way


@dataclass
class ConsentSummary:
    kept: list[KeptValue] = field(default_factory=list)
    warnings_kept: list[WarningDecision] = field(default_factory=list)
    warnings_generalised: list[WarningDecision] = field(default_factory=list)
    manual: list[ManualRedaction] = field(default_factory=list)
    never_terms: list[str] = field(default_factory=list)
    redacted_counts: list[tuple[str, int]] = field(default_factory=list)  # (kind in words, count)
    changes: list[Change] | None = None  # None: nothing shared before
    decisions_changed: list[DecisionChange] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)

    @property
    def needs_eyes(self) -> int:
        """How many decisions the summary asks the approver to look at."""
        return (
            len(self.kept)
            + len(self.warnings_kept)
            + len(self.warnings_generalised)
            + len(self.manual)
            + len(self.never_terms)
        )


def _names(session: Session, redactions: list[Redaction]) -> dict[int, str]:
    ids = {r.decided_by_id for r in redactions if r.decided_by_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


class _Pieces:
    """The pieces of the redacted text, looked up by where they came from in the original."""

    def __init__(self, pieces: list[redaction.Piece]):
        self._kept = sorted((p for p in pieces if not p.label), key=lambda p: p.start)
        self._starts = [p.start for p in self._kept]
        self._labels = {(p.start, p.end): (p.out_start, p.out_end) for p in pieces if p.label}
        self._all = sorted(pieces, key=lambda p: p.start)
        self._all_starts = [p.start for p in self._all]

    def kept(self, start: int, end: int) -> tuple[int, int] | None:
        """Where the original stretch [start, end) is in the redacted text, if it is there as it was."""
        i = bisect_right(self._starts, start) - 1
        if i < 0 or end > self._kept[i].end:
            return None
        p = self._kept[i]
        return p.out_start + (start - p.start), p.out_start + (end - p.start)

    def spanning(self, start: int, end: int) -> tuple[int, int] | None:
        """Where the original stretch [start, end) is in the redacted text when parts of it were
        redacted (a warning kept as written, with a name inside it redacted): from the start of
        the piece it starts in to the end of the piece it ends in."""
        first, last = self._at(start), self._at(end - 1)
        if first is None or last is None:
            return None
        begin = first.out_start + (start - first.start) if not first.label else first.out_start
        finish = last.out_start + (end - last.start) if not last.label else last.out_end
        return (begin, finish) if begin < finish else None

    def _at(self, offset: int) -> redaction.Piece | None:
        i = bisect_right(self._all_starts, offset) - 1
        if i < 0 or offset >= self._all[i].end:
            return None
        return self._all[i]

    def label(self, start: int, end: int) -> tuple[int, int] | None:
        """Where the words replacing the original stretch [start, end) are in the redacted text."""
        return self._labels.get((start, end))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


_PERSON_NUMBER_RE = re.compile(r"\[PERSON \d+\]")


def _unnumbered(paragraph: str) -> str:
    """A paragraph with its people's labels unnumbered: redacting one more name renumbers the
    labels after it ("[PERSON 2]" becomes "[PERSON 3]"), which changes nothing a reader learns."""
    return _PERSON_NUMBER_RE.sub("[PERSON]", paragraph)


def changes_between(before: str, after: str, limit: int = 50) -> list[Change]:
    """The paragraphs that changed between two published texts, in order (at most ``limit``);
    a paragraph whose only change is the numbering of its people's labels is not one."""
    old, new = _paragraphs(before), _paragraphs(after)
    found: list[Change] = []
    matcher = difflib.SequenceMatcher(
        a=[_unnumbered(p) for p in old], b=[_unnumbered(p) for p in new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        found.append(Change("\n\n".join(old[i1:i2]), "\n\n".join(new[j1:j2])))
        if len(found) >= limit:
            break
    return found


FIELD_WORDS = {"text": "the text", "title": "the title", "summary": "the summary"}


def _decision_words(r: Redaction) -> str:
    if r.status == KEPT:
        return "kept"
    if r.replacement:
        return f"written more generally as “{r.replacement}”"
    return "redacted"


def decisions_since(session: Session, document: Document, since, limit: int = 50) -> list[DecisionChange]:
    """Decisions on ``document`` made after ``since`` (when the version shared now was consented
    to), one row per value and decision in the order of the text, so the approver sees which
    choices differ from last time."""
    later = [
        r
        for r in document.redactions
        if r.decided_at is not None and r.decided_at > since and r.status in (KEPT, REDACTED)
    ]
    order = list(FIELD_WORDS)
    later.sort(key=lambda r: (order.index(r.field) if r.field in order else len(order), r.start))
    names = _names(session, later)
    rows: dict[tuple, DecisionChange] = {}
    for r in later:
        decider = (
            names.get(r.decided_by_id, "someone at your authority") if r.decided_by_id else "not recorded"
        )
        decision = _decision_words(r)
        key = (r.field, r.category, " ".join(r.text.split()).casefold(), decision, decider)
        if key in rows:
            rows[key].places += 1
            continue
        if len(rows) >= limit:
            break
        rows[key] = DecisionChange(
            r.text, redaction.category_words(r.category), decision, decider, FIELD_WORDS.get(r.field, r.field)
        )
    return list(rows.values())


def summarise(session: Session, document: Document, shot: Snapshot) -> ConsentSummary:
    """The summary of ``document`` as ``shot`` (what would be published now) shows it."""
    text_redactions = [r for r in document.redactions if r.field == "text"]
    names = _names(session, text_redactions)
    pieces = _Pieces(published.redacted_mapped(document, "text")[1])
    summary = ConsentSummary()

    def who(r: Redaction) -> str:
        return names.get(r.decided_by_id, "someone at your authority") if r.decided_by_id else "not recorded"

    kept_by_value: dict[tuple[str, str], KeptValue] = {}
    counts: Counter[str] = Counter()
    for r in sorted(text_redactions, key=lambda r: r.start):
        if r.category == redaction.WARNING:
            if r.status == KEPT:
                at = pieces.kept(r.start, r.end) or pieces.spanning(r.start, r.end)
                place = Place(r.id, *at, r.category, "kept") if at else None
                summary.warnings_kept.append(WarningDecision(r.text, r.reason, None, who(r), place))
            elif r.status == REDACTED and r.replacement:
                at = pieces.label(r.start, r.end)
                place = Place(r.id, *at, r.category, "generalised") if at else None
                summary.warnings_generalised.append(
                    WarningDecision(r.text, r.reason, r.replacement, who(r), place)
                )
            elif r.status == REDACTED:
                counts[r.category] += 1
            continue
        if r.status == KEPT:
            at = pieces.kept(r.start, r.end)
            key = (r.category, " ".join(r.text.split()).casefold())
            value = kept_by_value.get(key)
            if value is None:
                value = kept_by_value[key] = KeptValue(r.text, redaction.category_words(r.category), [], [])
            if at:
                value.places.append(Place(r.id, *at, r.category, "kept"))
            if who(r) not in value.deciders:
                value.deciders.append(who(r))
        elif r.status == REDACTED:
            if r.source == "manual":
                summary.manual.append(ManualRedaction(r.text, redaction.category_words(r.category), who(r)))
            counts[r.category] += 1
    summary.kept = list(kept_by_value.values())
    summary.redacted_counts = [
        (redaction.category_words(category, n), n)
        for category, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    never = session.scalars(
        select(RedactionTerm.term).where(
            RedactionTerm.authority_id == document.authority_id, RedactionTerm.kind == "never"
        )
    ).all()
    if never:
        found = redaction.find_values(shot.text, never)
        present = {" ".join(shot.text[s:e].split()).casefold() for s, e in found}
        summary.never_terms = sorted({t for t in never if " ".join(t.split()).casefold() in present})
    version = document.current_version
    if version is not None:
        summary.changes = changes_between(version.text, shot.text)
        summary.decisions_changed = decisions_since(session, document, version.consented_at)
    summary.places = [p for v in summary.kept for p in v.places] + [
        w.place for w in summary.warnings_kept + summary.warnings_generalised if w.place is not None
    ]
    return summary
