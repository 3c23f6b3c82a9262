"""The scheduler process: APScheduler as a metronome that sweeps due timers every few seconds;
and the letter worker process beside it, making the routine letters the steps recorded.

Two processes rather than two threads of one: rendering a letter is CPU work, and in the
scheduler's process it held the timers back (one interpreter lock) and grew its memory."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.extensions import db
from app.services import settings, submissions
from app.services.correspondence import letter_worker
from app.services.debts.daily_jobs import run_due
from app.services.operations import dashboard, planner_statistics
from app.services.processes import timers

log = logging.getLogger(__name__)
FALLBACK_INTERVAL_SECONDS = 2.0  # when even the setting cannot be read (the database is away)


def sweep(app: Flask) -> int:
    """One pass: the daily jobs if due, then timers until none is due or the sweep's time budget
    is spent. Returns how many instances moved."""
    with app.app_context():
        try:
            daily, fired = run_due()
            if daily is not None:
                planner_statistics.refresh()  # once a day, with the daily jobs
                submissions.forget_old_keys()
            dashboard.record_sweep()
        finally:
            db.session.remove()  # never carry a session (or a stray transaction) between sweeps
    if daily is not None:
        log.info("daily debt jobs for %s: %s opened, %s joined, %s holds lifted, %s plans checked",
                 daily.day, daily.debts_opened, daily.invoices_joined,
                 daily.breathing_spaces_lifted, daily.plans_checked)
    for outcome in fired:
        log.info("instance %s: timers fired, steps %s",
                 outcome.instance_id, ",".join(outcome.steps))
    return len(fired)


LETTER_WORKER_SECONDS = 1


def make_letters(app: Flask) -> int:
    """The letter worker's pass: every letter waiting now, each claimed so that another
    scheduler's worker never makes it too. Returns how many were made."""
    with app.app_context():
        try:
            report = letter_worker.render_all_pending()
        finally:
            db.session.remove()
    if report.rendered or report.failed:
        log.info("letter worker: %s made, %s could not be made", report.rendered, report.failed)
    return report.rendered


def run_letter_worker(app: Flask) -> None:
    """The letter worker process: a pass every second, each pass making every letter waiting.
    Several may run (one beside each scheduler): their claims keep them off each other's."""
    worker = BlockingScheduler(timezone="UTC")
    worker.add_job(make_letters, "interval", args=[app], seconds=LETTER_WORKER_SECONDS,
                   coalesce=True, max_instances=1, id="letter_worker",
                   next_run_time=datetime.now(timezone.utc))
    log.info("letter worker started")
    worker.start()


def seconds_to_next_sweep(app: Flask, moved: int) -> float:
    """0 when a sweep that moved instances stopped on its budget with timers still due (a
    backlog is worked through without a pause); else the interval: CASEWORK_SCHEDULER_INTERVAL
    when set, or the scheduler_interval_seconds setting, read afresh so a change needs no
    restart. A sweep that moved nothing never goes again at once, so a timer that cannot fire
    does not spin the scheduler."""
    override = app.config.get("SCHEDULER_INTERVAL_SECONDS")
    with app.app_context():
        try:
            if moved and timers.any_due():
                return 0.0
            return float(override) if override else float(
                settings.integer("scheduler_interval_seconds"))
        except Exception as exc:  # noqa: BLE001 - the metronome must keep going
            log.error("choosing the next sweep failed: %s", type(exc).__name__)
            return float(override or FALLBACK_INTERVAL_SECONDS)
        finally:
            db.session.remove()


def run_scheduler(app: Flask) -> None:
    scheduler = BlockingScheduler(timezone="UTC")

    # One job at a time, each scheduling the next when it ends: a long sweep is never run twice
    # at once in this process, nor followed by an idle interval while a backlog waits; other
    # processes are kept apart by their claims in the database.
    def tick() -> None:
        moved = 0
        try:
            moved = sweep(app)
        finally:
            delay = seconds_to_next_sweep(app, moved)
            _sweep_at(scheduler, tick, datetime.now(timezone.utc) + timedelta(seconds=delay))

    _sweep_at(scheduler, tick, datetime.now(timezone.utc))  # what fell due while none ran
    log.info("scheduler started")
    scheduler.start()


def _sweep_at(scheduler: BlockingScheduler, tick: Callable[[], None], when: datetime) -> None:
    # A one-off job with a fresh id each time (so it never races the removal of the job that is
    # running); misfire_grace_time=None, as a one-off job skipped for waking late would stop the
    # metronome for good.
    scheduler.add_job(tick, "date", run_date=when, misfire_grace_time=None)
