"""Jinja set-up: our templates, the GOV.UK Frontend macros, and what every page needs."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_login import current_user
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from library.core import published, rendering
from library.core.models import Role


def _navigation() -> list[dict]:
    items = [{"href": "/", "text": "Browse"}]
    if current_user.is_authenticated:
        items.append({"href": "/search", "text": "Search"})
        items.append({"href": "/challenges", "text": "Peer challenges"})
        items.append({"href": "/start", "text": "Start from examples"})
        items.append({"href": "/insights", "text": "Insights"})
    user = current_user
    if user.is_authenticated:
        if user.authority_id:
            items.append({"href": "/our-documents", "text": "Our documents"})
        if user.can_upload:
            items.append({"href": "/upload", "text": "Upload"})
        if user.role == Role.APPROVER.value:
            items.append({"href": "/consent", "text": "Waiting for consent"})
            items.append({"href": "/people", "text": "People"})
        if user.role == Role.ADMIN.value:
            items.append({"href": "/admin", "text": "Administration"})
    items.append({"href": "/guidance", "text": "Guidance"})
    for item in items:
        path = item["href"]
        item["active"] = request.path == path if path == "/" else request.path.startswith(path)
    return items


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    # One renderer for every text shown: each filter is a form of core.rendering's pipeline.
    app.add_template_filter(rendering.render_markdown, "markdown")
    app.add_template_filter(rendering.render_sectioned, "sectioned")
    app.add_template_filter(rendering.render_snippet, "snippet")
    app.add_template_filter(rendering.highlight, "highlight")
    app.add_template_filter(rendering.render_marked, "marked")
    app.add_template_filter(published.state, "state")  # the one state of a document, in words
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals() -> dict:
        return {
            "service_name": app.config["SERVICE_NAME"],
            # Messages are rendered outside requests too (commands): they have no navigation.
            "navigation": _navigation() if has_request_context() else [],
            "Role": Role,
        }

    @app.template_filter("datetime")
    def _datetime(value) -> str:
        return value.strftime("%-d %B %Y at %H:%M") if value else ""

    @app.template_filter("date")
    def _date(value) -> str:
        return value.strftime("%-d %B %Y") if value else ""

    @app.template_filter("isodate")
    def _isodate(value: str | None) -> str:
        """A date written as ISO 8601 (as the API gives it), in words."""
        from datetime import datetime

        return datetime.fromisoformat(value.rstrip("Z")).strftime("%-d %B %Y") if value else ""

    @app.template_filter("filesize")
    def _filesize(value: int) -> str:
        if value >= 1024 * 1024:
            return f"{value / (1024 * 1024):.1f} MB"
        return f"{max(value // 1024, 1)} KB"
