"""Peer challenges and starting from others' examples: a challenge's documents, the bank of key lines
of enquiry, outline, compare and the starter. Imports web, core and extraction; no other feature."""

from __future__ import annotations

from flask import Flask

from library.challenges import api, reuse_views, views  # noqa: F401 - api adds its routes to /api/v1


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(reuse_views.bp)
