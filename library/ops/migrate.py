"""Schema migrations (Alembic) and the first load of the vocabularies."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask

from library.core.vocabularies import load_vocabularies
from library.web.database import get_session

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine) -> None:
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def init_db(app: Flask) -> dict[str, int]:
    """Bring the schema to the newest revision, then add any missing vocabulary entries."""
    upgrade(app.extensions["db_engine"])
    return load_vocabularies(get_session())
