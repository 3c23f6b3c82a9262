"""Task inbox benchmark: 100,000 open tasks on SQLite and PostgreSQL, through app.services.inbox.

Loads people, one instance each and open tasks spread over five teams, six roles, four
processes and a year of due dates (a quarter claimed) with bulk Core inserts, then times a page
of each tab with the tab counts, as an assistant and as a manager, with and without filters.
Prints p50/p95/max in milliseconds. The issue's target: well under a second per inbox page.

Usage: python bench/inbox.py [tasks] [repeats]     (defaults 100000 and 50)
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select  # noqa: E402

from bench.raw_engine import against_goal, raw_cycle_ms  # noqa: E402

# A page of the inbox (rows, total and the tab counts) answers within this at the 95th percentile,
# so a page with the server's own work stays well under a second.
GOAL_MS = 500

TEAMS = ("North", "South", "East", "West", "Central")
ROLES = ("finance_assistant", "finance_officer", "finance_manager", "caseworker",
         "care_manager", "legal")
PROCESSES = ("direct_payment_agreement", "debt_recovery", "legal_recovery", "debt_decision")


def main() -> None:
    tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='inbox-bench-')) / 'bench.sqlite'}"
    bench_backend("SQLite", url, tasks, repeats)
    from tests.pg_cluster import PostgresCluster

    cluster = PostgresCluster.start(REPO / ".pgtest" / f"inbox{uuid.uuid4().hex[:6]}")
    try:
        bench_backend("PostgreSQL", cluster.url, tasks, repeats)
    finally:
        cluster.stop()


def bench_backend(label: str, url: str, tasks: int, repeats: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.models import HumanTask, Person, ProcessInstance, ProcessVersion, Team, User
    from app.services.inbox import task_list
    from app.services.processes import definitions
    from app.services.staff import users

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url, "CASEWORK_CLOCK": "real"})
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    with app.app_context():
        upgrade()
        definitions.sync_workflows(app.config["WORKFLOWS_DIR"])
        for team in TEAMS:
            users.team_named(team)
        users.add_user("assistant", "bench-password", ["finance_assistant"], "North")
        users.add_user("manager", "bench-password", ["finance_manager"], "North")
        db.session.commit()
        team_ids = list(db.session.scalars(select(Team.id).order_by(Team.id)))
        version_id = db.session.scalar(select(ProcessVersion.id).limit(1))
        assistant_id = db.session.scalar(select(User.id).where(User.username == "assistant"))
        people = tasks // 5
        began = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(insert(Person.__table__), [
                {"id": i, "reference": f"P{i:07d}", "name": f"Person {i}",
                 "team_id": team_ids[i % len(team_ids)], "address_lines": [], "postcode": ""}
                for i in range(1, people + 1)])
            conn.execute(insert(ProcessInstance.__table__), [
                {"id": i, "version_id": version_id, "person_id": i, "status": "active",
                 "state": "{}", "lock_version": 1, "created_at": now, "updated_at": now}
                for i in range(1, people + 1)])
            rows = []
            for i in range(1, tasks + 1):
                person = rng.randint(1, people)
                rows.append({
                    "instance_id": person, "engine_task_id": f"bench-{i}", "source": "diagram",
                    "name": "task", "title": f"Task {i}", "role": rng.choice(ROLES),
                    "team_id": team_ids[person % len(team_ids)], "person_id": person,
                    "process_key": rng.choice(PROCESSES), "form": [], "status": "open",
                    "claimed_by_id": assistant_id if rng.random() < 0.002 else None,
                    "due_at": now + timedelta(days=rng.randint(-120, 240)),
                    "created_at": now - timedelta(days=rng.randint(0, 90))})
                if len(rows) == 10_000:
                    conn.execute(insert(HumanTask.__table__), rows)
                    rows = []
            if rows:
                conn.execute(insert(HumanTask.__table__), rows)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does for a live database: statistics and the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        print(f"{label}: loaded {tasks:,} open tasks for {people:,} people in "
              f"{time.perf_counter() - began:.1f} s")
        cases = {
            "assistant: my tasks": ("assistant", task_list.InboxQuery(tab="mine")),
            "assistant: team's tasks": ("assistant", task_list.InboxQuery(tab="team")),
            "assistant: team, overdue": ("assistant", task_list.InboxQuery(tab="team",
                                                                           overdue=True)),
            "manager: all open tasks": ("manager", task_list.InboxQuery(tab="all")),
            "manager: all, page 200": ("manager", task_list.InboxQuery(tab="all", page=200)),
            "manager: all, process+due": ("manager", task_list.InboxQuery(
                tab="all", process="debt_recovery", due_before=date.today())),
            "manager: all, person id": ("manager", task_list.InboxQuery(tab="all",
                                                                        person="P0000042")),
        }
        raw_ms = raw_cycle_ms()
        worst = 0.0
        print(f"\n{label}: inbox page (25 rows + total) and the tab counts, ms over {repeats} runs")
        print(f"{'case':<28}{'p50':>9}{'p95':>9}{'max':>9}{'total':>9}")
        for label, (username, query) in cases.items():
            timings = []
            for _ in range(repeats):
                db.session.remove()
                user = db.session.scalar(select(User).where(User.username == username))
                start = time.perf_counter()
                _, total = task_list.inbox(user, query)
                task_list.counts(user)
                timings.append((time.perf_counter() - start) * 1000)
            p95 = statistics.quantiles(timings, n=20)[-1]
            worst = max(worst, p95)
            print(f"{label:<28}{statistics.median(timings):9.1f}"
                  f"{p95:9.1f}{max(timings):9.1f}{total:9,}")
        print(against_goal(f"{db.engine.dialect.name}: slowest case, p95", worst, GOAL_MS,
                           raw_ms))
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
