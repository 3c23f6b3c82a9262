"""Direct-payment monitoring benchmark (issue 21): N running direct payments loaded from a CSV
through the import, as a council starts with its own, then the scheduler's idle sweep with all
of them waiting against the same sweep with none.

A fresh PostgreSQL database (fsync on, as in production) and a frozen clock. Generated files: N
people, then N direct payments with real-looking dates chosen so that nothing is due yet — first
paid in the last 11 weeks, or reviewed in the last 10 months, and every tenth with an audit asked
for in the last 3 weeks. The load is checked: each direct payment is active, its next statutory
review is due on the date reg 7(1)(a) gives from its own dates, each audit's documents 28 days
after it was asked for, and no timer is due now. Then the scheduler's pass (`sweep`, what each
tick of `flask --app app scheduler` runs) is timed with nothing due, before and after the load.

Usage: python bench/dp_monitoring.py [direct payments] [sweeps]     (default 1000 50)
"""
from __future__ import annotations

import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.raw_engine import raw_cycle_ms  # noqa: E402
from bench.timers import durable, fresh_database  # noqa: E402

GOAL_GROWTH = 0.20  # the issue: an idle sweep with them waiting within 20% of one with none
NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")
TODAY = NOW.date()


def people_csv(count: int) -> str:
    lines = ["reference,team,family_name,address_line_1,postcode"]
    lines += [f"DP{n:06d},Finance North,Person {n},{n} High Street,EX1 2AB" for n in range(count)]
    return "\n".join(lines) + "\n"


def dates_of(n: int) -> tuple[date, date | None, date | None]:
    """(first payment, last review, audit asked for) of the n-th direct payment: none of the
    timers they start is due on TODAY."""
    if n % 10 < 4:  # new: the light-touch check (12 weeks) and the first review still to come
        first, review = TODAY - timedelta(days=7 + n % 70), None
    else:  # running for years, reviewed within the last 10 months
        first = TODAY - timedelta(days=400 + n % 700)
        review = TODAY - timedelta(days=10 + n % 290)
    audit = TODAY - timedelta(days=1 + n % 5) if n % 10 == 9 else None
    return first, review, audit


def direct_payments_csv(count: int) -> str:
    lines = ["person_reference,variant,amount,frequency,client_contribution,account_type,card_id,"
             "first_payment_date,last_review_date,audit_requested_on,audit_reason"]
    for n in range(count):
        first, review, audit = dates_of(n)
        account, card = [("card", f"CARD-{n:06d}"), ("bank", ""), ("managed", "")][n % 3]
        lines.append(",".join([
            f"DP{n:06d}", "standard", f"{150 + n % 400}.00", "weekly", "0.00", account, card,
            first.isoformat(), review.isoformat() if review else "",
            audit.isoformat() if audit else "", "Receipts for the quarter" if audit else ""]))
    return "\n".join(lines) + "\n"


def check_timers(count: int) -> tuple[int, int, int]:
    """Every direct payment monitored from its own dates; nothing due now. Returns the reviews
    and audits checked, and the processes waiting."""
    from sqlalchemy import func, select

    from app.domain import direct_payments as rules
    from app.extensions import db
    from app.models import (
        DirectPaymentAgreement,
        DirectPaymentAudit,
        DirectPaymentReview,
        Person,
        ProcessInstance,
    )

    agreements = db.session.execute(select(Person.reference, DirectPaymentAgreement).join(
        Person, Person.id == DirectPaymentAgreement.person_id)).all()
    reviews = {r.agreement_id: r.due_on for r in db.session.scalars(select(DirectPaymentReview))}
    audits = {a.agreement_id: a for a in db.session.scalars(select(DirectPaymentAudit))}
    wrong = []
    for reference, dp in agreements:
        first, review, audit = dates_of(int(reference[2:]))
        row = audits.get(dp.id)
        if (dp.status != "active" or dp.monitoring_id is None
                or reviews.get(dp.id) != rules.review_due(first, review)
                or (audit is None) != (row is None)
                or row and row.documents_due_on != rules.person_due_date(audit, 28)):
            wrong.append(reference)
    due = db.session.scalar(select(func.count(ProcessInstance.id)).where(
        ProcessInstance.status == "active", ProcessInstance.next_timer_due <= NOW))
    waiting = db.session.scalar(select(func.count(ProcessInstance.id)).where(
        ProcessInstance.status == "active", ProcessInstance.next_timer_due > NOW))
    if len(agreements) != count or wrong or due:
        raise SystemExit(f"{len(agreements)} direct payments for {count}; wrong dates: "
                         f"{wrong[:5]}; {due} instances due now")
    return len(reviews), len(audits), waiting


