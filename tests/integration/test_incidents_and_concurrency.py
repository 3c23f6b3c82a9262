"""A failing handler never loses work; concurrent completions never lose an update."""
from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.errors import Conflict
from app.extensions import db
from app.models import AuditEvent, HumanTask, Letter, TaskStatus, User
from app.services.inbox import task_actions
from app.services.processes import engine_context, instances, timers
from app.services.records import people
from app.tasks import HANDLERS
from app.tasks.registry import Handler
from tests.conftest import set_clock


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def open_task(instance, name):
    return next(t for t in instances.open_tasks(instance) if t.name == name)


@pytest.fixture
def chase(staff):
    people.create_person({
        "reference": "P1", "name": "Bob Example", "team": "North", "caseworker": "cw",
        "address": {"lines": ["2 Low Road"], "postcode": "EX2 3CD"}, "representative": None,
        "direct_payment": {"variant": "standard", "amount": "120.00", "frequency": "weekly",
                           "client_contribution": "0.00"}}, None)
    return instances.start_instance("direct_payment_agreement", "P1", {}, user("fa"))


@pytest.fixture
def broken_letters():
    """send_letter writes a row, then fails: like a renderer error after a partial write."""
    calls = []

    def failing(case, template, date_var=None):
        calls.append(template)
        db.session.add(Letter(person_id=case.instance.person_id, instance_id=case.instance.id,
                              template=template, template_ref="x", letter_date=datetime.now(
                              ).date(), recipient_name="x", content=b"x", sha256="x",
                              status="print_batch", created_at=datetime.fromisoformat(
                                  "2026-03-10T00:00:00+00:00")))
        db.session.flush()
        raise RuntimeError("template store unavailable")

    engine_context.install_handlers({**HANDLERS, "send_letter": Handler(
        failing, required=frozenset({"template"}), optional=frozenset({"date_var"}))})
    yield calls
    engine_context.install_handlers(HANDLERS)


def test_failing_handler_raises_an_incident_and_keeps_the_completion(chase, broken_letters):
    set_clock(datetime.fromisoformat("2026-03-10T11:00:00+00:00"))
    instances.deliver_message(chase.id, "paperwork_received", {}, user("fa"))
    validate = open_task(chase, "validate_agreement")
    letters_before = db.session.scalar(select(func.count(Letter.id)))

    task_actions.complete(validate.id, {"signatures_complete": False, "dedicated_account": True,
                                        "contribution_set_up": True, "recipient_signed_on": "2026-03-09"}, user("fa"))

    db.session.expire_all()
    assert chase.status == "incident"
    incident = instances.open_incidents(chase)[0]
    assert (incident.element_id, incident.handler) == ("send_missing_information", "send_letter")
    assert "template store unavailable" in incident.error
    assert db.session.get(HumanTask, validate.id).status == TaskStatus.COMPLETED
    # The handler's own write rolled back with its savepoint.
    assert db.session.scalar(select(func.count(Letter.id))) == letters_before
    # No retry loop: the sweep leaves an instance with an incident alone.
    set_clock(datetime.fromisoformat("2026-06-01T11:00:00+00:00"))
    assert timers.fire_due_timers() == []
    assert broken_letters == ["dp_missing_information"]

    engine_context.install_handlers(HANDLERS)  # the cause is fixed
    instances.retry_incident(chase.id, user("fm"))
    assert chase.status == "active"
    assert instances.open_incidents(chase) == []
    assert db.session.scalar(select(Letter.template).where(
        Letter.instance_id == chase.id).order_by(Letter.id.desc()).limit(1)
    ) == "dp_missing_information"
    actions = [e.action for e in instances.history(chase.id)]
    assert actions.index("incident_raised") < actions.index("incident_retried")


def test_retry_without_an_incident_is_a_conflict(chase):
    with pytest.raises(Conflict):
        instances.retry_incident(chase.id, user("fm"))


def test_two_concurrent_completions_in_one_instance_never_lose_one(app, backend, chase,
                                                                   monkeypatch):
    """PostgreSQL: both read the same lock_version, the second to write loses with a 409. SQLite:
    a use case takes the write lock before it reads, so the second waits, then completes its
    own task on the state the first left."""
    for day in ("2026-03-16", "2026-03-30"):
        set_clock(datetime.fromisoformat(f"{day}T08:00:00+00:00"))
        timers.fire_due_timers()
    phone = open_task(chase, "phone_call").id
    check = open_task(chase, "caseworker_check").id
    version_before = chase.lock_version
    db.session.commit()

    from app.engine import runner

    # On SQLite the other thread cannot reach the barrier while this one holds the lock.
    barrier = threading.Barrier(2, timeout=20 if backend == "postgres" else 2)
    original = runner.complete_task

    def complete_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        try:
            barrier.wait()  # both have read the same lock_version before either writes
        except threading.BrokenBarrierError:
            assert backend == "sqlite"
        return result

    monkeypatch.setattr(runner, "complete_task", complete_then_wait)
    outcomes = {}

    def attempt(task_id, username, data):
        with app.app_context():
            try:
                task_actions.complete(task_id, data, user(username))
                outcomes[username] = "ok"
            except Conflict:
                outcomes[username] = "conflict"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=attempt, args=(phone, "fa", {"outcome": "no_answer"})),
        threading.Thread(target=attempt, args=(check, "cw", {
            "still_wants_dp": True, "capacity_or_consent": True})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    db.session.expire_all()
    statuses = {t.name: t.status for t in db.session.scalars(
        select(HumanTask).where(HumanTask.id.in_([phone, check])))}
    completed_events = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "task_completed"))
    if backend == "sqlite":
        assert outcomes == {"fa": "ok", "cw": "ok"}
        assert statuses == {"phone_call": "completed", "caseworker_check": "completed"}
        assert completed_events == 2
        assert chase.lock_version >= version_before + 2  # the second wrote on the first's
        return

    assert sorted(outcomes.values()) == ["conflict", "ok"]
    winner = "phone_call" if outcomes["fa"] == "ok" else "caseworker_check"
    loser = "caseworker_check" if winner == "phone_call" else "phone_call"
    assert (statuses[winner], statuses[loser]) == ("completed", "open")
    assert completed_events == 1
    # The loser can simply try again.
    loser_user = "fa" if loser == "phone_call" else "cw"
    data = {"outcome": "no_answer"} if loser == "phone_call" else {
        "still_wants_dp": True, "capacity_or_consent": True}
    monkeypatch.setattr(runner, "complete_task", original)
    task_actions.complete(open_task(chase, loser).id, data, user(loser_user))
