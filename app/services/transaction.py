"""One use case = one database transaction; a daily batch = one transaction per item."""
from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterator, ParamSpec, Sequence, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict
from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
log = logging.getLogger(__name__)


CHANGED_FIRST = "someone else changed this first; reload and try again"
CHANGING_NOW = "someone else is changing this at the same moment; reload and try again"
# PostgreSQL's answers to a transaction that lost a race with another: serialization_failure
# and deadlock_detected. The database is there and well; trying again is the remedy.
_LOST_RACE_STATES = frozenset({"40001", "40P01"})


def use_case(func: Callable[P, R]) -> Callable[P, R]:
    """Commit when the use case returns, roll everything back when it raises.

    A lost race is a 409, never a silent overwrite nor a 500: the optimistic lock of a process
    instance or a task (another request changed the row first), and a lock or serialization
    failure of the database (another transaction held what this one needed).
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            _begin_writing()
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except StaleDataError as exc:
            db.session.rollback()
            raise Conflict(CHANGED_FIRST) from exc
        except DBAPIError as exc:
            db.session.rollback()
            if lost_a_race(exc):
                raise Conflict(CHANGING_NOW) from exc
            raise
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


def lost_a_race(exc: BaseException) -> bool:
    """Whether a database error means another transaction won a race for the same rows (SQLite
    "database is locked", PostgreSQL 40001 or 40P01), not that the database is unreachable."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)  # extended: BUSY_SNAPSHOT is BUSY | 512
        if code is not None:
            return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        return "locked" in str(orig)
    return getattr(orig, "sqlstate", None) in _LOST_RACE_STATES  # psycopg 3


def _begin_writing() -> None:
    """SQLite: take the write lock before the use case reads anything (BEGIN IMMEDIATE).

    Python's sqlite3 driver begins a transaction only at the first INSERT, UPDATE or DELETE,
    and a transaction that has read cannot wait for the lock: if another process wrote since
    its first read, SQLite refuses the upgrade at once ("database is locked"), busy timeout or
    not. Taken first, the lock is waited for (busy_timeout), and the use case then reads what
    the writer before it committed: the loser of a race finds the task completed (409), and an
    unrelated write elsewhere in the file never fails it. Writers queue; WAL readers do not.
    PostgreSQL needs nothing: its row locks and the version columns decide.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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
    unique index): the item is tried once more in a fresh transaction, which sees their work;
    so is an item that lost a lock race (`lost_a_race`), whatever `retry_on` says.
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
            log.error("%s %s failed: %s%s", what, item, type(exc).__name__, _where(exc))
            batch.failed.append(item)
        except BaseException:
            db.session.rollback()
            raise
    return batch


def _where(exc: BaseException) -> str:
    """ " at <step>" for an error that names the diagram steps it failed at: their ids are the
    diagram's, never personal data (the message may hold some, so it is not logged)."""
    details = getattr(exc, "details", None) or []
    steps = [d["element_id"] for d in details if isinstance(d, dict) and d.get("element_id")]
    return f" at {', '.join(steps)}" if steps else ""


def _run_one(item: T, work: Callable[[T], R], retry_on: tuple[type[Exception], ...]) -> R:
    try:
        return _commit_after(work, item)
    except Exception as exc:  # noqa: BLE001 - only the races below are tried again
        if not (isinstance(exc, retry_on) or lost_a_race(exc)):
            raise
        db.session.rollback()
    return _commit_after(work, item)


def _commit_after(work: Callable[[T], R], item: T) -> R:
    result = work(item)
    db.session.commit()
    return result
