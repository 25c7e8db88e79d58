"""Commands: ``flask --app wsgi COMMAND``. Bad input gets a one-line error and a non-zero status."""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from library.accounts import service as accounts
from library.core.db import get_session
from library.core.errors import ServiceError

authorities_cli = AppGroup("authorities", help="Manage authorities.")
users_cli = AppGroup("users", help="Manage users and their API tokens.")
redaction_cli = AppGroup("redaction", help="Find personal information in files.")
search_cli = AppGroup("search", help="The search index.")
notifications_cli = AppGroup("notifications", help="Email: deliver what waits in the outbox.")
retention_cli = AppGroup("retention", help="Keep documents no longer than a retention schedule says.")
backup_cli = AppGroup("backup", help="Back up the library, check a backup, restore one.")


def friendly(fn):
    """Turn service and database errors into one line on stderr and exit status 1."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            get_session().rollback()
            raise click.ClickException(exc.message) from None
        except OperationalError as exc:
            raise click.ClickException(
                f"Cannot use the database ({str(exc.orig).splitlines()[0]}). Run 'init-db' first?"
            ) from None
        except SQLAlchemyError as exc:
            raise click.ClickException(f"Database error: {str(exc).splitlines()[0]}") from None

    return wrapper


@click.command("init-db")
@with_appcontext
@friendly
def init_db_command() -> None:
    """Create or upgrade the schema and load the vocabularies from content/ (safe to run again)."""
    from library.ops.migrate import init_db

    added = init_db(current_app)
    click.echo(
        "Database ready: " + ", ".join(f"{n} new {k.replace('_', ' ')}s" for k, n in added.items()) + "."
    )


@click.command("seed-demo")
@with_appcontext
@friendly
def seed_demo_command() -> None:
    """Add demo authorities, users and documents (safe to run again). Refused in production."""
    from library.demo.seed import seed_demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "seed-demo is refused in production: it would add users with the published demo password."
        )
    summary = seed_demo(current_app)
    click.echo(summary)


@authorities_cli.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--region", "region", required=True, help="Region slug, e.g. south-east.")
@friendly
def authorities_add(code: str, name: str, region: str) -> None:
    """Add an authority: CODE NAME --region SLUG."""
    authority = accounts.create_authority(get_session(), None, code, name, region)
    click.echo(f"Added {authority.name} ({authority.code}) in {authority.region.name}.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--authority", "authority", default=None, help="Authority code (optional for admins).")
@click.option("--role", required=True, type=click.Choice(["reader", "contributor", "approver", "admin"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@friendly
def users_create(email: str, name: str, authority: str | None, role: str, password_stdin: bool) -> None:
    """Add a user. The password comes from --password-stdin or a prompt."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise click.ClickException("No password given: use --password-stdin or run in a terminal.")
    user = accounts.create_user(
        get_session(), None, email=email, name=name, role=role, authority_code=authority, password=password
    )
    click.echo(f"Created {user.role} {user.email}.")


@users_cli.command("invite")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--authority", "authority", default=None, help="Authority code (optional for admins).")
@click.option("--role", required=True, type=click.Choice(["reader", "contributor", "approver", "admin"]))
@friendly
def users_invite(email: str, name: str, authority: str | None, role: str) -> None:
    """Invite someone: their account, and a single-use link (valid 7 days) to choose their password."""
    from library.accounts import links

    user = links.invite(get_session(), None, email=email, name=name, role=role, authority_code=authority)
    click.echo(f"Invited {user.role} {user.email}: the invitation is in the outbox.")


@users_cli.command("token")
@click.argument("email")
@click.option(
    "--days", type=int, default=accounts.TOKEN_DAYS_DEFAULT, show_default=True, help="Days until it expires."
)
@friendly
def users_token(email: str, days: int) -> None:
    """Print a new API token for the user (only its hash is stored); it expires after --days."""
    session = get_session()
    user = accounts.get_user_by_email(session, email)
    click.echo(accounts.create_token(session, None, user, days))


