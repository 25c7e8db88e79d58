"""The application: its settings, the core, the web plumbing and every feature, put together."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from config import load_config
from library import accounts, challenges, documents, home, insights, mail, ops, search, web
from library.core import storage
from library.web import database, logs

ROOT = Path(__file__).resolve().parents[1]


class DatabaseId(IntegerConverter):
    """``<int:...>`` in routes: any whole number, and one larger than a database integer holds
    (no row has it) is read as 0, which no row has either: its page is a 404, whatever the
    method, never an error of the database or a 405 from another route."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= 2**31 - 1 else 0


log = logging.getLogger(__name__)


def create_app(config: dict | str | None = None) -> Flask:
    """Build the application.

    ``config`` is the name of an environment (``development``, ``test``, ``production``) or a
    dict of settings, which may name the environment under ``ENV_NAME`` and override any other
    setting. Without it, ``LIBRARY_ENV`` picks the environment (required: there is no default).
    """
    if isinstance(config, str):
        name, overrides = config, {}
    else:
        overrides = dict(config or {})
        name = overrides.pop("ENV_NAME", None)
    settings = load_config(name, overrides)

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    app.config.from_mapping(settings)
    # Ids in addresses are database integers: a larger number is no page (404), never an error.
    app.url_map.converters["int"] = DatabaseId
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    database.init_app(app)
    app.extensions["file_storage"] = storage.from_config(app.config, app.config["DATA_DIR"])
    web.init_app(app)
    for feature in (mail, search, insights, accounts, documents, challenges, home, ops):
        feature.init_app(app)
    logs.note_secret_routes(app)
    log.debug("application created (%s)", app.config["ENV_NAME"])
    return app


def start_up(app: Flask) -> None:
    """What a serving process does before its first request: finish the index and mail work that
    a process which died between a commit and its drain left in the outboxes, and build an empty
    search index (a new backend chosen) from the database."""
    from sqlalchemy import inspect

    note_one_host(app)
    try:
        if not inspect(app.extensions["db_engine"]).has_table("index_outbox"):
            return  # no schema yet (`init-db` has not run): nothing can be waiting
        app.extensions["search_indexer"].drain()
        app.extensions["search_indexer"].fill_if_empty()
        app.extensions["mailer"].deliver()
        _warm_meaning(app)
    except Exception:  # the outboxes keep the work; the next request tries again
        log.exception("catching up with the outboxes at start-up failed")


def one_host_parts(app: Flask) -> list[str]:
    """What this configuration keeps on one host (or in one process), with the setting that
    shares it: empty when everything several hosts need is shared."""
    parts = []
    if app.config["DATABASE_URL"].startswith("sqlite"):
        parts.append("the database is SQLite in the data folder (DATABASE_URL=postgresql+psycopg://...)")
    if not getattr(app.extensions["search"], "in_transaction", False):
        parts.append(
            f"the search index ({app.config.get('SEARCH_BACKEND', 'tantivy')}) is in the data folder "
            "(SEARCH_BACKEND=postgres)"
        )
    if not app.extensions["file_storage"].shared:
        parts.append("uploaded originals are in the data folder (STORAGE_URL=s3://bucket/prefix)")
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        parts.append("the sign-in throttle counts in each process (RATELIMIT_STORAGE_URI=redis://...)")
    return parts


def note_one_host(app: Flask) -> None:
    """Say plainly at start-up what only works on one host, once per process."""
    parts = one_host_parts(app)
    if parts:
        level = logging.WARNING if app.config["ENV_NAME"] == "production" else logging.INFO
        log.log(level, "for one host only: %s. Several hosts need each of these shared.", "; ".join(parts))
    else:
        log.info("ready for several hosts: database, search index, originals and throttle are shared")


def _warm_meaning(app: Flask) -> None:
    """The embedding model and the shared versions' vectors loaded before the first search (a
    search would otherwise wait for them, once a process)."""
    from library.search import meaning

    session = app.extensions["db_sessionmaker"]()
    try:
        meaning.warm(session)
    finally:
        session.close()
