"""Each person's first page and the guidance pages, which bring the features together. Imports
documents, accounts, web and core."""

from __future__ import annotations

from flask import Flask

from library.home import views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
