"""Statistics the database's query planner needs to choose the right index.

PostgreSQL's autovacuum keeps them. SQLite has none until ANALYZE runs, and without them it
picks an index that suits the sort rather than the filter: finding a person's tasks among
100,000 took 140 ms instead of 15 ms (bench/inbox.py). The scheduler refreshes them daily and
`flask init` after migrating; analysis_limit keeps it to a sample, quick on a large file.
"""
from __future__ import annotations

from app.extensions import db

SAMPLE_ROWS = 1000


def refresh() -> bool:
    """Refresh SQLite's statistics (PostgreSQL keeps its own); True when it ran."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return False
    connection.exec_driver_sql(f"PRAGMA analysis_limit={SAMPLE_ROWS}")
    connection.exec_driver_sql("ANALYZE")
    db.session.commit()
    return True
