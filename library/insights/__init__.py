"""How the library is used: reads and downloads counted without slowing readers, a document's usage,
the insights page. Imports web and core; hears core.events; no other feature."""

from __future__ import annotations

from flask import Flask

from library.core import events
from library.insights import api, recorder, usage, views  # noqa: F401 - api adds its routes to /api/v1


def init_app(app: Flask) -> None:
    recorder.init_app(app)
    app.register_blueprint(views.bp)
    app.add_template_filter(usage.month_label, "month_label")

    @events.document_used.connect_via(app)
    def _count(sender: Flask, *, user, document, kind: str) -> None:
        """A shared document was read or downloaded: counted (queued, no wait for the database)."""
        sender.extensions["usage"].record(usage.event_for(sender.config["SECRET_KEY"], user, document, kind))

    app.extensions["usage_listener"] = _count  # (a signal keeps only a weak reference)
