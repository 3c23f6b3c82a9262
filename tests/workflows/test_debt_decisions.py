"""No open debt is left silent: every way a recovery stage can end while money is still owed
leads to the finance officer's "Decide the next step" (workflows/debt_decision.bpmn), and each
next step does what it says: a new Letter of Claim, a write-off, or a review on a date."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import AuditEvent, InstanceStatus, Person
from app.services.debts import write_offs
from app.services.estates import deaths
from app.services.legal import claims, letter_of_claim
from app.services.processes import instances

from .debt_helpers import (
    add_invoice,
    complete,
    debt_of,
    open_tasks,
    pay,
    person_account,
    sweep,
    user,
)
from .legal_helpers import approve_and_post, decide_letter_of_claim, ladder_to_decision
from .test_debt_recovery import CHECKLIST_OK


def process_of(debt) -> str:
    return instances.get_instance(debt.instance_id).version.definition.key


def awaiting_decision(debt):
    """The debt waits for the officer's decision, and that is all that is open."""
    assert debt.status == "open" and debt.stage == "awaiting_decision"
    assert process_of(debt) == "debt_decision"
    tasks = open_tasks(debt)
    assert set(tasks) == {"decide_next_step"}
    assert tasks["decide_next_step"].role == "finance_officer"
    return tasks["decide_next_step"]


def test_a_letter_of_claim_not_approved_asks_for_the_next_step(no_placeholders):
    debt = decide_letter_of_claim(ladder_to_decision(person_account(), "3250.00", "2026-04-01"))
    complete(open_tasks(debt)["approve_letter_of_claim"], "fo", approved=False,
             notes="Wrong address on file")
    task = awaiting_decision(debt)
    ended = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "debt_awaiting_decision").order_by(AuditEvent.id.desc()))
    assert ended.summary["ended_process"] == "legal_recovery"
    # A new Letter of Claim: a new legal stage, its letter waiting for approval again.
    complete(task, "fo", decision="letter_of_claim", reasons="Address corrected")
    assert process_of(debt) == "legal_recovery" and debt.stage == "letter_of_claim"
    assert set(open_tasks(debt)) == {"approve_letter_of_claim"}


def test_keep_engaging_goes_round_the_engagement_again(staff):
    account = person_account()
    debt = ladder_to_decision(account, "640.00", "2026-03-20")
    ladder = debt.instance_id
    complete(open_tasks(debt)["letter_of_claim_next"], "fo", decision="keep_engaging")
    assert debt.instance_id == ladder and process_of(debt) == "debt_recovery"
    engagement = open_tasks(debt)["engagement"]
    # Due from today (Fri 20 Mar), not from the old contact letter.
    assert engagement.due_at.date() > date(2026, 3, 20)
    assert "letter_of_claim_next" not in open_tasks(debt)  # the phone task is still open


def test_a_write_off_waits_for_its_approver_and_a_rejection_asks_again(staff):
    debt = ladder_to_decision(person_account(), "640.00", "2026-03-20")
    complete(open_tasks(debt)["letter_of_claim_next"], "fo", decision="propose_write_off")
    task = awaiting_decision(debt)
    with pytest.raises(ValidationFailed) as refused:  # nothing proposed yet
        complete(task, "fo", decision="write_off", reasons="Uneconomic to pursue")
    assert "propose the write-off on the debt first" in str(refused.value.details)
    db.session.rollback()
    proposal = write_offs.propose(debt, "uneconomic", "Small balance, no assets", user("fo"))
    complete(task, "fo", decision="write_off", reasons="Uneconomic to pursue")
    assert "decide_next_step" not in open_tasks(debt)
    write_offs.decide(proposal, False, user("fm"), "Try the tracing agent first")
    assert debt.status == "open"
    again = awaiting_decision(debt)
    assert again.id != task.id
    # Proposed and approved this time: the debt closes and nothing is left open.
    second = write_offs.propose(debt, "uneconomic", "Second look", user("fo"))
    complete(again, "fo", decision="write_off", reasons="Approver asked for more detail")
    write_offs.decide(second, True, user("fm"))
    assert (debt.status, debt.closed_reason) == ("closed", "written_off")
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.COMPLETED
    assert open_tasks(debt) == {}


