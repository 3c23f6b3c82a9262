"""The one rule for "the database cannot be reached" (503), apart from the database errors that
are not an outage: a lost race, a cancelled statement, SQLite's lock, a constraint."""
from __future__ import annotations

import sqlite3

import psycopg
import pytest
from psycopg import errors as pg
from sqlalchemy import exc as sa

from app.errors import is_unreachable_database


def wrapped(orig: BaseException, *, invalidated: bool = False) -> sa.DBAPIError:
    """As SQLAlchemy raises a driver's error: the matching class, the driver's error inside."""
    kind = sa.OperationalError if isinstance(orig, (psycopg.OperationalError,
                                                    sqlite3.OperationalError)) else sa.DBAPIError
    return kind("select 1", {}, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize("error", [
    psycopg.OperationalError("connection failed: Connection refused"),  # no SQLSTATE: libpq's
    pg.AdminShutdown("terminating connection due to administrator command"),  # 57P01
    pg.CrashShutdown("terminating connection because of crash of another process"),  # 57P02
    pg.CannotConnectNow("the database system is starting up"),  # 57P03
    pg.ConnectionFailure("connection failure"),  # 08006
    pg.SqlclientUnableToEstablishSqlconnection("could not connect"),  # 08001
], ids=lambda error: type(error).__name__)
def test_refused_lost_and_shutting_down_are_unreachable(error):
    assert is_unreachable_database(wrapped(error))
    assert is_unreachable_database(error)  # unwrapped too


def test_a_connection_sqlalchemy_invalidated_or_a_disconnection_is_unreachable():
    assert is_unreachable_database(wrapped(psycopg.InterfaceError("the connection is closed"),
                                           invalidated=True))
    assert is_unreachable_database(sa.DisconnectionError("pool pre-ping failed"))


@pytest.mark.parametrize("error", [
    pg.SerializationFailure("could not serialize access"),  # 40001: a lost race, a 409
    pg.DeadlockDetected("deadlock detected"),  # 40P01: likewise
    pg.QueryCanceled("canceling statement due to statement timeout"),  # 57014
    pg.LockNotAvailable("could not obtain lock"),  # 55P03
    pg.UniqueViolation("duplicate key value"),
    sqlite3.OperationalError("database is locked"),
], ids=lambda error: type(error).__name__)
def test_errors_of_a_reachable_database_are_not(error):
    assert not is_unreachable_database(wrapped(error))


def test_a_lost_race_is_not_unreachable_even_on_an_invalidated_connection():
    assert not is_unreachable_database(wrapped(pg.SerializationFailure("x"), invalidated=True))


def test_other_errors_are_not():
    assert not is_unreachable_database(ValueError("no"))
    assert not is_unreachable_database(sa.InvalidRequestError("a bug"))


def test_the_chain_is_followed_as_python_prints_it():
    try:
        try:
            raise wrapped(pg.AdminShutdown("terminating connection"), invalidated=True)
        except sa.OperationalError:
            raise sa.InvalidRequestError("the rollback could not run") from None
    except sa.InvalidRequestError as error:
        assert not is_unreachable_database(error)  # `from None` cut the chain on purpose
    try:  # a rollback that failed after the connection went: the outage is behind it
        try:
            raise wrapped(pg.AdminShutdown("terminating connection"), invalidated=True)
        except sa.OperationalError:
            raise RuntimeError("rolling back failed")  # noqa: B904 - the chain is the point
    except RuntimeError as error:
        assert is_unreachable_database(error)


def test_a_cycle_in_the_chain_ends():
    first, second = ValueError("a"), ValueError("b")
    first.__context__, second.__context__ = second, first
    assert not is_unreachable_database(first)
