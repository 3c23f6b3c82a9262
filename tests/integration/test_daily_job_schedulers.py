"""The daily debt job is idempotent: run twice, or by two schedulers at once, it opens each case
once (the partial unique index on open debt cases decides, not luck)."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Account, AuditEvent, DebtCase, Invoice, JobRun, Letter, ProcessInstance
from app.services.debts import daily_jobs, opening
from tests.conftest import set_clock
from tests.integration.test_scheduler import start_scheduler, stop, wait_for
from tests.workflows.debt_helpers import add_invoice, person_account

COUNT = 16
JOINING = 50


def overdue_accounts(count: int) -> list[int]:
    ids = []
    for n in range(count):
        account = person_account(f"P-{n:03d}", f"Person {n}")
        add_invoice(account, f"INV-{n:03d}", date(2026, 3, 2), "100.00")
        ids.append(account.id)
    return ids


def counts() -> tuple[int, int, int]:
    db.session.rollback()
    return (db.session.scalar(select(func.count(DebtCase.id))),
            db.session.scalar(select(func.count(ProcessInstance.id))),
            db.session.scalar(select(func.count(Letter.id)).where(
                Letter.template == "debt_reminder_1")))


def test_running_the_daily_job_again_opens_nothing_new(staff):
    overdue_accounts(3)
    set_clock(datetime.fromisoformat("2026-03-24T08:00:00+00:00"))
    first = daily_jobs.run_daily_jobs()
    assert (first.debts_opened, first.invoices_joined) == (3, 3)
    assert daily_jobs.run_daily_jobs() is None  # the day is done
    again = daily_jobs.run_daily_jobs(force=True)
    assert (again.debts_opened, again.invoices_joined) == (0, 0)
    assert counts()[:2] == (3, 3)
    assert db.session.scalar(select(func.count(JobRun.id)).where(
        JobRun.name == daily_jobs.JOB)) == 1


def test_two_threads_opening_at_once_open_each_case_once(app, staff):
    overdue_accounts(6)
    set_clock(datetime.fromisoformat("2026-03-24T08:00:00+00:00"))
    db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait()
                opening.open_overdue_debts(date(2026, 3, 24))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert counts()[:2] == (6, 6)


def test_two_schedulers_join_each_newly_overdue_invoice_once(app, staff):
    """Each account has an open debt and a newly overdue invoice; two schedulers run the day's
    job at the same moment: each invoice joins its debt once, with one audit event."""
    overdue_accounts(JOINING)
    set_clock(datetime.fromisoformat("2026-03-24T08:00:00+00:00"))
    assert daily_jobs.run_daily_jobs().debts_opened == JOINING
    for account in db.session.scalars(select(Account)).all():
        add_invoice(account, f"NEW-{account.id:03d}", date(2026, 3, 9), "50.00")
    set_clock(datetime.fromisoformat("2026-03-31T08:00:00+01:00"))  # NEW-* due on the 30th
    db.session.commit()
    barrier = threading.Barrier(2, timeout=60)
    reports: list[daily_jobs.DailyReport | None] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        with app.app_context():
            try:
                barrier.wait()
                reports.append(daily_jobs.run_daily_jobs(date(2026, 3, 31)))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    db.session.rollback()
    joined = db.session.execute(
        select(AuditEvent.summary).where(AuditEvent.action == "invoice_joined_debt")
    ).scalars().all()
    per_invoice = Counter(summary["invoice"] for summary in joined)
    twice = sorted(number for number, n in per_invoice.items() if n > 1)
    assert (len(per_invoice), twice) == (JOINING, []), f"{len(twice)} joined twice"
    assert sum(r.invoices_joined for r in reports if r is not None) == JOINING
    assert db.session.scalar(select(func.count(Invoice.id)).where(
        Invoice.debt_case_id.is_(None))) == 0


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_two_scheduler_processes_open_each_debt_once(app, staff, database_url):
    overdue_accounts(COUNT)
    set_clock(datetime.fromisoformat("2026-03-30T08:00:00+01:00"))  # R1 due 07:00 today
    schedulers = [start_scheduler(database_url, "frozen") for _ in range(2)]
    try:
        assert wait_for(lambda: counts() == (COUNT, COUNT, COUNT), 90)
        time.sleep(3)  # give a duplicate the chance to appear
    finally:
        errors = [stop(s) for s in schedulers]
    assert not any("Traceback" in e for e in errors), errors
    assert counts() == (COUNT, COUNT, COUNT)
    assert db.session.scalar(select(func.count(JobRun.id)).where(
        JobRun.name == daily_jobs.JOB)) == 1
