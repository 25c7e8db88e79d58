"""What every page and API answer shares: errors, CSRF, logs, headers, the database session, API
plumbing and OpenAPI, forms, paging, catch-up. Imports core and the pure packages, never a feature."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from library.core.errors import Gone, ServiceError, ValidationError
from library.web import api, logs, paging, security, templating
from library.web.logs import request_target

log = logging.getLogger(__name__)
csrf = CSRFProtect()

_TITLES = {
    400: "There is a problem with the request",
    401: "Sign in to continue",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "This action is not allowed here",
    409: "This cannot be done now",
    410: "This document has been withdrawn",
    413: "The file is too large",
    415: "This type of file is not accepted",
    500: "Sorry, there is a problem with the service",
}


def _is_api() -> bool:
    """JSON errors for the API, and for the pages' own background requests (see static/js)."""
    return request.path.startswith("/api/") or request.headers.get("X-Requested-With") == "fetch"


def error_page(status: int, message: str | None = None, title: str | None = None):
    return render_template(
        "errors/error.html", status=status, title=title or _TITLES.get(status, "Error"), message=message
    ), status


# Pages that answer a too-large upload themselves (an endpoint and its page): a feature adds its own.
too_large_pages: dict[str, Callable[[str], object]] = {}


def init_app(app: Flask) -> None:
    logs.init_app(app)
    templating.init_app(app)
    paging.init_app(app)
    security.init_app(app)
    app.register_blueprint(api.bp)
    # Every form is protected; the API takes bearer tokens and no cookies, so it needs no token.
    csrf.init_app(app)
    csrf.exempt(api.bp)

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        if _is_api():
            response = api.json_error(exc.status, exc.code, exc.message, exc.errors)
            if isinstance(exc, Gone):
                body = response.get_json()
                body["tombstone"] = exc.tombstone
                response.set_data(json.dumps(body))
            return response
        if isinstance(exc, Gone):
            return render_template(
                "documents/tombstone.html", message=exc.message, tombstone=exc.tombstone
            ), 410
        return error_page(exc.status, exc.message, getattr(exc, "title", None))

    @app.before_request
    def _no_nul_characters() -> None:
        """No text may hold a NUL character: PostgreSQL cannot store one, and no person types one."""
        values = [v for _key, vs in request.args.lists() for v in vs]
        values += [str(v) for v in (request.view_args or {}).values()]
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
                values += [text for key, vs in request.form.lists() for text in (key, *vs)]
                values += [f.filename or "" for _key, fs in request.files.lists() for f in fs]
            elif request.is_json and request.content_length and request.content_length <= 1_000_000:
                raw = request.get_data(cache=True)
                if b"\x00" in raw or b"\\u0000" in raw:
                    raise ValidationError("Text may not contain NUL characters.")
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise ValidationError("Text may not contain NUL characters.")

    @app.after_request
    def _no_caching(response):
        # Withdrawal takes effect at once: nothing a signed-in person saw may be served from a cache.
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store, private")
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        limit = app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
        message = f"The file must be smaller than {limit} MB."
        if _is_api():
            return api.json_error(413, "file_too_large", message)
        if request.endpoint in too_large_pages:
            return too_large_pages[request.endpoint](message)
        return error_page(413, message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if _is_api():
            response = api.json_error(status, exc.name.lower().replace(" ", "_"), exc.description or exc.name)
        elif status == 400 and "CSRF" in (exc.description or ""):
            response = error_page(
                400,
                "Your form expired or was sent from somewhere else. Go back, reload the page and try again.",
            )
        else:
            response = error_page(status)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            # RFC 9110: a 405 says which methods the resource does allow.
            response = make_response(response)
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request_target())
        if _is_api():
            return api.json_error(500, "server_error", "Something went wrong on our side. Try again later.")
        return error_page(500)
