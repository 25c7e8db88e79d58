"""Logging to stderr, each line carrying the id of the request it belongs to, and the one place
that decides what a log line may hold.

No secret reaches a log: a route whose address carries one declares it with the ``secret``
converter (``/invitation/<secret:secret>``) and its requests are logged by their rule
(``/invitation/<secret>``), never the value; query strings are not logged; and every line
written by the library, the development server or gunicorn passes :class:`SecretFilter`, which
also takes out API tokens, bearer credentials, secret query values and the secret part of any
address whose rule has one (a mistyped link that found no route, say).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from werkzeug.routing import BaseConverter

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("library.requests")


class SecretConverter(BaseConverter):
    """``<secret:name>``: a path segment that is a secret (a mailed link's key, a signed token).
    Matches what the default converter matches; the difference is that it is never logged."""

    regex = "[^/]+"


# What a secret looks like wherever it may turn up in a line. The address prefixes of routes
# with a secret segment are added when the app's routes are known (``note_secret_routes``).
_TOKEN_RE = re.compile(r"pcl_[A-Za-z0-9_-]{6,}")
_BEARER_RE = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_AUTH_HEADER_RE = re.compile(r"(?i)(authorization|cookie|set-cookie)(['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n]+")
_QUERY_SECRET_RE = re.compile(
    r"(?i)([?&;](?:code|state|nonce|token|secret|password|id_token|access_token|refresh_token|"
    r"client_secret|key|signature|sig|session_state)=)[^&#\s'\"]*"
)
_SECRET_SEGMENT_RE = re.compile(r"<secret:[^>]+>")
_secret_prefixes: set[str] = set()
_prefix_re: re.Pattern | None = None


def note_secret_routes(app: Flask) -> None:
    """Learn, from the app's routes, which addresses carry a secret: the fixed part of each rule
    before its first ``<secret:...>`` segment."""
    global _prefix_re
    for rule in app.url_map.iter_rules():
        if "<secret:" in rule.rule:
            _secret_prefixes.add(rule.rule.split("<secret:", 1)[0])
    if _secret_prefixes:
        alternatives = "|".join(re.escape(p) for p in sorted(_secret_prefixes, key=len, reverse=True))
        _prefix_re = re.compile(rf"({alternatives})[^/?#\s'\"]+")


def scrub(text: str) -> str:
    """``text`` with every secret in it replaced by a placeholder."""
    if not text:
        return text
    text = _TOKEN_RE.sub("pcl_<token>", text)
    text = _BEARER_RE.sub(r"\1 <credentials>", text)
    text = _AUTH_HEADER_RE.sub(r"\1\2<hidden>", text)
    text = _QUERY_SECRET_RE.sub(r"\1<secret>", text)
    if _prefix_re is not None:
        text = _prefix_re.sub(r"\1<secret>", text)
    return text


def request_target() -> str:
    """What the log says a request was for: its path, or its rule where the path carries a
    secret (``/invitation/<secret>``). Never the query string (it may hold search words,
    a sign-in code or a token)."""
    rule = request.url_rule
    if rule is not None and "<secret:" in rule.rule:
        return _SECRET_SEGMENT_RE.sub("<secret>", rule.rule)
    return scrub(request.path)


class SecretFilter(logging.Filter):
    """Rewrites each record's message (and traceback) without secrets before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted is written as its template
            message = str(record.msg)
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(g, "request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message (and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_text or record.exc_info:
            body["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# Loggers of the servers that run the app: their lines pass the same filter.
SERVER_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def configure_logging(level: str, fmt: str = "text") -> None:
    root = logging.getLogger("library")
    handler = next((h for h in root.handlers if getattr(h, "_library", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler._library = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        handler.addFilter(SecretFilter())
        root.addHandler(handler)
        root.propagate = False
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretFilter) for f in logger.filters):
            logger.addFilter(SecretFilter())


def init_app(app: Flask) -> None:
    configure_logging(app.config["LOG_LEVEL"], app.config.get("LOG_FORMAT", "text"))
    app.url_map.converters["secret"] = SecretConverter

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex[:16]
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        if not request.path.startswith("/static/"):
            log.info("%s %s %s %.1fms", request.method, request_target(), response.status_code, elapsed)
        return response
