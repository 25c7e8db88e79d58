"""Lists in pages: the page number a list page is asked for, and the address of another page of
the same list (the pager macro in templates/macros/lists.html draws the links)."""

from __future__ import annotations

from flask import Flask, request, url_for

from library.core.paging import MAX_PAGE


def page_number() -> int:
    """A whole number from 1 to MAX_PAGE (anything else is page 1, or the last page we would
    ever serve), so no address can ask the database for an offset it cannot hold."""
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def page_url(page: int) -> str:
    """This page's address with another page number, every other filter kept."""
    view_args = request.view_args or {}
    query = {k: v for k, v in request.args.lists() if k != "page" and k not in view_args}
    return url_for(request.endpoint, **view_args, **query, page=page)


def init_app(app: Flask) -> None:
    app.add_template_global(page_url)
