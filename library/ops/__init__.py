"""Running the library: migrations, backups and restore, the health check and its page, the
operator's commands. Imports demo, web and core."""

from __future__ import annotations

from flask import Flask

from library.ops import cli, views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    cli.init_app(app)
