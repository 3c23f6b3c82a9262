"""Timers that scale out: schedulers claim distinct batches, a dead scheduler's claims lapse and
are fired by another, and every due timer fires exactly once, a SIGKILL mid-batch included."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import AuditEvent, InstanceStatus, Letter, ProcessInstance
from app.services import settings
from app.services.processes import timers
from app.tasks.scheduler import seconds_to_next_sweep
from bench.timers import TIMER, load_due_agreements
from tests.conftest import REPO, set_clock
from tests.integration.test_scheduler import wait_for

DUE = datetime.fromisoformat("2026-03-16T08:00:00+00:00")  # reminder 1 falls due at 07:00
BATCH = 5  # claims held 15 s (3 s a timer): short enough to wait for in a test


def fired() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.element_id == TIMER))


def fire_times(instance_ids) -> dict[int, datetime]:
    return dict(db.session.execute(select(AuditEvent.instance_id, AuditEvent.at).where(
        AuditEvent.element_id == TIMER, AuditEvent.instance_id.in_(instance_ids))).all())


def agreements_due(count: int) -> list[int]:
    """`count` agreements started on 2 March, reminder 1 of each due at DUE (frozen clock)."""
    ids = load_due_agreements(count)
    set_clock(DUE)
    return ids


def test_two_claims_take_distinct_instances_and_a_dead_ones_lapse(app):
    ids = agreements_due(3)
    first, second = timers.claim_due(2), timers.claim_due(BATCH)
    assert sorted(c.instance_id for c in first + second) == sorted(ids)
    # Whoever claimed them died without firing: nothing is due until the claims lapse.
    assert timers.claim_due(BATCH) == [] and timers.fire_due_timers() == []
    db.session.expire_all()
    assert all(db.session.get(ProcessInstance, i).next_timer_due > DUE for i in ids)

    set_clock(DUE + timedelta(seconds=timers.CLAIM_SECONDS_A_TIMER * BATCH + 1))
    assert sorted(f.instance_id for f in timers.fire_due_timers()) == sorted(ids)
    assert timers.fire_due_timers() == []
    assert fired() == 3


def test_a_sweep_works_through_batch_after_batch(app):
    ids = agreements_due(7)
    assert sorted(f.instance_id for f in timers.fire_due_timers(batch_size=2)) == sorted(ids)
    assert fired() == 7 and not timers.any_due()


def test_the_interval_is_a_setting_unless_the_environment_sets_it(app):
    app.config["SCHEDULER_INTERVAL_SECONDS"] = None  # CASEWORK_SCHEDULER_INTERVAL unset
    assert seconds_to_next_sweep(app, 0) == 2
    settings.put("scheduler_interval_seconds", 7, None)
    db.session.commit()
    assert seconds_to_next_sweep(app, 0) == 7
    agreements_due(1)
    assert seconds_to_next_sweep(app, 1) == 0  # it moved instances and more are due: at once
    assert seconds_to_next_sweep(app, 0) == 7  # moved nothing: never spins
    app.config["SCHEDULER_INTERVAL_SECONDS"] = 0.5
    assert seconds_to_next_sweep(app, 0) == 0.5


# --- real processes ------------------------------------------------------------------------------
COUNT = 600


def start_scheduler(database_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "CASEWORK_CLOCK": "real",
           "PYTHONPATH": str(REPO), "SECRET_KEY": "test"}
    env.pop("CASEWORK_SCHEDULER_INTERVAL", None)
    with log.open("ab") as err:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "scheduler"],
                                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)


def batches_in_flight() -> dict[datetime, list[int]]:
    """Claimed, unfired instances by their lease (one lease a batch). A fired instance waits
    ten working days for reminder 2, so anything due within minutes is a claim."""
    db.session.rollback()
    now = clock.now()
    rows = db.session.execute(select(ProcessInstance.next_timer_due, ProcessInstance.id).where(
        ProcessInstance.status == InstanceStatus.ACTIVE,
        ProcessInstance.next_timer_due > now,
        ProcessInstance.next_timer_due <= now + timedelta(minutes=5))).all()
    found: dict[datetime, list[int]] = {}
    for lease, instance_id in rows:
        found.setdefault(lease, []).append(instance_id)
    return found


def kill_in_mid_batch(victim: subprocess.Popen, survivor: subprocess.Popen
                      ) -> dict[datetime, list[int]]:
    """Freeze both schedulers until each holds a batch it has not finished, then SIGKILL one
    and let the other go on. Returns the two batches in flight."""
    seen = []
    for _ in range(200):
        for proc in (victim, survivor):
            os.killpg(proc.pid, signal.SIGSTOP)
        batches = batches_in_flight()
        seen.append(len(batches))
        if len(batches) == 2:
            os.killpg(victim.pid, signal.SIGKILL)
            os.killpg(survivor.pid, signal.SIGCONT)
            victim.wait(10)
            return batches
        for proc in (victim, survivor):
            os.killpg(proc.pid, signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError(f"never caught both schedulers in the middle of a batch: {seen}")


def test_two_schedulers_and_one_killed_mid_batch_fire_every_timer_exactly_once(
        app, database_url, tmp_path):
    settings.put("timer_batch_size", BATCH, None)
    db.session.commit()
    # Started 40 days ago, then the clock runs for real: claims lapse in real seconds.
    set_clock(datetime.now(timezone.utc) - timedelta(days=40))
    ids = load_due_agreements(COUNT)
    settings.put(settings.CLOCK_KEY, None, None)
    db.session.commit()

    log = tmp_path / "schedulers.log"
    victim, survivor = start_scheduler(database_url, log), start_scheduler(database_url, log)
    try:
        assert wait_for(lambda: fired() >= 10, 30), "the schedulers never got going"
        batches = kill_in_mid_batch(victim, survivor)
        assert wait_for(lambda: fired() >= COUNT, 40), f"{fired()} of {COUNT} fired"
        time.sleep(2.5)  # a sweep more: a second fire would show now
    finally:
        for proc in (victim, survivor):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
    errors = log.read_text()
    assert "Traceback" not in errors, errors[-3000:]

    db.session.rollback()
    per_instance = dict(db.session.execute(
        select(AuditEvent.instance_id, func.count(AuditEvent.id))
        .where(AuditEvent.element_id == TIMER).group_by(AuditEvent.instance_id)).all())
    letters = dict(db.session.execute(
        select(Letter.instance_id, func.count(Letter.id))
        .where(Letter.template == "dp_reminder_1").group_by(Letter.instance_id)).all())
    assert per_instance == {i: 1 for i in ids}
    assert letters == {i: 1 for i in ids}
    assert not timers.any_due() and batches_in_flight() == {}
    # The killed scheduler's batch waited for its claim to lapse, then the survivor fired it;
    # the survivor's own batch was finished at once.
    waited = [lease for lease, batch in batches.items()
              if min(fire_times(batch).values()) >= lease]
    assert len(waited) == 1, batches
