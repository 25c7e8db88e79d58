"""The life of a document: upload and processing, the redaction workspace, hand-off, consent,
withdrawal, deletion, notices, its audit pages. Imports search, challenges, insights, mail, web, core."""

from __future__ import annotations

from flask import Flask

from library import web
from library.documents import api, cli, publication_views, views, workspace_views  # noqa: F401 - api: routes


def init_app(app: Flask) -> None:
    for blueprint in (views.bp, workspace_views.bp, publication_views.bp):
        app.register_blueprint(blueprint)
    web.too_large_pages["documents.upload"] = views.upload_too_large
    cli.init_app(app)
