"""The scheduler process: APScheduler as a metronome that sweeps due timers every few seconds."""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.extensions import db
from app.services.debts.daily_jobs import run_due
from app.services.operations import dashboard

log = logging.getLogger(__name__)


def sweep(app: Flask) -> int:
    """One pass: fire what is due. Returns how many instances moved."""
    with app.app_context():
        try:
            daily, fired = run_due()
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


def run_scheduler(app: Flask) -> None:
    interval = app.config["SCHEDULER_INTERVAL_SECONDS"]
    scheduler = BlockingScheduler(timezone="UTC")
    # coalesce + max_instances=1: a slow sweep is never run twice at once in this process;
    # other processes are kept apart by row locks in the database.
    sweep(app)  # whatever fell due while nothing ran fires at start
    scheduler.add_job(sweep, "interval", args=[app], seconds=interval, coalesce=True,
                      max_instances=1, id="fire_due_timers")
    log.info("scheduler started: sweeping every %ss", interval)
    scheduler.start()
