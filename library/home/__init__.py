"""The pages that bring the features together: each person's first page, the guidance pages and
the health check."""

from __future__ import annotations

from flask import Flask

from library.home import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