def idle_sweeps_ms(apps: list, sweeps: int) -> list[float]:
    """The median of `sweeps` scheduler passes with nothing due on each app's database, in
    milliseconds. The apps take turns, so a busy moment of the machine costs them alike."""
    from app.tasks.scheduler import sweep

    for app in apps:
        for _ in range(3):  # the day's jobs run on the first; caches warm
            sweep(app)
    times: list[list[float]] = [[] for _ in apps]
    for _ in range(sweeps):
        for app, taken in zip(apps, times, strict=True):
            began = time.perf_counter()
            moved = sweep(app)
            taken.append(1000 * (time.perf_counter() - began))
            if moved:
                raise SystemExit(f"an idle sweep moved {moved} instances")
    return [statistics.median(taken) for taken in times]


def prepared(url: str, count: int):
    """An app on a migrated database at the frozen clock, with `count` people imported."""
    from flask_migrate import upgrade

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.services import settings
    from app.services.imports import import_files
    from app.services.processes import definitions

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        definitions.sync_workflows(app.config["WORKFLOWS_DIR"])
        settings.put(settings.CLOCK_KEY, NOW.isoformat(), None)
        db.session.commit()
        import_files.import_file("people", people_csv(count), None)
    return app


def load(app, count: int, raw_ms: float) -> None:
    from app.extensions import db
    from app.services.imports import import_files

    with app.app_context():
        began = time.perf_counter()
        result = import_files.import_file("direct_payments", direct_payments_csv(count), None)
        seconds = time.perf_counter() - began
        reviews, audits, waiting = check_timers(count)
        db.session.remove()
    print(f"loaded {result.added:,} direct payments from CSV through the import in "
          f"{seconds:.1f} s ({1000 * seconds / count:.1f} ms each = "
          f"{1000 * seconds / count / raw_ms:.0f} raw engine cycles); {reviews:,} reviews and "
          f"{audits:,} audits due from their own dates, {waiting:,} processes waiting, none due")


def main(count: int, sweeps: int) -> None:
    from tests.pg_cluster import PostgresCluster

    raw_ms = raw_cycle_ms()
    cluster = PostgresCluster.start(REPO / ".pgtest" / f"dpmon{uuid.uuid4().hex[:6]}")
    try:
        durable(cluster)
        empty = prepared(fresh_database(cluster.url, "dp_none"), count)
        loaded = prepared(fresh_database(cluster.url, "dp_loaded"), count)
        load(loaded, count, raw_ms)
        none_ms, loaded_ms = idle_sweeps_ms([empty, loaded], sweeps)
    finally:
        cluster.stop()
    print(f"idle sweep, no direct payments: {none_ms:.2f} ms = {none_ms / raw_ms:.1f} raw engine "
          f"cycles of {raw_ms:.2f} ms (median of {sweeps})")
    goal = none_ms * (1 + GOAL_GROWTH)
    verdict = "met" if loaded_ms <= goal else "MISSED"
    print(f"idle sweep, {count:,} direct payments waiting: {loaded_ms:.2f} ms, "
          f"{loaded_ms / none_ms - 1:+.0%} against none (goal: at most {goal:.2f} ms, "
          f"+{GOAL_GROWTH:.0%}, {verdict}) = {loaded_ms / raw_ms:.1f} raw engine cycles of "
          f"{raw_ms:.2f} ms (median of {sweeps}, taking turns with the sweep with none)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
         int(sys.argv[2]) if len(sys.argv) > 2 else 50)
