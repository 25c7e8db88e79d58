"""Running the library: the schema and its migrations, backups and their restore, the health
check's findings, and the commands an operator uses."""

from __future__ import annotations

from flask import Flask

from library.ops import cli, views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    cli.init_app(app)
