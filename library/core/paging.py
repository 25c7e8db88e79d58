"""How many pages a list of ``total`` items makes, and the furthest page anyone is served."""

from __future__ import annotations

MAX_PAGE = 100_000


def page_count(total: int, per_page: int) -> int:
    """At least one page, so an empty list still has a page to say so."""
    return max(-(-total // per_page), 1)
