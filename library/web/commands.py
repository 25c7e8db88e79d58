"""What every command shares: bad input and database trouble as one line and a non-zero status,
never a traceback."""

from __future__ import annotations

from functools import wraps

import click
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from library.core.errors import ServiceError
from library.web.database import get_session


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
