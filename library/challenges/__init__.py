"""Peer challenges and starting from others' examples: a challenge's documents in chain order,
the bank of key lines of enquiry, the outline of examples, compare and the starter document."""

from __future__ import annotations

from flask import Flask

from library.challenges import api, reuse_views, views  # noqa: F401 - api adds its routes to /api/v1


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(reuse_views.bp)
