"""Commands for the search index (``search reindex``, ``search check``) and the followers'
digests (``notifications digest``)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from library.core.models import Document
from library.mail.cli import notifications_cli
from library.search import follows, meaning
from library.web.commands import friendly
from library.web.database import get_session

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
@friendly
def search_reindex() -> None:
    """Rebuild the search index from the database (built aside, then swapped in), after
    embedding any shared version whose meaning is not yet kept."""
    embedded = meaning.backfill(get_session())
    if embedded:
        click.echo(f"Embedded {embedded} shared version{'s' if embedded != 1 else ''} for search by meaning.")
    indexer = current_app.extensions["search_indexer"]
    total = get_session().scalar(select(func.count(Document.id)).where(Document.status == "published")) or 0
    with click.progressbar(length=total, label="Indexing published documents", file=sys.stderr) as bar:
        last = [0]

        def progress(done: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        count = indexer.rebuild(progress)
    click.echo(f"Indexed {count} published document{'s' if count != 1 else ''}.")


@search_cli.command("check")
@friendly
def search_check() -> None:
    """List documents whose search entry differs from the database (exit status 1 if any)."""
    problems = current_app.extensions["search_indexer"].differences()
    for problem in problems:
        click.echo(f"document {problem['id']}: {problem['problem']}")
    if problems:
        raise click.ClickException(f"{len(problems)} document(s) differ; run 'search reindex' to rebuild.")
    click.echo("The search index matches the database.")


@notifications_cli.command("digest")
@click.option("--all", "force", is_flag=True, help="Every follower's digest now, due or not.")
@friendly
def notifications_digest(force: bool) -> None:
    """Send followers the digests that are due: what was shared since their last one."""
    people, sent = follows.send_digests(get_session(), current_app.extensions["search"], force=force)
    current_app.extensions["mailer"].deliver()
    click.echo(f"{sent} digest(s) sent to {people} follower(s) considered.")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
