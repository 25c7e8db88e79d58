"""Commands for authorities, people and their API tokens: ``flask --app wsgi authorities ...``,
``users ...``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from library.accounts import links
from library.accounts import service as accounts
from library.web.commands import friendly
from library.web.database import get_session

authorities_cli = AppGroup("authorities", help="Manage authorities.")


users_cli = AppGroup("users", help="Manage users and their API tokens.")


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


def init_app(app: Flask) -> None:
    app.cli.add_command(authorities_cli)
    app.cli.add_command(users_cli)
