"""A timer sweep that cannot go on records an incident once, rather than failing on every sweep;
a database error is rolled back and tried again on the next sweep."""
from __future__ import annotations

import logging
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Incident, InstanceStatus, Invoice, User
from app.services.processes import instances, timers
from tests.conftest import REPO, set_clock
from tests.dp_helpers import dp_person
from tests.workflows.debt_helpers import add_invoice, debt_of, person_account, sweep

from .api_helpers import PROCESS, letter_count, open_case, sweep_at

DUE = datetime.fromisoformat("2026-03-16T08:00:00+00:00")  # reminder 1 falls due at 07:00


def test_a_due_date_that_fails_when_a_timer_fires_becomes_one_incident(as_user):
    xml = (REPO / "workflows" / f"{PROCESS}.bpmn").read_bytes()
    old = b'camunda:dueDate="add_working_days(r1_date, '
    assert xml.count(old) == 1
    fm = as_user("fm")
    saved = fm.put(f"/processes/{PROCESS}/draft", content_type="application/xml", data=xml.replace(
        old, b'camunda:dueDate="add_working_days(r1_date, len(str(r1_date) * 1000000000) + '))
    assert saved.status_code == 200 and saved.json["valid"], saved.json
    assert fm.post(f"/processes/{PROCESS}/draft/publish").status_code == 201
    fa, admin = as_user("fa"), as_user("admin")
    instance = open_case(fa)
    letters = letter_count(instance["id"])  # the agreement pack

    fired = sweep_at(admin, DUE.isoformat())

    assert [(f["instance_id"], f["incident"]) for f in fired] == [(instance["id"], True)]
    view = fa.get(f"/instances/{instance['id']}").json
    assert view["status"] == "incident"
    assert view["incident"]["element_id"] == "phone_call"
    assert "due date of 'Phone the person about the agreement'" in view["incident"]["error"]
    assert letter_count(instance["id"]) == letters  # the reminder was undone with the step
    # Not tried again on every sweep: it waits for an operator's retry.
    assert sweep_at(admin, "2026-03-17T08:00:00+00:00") == []


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


@pytest.fixture
def waiting(staff):
    """A DP agreement whose first reminder is due at DUE."""
    dp_person("P1", "Bob Example")
    instance = instances.start_instance(PROCESS, "P1", {}, user("fa"))
    set_clock(DUE)
    return instance.id


def failing_once(monkeypatch, error: Exception) -> list:
    calls = []
    real = timers.runner.fire_timers

    def fire(*args):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(*args)

    monkeypatch.setattr(timers.runner, "fire_timers", fire)
    return calls


def test_an_unexpected_error_becomes_an_incident_without_its_message(
        waiting, monkeypatch, caplog):
    calls = failing_once(monkeypatch, KeyError("Bob Example owes 120.00"))
    with caplog.at_level(logging.ERROR):
        fired = timers.fire_due_timers()
    assert [(f.instance_id, f.incident) for f in fired] == [(waiting, True)]
    db.session.expire_all()
    instance = instances.get_instance(waiting)
    assert instance.status == InstanceStatus.INCIDENT
    [incident] = instances.open_incidents(instance)
    assert "KeyError" in incident.error and "Bob" not in incident.error
    assert "KeyError" in caplog.text and "Bob" not in caplog.text
    # Once: the sweep leaves it alone until an operator retries, and the retry fires the timer.
    set_clock(datetime.fromisoformat("2026-04-01T08:00:00+00:00"))
    assert timers.fire_due_timers() == [] and len(calls) == 1
    instances.retry_incident(waiting, user("fo"))
    db.session.expire_all()
    assert instances.get_instance(waiting).status == InstanceStatus.ACTIVE
    assert [t.name for t in instances.open_tasks(instances.get_instance(waiting))] == ["phone_call"]


@pytest.mark.parametrize("error", [
    OperationalError("UPDATE process_instance", {}, Exception("database is locked")),
    StaleDataError("lost the race"),
])
def test_a_database_error_is_rolled_back_and_tried_again_next_sweep(waiting, monkeypatch, error):
    calls = failing_once(monkeypatch, error)
    assert timers.fire_due_timers() == []
    db.session.expire_all()
    assert instances.get_instance(waiting).status == InstanceStatus.ACTIVE
    assert db.session.scalar(select(Incident.id).where(Incident.instance_id == waiting)) is None
    fired = timers.fire_due_timers()
    assert [(f.instance_id, f.incident) for f in fired] == [(waiting, False)] and len(calls) == 2


def test_run_due_reports_a_step_held_by_a_guard_apart_from_incidents(as_user):
    account = person_account("P4402", "Queenie Query")
    add_invoice(account, "INV-Q2", date(2026, 1, 5), "120.00")
    sweep("2026-01-27")  # the debt opens; reminder 1 waits for Mon 2 Feb
    db.session.scalar(select(Invoice).where(Invoice.number == "INV-Q2")).query_hold = True
    db.session.commit()

    fired = sweep_at(as_user("admin"), "2026-02-02T07:30:00+00:00")

    ladder = debt_of(account).instance_id
    assert [(f["instance_id"], f["incident"], f["held"]) for f in fired] == [
        (ladder, False, "every overdue invoice has an open query: INV-Q2")]
