"""Commands for running the library: ``init-db``, ``seed-demo``, ``backup create|verify|restore``.
Each feature adds its own commands; bad input gets a one-line error and a non-zero status."""

from __future__ import annotations

from functools import wraps
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from library.demo.seed import seed_demo
from library.ops import backup
from library.ops.migrate import init_db
from library.web.commands import friendly
from library.web.database import get_session

backup_cli = AppGroup("backup", help="Back up the library, check a backup, restore one.")


@click.command("init-db")
@with_appcontext
@friendly
def init_db_command() -> None:
    """Create or upgrade the schema and load the vocabularies from content/ (safe to run again)."""
    added = init_db(current_app)
    click.echo(
        "Database ready: " + ", ".join(f"{n} new {k.replace('_', ' ')}s" for k, n in added.items()) + "."
    )


@click.command("seed-demo")
@with_appcontext
@friendly
def seed_demo_command() -> None:
    """Add demo authorities, users and documents (safe to run again). Refused in production."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "seed-demo is refused in production: it would add users with the published demo password."
        )
    summary = seed_demo(current_app)
    click.echo(summary)


def _backup_errors(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@friendly
@_backup_errors
def backup_create(directory: Path) -> None:
    """Copy the database (one consistent snapshot) and the originals into DIRECTORY, with a
    manifest of every file's SHA-256. Safe while the app runs."""
    summary = backup.create(
        current_app.config["DATABASE_URL"],
        Path(current_app.config["DATA_DIR"]),
        directory,
        current_app.extensions["file_storage"],
    )
    click.echo(
        f"Backed up {summary.documents} document(s): {summary.files} file(s), {summary.bytes / 1e6:.1f} MB, "
        f"in {directory}."
    )
    if summary.missing:
        click.echo(f"{len(summary.missing)} original(s) were deleted for good during the backup.", err=True)


@backup_cli.command("verify")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
def backup_verify(directory: Path) -> None:
    """Check every file of a backup against its manifest."""
    problems = backup.verify(directory)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(
            f"The backup in {directory} does not check out ({len(problems)} problem(s))."
        )
    click.echo(f"The backup in {directory} checks out.")


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@friendly
@_backup_errors
def backup_restore(directory: Path) -> None:
    """Restore a backup into an empty data folder (and database), then rebuild the search index."""
    storage = current_app.extensions["file_storage"]
    documents = backup.restore(
        directory,
        current_app.config["DATABASE_URL"],
        Path(current_app.config["DATA_DIR"]),
        storage if storage.shared else None,  # the local folder: checked empty, then filled
    )
    get_session().close()
    current_app.extensions["db_engine"].dispose()
    indexed = current_app.extensions["search_indexer"].rebuild()
    click.echo(f"Restored {documents} document(s); {indexed} published one(s) indexed again.")


def init_app(app: Flask) -> None:
    for command in (init_db_command, seed_demo_command, backup_cli):
        app.cli.add_command(command)
