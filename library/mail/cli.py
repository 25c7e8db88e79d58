"""``notifications send``: deliver what waits in the outbox (other features add their own
notification commands to the group)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from library.web.commands import friendly

notifications_cli = AppGroup("notifications", help="Email: deliver what waits in the outbox.")


@notifications_cli.command("send")
@click.option("--now", "everything", is_flag=True, help="Also try messages still pausing after a failure.")
@friendly
def notifications_send(everything: bool) -> None:
    """Deliver the messages waiting in the outbox; report any the mail server refused."""
    mailer = current_app.extensions["mailer"]
    report = mailer.deliver(everything=everything)
    waiting, oldest = mailer.waiting()
    click.echo(f"Sent {report.sent} message(s); {waiting} waiting.")
    if report.failed:
        raise click.ClickException(
            f"{report.failed} message(s) could not be sent and wait to be tried again "
            f"(oldest waiting {oldest / 60:.0f} min): {report.errors[-1]}"
        )


def init_app(app: Flask) -> None:
    app.cli.add_command(notifications_cli)