def test_a_review_date_must_be_ahead_and_brings_the_decision_back(staff):
    debt = ladder_to_decision(person_account(), "640.00", "2026-03-20")
    complete(open_tasks(debt)["letter_of_claim_next"], "fo", decision="propose_write_off")
    task = awaiting_decision(debt)
    for review_on, field in ((None, "review_on"), ("2026-03-20", "review_on")):
        with pytest.raises(ValidationFailed) as refused:
            complete(task, "fo", decision="review_later", review_on=review_on,
                     reasons="Waiting for a benefits decision")
        assert refused.value.details[0]["field"] == field
        db.session.rollback()
    complete(task, "fo", decision="review_later", review_on="2026-04-18",
             reasons="Waiting for a benefits decision")  # a Saturday
    assert open_tasks(debt) == {}
    sweep("2026-04-17", "10:00")
    assert open_tasks(debt) == {}
    sweep("2026-04-20")  # the next working day
    awaiting_decision(debt)


def test_a_stale_letter_of_claim_at_referral_asks_for_a_new_one(no_placeholders):
    debt = approve_and_post(decide_letter_of_claim(
        ladder_to_decision(person_account(), "3250.00", "2026-04-01")))
    sweep("2026-05-08")
    referral = open_tasks(debt)["approve_legal_referral"]
    sweep("2026-07-01", "10:00")  # the manager answers three months after the letter
    complete(referral, "fm", decision="refer_to_legal", reasons="No reply")
    assert claims.current_claim(debt) is None  # no memo, no claim
    expired = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "letter_of_claim_expired"))
    assert "more than 3 months old" in expired.summary["reasons"][0]
    task = awaiting_decision(debt)
    complete(task, "fo", decision="letter_of_claim", reasons="Send a fresh letter")
    assert set(open_tasks(debt)) == {"approve_letter_of_claim"}
    first = letter_of_claim.current_loc(debt)
    approve_and_post(debt)
    second = letter_of_claim.current_loc(debt)
    assert second.letter_date == date(2026, 7, 1) and second.earliest_issue > first.letter_date


def test_a_managers_stop_at_the_referral_asks_for_the_next_step(no_placeholders):
    debt = approve_and_post(decide_letter_of_claim(
        ladder_to_decision(person_account(), "3250.00", "2026-04-01")))
    sweep("2026-05-08")
    complete(open_tasks(debt)["approve_legal_referral"], "fm", decision="stop",
             reasons="Not proportionate")
    awaiting_decision(debt)


def test_a_review_stop_on_the_ladder_asks_for_the_next_step(staff):
    account = person_account()
    add_invoice(account, "INV-R1", date(2026, 1, 5), "640.00")
    for day in ("2026-01-27", "2026-02-02", "2026-02-16", "2026-02-23", "2026-03-06"):
        sweep(day)
    debt = debt_of(account)
    complete(open_tasks(debt)["pre_legal_checklist"], "fo",
             **{**CHECKLIST_OK, "safeguarding_concern": True})
    complete(open_tasks(debt)["review_before_recovery"], "fm", decision="stop",
             reasons="Safeguarding referral made")
    awaiting_decision(debt)


def test_paying_in_full_ends_the_decision(staff):
    account = person_account()
    debt = ladder_to_decision(account, "640.00", "2026-03-20")
    complete(open_tasks(debt)["letter_of_claim_next"], "fo", decision="propose_write_off")
    decision = instances.get_instance(debt.instance_id)
    awaiting_decision(debt)
    pay(account, "640.00", "2026-03-23")
    assert debt.status == "closed" and decision.status == InstanceStatus.COMPLETED
    assert open_tasks(debt) == {}


def test_a_death_moves_the_waiting_debt_to_the_estate_stage(staff):
    account = person_account()
    debt = ladder_to_decision(account, "640.00", "2026-03-20")
    complete(open_tasks(debt)["letter_of_claim_next"], "fo", decision="propose_write_off")
    decision = instances.get_instance(debt.instance_id)
    awaiting_decision(debt)
    deaths.record_death(db.session.get(Person, account.person_id), date(2026, 3, 19),
                        user("fo"))
    assert decision.status == InstanceStatus.COMPLETED
    assert process_of(debt) == "estate_recovery" and debt.stage == "estate"
    assert "decide_next_step" not in open_tasks(debt)
