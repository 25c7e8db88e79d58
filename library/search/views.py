"""Search and browse: the search page, a page per service area, a page per authority."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from library.core import vocabularies
from library.core.errors import ServiceError, ValidationError
from library.search import follows
from library.search import service as search
from library.web.database import get_session
from library.web.navigation import safe_next

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

    def asking(q: str) -> str:
        """This search, filters and order kept, for other words (a "did you mean")."""
        query = {k: v for k, v in args.items() if k not in ("page", "q", *(fixed or {}))}
        return url_for(endpoint, **(endpoint_args or {}), q=q, **query)

    def without(name: str | None = None, value: str | None = None) -> str:
        """This search without one chosen filter value (or, with no name, without any filter)."""
        query = {k: v for k, v in args.items() if k not in ("page", *(fixed or {}))}
        for key in search.FACETS if name is None else (name,):
            if key in query:
                query[key] = [v for v in query[key] if name is not None and v != value]
        return url_for(endpoint, **(endpoint_args or {}), **{k: v for k, v in query.items() if v})

    return render_template(
        "search/results.html",
        params=params,
        result=result,
        errors=errors,
        heading=heading,
        intro=intro,
        fixed=fixed or {},
        without=without,
        asking=asking,
        chosen=[
            (name, value)
            for name in search.FACETS
            if name not in (fixed or {})
            for value in (params.filters.get(name, []) if not errors else [])
        ],
        action=url_for(endpoint, **(endpoint_args or {})),
        follow_label=_follow_label(params, fixed, heading),
        here=request.full_path.rstrip("?"),
    ), status


def _follow_label(params: search.SearchParams, fixed: dict | None, heading: str) -> str:
    """What the "Follow" button offers: this area, or this search."""
    if fixed and not params.q and set(params.filters) <= set(fixed):
        return f"Follow {heading}"
    if params.q or params.filters:
        return "Follow this search"
    return ""


@bp.get("/search")
@login_required
def page():
    return _render()


@bp.get("/areas/<slug>")
@login_required
def area(slug: str):
    item = search.area_named(get_session(), slug)
    if item is None:
        abort(404)
    return _render({"service_area": slug}, item.name, item.description, "search.area", {"slug": slug})


@bp.get("/authorities/<code>")
@login_required
def authority(code: str):
    item = search.authority_coded(get_session(), code)
    if item is None:
        abort(404)
    return _render(
        {"authority": code},
        item.name,
        f"What {item.name} ({item.region.name}) has shared with you.",
        "search.authority",
        {"code": code},
    )


# Following -----------------------------------------------------------------------------------------


@bp.get("/follows")
@login_required
def follows_page():
    session = get_session()
    rows = follows.follows_of(session, current_user)
    names = vocabularies.vocabulary_names(session)
    return render_template(
        "search/follows.html",
        rows=[(r, follows.describe(r, names)) for r in rows],
        frequency=current_user.digest_frequency,
    )


@bp.post("/follows")
@login_required
def follow():
    filters = {name: request.form.getlist(name) for name in search.FACETS if request.form.getlist(name)}
    back = safe_next(request.form.get("next"), url_for("search.follows_page"))
    try:
        row = follows.follow(get_session(), current_user, request.form.get("q", ""), filters)
    except ServiceError as exc:
        get_session().rollback()
        flash(exc.message, "error")
        return redirect(back)
    names = vocabularies.vocabulary_names(get_session())
    flash(
        f"You follow {follows.describe(row, names)}. What is shared there comes in your "
        f"{current_user.digest_frequency} digest.",
        "success",
    )
    return redirect(back)


@bp.post("/follows/<int:follow_id>/delete")
@login_required
def unfollow(follow_id: int):
    follows.unfollow(get_session(), current_user, follow_id)
    flash("You no longer follow that.", "success")
    return redirect(url_for("search.follows_page"))


@bp.post("/follows/frequency")
@login_required
def frequency():
    follows.set_frequency(get_session(), current_user, request.form.get("frequency", ""))
    flash(f"Your digest now comes {current_user.digest_frequency}.", "success")
    return redirect(url_for("search.follows_page"))
