"""The page number a list page is asked for: a whole number from 1 to MAX_PAGE (anything else is
page 1, or the last page we would ever serve), so no address can ask the database for an offset
it cannot hold."""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000


def page_number() -> int:
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)
