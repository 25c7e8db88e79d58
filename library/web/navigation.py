"""Where a page may send someone next: only a page of this site that exists."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from flask import current_app, url_for
from werkzeug.exceptions import HTTPException

_SAFE_PATH_RE = re.compile(r"^/(?!/)[A-Za-z0-9/_.~%!$&'()*+,;=:@?-]{0,1000}$")


def safe_next(target: str | None, default: str | None = None) -> str:
    """Where to go next (after signing in, say): only a page of this site that exists, as a
    path and perhaps a query, percent-encoded; anything else is ignored for ``default`` (home)."""
    fallback = default or url_for("main.home")
    if not target or not isinstance(target, str) or len(target) > 500:
        return fallback
    if any(ord(c) < 32 or ord(c) == 127 for c in target) or "\\" in target:
        return fallback
    target = quote(target, safe="/?&=%:@!$'()*+,;~-._")
    if not _SAFE_PATH_RE.match(target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    try:
        current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:  # no such page (or not one to go to: a redirect, a POST-only action)
        return fallback
    return target
