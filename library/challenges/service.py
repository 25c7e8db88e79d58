"""Peer challenges: the documents one challenge left behind, kept together in chain order.

Owners (contributors and approvers of the challenge's authority) work on the challenge itself.
Everyone else sees only documents they may read, and of the challenge only what was frozen with
a consented document (``DocumentVersion.challenge_*``): the most recently consented of those they
may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from library.core import access, audit, published, vocabularies
from library.core.db import utcnow
from library.core.errors import NotFound, PermissionDenied, ValidationError
from library.core.limits import FOCUS_MAX, TITLE_MAX
from library.core.models import Authority, Challenge, Document, DocumentStatus, DocumentVersion, User
from library.extraction import strip_invisible

# The order a peer challenge leaves its documents in; other types follow.
CHAIN = (
    "scoping-document",
    "pre-visit-pack",
    "self-assessment",
    "feedback-presentation",
    "feedback-letter",
    "action-plan",
    "follow-up-review",
)


def chain_position(document_type_slug: str) -> int:
    return CHAIN.index(document_type_slug) if document_type_slug in CHAIN else len(CHAIN)


@dataclass
class ChallengeInput:
    title: str = ""
    year: str | int | None = None
    service_areas: list[str] = field(default_factory=list)
    focus: str = ""


def _check(session: Session, form: ChallengeInput) -> dict:
    errors: dict[str, str] = {}
    clean: dict = {}
    title = " ".join(strip_invisible(form.title if isinstance(form.title, str) else "").split())
    if not title:
        errors["title"] = "Enter a title for the peer challenge."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"The title must be {TITLE_MAX} characters or fewer."
    clean["title"] = title
    focus = strip_invisible(form.focus if isinstance(form.focus, str) else "").strip()
    if not isinstance(form.focus, str | None):
        errors["focus"] = "The focus is text."
    elif len(focus) > FOCUS_MAX:
        errors["focus"] = f"The focus must be {FOCUS_MAX} characters or fewer."
    clean["focus"] = focus
    slugs = form.service_areas
    if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
        errors["service_areas"] = "service_areas is a list of service area slugs."
        clean["service_areas"] = []
    else:
        clean["service_areas"], problem = vocabularies.check_areas(session, slugs)
        if problem:
            errors["service_areas"] = problem
    clean["year"], problem = vocabularies.check_year(form.year)
    if problem:
        errors["year"] = problem
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    return clean


def create(session: Session, actor: User, form: ChallengeInput) -> Challenge:
    if actor is None or not actor.can_upload:
        raise PermissionDenied(
            "Only contributors and approvers can record their authority's peer challenges."
        )
    clean = _check(session, form)
    challenge = Challenge(authority_id=actor.authority_id, created_by_id=actor.id, **clean)
    session.add(challenge)
    session.flush()
    audit.record(
        session,
        actor,
        "challenge.created",
        subject_type="challenge",
        subject_id=challenge.id,
        authority_id=challenge.authority_id,
        details={"year": challenge.year},  # never its title or focus: they are not yet shared
    )
    session.commit()
    return challenge


def update(session: Session, actor: User, challenge_id: int, form: ChallengeInput) -> Challenge:
    """Change the working details. Readers keep the details shared with each document until an
    approver consents to that document again (its page says it has changes to share)."""
    challenge = access.challenge_for_owner(session, actor, challenge_id)
    clean = _check(session, form)
    changed = [name for name in ("title", "year", "focus") if getattr(challenge, name) != clean[name]]
    if {a.id for a in challenge.service_areas} != {a.id for a in clean["service_areas"]}:
        changed.append("service_areas")
    for name, value in clean.items():
        setattr(challenge, name, value)
    if changed:
        challenge.updated_at = utcnow()
        audit.record(
            session,
            actor,
            "challenge.updated",
            subject_type="challenge",
            subject_id=challenge.id,
            authority_id=challenge.authority_id,
            details={"changed": changed},
        )
    session.commit()
    return challenge


def own_challenges(session: Session, actor: User | None) -> list[Challenge]:
    """The actor's authority's peer challenges, newest first (owners only)."""
    if actor is None or actor.role not in access.OWNER_ROLES or actor.authority_id is None:
        return []
    return list(
        session.scalars(
            select(Challenge)
            .where(Challenge.authority_id == actor.authority_id)
            .options(
                selectinload(Challenge.service_areas),
                selectinload(Challenge.documents).load_only(Document.id, Document.document_type_id),
            )
            .order_by(Challenge.year.desc().nulls_last(), Challenge.title)
        )
    )


# What a caller sees of a challenge ---------------------------------------------------------------


@dataclass
class Member:
    id: int
    title: str
    document_type: str
    document_type_name: str
    status: str
    year: int | None
    authority: str
    unshared_changes: bool = False

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "document_type": self.document_type,
            "url": f"/documents/{self.id}",
        }


@dataclass
class ChallengeView:
    id: int
    title: str
    focus: str
    year: int | None
    areas: list[str]  # slugs
    authority: Authority
    documents: list[Member]
    owner: bool = False

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "authority": {"code": self.authority.code, "name": self.authority.name},
            "region": self.authority.region.slug,
            "year": self.year,
            "service_areas": self.areas,
            "focus": self.focus,
            "documents": [m.as_json() for m in self.documents],
        }


def _ordered(members: list[Member]) -> list[Member]:
    return sorted(members, key=lambda m: (chain_position(m.document_type), m.year or 0, m.id))


def _readable_versions(session: Session, actor: User | None, *where):
    """(version, document) pairs of the published documents the actor may read whose shared
    version belongs to a challenge."""
    stmt = access.readable_versions(actor, where=(DocumentVersion.challenge_id.is_not(None), *where))
    if stmt is None:
        return []
    options = (selectinload(DocumentVersion.document_type), *access.without_texts())
    return session.execute(stmt.options(*options)).all()


def _member(version: DocumentVersion, document: Document) -> Member:
    return Member(
        document.id,
        version.title,
        version.document_type.slug,
        version.document_type.name,
        document.status,
        version.year,
        document.authority.name,
    )


def view(session: Session, actor: User | None, challenge_id: int) -> ChallengeView:
    """A challenge as the actor may see it; 404 when they may read none of its documents."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is not None and access.is_owner(actor, challenge):
        return _owner_view(session, challenge)
    rows = _readable_versions(session, actor, DocumentVersion.challenge_id == challenge_id)
    if not rows:
        raise NotFound("No such peer challenge.")
    latest, document = max(rows, key=lambda r: (r[0].consented_at, r[0].id))
    return ChallengeView(
        challenge_id,
        latest.challenge_title or "",
        latest.challenge_focus or "",
        latest.challenge_year,
        list(latest.challenge_areas or []),
        document.authority,
        _ordered([_member(v, d) for v, d in rows]),
    )


