"""Regions, service areas and document types, loaded from the TOML files in ``content/``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from library.core.errors import ValidationError
from library.core.limits import FIRST_YEAR
from library.core.models import (
    Authority,
    Document,
    DocumentType,
    DocumentVersion,
    Region,
    ServiceArea,
    version_service_areas,
)
from library.core.paging import page_count
from search_index.common import Thesaurus

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"

_FILES = (
    ("regions.toml", "region", Region),
    ("service_areas.toml", "service_area", ServiceArea),
    ("document_types.toml", "document_type", DocumentType),
)


def read_vocabulary(filename: str, key: str) -> list[dict]:
    with open(CONTENT_DIR / filename, "rb") as fh:
        entries = tomllib.load(fh).get(key, [])
    for entry in entries:
        if not entry.get("slug") or not entry.get("name"):
            raise ValueError(f"content/{filename}: every {key} needs a slug and a name")
    return entries


def load_vocabularies(session: Session) -> dict[str, int]:
    """Add missing entries and refresh names; never delete (documents may refer to them)."""
    added: dict[str, int] = {}
    for filename, key, model in _FILES:
        existing = {row.slug: row for row in session.scalars(select(model))}
        count = 0
        for position, entry in enumerate(read_vocabulary(filename, key)):
            row = existing.get(entry["slug"])
            if row is None:
                row = model(slug=entry["slug"])
                session.add(row)
                count += 1
            row.name = entry["name"]
            if hasattr(row, "description"):
                row.description = entry.get("description", "")
                row.position = position
        added[key] = count
    session.commit()
    return added


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.name)))


def service_areas(session: Session) -> list[ServiceArea]:
    return list(session.scalars(select(ServiceArea).order_by(ServiceArea.position, ServiceArea.name)))


def document_types(session: Session) -> list[DocumentType]:
    return list(session.scalars(select(DocumentType).order_by(DocumentType.position, DocumentType.name)))


def service_area_counts(session: Session, readable) -> dict[int, int]:
    """Published documents per service area (of their published version) among ``readable``
    (``access.readable_versions`` of the documents in question, or None: none)."""
    if readable is None:
        return {}
    versions = readable.with_only_columns(DocumentVersion.id).subquery()
    stmt = (
        select(version_service_areas.c.service_area_id, func.count())
        .where(version_service_areas.c.version_id.in_(select(versions.c.id)))
        .group_by(version_service_areas.c.service_area_id)
    )
    return {area_id: count for area_id, count in session.execute(stmt)}


def type_names(session: Session) -> dict[str, str]:
    """Document types' names by slug."""
    return dict(session.execute(select(DocumentType.slug, DocumentType.name)).all())


def area_names(session: Session, slugs: list[str]) -> list[str]:
    """The names of these service areas, in the vocabulary's order."""
    if not slugs:
        return []
    return list(
        session.scalars(
            select(ServiceArea.name).where(ServiceArea.slug.in_(slugs)).order_by(ServiceArea.position)
        )
    )


@dataclass
class ListParams:
    """What a list of peer challenges or key lines of enquiry is asked for."""

    q: str = ""
    service_area: str = ""
    region: str = ""
    year: str = ""
    page: int = 1
    per_page: int = 20

    def pages(self, total: int) -> int:
        return page_count(total, self.per_page)


def check_filters(
    session: Session, *, service_area: str = "", region: str = "", year: str = "", document_type: str = ""
) -> None:
    """A list's filters name a service area, a region, a year and a document type that exist
    (400 otherwise)."""
    if (
        document_type
        and session.scalar(select(DocumentType.id).where(DocumentType.slug == document_type)) is None
    ):
        raise ValidationError(f"Unknown document type: {document_type}.", field="document_type")

    if (
        service_area
        and session.scalar(select(ServiceArea.id).where(ServiceArea.slug == service_area)) is None
    ):
        raise ValidationError(f"Unknown service area: {service_area}.", field="service_area")
    if region and session.scalar(select(Region.id).where(Region.slug == region)) is None:
        raise ValidationError(f"Unknown region: {region}.", field="region")
    if year and not (year.isdigit() and len(year) == 4):
        raise ValidationError("year is a year, like 2025.", field="year")


def vocabulary_names(session: Session) -> dict[str, dict[str, str]]:
    """The name of every slug (or code) of each vocabulary a search can filter by."""
    return {
        "service_area": dict(session.execute(select(ServiceArea.slug, ServiceArea.name)).all()),
        "document_type": dict(session.execute(select(DocumentType.slug, DocumentType.name)).all()),
        "region": dict(session.execute(select(Region.slug, Region.name)).all()),
        "authority": dict(session.execute(select(Authority.code, Authority.name)).all()),
    }


# Checks and filters by vocabulary values ------------------------------------------------------


def check_areas(session: Session, slugs: list[str]) -> tuple[list[ServiceArea], str | None]:
    """The service areas these slugs name, and what is wrong with them (none, or unknown ones)."""
    slugs = [s.strip() for s in slugs if s and s.strip()]
    areas = list(session.scalars(select(ServiceArea).where(ServiceArea.slug.in_(slugs)))) if slugs else []
    unknown = sorted(set(slugs) - {a.slug for a in areas})
    if not slugs:
        return areas, "Choose at least one service area."
    if unknown:
        return areas, f"Unknown service area: {', '.join(unknown)}."
    return areas, None


def check_year(value) -> tuple[int | None, str | None]:
    """A year (or none), and what is wrong with it."""
    if value in (None, ""):
        return None, None
    try:
        year = int(str(value).strip())
        if not FIRST_YEAR <= year <= date.today().year + 1:
            raise ValueError
    except ValueError:
        return None, f"Enter a year between {FIRST_YEAR} and {date.today().year + 1}, like 2025."
    return year, None


def version_in_area(slug: str):
    """A WHERE clause: the version is in the service area with this slug."""
    return DocumentVersion.id.in_(
        select(version_service_areas.c.version_id)
        .join(ServiceArea, ServiceArea.id == version_service_areas.c.service_area_id)
        .where(ServiceArea.slug == slug)
    )


def authority_in_region(slug: str):
    """A WHERE clause: the document's authority is in the region with this slug."""
    return Document.authority_id.in_(select(Authority.id).join(Region).where(Region.slug == slug))


@cache
def load_thesaurus() -> Thesaurus:
    """The thesaurus of content/thesaurus.toml (concepts and the words for them), read once per
    process: search expands queries with it, the outline and starter group headings by it."""
    with open(CONTENT_DIR / "thesaurus.toml", "rb") as fh:
        return Thesaurus(tomllib.load(fh)["groups"])
