"""Alembic environment: migrates the connection it is given, or the configured database."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from library.core import models  # noqa: F401  (registers the tables)
from library.core.db import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from config import load_config

    url = config.get_main_option("sqlalchemy.url") or load_config()["DATABASE_URL"]
    engine = engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