def _owner_view(session: Session, challenge: Challenge) -> ChallengeView:
    shared = select(DocumentVersion.document_id).where(
        DocumentVersion.is_current.is_(True), DocumentVersion.challenge_id == challenge.id
    )
    documents = session.scalars(
        select(Document).where(or_(Document.challenge_id == challenge.id, Document.id.in_(shared)))
    ).all()
    members = [
        Member(
            d.id,
            d.title,
            d.document_type.slug,
            d.document_type.name,
            d.status,
            d.year,
            d.authority.name,
            unshared_changes=d.status == DocumentStatus.PUBLISHED.value
            and published.has_unpublished_changes(d),
        )
        for d in documents
    ]
    return ChallengeView(
        challenge.id,
        challenge.title,
        challenge.focus,
        challenge.year,
        [a.slug for a in challenge.service_areas],
        challenge.authority,
        _ordered(members),
        owner=True,
    )


@dataclass
class PartOf:
    id: int
    title: str
    others: list[Member]

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "others": [m.as_json() for m in self.others]}


def part_of(session: Session, actor: User | None, document_ids: list[int]) -> dict[int, PartOf]:
    """For each of these published documents whose shared version belongs to a challenge: that
    challenge as shared with it, and the other documents of it the actor may read."""
    if not document_ids:
        return {}
    own = session.execute(
        select(
            DocumentVersion.document_id, DocumentVersion.challenge_id, DocumentVersion.challenge_title
        ).where(
            DocumentVersion.document_id.in_(document_ids),
            DocumentVersion.is_current.is_(True),
            DocumentVersion.challenge_id.is_not(None),
        )
    ).all()
    if not own:
        return {}
    rows = _readable_versions(session, actor, DocumentVersion.challenge_id.in_({c for _d, c, _t in own}))
    members: dict[int, list[Member]] = {}
    for version, document in rows:
        members.setdefault(version.challenge_id, []).append(_member(version, document))
    return {
        document_id: PartOf(
            challenge_id,
            title or "",
            _ordered([m for m in members.get(challenge_id, []) if m.id != document_id]),
        )
        for document_id, challenge_id, title in own
    }


