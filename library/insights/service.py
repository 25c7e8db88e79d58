"""What the library holds and how it is read, counted only over what the viewer may read.

Every count below goes through ``access.readable_versions`` (the current published versions),
so a reader never learns, in a cell, a total or a CSV, that a document they may not read exists.
Administrators see the whole library (every published document) and how it grows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from library.core import access, vocabularies
from library.core.errors import ValidationError
from library.core.models import (
    Authority,
    Document,
    DocumentType,
    DocumentVersion,
    Region,
    ServiceArea,
    UsageActive,
    UsageMonth,
    User,
    version_service_areas,
)
from library.insights import usage

RECENT_MONTHS = 3  # "the last 90 days": this month and the two before
MOST_READ = 10
GROWTH_MONTHS = 24
# The document types whose absence is worth an invitation, and the words for them.
GAP_TYPES = ("self-assessment", "scoping-document", "action-plan")
FILTERS = ("document_type", "service_area")


@dataclass
class Insights:
    total: int
    areas: list[tuple[str, str]]  # (slug, name) of every service area
    regions: list[tuple[str, str]]
    by_area_region: dict[tuple[str, str], int]
    by_type: list[tuple[str, int]]  # (name, count)
    by_year: list[tuple[str, int]]
    most_read: list[dict]
    gaps: list[str]
    whole_library: bool
    growth: dict = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)


def parse_filters(session: Session, args: dict[str, str]) -> dict[str, str]:
    """Only known filters with values that exist: 400 otherwise."""
    unknown = sorted(set(args) - set(FILTERS) - {"page"})
    if unknown:
        raise ValidationError(f"Unknown filter: {', '.join(unknown)}.", field=unknown[0])
    chosen = {k: v.strip() for k, v in args.items() if k in FILTERS and v and v.strip()}
    vocabularies.check_filters(session, **chosen)
    return chosen


def _readable_versions(actor: User | None, filters: dict[str, str]):
    """The current versions of the published documents the actor may read (a subquery of ids)."""
    stmt = access.readable_versions(
        actor, DocumentVersion.id.label("version_id"), Document.id.label("document_id")
    )
    if stmt is None:
        return None
    if "document_type" in filters:
        stmt = stmt.join(DocumentType, DocumentType.id == DocumentVersion.document_type_id).where(
            DocumentType.slug == filters["document_type"]
        )
    if "service_area" in filters:
        stmt = stmt.where(vocabularies.version_in_area(filters["service_area"]))
    return stmt.subquery()


def insights(session: Session, actor: User, filters: dict[str, str] | None = None) -> Insights:
    filters = filters or {}
    areas = [(a.slug, a.name) for a in vocabularies.service_areas(session)]
    regions = [(r.slug, r.name) for r in vocabularies.regions(session)]
    shown = _readable_versions(actor, filters)
    whole = bool(actor is not None and actor.is_admin)
    if shown is None:
        return Insights(0, areas, regions, {}, [], [], [], [], whole, filters=filters)
    total = session.scalar(select(func.count()).select_from(shown)) or 0
    by_area_region = {
        (area, region): n
        for area, region, n in session.execute(
            select(ServiceArea.slug, Region.slug, func.count(shown.c.document_id.distinct()))
            .select_from(shown)
            .join(version_service_areas, version_service_areas.c.version_id == shown.c.version_id)
            .join(ServiceArea, ServiceArea.id == version_service_areas.c.service_area_id)
            .join(Document, Document.id == shown.c.document_id)
            .join(Authority, Authority.id == Document.authority_id)
            .join(Region, Region.id == Authority.region_id)
            .group_by(ServiceArea.slug, Region.slug)
        )
    }
    by_type = [
        (name, n)
        for name, n, _position in session.execute(
            select(DocumentType.name, func.count(), DocumentType.position)
            .select_from(shown)
            .join(DocumentVersion, DocumentVersion.id == shown.c.version_id)
            .join(DocumentType, DocumentType.id == DocumentVersion.document_type_id)
            .group_by(DocumentType.name, DocumentType.position)
            .order_by(DocumentType.position)
        )
    ]
    by_year = [
        (str(year) if year else "Not given", n)
        for year, n in session.execute(
            select(DocumentVersion.year, func.count())
            .select_from(shown)
            .join(DocumentVersion, DocumentVersion.id == shown.c.version_id)
            .group_by(DocumentVersion.year)
            .order_by(DocumentVersion.year.desc().nulls_last())
        )
    ]
    result = Insights(
        total,
        areas,
        regions,
        by_area_region,
        by_type,
        by_year,
        most_read(session, shown),
        gaps(session, actor, shown) if not whole else [],
        whole,
        filters=filters,
    )
    if whole:
        result.growth = growth(session)
    return result


def most_read(session: Session, shown) -> list[dict]:
    """The most read of these documents this month and the two before."""
    since = usage.months_back(RECENT_MONTHS)[0]
    views = func.sum(UsageMonth.views).label("views")
    top = (
        select(UsageMonth.document_id, views)
        .where(UsageMonth.month >= since, UsageMonth.document_id.in_(select(shown.c.document_id)))
        .group_by(UsageMonth.document_id)
        .order_by(views.desc(), UsageMonth.document_id)
        .limit(MOST_READ)
        .subquery()
    )
    return [
        {"id": document_id, "title": title, "authority": authority, "views": int(n)}
        for document_id, title, authority, n in session.execute(
            select(top.c.document_id, DocumentVersion.title, Authority.name, top.c.views)
            .join(DocumentVersion, DocumentVersion.document_id == top.c.document_id)
            .join(Document, Document.id == top.c.document_id)
            .join(Authority, Authority.id == Document.authority_id)
            .where(DocumentVersion.is_current.is_(True))
            .order_by(top.c.views.desc(), top.c.document_id)
        )
    ]


def gaps(session: Session, actor: User, shown) -> list[str]:
    """Service areas (the viewer's own first) with no self-assessment, scoping document or
    action plan the viewer may read: an invitation to share one."""
    have = {
        (t, a)
        for t, a in session.execute(
            select(DocumentType.slug, ServiceArea.slug)
            .select_from(shown)
            .join(DocumentVersion, DocumentVersion.id == shown.c.version_id)
            .join(DocumentType, DocumentType.id == DocumentVersion.document_type_id)
            .join(version_service_areas, version_service_areas.c.version_id == shown.c.version_id)
            .join(ServiceArea, ServiceArea.id == version_service_areas.c.service_area_id)
            .distinct()
        )
    }
    names = dict(session.execute(select(DocumentType.slug, DocumentType.name)).all())
    mine = [a for a in actor.areas] if actor is not None else []
    areas = mine + [a for a in vocabularies.service_areas(session) if a not in mine]
    where = f"shared with {actor.authority.region.name}" if actor.authority else "shared with you"
    found = []
    for area in areas:
        for doc_type in GAP_TYPES:
            if (doc_type, area.slug) not in have:
                found.append(f"No {names[doc_type].split(' /')[0].lower()} on {area.name} {where} yet.")
                break
        if len(found) >= 8:
            break
    return found


def growth(session: Session) -> dict:
    """Per month: documents first shared, authorities that shared one, readers active."""
    months = usage.months_back(GROWTH_MONTHS)
    first = (
        select(
            DocumentVersion.document_id,
            func.min(DocumentVersion.consented_at).label("first"),
        )
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    shared: Counter = Counter()
    contributors: dict[int, set[int]] = {}
    for when, authority_id in session.execute(
        select(first.c.first, Document.authority_id)
        .join(Document, Document.id == first.c.document_id)
        .where(first.c.first.is_not(None))
    ):
        month = when.year * 100 + when.month
        shared[month] += 1
        contributors.setdefault(month, set()).add(authority_id)
    active = dict(
        session.execute(
            select(UsageActive.month, func.count())
            .where(UsageActive.month >= months[0])
            .group_by(UsageActive.month)
        ).all()
    )
    return {
        "months": months,
        "labels": [usage.month_label(m) for m in months],
        "shared": [shared.get(m, 0) for m in months],
        "authorities": [len(contributors.get(m, ())) for m in months],
        "readers": [int(active.get(m, 0)) for m in months],
    }
