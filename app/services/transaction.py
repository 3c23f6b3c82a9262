"""One use case = one database transaction."""
from __future__ import annotations

import contextlib
import functools
from typing import Callable, Iterator, ParamSpec, TypeVar

from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict
from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def use_case(func: Callable[P, R]) -> Callable[P, R]:
    """Commit when the use case returns, roll everything back when it raises.

    A lost optimistic-lock race (another request changed the instance first) becomes a 409.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except StaleDataError as exc:
            db.session.rollback()
            raise Conflict("someone else changed this process instance first; reload and retry"
                           ) from exc
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


@contextlib.contextmanager
def savepoint() -> Iterator[None]:
    """A savepoint inside the use case's transaction: what runs in it rolls back alone if it raises.

    Python's sqlite3 driver opens its transaction only before the first INSERT, UPDATE or DELETE,
    so a SAVEPOINT issued before any write would itself be the outermost transaction and its
    RELEASE would commit at once: a failure later in the use case could not undo it (a letter
    kept while the process is not moved on, sent again on retry). Open the transaction first.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")
    with db.session.begin_nested():
        yield
