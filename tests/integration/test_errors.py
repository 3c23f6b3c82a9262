"""An unexpected error answers the envelope and logs no personal data."""
from __future__ import annotations

import logging

from flask import request

from app.api import bp


def test_unhandled_error_is_a_500_envelope_and_the_log_has_no_message(client, caplog):
    app = client.application

    def explode():
        raise RuntimeError(request.args["who"])  # data from the request, as in real errors

    app.add_url_rule("/boom", "boom", explode)
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom?who=Margaret+Ellis,+14+Orchard+Close")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal"
    assert "RuntimeError" in caplog.text
    assert "Margaret" not in caplog.text and "Orchard" not in caplog.text
    assert bp.url_prefix == "/api/v1"


def test_only_a_database_that_cannot_be_reached_answers_503(client, caplog):
    """An outage is a 503 with Retry-After and is logged by type; a lost race or SQLite's lock
    is the database answering, and never a 503."""
    import sqlite3

    from psycopg import OperationalError
    from psycopg.errors import AdminShutdown, DeadlockDetected, SerializationFailure
    from sqlalchemy.exc import OperationalError as Wrapped

    def raising(orig):
        def view():
            raise Wrapped("select 1 where name = %(name)s", {"name": request.args["who"]}, orig)
        return view

    app = client.application
    errors = {"refused": OperationalError("connection refused"),
              "shutdown": AdminShutdown("terminating connection"),
              "race": SerializationFailure("could not serialize access"),
              "deadlock": DeadlockDetected("deadlock detected"),
              "locked": sqlite3.OperationalError("database is locked")}
    for name, orig in errors.items():
        app.add_url_rule(f"/api/v1/test-{name}", name, raising(orig))
    with caplog.at_level(logging.WARNING):
        answers = {name: client.get(f"/api/v1/test-{name}?who=Margaret+Ellis")
                   for name in errors}
    for name in ("refused", "shutdown"):
        assert answers[name].status_code == 503, name
        assert answers[name].json["error"]["code"] == "unavailable"
        assert answers[name].headers["Retry-After"] == str(app.config["RETRY_AFTER_SECONDS"])
    for name in ("race", "deadlock", "locked"):
        assert answers[name].status_code != 503, name
        assert "Retry-After" not in answers[name].headers
    assert "OperationalError" in caplog.text and "Margaret" not in caplog.text
