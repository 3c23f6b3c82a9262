"""DOMAIN.md scenario 9: the direct-payment agreement is not returned, over Easter 2026.

Runs the shipped diagram on the real services with the frozen clock: the timers fire through
the same sweep the scheduler runs, and the letters are real .docx files.
"""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from docx import Document
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Letter, TaskStatus, User
from app.services.correspondence import letter_worker
from app.services.inbox import task_actions
from app.services.processes import instances, timers
from app.services.records import people
from tests.conftest import set_clock

PROCESS = "direct_payment_agreement"


def at(day: str, time: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}:00+00:00")


@pytest.fixture
def chase(staff):
    people.create_person({
        "reference": "P100234", "name": "Alice Example", "team": "North", "caseworker": "cw",
        "address": {"lines": ["1 High Street", "Example Town"], "postcode": "EX1 2AB"},
        "representative": None,
        "direct_payment": {"variant": "standard", "amount": "350.00", "frequency": "weekly",
                           "client_contribution": "85.00"},
    }, None)
    set_clock(at("2026-03-02"))
    return instances.start_instance(PROCESS, "P100234", {}, user("fa"))


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def letters(instance) -> list[tuple[str, date]]:
    rows = db.session.scalars(select(Letter).where(Letter.instance_id == instance.id)
                              .order_by(Letter.id))
    return [(r.template, r.letter_date) for r in rows]


def open_tasks(instance) -> dict[str, HumanTask]:
    return {t.name: t for t in instances.open_tasks(instance)}


def sweep_at(day: str, time: str = "07:30") -> list:
    set_clock(at(day, time))
    return timers.fire_due_timers()


def letter_text(instance, template: str) -> str:
    letter_worker.render_all_pending()  # as the scheduler's letter worker does
    row = db.session.scalar(select(Letter).where(Letter.instance_id == instance.id,
                                                 Letter.template == template))
    return "\n".join(p.text for p in Document(io.BytesIO(row.content)).paragraphs)


def test_pack_sent_and_first_timer_set_in_working_days(chase):
    assert letters(chase) == [("dp_agreement", date(2026, 3, 2))]
    letter = db.session.scalar(select(Letter).where(Letter.instance_id == chase.id))
    assert letter.template_ref == "DP-AGR-01 v1"
    assert len(letter.merge_data_hash) == 64 and letter.merge_data_hash != letter.sha256
    assert chase.next_timer_due == datetime.fromisoformat("2026-03-16T07:00:00+00:00")
    assert open_tasks(chase) == {}


def test_scenario_9_reminders_and_decision_over_easter(chase):
    assert sweep_at("2026-03-13", "23:00") == []  # Friday before: nothing is due yet

    sweep_at("2026-03-16")
    assert letters(chase)[-1] == ("dp_reminder_1", date(2026, 3, 16))
    phone = open_tasks(chase)["phone_call"]
    assert (phone.role, phone.due_at.date()) == ("finance_assistant", date(2026, 3, 18))
    assert "16 March 2026" in letter_text(chase, "dp_reminder_1")

    sweep_at("2026-03-30")
    assert letters(chase)[-1] == ("dp_reminder_2", date(2026, 3, 30))
    assert open_tasks(chase)["caseworker_check"].role == "caseworker"

    # Good Friday 3 Apr and Easter Monday 6 Apr are not working days: nothing before the 15th.
    assert sweep_at("2026-04-14", "23:00") == []
    assert "care_manager_decision" not in open_tasks(chase)
    sweep_at("2026-04-15")
    decision = open_tasks(chase)["care_manager_decision"]
    assert decision.role == "care_manager"
    assert decision.created_at.date() == date(2026, 4, 15)
    assert [f["id"] for f in decision.form] == ["decision", "reason"]


def test_history_lists_every_step_with_who_and_when(chase):
    sweep_at("2026-03-16")
    phone = open_tasks(chase)["phone_call"]
    set_clock(at("2026-03-17", "10:15"))
    task_actions.complete(phone.id, {"outcome": "no_answer"}, user("fa"))
    done = db.session.get(HumanTask, phone.id)
    assert (done.status, done.completed_by_id, done.outcome) == (
        "completed", user("fa").id, {"outcome": "no_answer"})
    events = instances.history(chase.id)
    steps = [(e.action, e.element_id, e.actor.username if e.actor else "system", e.at)
             for e in events]
    assert ("instance_started", None, "fa", at("2026-03-02")) in steps
    assert ("step_service_task", "send_agreement", "fa", at("2026-03-02")) in steps
    assert ("step_timer", "reminder_1_due", "system", at("2026-03-16", "07:30")) in steps
    assert ("step_service_task", "send_reminder_1", "system", at("2026-03-16", "07:30")) in steps
    assert ("task_completed", "phone_call", "fa", at("2026-03-17", "10:15")) in steps
    assert [e.at for e in events] == sorted(e.at for e in events)


