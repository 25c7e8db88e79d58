"""The migrations build exactly the schema the models describe (tables, columns, indexes), on the
database the suite runs on. Tables the models do not own (the PostgreSQL search backend's) are
left out."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from library.core.models import Base


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table is None or table in Base.metadata.tables


def test_the_migrated_database_is_what_the_models_describe(db):
    context = MigrationContext.configure(db.connection(), opts={"include_object": _ours})
    assert compare_metadata(context, Base.metadata) == []
