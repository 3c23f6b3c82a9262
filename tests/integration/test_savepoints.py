"""A handler's savepoint stays inside its use case's transaction on both databases: a failure later
in the use case undoes the handler's writes too (SQLite's driver would otherwise commit them)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Team
from app.services.transaction import savepoint


def teams() -> int:
    return db.session.scalar(select(func.count(Team.id)))


def test_a_savepoint_before_any_write_is_undone_with_its_transaction(app):
    before = teams()  # a read first, as a timer sweep claims its instance
    with savepoint():
        db.session.add(Team(name="Written in the savepoint"))
    db.session.rollback()  # the use case failed after the handler
    assert teams() == before


def test_a_failing_savepoint_rolls_back_alone(app):
    before = teams()
    db.session.add(Team(name="Before the savepoint"))
    try:
        with savepoint():
            db.session.add(Team(name="In the failing savepoint"))
            db.session.flush()
            raise RuntimeError("handler failed")
    except RuntimeError:
        pass
    db.session.commit()
    assert teams() == before + 1
