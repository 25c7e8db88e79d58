"""Finding what one may read: the index outbox and its drain, queries, "more like this", follows and
digests. Imports challenges, mail, web and core, and the search_index engine."""

from __future__ import annotations

from flask import Flask

from library.search import api, cli, digests, indexer, views  # noqa: F401 - api adds its routes to /api/v1


def init_app(app: Flask) -> None:
    indexer.init_app(app)
    if app.config.get("DIGESTS_IN_APP"):
        digests.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)