@users_cli.command("tokens")
@click.argument("email")
@friendly
def users_tokens(email: str) -> None:
    """List the user's API tokens: id, created, last used, expires, state."""
    session = get_session()
    user = accounts.get_user_by_email(session, email)
    tokens = accounts.tokens_of(session, None, user)
    if not tokens:
        click.echo(f"{user.email} has no API tokens.")
        return
    click.echo(f"{'id':>5}  {'starts with':<12} {'created':<17} {'last used':<17} {'expires':<17} state")
    for t in tokens:
        click.echo(
            f"{t.id:>5}  {t.prefix:<12} {_when(t.created_at):<17} {_when(t.last_used_at):<17} "
            f"{_when(t.expires_at):<17} {accounts.token_state(t)}"
        )


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@users_cli.command("revoke-token")
@click.argument("email")
@click.argument("token_id", required=False, type=int)
@click.option("--all", "every", is_flag=True, help="Revoke every token of the user.")
@friendly
def users_revoke_token(email: str, token_id: int | None, every: bool) -> None:
    """Revoke one of the user's API tokens (ID from 'users tokens'), or --all of them."""
    if (token_id is None) == (not every):
        raise click.ClickException("Give a token id, or --all (not both).")
    session = get_session()
    user = accounts.get_user_by_email(session, email)
    count = accounts.revoke_token(session, None, user, token_id, every=every)
    click.echo(f"Revoked {count} token{'s' if count != 1 else ''} of {user.email}.")


def _set_active(email: str, active: bool) -> None:
    session = get_session()
    user = accounts.get_user_by_email(session, email)
    accounts.set_active(session, None, user, active)
    click.echo(
        f"Reactivated {user.email}. Old API tokens stay revoked: make a new one if needed."
        if active
        else f"Deactivated {user.email}; their sessions ended and their API tokens were revoked."
    )


@users_cli.command("deactivate")
@click.argument("email")
@friendly
def users_deactivate(email: str) -> None:
    """Deactivate a user: signed out at once, every API token revoked for good."""
    _set_active(email, False)


@users_cli.command("activate")
@click.argument("email")
@friendly
def users_activate(email: str) -> None:
    """Reactivate a user (their old API tokens stay revoked)."""
    _set_active(email, True)


@redaction_cli.command("detect")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def redaction_detect(path: Path) -> None:
    """Extract a file's text and print JSON: the text, the suggestions and the redacted text."""
    from library import redaction
    from library.extraction import ExtractionError, Limits, extract

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = extract(data, path.name, Limits.from_config(current_app.config)).text
    except ExtractionError as exc:
        raise click.ClickException(exc.message) from None
    suggestions = redaction.detect(text)
    spans = [redaction.Span(s.start, s.end, s.category, s.text) for s in suggestions]
    click.echo(
        json.dumps(
            {
                "text": text,
                "suggestions": [s.as_dict() for s in suggestions],
                "redacted": redaction.apply(text, spans),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


@search_cli.command("reindex")
@friendly
def search_reindex() -> None:
    """Rebuild the search index from the database (built aside, then swapped in)."""
    from sqlalchemy import func, select

    from library.core.models import Document

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


@notifications_cli.command("digest")
@click.option("--all", "force", is_flag=True, help="Every follower's digest now, due or not.")
@friendly
def notifications_digest(force: bool) -> None:
    """Send followers the digests that are due: what was shared since their last one."""
    from library.search import follows

    people, sent = follows.send_digests(get_session(), current_app.extensions["search"], force=force)
    current_app.extensions["mailer"].deliver()
    click.echo(f"{sent} digest(s) sent to {people} follower(s) considered.")


@retention_cli.command("purge")
@click.option("--older-than", "days", type=int, required=True, help="Days since withdrawal.")
@friendly
def retention_purge(days: int) -> None:
    """Delete for good every document withdrawn more than DAYS days ago (its tombstone stays)."""
    from library.documents import publication

    count = publication.purge(get_session(), current_app.extensions["file_storage"], days)
    click.echo(f"Deleted {count} withdrawn document(s) for good.")


def _backup_errors(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        from library.ops.backup import BackupError

        try:
            return fn(*args, **kwargs)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@friendly
@_backup_errors
def backup_create(directory: Path) -> None:
    """Copy the database (one consistent snapshot) and the originals into DIRECTORY, with a
    manifest of every file's SHA-256. Safe while the app runs."""
    from library.ops import backup

    summary = backup.create(
        current_app.config["DATABASE_URL"], Path(current_app.config["DATA_DIR"]), directory
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
    from library.ops import backup

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
    from library.ops import backup

    documents = backup.restore(
        directory, current_app.config["DATABASE_URL"], Path(current_app.config["DATA_DIR"])
    )
    get_session().close()
    current_app.extensions["db_engine"].dispose()
    indexed = current_app.extensions["search_indexer"].rebuild()
    click.echo(f"Restored {documents} document(s); {indexed} published one(s) indexed again.")


def init_app(app: Flask) -> None:
    for command in (
        init_db_command,
        seed_demo_command,
        authorities_cli,
        users_cli,
        redaction_cli,
        search_cli,
        notifications_cli,
        retention_cli,
        backup_cli,
    ):
        app.cli.add_command(command)
