"""Search and browse: what a caller may find, through the search index, checked against the database."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from library.challenges import service as challenges
from library.core import access, vocabularies
from library.core.errors import ValidationError
from library.core.models import Authority, Document, DocumentVersion, ServiceArea, User
from library.core.paging import MAX_PAGE, page_count
from library.search import hybrid, meaning
from search_index import Hit, SearchBackend, SearchQuery
from search_index.base import FACETS

log = logging.getLogger(__name__)
MAX_PER_PAGE = 100
SORTS = ("relevance", "date")


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass
class SearchPage:
    total: int
    page: int
    pages: int
    per_page: int
    results: list[dict]
    facets: dict[str, dict[str, int]]
    names: dict[str, dict[str, str]]
    suggestion: str | None
    # How the results were found when not every word of the query matched as asked: "corrected"
    # (results for ``shown_for``, a corrected query), "most words" (documents holding most of the
    # words), "meaning" (documents close in meaning only); None when every result holds every word.
    found_by: str | None = None
    shown_for: str | None = None


def area_named(session: Session, slug: str) -> ServiceArea | None:
    return session.scalar(select(ServiceArea).where(ServiceArea.slug == slug))


def authority_coded(session: Session, code: str) -> Authority | None:
    return session.scalar(select(Authority).where(Authority.code == code))


def parse_params(args: dict[str, list[str]]) -> SearchParams:
    """From query-string values (each a list): the checks a request alone can make."""

    def first(name: str, default: str = "") -> str:
        values = args.get(name) or [default]
        return (values[0] or default).strip()

    try:
        page = int(first("page", "1"))
        per_page = int(first("per_page", "20"))
    except ValueError as exc:
        raise ValidationError("page and per_page must be whole numbers.", field="page") from exc
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError(
            f"page must be between 1 and {MAX_PAGE}, and per_page between 1 and {MAX_PER_PAGE}.", field="page"
        )
    sort = first("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise ValidationError("sort must be relevance or date.", field="sort")
    filters = {name: [v.strip() for v in args.get(name, []) if v and v.strip()] for name in FACETS}
    return SearchParams(
        q=first("q"), filters={k: v for k, v in filters.items() if v}, sort=sort, page=page, per_page=per_page
    )


def check_filters(session: Session, params: SearchParams, names: dict[str, dict[str, str]]) -> None:
    for name, values in params.filters.items():
        if name == "year":
            bad = [v for v in values if not (v.isdigit() and len(v) == 4)]
        else:
            bad = [v for v in values if v not in names[name]]
        if bad:
            raise ValidationError(f"Unknown {name.replace('_', ' ')}: {', '.join(bad)}.", field=name)


def search(session: Session, backend: SearchBackend, actor: User, params: SearchParams) -> SearchPage:
    names = vocabularies.vocabulary_names(session)
    check_filters(session, params, names)
    query = SearchQuery(
        text=params.q,
        filters=params.filters,
        labels=access.caller_labels(actor),
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
    )
    found_by = shown_for = None
    if params.q.strip() and params.sort == "relevance" and hybrid.enabled():
        result, found_by, shown_for = hybrid.search(session, backend, actor, query)
    else:
        result = backend.search(query)
        fixed = hybrid.corrected(backend, query, result) if params.q.strip() else None
        if fixed:  # nothing as asked: what the correction finds, said so
            found_by, shown_for = "corrected", fixed[1]
            result = replace(fixed[0], suggestion=None)
    hits = _still_readable(session, actor, result.hits)
    results = [
        {
            "id": h.id,
            "title": h.title,
            "snippet": h.snippet,
            "authority": {"code": h.fields["authority"], "name": h.fields.get("authority_name", "")},
            "region": h.fields["region"],
            "document_type": h.fields["document_type"],
            "service_areas": [s for s in h.fields.get("service_area", "").split(",") if s],
            "year": int(h.fields["year"]) if h.fields.get("year") else None,
            "published_at": h.fields["published_at"].isoformat() + "Z"
            if h.fields.get("published_at")
            else None,
        }
        for h in hits
    ]
    _add_challenges(session, actor, results)
    pages = page_count(result.total, params.per_page)
    return SearchPage(
        total=result.total,
        page=params.page,
        pages=pages,
        per_page=params.per_page,
        results=results,
        facets=result.facets,
        names=names,
        suggestion=result.suggestion,
        found_by=found_by,
        shown_for=shown_for,
    )


def _add_challenges(session: Session, actor: User, results: list[dict]) -> None:
    """Each result's peer challenge as shared with it, and the challenge's other documents the
    caller may read ("part of")."""
    links = challenges.part_of(session, actor, [r["id"] for r in results])
    for r in results:
        link = links.get(r["id"])
        r["challenge"] = link.as_json() if link else None


def _still_readable(session: Session, actor: User, hits):
    """The database has the last word: a hit the caller may no longer read is never shown, even if
    the index has not caught up yet."""
    if not hits:
        return hits
    where = access.readable_filter(actor)
    allowed = (
        set()
        if where is None
        else set(session.scalars(select(Document.id).where(where, Document.id.in_([h.id for h in hits]))))
    )
    dropped = [h.id for h in hits if h.id not in allowed]
    if dropped:
        log.warning("search index is behind the database for documents %s", dropped)
    return [h for h in hits if h.id in allowed]


def more_like_this(session: Session, backend: SearchBackend, actor: User, document_id: int, limit: int = 5):
    """Related documents: by meaning and details (``meaning.related``); by shared words (the
    index's "more like this") for a document whose meaning is not kept yet."""
    ids = meaning.related(session, actor, document_id, limit) if hybrid.enabled() else None
    if ids is None:
        hits = backend.more_like_this(document_id, access.caller_labels(actor), limit)
        return _still_readable(session, actor, hits)
    titles = dict(
        session.execute(
            select(DocumentVersion.document_id, DocumentVersion.title).where(
                DocumentVersion.document_id.in_(ids), DocumentVersion.is_current.is_(True)
            )
        ).all()
    )
    hits = [Hit(id=i, score=0.0, title=titles[i], snippet="", fields={}) for i in ids if i in titles]
    return _still_readable(session, actor, hits)