@pytest.mark.parametrize("received_on", ["2026-03-05", "2026-03-20", "2026-04-10", "2026-04-16"])
def test_receipt_at_any_point_stops_the_chase(chase, received_on):
    for day in ("2026-03-16", "2026-03-30", "2026-04-15"):
        if day < received_on:
            sweep_at(day)
    set_clock(at(received_on, "11:00"))
    sent_before = letters(chase)
    instances.deliver_message(chase.id, "paperwork_received", {"channel": "post"}, user("fa"))

    assert list(open_tasks(chase)) == ["validate_agreement"]
    assert open_tasks(chase)["validate_agreement"].role == "finance_assistant"
    assert chase.next_timer_due is None
    cancelled = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == chase.id, HumanTask.status == TaskStatus.CANCELLED)).all()
    assert all(t.name in {"phone_call", "caseworker_check", "care_manager_decision"}
               for t in cancelled)
    # Months later nothing else is sent: the chase is over.
    sweep_at("2026-06-30")
    assert letters(chase) == sent_before


def test_valid_pack_goes_to_countersigning_which_sends_the_confirmation(chase):
    set_clock(at("2026-03-10", "11:00"))
    instances.deliver_message(chase.id, "paperwork_received", {}, user("fa"))
    validate = open_tasks(chase)["validate_agreement"]
    task_actions.complete(validate.id, {"signatures_complete": True, "dedicated_account": True,
                                        "contribution_set_up": True, "recipient_signed_on": "2026-03-09"}, user("fa"))
    countersign = open_tasks(chase)["countersign_agreement"]
    assert countersign.role == "finance_officer"
    task_actions.complete(countersign.id, {"first_payment_date": "2026-03-23", "countersigned": True},
                          user("fo"))
    assert chase.status == "completed"
    assert letters(chase)[-1] == ("dp_confirmation", date(2026, 3, 10))
    text = letter_text(chase, "dp_confirmation")
    assert "23 March 2026" in text and "£350.00" in text


def test_incomplete_pack_sends_missing_information_and_restarts_the_chase(chase):
    set_clock(at("2026-03-10", "11:00"))
    instances.deliver_message(chase.id, "paperwork_received", {}, user("fa"))
    validate = open_tasks(chase)["validate_agreement"]
    task_actions.complete(validate.id, {"signatures_complete": False, "dedicated_account": True,
                                        "contribution_set_up": True, "recipient_signed_on": "2026-03-09"}, user("fa"))
    assert letters(chase)[-1] == ("dp_missing_information", date(2026, 3, 10))
    assert "signatures" in letter_text(chase, "dp_missing_information")
    # T1 restarts from the missing-information letter: 10 working days after 10 March.
    assert chase.next_timer_due == datetime.fromisoformat("2026-03-24T07:00:00+00:00")


def test_withdrawal_sends_not_proceeding_and_ends(chase):
    for day in ("2026-03-16", "2026-03-30", "2026-04-15"):
        sweep_at(day)
    decision = open_tasks(chase)["care_manager_decision"]
    task_actions.complete(decision.id, {"decision": "withdraw", "reason": "Prefers council services"},
                          user("cm"))
    assert chase.status == "completed"
    assert open_tasks(chase) == {}
    assert letters(chase)[-1] == ("dp_not_proceeding", date(2026, 4, 15))
    assert "Prefers council services" in letter_text(chase, "dp_not_proceeding")


def test_extension_asks_the_care_manager_again_after_the_interval(chase):
    for day in ("2026-03-16", "2026-03-30", "2026-04-15"):
        sweep_at(day)
    decision = open_tasks(chase)["care_manager_decision"]
    task_actions.complete(decision.id, {"decision": "extend",
                          "reason": "Home visit booked"}, user("cm"))
    assert "care_manager_decision" not in open_tasks(chase)
    assert chase.next_timer_due == datetime.fromisoformat("2026-04-29T06:00:00+00:00")
    sweep_at("2026-04-29")
    assert "care_manager_decision" in open_tasks(chase)


def test_a_changed_interval_applies_to_timers_set_after_it(chase):
    from app.services import settings

    settings.change("dp_reminder_2_working_days", 5, user("fm"))
    sweep_at("2026-03-16")
    # T2 = 5 working days after the reminder of Mon 16 March.
    assert chase.next_timer_due == datetime.fromisoformat("2026-03-23T07:00:00+00:00")


def test_task_due_dates_come_from_settings(chase):
    from app.services import settings

    settings.change("dp_phone_call_due_working_days", 4, user("fm"))
    sweep_at("2026-03-16")
    # Four working days after reminder 1 of Mon 16 March.
    assert open_tasks(chase)["phone_call"].due_at.date() == date(2026, 3, 20)


def test_timer_that_fell_due_while_nothing_ran_fires_on_the_next_sweep(chase):
    fired = sweep_at("2026-03-18", "12:00")  # the scheduler was down on the 16th and 17th
    assert [f.instance_id for f in fired] == [chase.id]
    # Letters are dated when they are actually produced, on a working day.
    assert letters(chase)[-1] == ("dp_reminder_1", date(2026, 3, 18))
    assert sweep_at("2026-03-18", "12:01") == []  # and never twice


def test_events_are_audited_without_personal_data(chase):
    sweep_at("2026-03-16")
    summaries = [str(e.summary) for e in db.session.scalars(select(AuditEvent))]
    assert not any("Alice" in s or "High Street" in s for s in summaries)


