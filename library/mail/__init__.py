"""Email: messages written to an outbox in the transaction of their event, delivered after the
commit (SMTP, or .eml files), each person's choice of notices and one-click unsubscribe."""

from __future__ import annotations

from flask import Flask

from library.mail import cli, outbox


def init_app(app: Flask) -> None:
    outbox.init_app(app)
    cli.init_app(app)
