"""Commands for documents: ``redaction detect PATH`` (what detection finds in a file) and
``retention purge`` (deleting for good what was withdrawn long ago)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from library import redaction
from library.documents import publication
from library.extraction import ExtractionError, Limits, extract
from library.web.commands import friendly
from library.web.database import get_session

redaction_cli = AppGroup("redaction", help="Find personal information in files.")


retention_cli = AppGroup("retention", help="Keep documents no longer than a retention schedule says.")


@redaction_cli.command("detect")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def redaction_detect(path: Path) -> None:
    """Extract a file's text and print JSON: the text, the suggestions and the redacted text."""
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


@retention_cli.command("purge")
@click.option("--older-than", "days", type=int, required=True, help="Days since withdrawal.")
@friendly
def retention_purge(days: int) -> None:
    """Delete for good every document withdrawn more than DAYS days ago (its tombstone stays)."""
    count = publication.purge(get_session(), current_app.extensions["file_storage"], days)
    click.echo(f"Deleted {count} withdrawn document(s) for good.")


def init_app(app: Flask) -> None:
    app.cli.add_command(redaction_cli)
    app.cli.add_command(retention_cli)
