"""The JSON API at /api/v1, its plumbing: the blueprint every feature adds its routes to, bearer
tokens (no cookies, so no CSRF), every request checked against the OpenAPI description, JSON
errors, paging, and the routes that belong to no feature (the vocabularies, the description)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select

from library.core import access, vocabularies
from library.core.errors import NotAuthenticated, ValidationError
from library.core.models import Authority, User
from library.core.paging import MAX_PAGE
from library.web import api_checks, openapi
from library.web.database import get_session

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_error(status: int, code: str, message: str, errors: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if errors:
        body["error"]["fields"] = errors
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="library"'
    return response


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi_json":
        return  # the description is public
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Send an API token: 'Authorization: Bearer TOKEN'.")
    user = access.user_for_token(get_session(), token.strip())
    if user is None:
        raise NotAuthenticated("The API token is not valid, or its user is no longer active.")
    g.api_user = user


@bp.before_request
def _as_described() -> None:
    """Every request as the OpenAPI description says (types, ranges, fixed values, required and
    unknown fields): a 400 naming the field otherwise, before any view reads it."""
    rule = request.url_rule
    if rule is None or request.endpoint == "api.openapi_json":
        return
    operation = api_checks.operation_for(rule.rule, request.method)
    if operation is None:
        return
    body, has_body, form, files = None, False, None, None
    if request.mimetype == "multipart/form-data":
        form, files = request.form, request.files
    elif request.content_length or request.get_data(cache=True):
        has_body = True
        body = request.get_json(silent=True) if request.is_json else None
        if body is None:
            raise ValidationError("Send a JSON object in the request body (Content-Type: application/json).")
        body = api_checks.as_described(body, api_checks.body_schema(operation))
        g.api_body = body

    def full() -> dict:
        names = vocabularies.vocabulary_names(get_session())
        return api_checks.operation_for(rule.rule, request.method, {k: sorted(v) for k, v in names.items()})

    api_checks.check(operation, request.args, body, has_body, form, files, full)


@bp.after_request
def _no_cookies(response):
    response.headers.pop("Set-Cookie", None)
    response.headers["Cache-Control"] = "no-store"
    return response


def api_user() -> User:
    """Who is asking (the token's user)."""
    return g.api_user


def iso(value) -> str | None:
    return value.isoformat() + "Z" if value else None


@bp.get("/taxonomy")
def taxonomy():
    session = get_session()
    return jsonify(
        {
            "regions": [{"slug": r.slug, "name": r.name} for r in vocabularies.regions(session)],
            "authorities": [
                {"code": a.code, "name": a.name, "region": a.region.slug}
                for a in session.scalars(select(Authority).order_by(Authority.name))
            ],
            "service_areas": [
                {"slug": a.slug, "name": a.name, "description": a.description}
                for a in vocabularies.service_areas(session)
            ],
            "document_types": [
                {"slug": t.slug, "name": t.name, "description": t.description}
                for t in vocabularies.document_types(session)
            ],
        }
    )


def page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 20))
    except ValueError as exc:
        raise ValidationError("page and per_page must be whole numbers.") from exc
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= 100:
        raise ValidationError(f"page must be between 1 and {MAX_PAGE}, and per_page between 1 and 100.")
    return page, per_page


def json_body() -> dict:
    """The request's JSON object, as checked against the description (whole numbers sent as 2025.0
    read as 2025)."""
    body = g.get("api_body", request.get_json(silent=True))
    if not isinstance(body, dict):
        raise ValidationError("Send a JSON object in the request body.")
    return body


@bp.get("/openapi.json")
def openapi_json():
    """This API's OpenAPI 3.1 description."""
    names = vocabularies.vocabulary_names(get_session())
    return jsonify(openapi.description({name: sorted(values) for name, values in names.items()}))