def document_challenge(session: Session, actor: User | None, document: Document) -> PartOf | None:
    """The challenge shown with a document: its owners see the working one with every document
    of it; readers what was shared with the version they read."""
    if access.is_owner(actor, document):
        if document.challenge is None:
            return None
        view_ = _owner_view(session, document.challenge)
        return PartOf(view_.id, view_.title, [m for m in view_.documents if m.id != document.id])
    return part_of(session, actor, [document.id]).get(document.id)


# Browsing ------------------------------------------------------------------------------------------


@dataclass
class Summary:
    id: int
    title: str
    focus: str
    year: int | None
    areas: list[str]
    authority: Authority
    documents: int
    types: list[str] = field(default_factory=list)
    owner: bool = False


BrowseParams = vocabularies.ListParams


def check_params(session: Session, params: BrowseParams) -> None:
    vocabularies.check_filters(
        session, service_area=params.service_area, region=params.region, year=params.year
    )


def browse(session: Session, actor: User | None, params: BrowseParams) -> tuple[list[Summary], int]:
    """The peer challenges the actor may see (at least one document they may read; their own
    authority's too for owners), filtered, newest first."""
    check_params(session, params)
    where = []
    if params.region:
        where.append(vocabularies.authority_in_region(params.region))
    found: dict[int, Summary] = {}
    latest: dict[int, tuple] = {}
    for version, document in _readable_versions(session, actor, *where):
        key = (version.consented_at, version.id)
        summary = found.get(version.challenge_id)
        if summary is None:
            summary = found[version.challenge_id] = Summary(
                version.challenge_id, "", "", None, [], document.authority, 0
            )
        summary.documents += 1
        summary.types.append(version.document_type.slug)
        if version.challenge_id not in latest or key > latest[version.challenge_id]:
            latest[version.challenge_id] = key
            summary.title = version.challenge_title or ""
            summary.focus = version.challenge_focus or ""
            summary.year = version.challenge_year
            summary.areas = list(version.challenge_areas or [])
    for challenge in own_challenges(session, actor):
        if params.region and challenge.authority.region.slug != params.region:
            continue
        found[challenge.id] = Summary(
            challenge.id,
            challenge.title,
            challenge.focus,
            challenge.year,
            [a.slug for a in challenge.service_areas],
            challenge.authority,
            len(challenge.documents),
            [d.document_type.slug for d in challenge.documents],
            owner=True,
        )
    words = params.q.casefold().split()
    chosen = [
        s
        for s in found.values()
        if (not params.service_area or params.service_area in s.areas)
        and (not params.year or str(s.year) == params.year)
        and all(w in f"{s.title} {s.focus}".casefold() for w in words)
    ]
    chosen.sort(key=lambda s: (-(s.year or 0), s.title.casefold(), s.id))
    for s in chosen:
        s.types = sorted(set(s.types), key=chain_position)
    total = len(chosen)
    start = (max(params.page, 1) - 1) * params.per_page
    return chosen[start : start + params.per_page], total
