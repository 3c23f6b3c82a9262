"""SQLite gets the planner statistics PostgreSQL keeps by itself (autovacuum)."""
from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from app.services.operations import planner_statistics
from app.tasks import scheduler


def test_sqlite_gets_statistics_postgresql_keeps_its_own(app, staff, backend):
    ran = planner_statistics.refresh()
    assert ran is (backend == "sqlite")
    if backend == "sqlite":
        tables = {row[0] for row in db.session.execute(text("SELECT tbl FROM sqlite_stat1"))}
        assert {"user", "team"} <= tables  # tables with rows; an empty one gets none


def test_the_scheduler_refreshes_them_with_the_daily_jobs(app, staff, backend, monkeypatch):
    calls = []
    monkeypatch.setattr(planner_statistics, "refresh", lambda: calls.append(1) or True)
    scheduler.sweep(app)  # the day's jobs have not run yet
    scheduler.sweep(app)  # they have now: no second refresh
    assert calls == [1]
