"""Search and browse: the search page, a page per service area, a page per authority."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..db import get_session
from ..models import Authority, ServiceArea
from ..services import search
from ..services.errors import ValidationError

bp = Blueprint("search", __name__)


def _args() -> dict[str, list[str]]:
    return {key: request.args.getlist(key) for key in request.args}


def _render(
    fixed: dict[str, str] | None = None,
    heading: str = "Search the library",
    intro: str = "",
    endpoint: str = "search.page",
    endpoint_args: dict | None = None,
):
    session = get_session()
    args = _args()
    for key, value in (fixed or {}).items():
        args[key] = [value]
    errors: dict[str, str] = {}
    try:
        params = search.parse_params(args)
        result = search.search(session, current_app.extensions["search"], current_user, params)
    except ValidationError as exc:
        errors = exc.errors or {"q": exc.message}
        params = search.SearchParams(q=(args.get("q") or [""])[0])
        result = None
    status = 400 if errors else 200

    def page_url(page: int) -> str:
        query = {k: v for k, v in args.items() if k not in ("page", *(fixed or {}))}
        return url_for(endpoint, **(endpoint_args or {}), page=page, **query)

    return render_template(
        "search/results.html",
        params=params,
        result=result,
        errors=errors,
        heading=heading,
        intro=intro,
        fixed=fixed or {},
        page_url=page_url,
        action=url_for(endpoint, **(endpoint_args or {})),
    ), status


@bp.get("/search")
@login_required
def page():
    return _render()


@bp.get("/areas/<slug>")
@login_required
def area(slug: str):
    item = get_session().scalar(select(ServiceArea).where(ServiceArea.slug == slug))
    if item is None:
        abort(404)
    return _render({"service_area": slug}, item.name, item.description, "search.area", {"slug": slug})


@bp.get("/authorities/<code>")
@login_required
def authority(code: str):
    item = get_session().scalar(select(Authority).where(Authority.code == code))
    if item is None:
        abort(404)
    return _render(
        {"authority": code},
        item.name,
        f"What {item.name} ({item.region.name}) has shared with you.",
        "search.authority",
        {"code": code},
    )
