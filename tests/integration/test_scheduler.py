"""The scheduler process against a shared database, as `make run` starts it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Letter, ProcessInstance, User
from app.services import settings
from app.services.processes import definitions, instances
from app.services.records import people
from tests.conftest import REPO, set_clock
from tests.unit.bpmn_snippets import diagram

SHORT_TIMER = diagram(
    '<bpmn:startEvent id="start" />'
    '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2S</bpmn:timeDuration>'
    '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
    '<bpmn:userTask id="after" name="After" camunda:candidateGroups="finance_officer" />'
    '<bpmn:endEvent id="end" />'
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />'
    '<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after" />'
    '<bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />', process_id="short_timer")


def start_scheduler(database_url: str, clock_mode: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "CASEWORK_CLOCK": clock_mode,
           "PYTHONPATH": str(REPO), "SECRET_KEY": "test"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "scheduler"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
    return err.decode(errors="replace")


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see other processes' commits
        if predicate():
            return True
        time.sleep(0.2)
    return False


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def fired_task(instance_id: int) -> HumanTask | None:
    return db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                     HumanTask.name == "after"))


def add_person(reference: str) -> None:
    people.create_person({
        "reference": reference, "name": "Test Person", "team": "North", "caseworker": None,
        "address": {"lines": ["1 Road"], "postcode": "EX1 1AA"}, "representative": None,
        "direct_payment": {"variant": "standard", "amount": "100.00", "frequency": "weekly",
                           "client_contribution": "0"}}, None)


def test_real_clock_timers_fire_within_five_seconds_and_missed_ones_at_start(
        app, staff, database_url, tmp_path: Path):
    (tmp_path / "short_timer.bpmn").write_bytes(SHORT_TIMER)
    assert definitions.sync_workflows(tmp_path).synced == ("short_timer",)
    settings.put(settings.CLOCK_KEY, None, None)  # this test runs on real time
    db.session.commit()
    add_person("P-A")
    missed = instances.start_instance("short_timer", "P-A", {}, user("fa"))
    time.sleep(2.5)  # it falls due while no scheduler runs

    scheduler = start_scheduler(database_url, "frozen")  # frozen mode with no instant = real
    try:
        assert wait_for(lambda: fired_task(missed.id) is not None, 10), "missed timer not fired"
        on_time = instances.start_instance("short_timer", "P-A", {}, user("fa"))
        due = on_time.next_timer_due
        assert wait_for(lambda: fired_task(on_time.id) is not None, 15), "timer never fired"
        lateness = (fired_task(on_time.id).created_at - due).total_seconds()
        assert 0 <= lateness <= 5, f"fired {lateness:.1f}s after due"
    finally:
        errors = stop(scheduler)
    assert "Traceback" not in errors, errors


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_two_schedulers_on_postgres_never_fire_a_timer_twice(app, staff, database_url):
    set_clock(datetime.fromisoformat("2026-03-02T09:00:00+00:00"))
    count = 24
    ids = []
    for n in range(count):
        add_person(f"P-{n}")
        ids.append(instances.start_instance("direct_payment_agreement", f"P-{n}", {},
                                            user("fa")).id)
    set_clock(datetime.fromisoformat("2026-03-16T08:00:00+00:00"))

    schedulers = [start_scheduler(database_url, "frozen") for _ in range(2)]
    try:
        def all_fired():
            return db.session.scalar(select(func.count(ProcessInstance.id)).where(
                ProcessInstance.id.in_(ids),
                ProcessInstance.next_timer_due > datetime.fromisoformat(
                    "2026-03-17T00:00:00+00:00"))) == count
        assert wait_for(all_fired, 60)
        time.sleep(3)  # give a double fire the chance to happen
    finally:
        errors = [stop(s) for s in schedulers]
    assert not any("Traceback" in e for e in errors), errors

    reminders = db.session.scalar(select(func.count(Letter.id)).where(
        Letter.template == "dp_reminder_1"))
    timer_steps = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.element_id == "reminder_1_due"))
    phone_tasks = db.session.scalar(select(func.count(HumanTask.id)).where(
        HumanTask.name == "phone_call"))
    assert (reminders, timer_steps, phone_tasks) == (count, count, count)
