"""Timer burst benchmark: N direct-payment reminders falling due at once on PostgreSQL, fired by
one and then by two scheduler processes (`flask --app app scheduler`, as production runs them).

Each run gets a fresh database: one agreement started through the service 40 days ago, then
copied row by row to N people (bulk inserts), so reminder 1 of every one is due. The clock is
the real one. Prints the time from starting the schedulers until the last reminder fired, each
scheduler's memory (RSS) once it has fired its first timers and at the end, and checks that each
timer fired exactly once. PostgreSQL runs with fsync on, as in production.

Usage: python bench/timers.py [timers]     (default 10000)
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from bench.raw_engine import against_goal, raw_cycle_ms  # noqa: E402

# The goal: 10,000 timers falling due at once all fired within 60 s by two schedulers,
# i.e. 6 ms a timer; one scheduler is shown against the same goal. Memory: within 20%.
GOAL_MS_A_TIMER = 6.0
GOAL_MEMORY_GROWTH = 0.20
GOAL_LETTERS_SECONDS = 180.0  # every reminder's letter made by the schedulers' letter workers
PROCESS = "direct_payment_agreement"
TIMER = "reminder_1_due"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SCHEDULER_ENV = {"CASEWORK_CLOCK": "real", "SECRET_KEY": "bench", "PYTHONPATH": str(REPO)}


def load_due_agreements(count: int, prefix: str = "T") -> list[int]:
    """`count` direct-payment agreements, one a person, in the app context: the first started
    through the service at clock.now() (its reminder 1 due ten working days later), the rest
    copies of its person, agreement and instance rows. Returns the instance ids."""
    from app.extensions import db
    from app.models import DirectPaymentAgreement, Person, ProcessInstance
    from app.services.processes import instances
    from app.services.records import people

    template = people.create_person({
        "reference": f"{prefix}000000", "name": "Bench Person", "team": "North",
        "caseworker": None, "representative": None,
        "address": {"lines": ["1 High Street", "Example Town"], "postcode": "EX1 2AB"},
        "direct_payment": {"variant": "standard", "amount": "350.00", "frequency": "weekly",
                           "client_contribution": "85.00"}}, None)
    first = instances.start_instance(PROCESS, template.reference, {}, None)
    ids = [first.id]
    with db.engine.begin() as conn:
        def rows_of(model, **where):
            table = model.__table__
            found = conn.execute(select(table).filter_by(**where)).mappings().all()
            return [{k: v for k, v in row.items() if k != "id"} for row in found]

        person = rows_of(Person, id=template.id)[0]
        agreements = rows_of(DirectPaymentAgreement, person_id=template.id)
        instance = rows_of(ProcessInstance, id=first.id)[0]
        for start in range(1, count, 2000):
            block = range(start, min(start + 2000, count))
            person_ids = conn.execute(
                insert(Person.__table__).returning(Person.__table__.c.id,
                                                   sort_by_parameter_order=True),
                [{**person, "reference": f"{prefix}{n:06d}"} for n in block]).scalars().all()
            conn.execute(insert(DirectPaymentAgreement.__table__), [
                {**a, "person_id": p} for p in person_ids for a in agreements])
            ids += conn.execute(
                insert(ProcessInstance.__table__).returning(ProcessInstance.__table__.c.id,
                                                            sort_by_parameter_order=True),
                [{**instance, "person_id": p, "state": fresh_task_ids(instance["state"])}
                 for p in person_ids]).scalars().all()
    return ids


def fresh_task_ids(state: str) -> str:
    """The state with new engine task ids: tasks are keyed by them (human_task.engine_task_id
    is unique), so no two copies may share one."""
    new: dict[str, str] = {}
    return UUID.sub(lambda m: new.setdefault(m.group(), str(uuid.uuid4())), state)


def letters_to_make(conn) -> tuple[int, int]:
    """(waiting, failed): the letters the letter workers have not made yet, and could not."""
    waiting = conn.execute(text("SELECT count(*) FROM letter WHERE render_status IN "
                                "('pending', 'rendering')")).scalar_one()
    failed = conn.execute(text("SELECT count(*) FROM letter WHERE render_status = 'failed'")
                          ).scalar_one()
    return waiting, failed


def fired_count(conn) -> int:
    from app.models import AuditEvent

    return conn.execute(select(func.count(AuditEvent.id)).where(AuditEvent.element_id == TIMER)
                        ).scalar_one()


def start_scheduler(url: str, log: Path, command: str = "scheduler") -> subprocess.Popen:
    with log.open("ab") as err:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", command],
                                cwd=REPO, env={**os.environ, **SCHEDULER_ENV, "DATABASE_URL": url},
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(count: int) -> None:
    from tests.pg_cluster import PostgresCluster

    raw_ms = raw_cycle_ms()
    cluster = PostgresCluster.start(REPO / ".pgtest" / f"timers{uuid.uuid4().hex[:6]}")
    try:
        durable(cluster)
        for schedulers in (1, 2):
            url = fresh_database(cluster.url, f"timers_{schedulers}")
            prepare(url, count)
            burst(url, count, schedulers, raw_ms)
    finally:
        cluster.stop()


def durable(cluster) -> None:
    """The test cluster runs without fsync; restart it with production's durability so each
    commit costs what it costs in production."""
    if cluster._dir is None:
        return  # TEST_DATABASE_URL: someone else's server, left as it is
    options = (f"-p {cluster.port} -k {cluster._dir} -c listen_addresses=127.0.0.1 "
               "-c fsync=on -c synchronous_commit=on -c full_page_writes=on")
    cluster._run("pg_ctl", "-D", "data", "-o", options, "-l", "log", "-w", "restart")


def fresh_database(url: str, name: str) -> str:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def prepare(url: str, count: int) -> None:
    from flask_migrate import upgrade

    from app import clock, create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.services.processes import definitions

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url, "CASEWORK_CLOCK": "real"})
    with app.app_context():
        upgrade()
        definitions.sync_workflows(app.config["WORKFLOWS_DIR"])
        began = time.perf_counter()
        # Started 40 days ago, so reminder 1 (ten working days on) is due now, bank holidays or not.
        clock.install(clock.FixedClock(clock.now() - timedelta(days=40)))
        try:
            load_due_agreements(count)
        finally:
            clock.install(clock.RealClock())
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    print(f"loaded {count:,} agreements with reminder 1 due in "
          f"{time.perf_counter() - began:.1f} s")


def burst(url: str, count: int, schedulers: int, raw_ms: float) -> None:
    engine = create_engine(url)
    log = Path(tempfile.mkstemp(prefix="timers-bench-", suffix=".log")[1])
    began = time.monotonic()
    procs = [start_scheduler(url, log) for _ in range(schedulers)]
    # A letter worker beside each scheduler, as `make run` starts them.
    workers = [start_scheduler(url, log, "letter-worker") for _ in range(schedulers)]
    first_rss: dict[int, float] = {}
    fired = 0
    try:
        while fired < count:
            time.sleep(0.2)
            with engine.connect() as conn:
                fired = fired_count(conn)
            for proc in procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"a scheduler stopped: {log.read_text()[-2000:]}")
                if fired and proc.pid not in first_rss:
                    first_rss[proc.pid] = rss_mb(proc.pid)
            if time.monotonic() - began > 60 + count * 0.5:
                raise RuntimeError(f"only {fired} of {count} fired")
        seconds = time.monotonic() - began
        waiting, failed = 1, 0
        while waiting and not failed:  # the timers have fired: now their letters
            with engine.connect() as conn:
                waiting, failed = letters_to_make(conn)
            if waiting:
                time.sleep(0.2)
            if time.monotonic() - began > 120 + count * 0.5:
                raise RuntimeError(f"{waiting} letters still waiting")
        letters_seconds = time.monotonic() - began
        last_rss = {proc.pid: rss_mb(proc.pid) for proc in procs}
    finally:
        for proc in procs + workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
    errors = log.read_text()
    log.unlink()
    with engine.connect() as conn:
        twice = conn.execute(text(
            "SELECT count(*) FROM (SELECT instance_id FROM audit_event WHERE element_id = :t "
            "GROUP BY instance_id HAVING count(*) > 1) AS t"), {"t": TIMER}).scalar_one()
        fired = fired_count(conn)
    engine.dispose()
    print(f"{schedulers} scheduler(s): {count:,} timers fired in {seconds:.1f} s "
          f"({count / seconds:,.1f} a second), {twice} fired twice, "
          f"{'a Traceback in the log' if 'Traceback' in errors else 'no errors'}")
    print(against_goal(f"{schedulers} scheduler(s), a timer", 1000 * seconds / count,
                       GOAL_MS_A_TIMER, raw_ms))
    verdict = "met" if letters_seconds <= GOAL_LETTERS_SECONDS and not failed else "MISSED"
    print(f"{schedulers} scheduler(s): every letter made {letters_seconds:.1f} s after the "
          f"start ({failed} could not be made; goal: within {GOAL_LETTERS_SECONDS:.0f} s, "
          f"{verdict}; {1000 * letters_seconds / count / raw_ms:.1f} raw engine cycles a letter)")
    for n, proc in enumerate(procs, 1):
        start, end = first_rss[proc.pid], last_rss[proc.pid]
        growth = end / start - 1
        verdict = "met" if growth <= GOAL_MEMORY_GROWTH else "MISSED"
        print(f"scheduler {n} of {schedulers}: memory {start:.0f} MB after its first timers, "
              f"{end:.0f} MB at the end ({growth:+.0%}; goal: at most "
              f"{GOAL_MEMORY_GROWTH:+.0%}, {verdict})")
    if fired != count or twice:
        raise SystemExit(f"{fired} timers fired for {count} due, {twice} twice")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
