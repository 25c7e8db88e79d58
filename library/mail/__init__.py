"""Email: messages written to an outbox with their event and delivered after the commit (SMTP or
.eml files), notices chosen, one-click unsubscribe. Imports web and core."""

from __future__ import annotations

from flask import Flask

from library.mail import cli, outbox


def init_app(app: Flask) -> None:
    outbox.init_app(app)
    cli.init_app(app)
