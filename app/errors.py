"""The error family and the one envelope every error answers with."""
from __future__ import annotations

import traceback
from typing import Any

import psycopg
from flask import Flask, Response, current_app, jsonify
from sqlalchemy.exc import DBAPIError, DisconnectionError
from werkzeug.exceptions import HTTPException

from app.extensions import db

CODES = {400: "malformed", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "malformed",
         422: "validation_failed", 500: "internal", 503: "unavailable"}

# The server went away: class 08 is "connection exception"; 57P01-57P03 are an administrator's
# shutdown, a crash and "the database system is starting up".
_SHUTDOWN_STATES = frozenset({"57P01", "57P02", "57P03"})


class AppError(Exception):
    status = 500

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class Malformed(AppError):
    status = 400


class Unauthenticated(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class ValidationFailed(AppError):
    status = 422


def envelope(status: int, message: str, details: list | None = None):
    body = {"error": {"code": CODES.get(status, "internal"), "message": message,
                      "details": details or []}}
    return jsonify(body), status


def is_unreachable_database(exc: BaseException) -> bool:
    """Whether exc, or an error it was raised from or while handling, means that the database
    cannot be reached: refused, lost or shutting down. A reachable database's errors do not
    count, though psycopg calls some of them OperationalError too: a lost race (40001, 40P01;
    a 409 elsewhere), a cancelled statement, SQLite's "database is locked"."""
    seen: set[int] = set()
    current: BaseException | None = exc
    # Walk back along the chain Python would print: a failed rollback's error hides the one
    # that caused it.
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _means_unreachable(current):
            return True
        current = current.__cause__ if current.__cause__ is not None else (
            None if current.__suppress_context__ else current.__context__)
    return False


def _means_unreachable(exc: BaseException) -> bool:
    if isinstance(exc, DisconnectionError):
        return True
    if isinstance(exc, DBAPIError):
        # Class 40 (serialization failure, deadlock) is a lost race. psycopg does not make them
        # subclasses of its TransactionRollback, so the SQLSTATE is what to read.
        if isinstance(exc.orig, psycopg.Error) and (exc.orig.sqlstate or "").startswith("40"):
            return False
        return exc.connection_invalidated or (exc.orig is not None
                                              and _means_unreachable(exc.orig))
    if isinstance(exc, psycopg.OperationalError):
        # No SQLSTATE: libpq's own failure (refused, closed, timed out), not the server's answer.
        state = exc.sqlstate
        return state is None or state.startswith("08") or state in _SHUTDOWN_STATES
    return False


def end_failed_request(exc: BaseException) -> None:
    """Undo what the request wrote and let go of its session, so nothing half-done is kept and
    the next request starts afresh. On a lost connection the rollback fails too; closing the
    session is then enough (the pool has already thrown that connection away)."""
    current_app.logger.warning("the database cannot be reached: %s", type(exc).__name__)
    try:
        db.session.rollback()
    except Exception as error:  # noqa: BLE001 - the connection is gone: closing will do
        current_app.logger.warning("rollback failed: %s", type(error).__name__)
    try:
        db.session.remove()
    except Exception as error:  # noqa: BLE001 - a session left behind dies with this request
        current_app.logger.warning("closing the session failed: %s", type(error).__name__)


def retry_after(response: Response) -> Response:
    """Tell the client when to try again (RETRY_AFTER_SECONDS)."""
    response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
    return response


def unavailable_envelope():
    response, status = envelope(503, "the service cannot reach its database; try again later")
    return retry_after(response), status


def answer_unexpected(exc: BaseException):
    """An error no handler expected: 503 when the database cannot be reached, else 500."""
    if is_unreachable_database(exc):
        end_failed_request(exc)
        return unavailable_envelope()
    # The type and the frames only: request bodies and exception messages may hold
    # personal data, and logs must not.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    current_app.logger.error("unhandled %s\n%s", type(exc).__name__, frames)
    return envelope(500, "something went wrong on our side")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        return envelope(exc.status, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return envelope(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        return answer_unexpected(exc)
