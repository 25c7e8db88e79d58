"""Usage of shared documents: who counts (people of other authorities, never the owning
authority's own staff or administrators), and what owners and administrators may learn of it
(numbers by month, authority and region; never a person)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from library.core import access
from library.core.db import utcnow
from library.core.errors import NotFound
from library.core.models import Document, DocumentStatus, Region, UsageMonth, UsageReader, User
from library.insights.recorder import Event

KINDS = ("view", "download")
CHART_MONTHS = 12


def month_number(day: date | None = None) -> int:
    day = day or utcnow().date()
    return day.year * 100 + day.month


def month_label(month: int) -> str:
    """A month kept as one number (202611) in words: "Nov 2026"."""
    return date(month // 100, month % 100, 1).strftime("%b %Y")


def months_back(count: int, today: date | None = None) -> list[int]:
    """The last ``count`` months, oldest first, this one included."""
    month = month_number(today)
    found = []
    year, m = divmod(month, 100)
    for _ in range(count):
        found.append(year * 100 + m)
        m -= 1
        if m == 0:
            year, m = year - 1, 12
    return found[::-1]


def reader_key(secret: str, user_id: int) -> str:
    """A person as the usage tables know them: a keyed hash, the same for every document."""
    return hmac.new(secret.encode(), f"reader:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def event_for(secret: str, actor: User | None, document: Document, kind: str) -> Event | None:
    """What a read or download counts as: nothing for the owning authority's own people,
    administrators or a document not published."""
    if (
        actor is None
        or not actor.is_active
        or actor.is_admin
        or actor.authority is None
        or actor.authority_id == document.authority_id
        or document.status != DocumentStatus.PUBLISHED.value
        or kind not in KINDS
    ):
        return None
    return Event(
        document.id,
        kind,
        reader_key(secret, actor.id),
        actor.authority_id,
        actor.authority.region_id,
        month_number(),
    )


# What owners see -----------------------------------------------------------------------------------


@dataclass
class Usage:
    views: int = 0
    downloads: int = 0
    people: int = 0
    authorities: int = 0
    regions: int = 0
    months: list[tuple[int, int, int]] = field(default_factory=list)  # (month, views, downloads)
    by_region: list[tuple[str, str, int]] = field(default_factory=list)  # (slug, name, people)

    @property
    def words(self) -> str:
        if not self.views and not self.downloads:
            return "Not read by anyone from another authority yet."
        people = f"{self.people} {'person' if self.people == 1 else 'people'}"
        where = (
            f"in {self.authorities} authorit{'y' if self.authorities == 1 else 'ies'} "
            f"across {self.regions} region{'' if self.regions == 1 else 's'}"
        )
        times = f"downloaded {self.downloads} time{'' if self.downloads == 1 else 's'}"
        return f"Read by {people} {where}; {times}."

    def as_json(self) -> dict:
        return {
            "views": self.views,
            "downloads": self.downloads,
            "people": self.people,
            "authorities": self.authorities,
            "regions": self.regions,
            "months": [
                {"month": f"{m // 100}-{m % 100:02d}", "views": v, "downloads": d} for m, v, d in self.months
            ],
            "regions_by_people": [{"region": slug, "people": n} for slug, _name, n in self.by_region],
        }


def _may_see(actor: User | None, document: Document) -> bool:
    return access.is_owner(actor, document) or (
        actor is not None
        and actor.is_active
        and actor.is_admin
        and document.status != DocumentStatus.DRAFT.value
    )


def usage_of(session: Session, actor: User | None, document_id: int) -> Usage:
    """A document's usage: its owning authority's contributors and approvers, and administrators,
    only (404 to everyone else, readers of the document included)."""
    document = session.get(Document, document_id)
    if document is None or not _may_see(actor, document):
        raise NotFound("No such document.")
    return summaries(session, [document_id], with_detail=True)[document_id]


def summaries(session: Session, document_ids: list[int], *, with_detail: bool = False) -> dict[int, Usage]:
    """Usage of several documents at once (a list of an authority's documents)."""
    found = {i: Usage() for i in document_ids}
    if not document_ids:
        return found
    for document_id, views, downloads in session.execute(
        select(UsageMonth.document_id, func.sum(UsageMonth.views), func.sum(UsageMonth.downloads))
        .where(UsageMonth.document_id.in_(document_ids))
        .group_by(UsageMonth.document_id)
    ):
        found[document_id].views, found[document_id].downloads = int(views or 0), int(downloads or 0)
    for document_id, people, authorities, regions in session.execute(
        select(
            UsageReader.document_id,
            func.count(),
            func.count(UsageReader.authority_id.distinct()),
            func.count(UsageReader.region_id.distinct()),
        )
        .where(UsageReader.document_id.in_(document_ids))
        .group_by(UsageReader.document_id)
    ):
        found[document_id].people, found[document_id].authorities, found[document_id].regions = (
            people,
            authorities,
            regions,
        )
    if with_detail:
        shown = months_back(CHART_MONTHS)
        for document_id in document_ids:
            counts = {
                m: (v, d)
                for m, v, d in session.execute(
                    select(UsageMonth.month, UsageMonth.views, UsageMonth.downloads).where(
                        UsageMonth.document_id == document_id, UsageMonth.month >= shown[0]
                    )
                )
            }
            found[document_id].months = [(m, *counts.get(m, (0, 0))) for m in shown]
            found[document_id].by_region = [
                (slug, name, n)
                for slug, name, n in session.execute(
                    select(Region.slug, Region.name, func.count())
                    .join(UsageReader, UsageReader.region_id == Region.id)
                    .where(UsageReader.document_id == document_id)
                    .group_by(Region.slug, Region.name)
                    .order_by(func.count().desc(), Region.name)
                )
            ]
    return found
