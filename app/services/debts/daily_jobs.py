"""The daily debt jobs, run by the scheduler's sweep once per business date of the app clock.

Driven by the clock, not by wall-clock cron, so a frozen or advanced clock (tests, demos) runs
them too. Each part is idempotent and works one account or case per transaction; the JobRun row
only saves the other schedulers from repeating a day that is done.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.models import JobRun
from app.services.debts import breathing_spaces, instalment_plans, opening, recovery_holds
from app.services.processes.timers import FiredTimer, fire_due_timers

JOB = "debt_daily"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DailyReport:
    day: date
    debts_opened: int
    invoices_joined: int
    breathing_spaces_lifted: int
    plans_checked: int


def run_daily_jobs(today: date | None = None, *, force: bool = False) -> DailyReport | None:
    """Run today's jobs unless they already ran (None then)."""
    today = today or clock.today()
    if not force and _ran(today):
        db.session.rollback()
        return None
    lifted = breathing_spaces.lift_ended(today)
    opened = opening.open_overdue_debts(today)
    checked = instalment_plans.review_all(today)
    recovery_holds.recheck_held()
    try:
        if not _ran(today):
            db.session.add(JobRun(name=JOB, day=today, finished_at=clock.now()))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another scheduler finished the same day first
    return DailyReport(today, opened.opened, opened.joined, lifted, checked)


def _ran(day: date) -> bool:
    return db.session.scalar(select(JobRun.id).where(JobRun.name == JOB, JobRun.day == day)
                             ) is not None


def run_due() -> tuple[DailyReport | None, list[FiredTimer]]:
    """One sweep: today's daily jobs if not yet run, then every due timer. A failing daily job
    never stops the timers: it is logged (type only) and tried again on the next sweep."""
    try:
        report = run_daily_jobs()
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        log.error("daily debt jobs failed: %s", type(exc).__name__)
        report = None
    return report, fire_due_timers()
