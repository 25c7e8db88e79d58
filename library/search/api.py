"""The search routes of the JSON API: searching, and what a person follows."""

from __future__ import annotations

from flask import current_app, jsonify, request

from library.core import vocabularies
from library.core.errors import ValidationError
from library.search import follows
from library.search import service as search_service
from library.web.api import api_user, bp, json_body
from library.web.database import get_session


@bp.get("/search")
def search_documents():
    session = get_session()
    params = search_service.parse_params({key: request.args.getlist(key) for key in request.args})
    result = search_service.search(session, current_app.extensions["search"], api_user(), params)
    body = {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "results": result.results,
        "facets": result.facets,
    }
    if result.suggestion:
        body["suggestion"] = result.suggestion
    if result.found_by:
        body["found_by"] = result.found_by
    if result.shown_for:
        body["shown_for"] = result.shown_for
    return jsonify(body)


def follow_json(row, names) -> dict:
    return {
        "id": row.id,
        "query": row.query,
        "filters": row.filters,
        "description": follows.describe(row, names),
        "created_at": row.created_at.isoformat() + "Z",
    }


@bp.get("/follows")
def list_follows():
    session = get_session()
    user = api_user()
    names = vocabularies.vocabulary_names(session)
    return jsonify(
        {
            "digest_frequency": user.digest_frequency,
            "follows": [follow_json(r, names) for r in follows.follows_of(session, user)],
        }
    )


@bp.post("/follows")
def add_follow():
    """``{"service_area": slug}`` (or ``document_type``, ``region``), or ``{"query", "filters"}``."""
    body = json_body()
    filters = body.get("filters") or {}
    if not isinstance(filters, dict):
        raise ValidationError("filters is an object of lists of values.", field="filters")
    filters = dict(filters)
    for name in ("service_area", "document_type", "region"):
        if name in body:
            if not isinstance(body[name], str):
                raise ValidationError(f"{name} is a slug.", field=name)
            filters[name] = [body[name]]
    query = body.get("query", "")
    if not isinstance(query, str):
        raise ValidationError("query is text.", field="query")
    session = get_session()
    before = {r.id for r in follows.follows_of(session, api_user())}
    row = follows.follow(session, api_user(), query, filters)
    names = vocabularies.vocabulary_names(session)
    return jsonify(follow_json(row, names)), 200 if row.id in before else 201


@bp.delete("/follows/<int:follow_id>")
def delete_follow(follow_id: int):
    follows.unfollow(get_session(), api_user(), follow_id)
    return "", 204
