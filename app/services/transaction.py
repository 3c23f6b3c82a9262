"""One use case = one database transaction; a daily batch = one transaction per item."""
from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterator, ParamSpec, Sequence, TypeVar

from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict
from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
log = logging.getLogger(__name__)


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


@dataclass
class BatchResult(Generic[T, R]):
    """What a batch did: the result of each committed item, in order, and the items that failed."""
    results: list[R] = field(default_factory=list)
    failed: list[T] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.results)


def for_each_in_own_transaction(
        items: Sequence[T], work: Callable[[T], R], *, what: str,
        retry_on: tuple[type[Exception], ...] = ()) -> BatchResult[T, R]:
    """Run `work` on each item (an id) in its own transaction, committed after it. An item that
    raises has its own writes rolled back and is logged, and the loop goes on: one bad case must
    not stop the others, nor the daily jobs that run after them.

    The log line is `what`, the item and the exception's type, never its message (it may carry
    personal data). `retry_on` are the errors that mean another scheduler got there first (a
    unique index): the item is tried once more in a fresh transaction, which sees their work.
    The caller's transaction, in which it read the ids, is ended first; the session is clean
    afterwards. `work` may end its transaction itself when it needs a special ending.
    """
    db.session.rollback()
    batch: BatchResult[T, R] = BatchResult()
    for item in items:
        try:
            batch.results.append(_run_one(item, work, retry_on))
        except Exception as exc:  # noqa: BLE001 - one bad item must not stop the others
            db.session.rollback()
            log.error("%s %s failed: %s", what, item, type(exc).__name__)
            batch.failed.append(item)
        except BaseException:
            db.session.rollback()
            raise
    return batch


def _run_one(item: T, work: Callable[[T], R], retry_on: tuple[type[Exception], ...]) -> R:
    try:
        return _commit_after(work, item)
    except retry_on:
        db.session.rollback()
    return _commit_after(work, item)


def _commit_after(work: Callable[[T], R], item: T) -> R:
    result = work(item)
    db.session.commit()
    return result
