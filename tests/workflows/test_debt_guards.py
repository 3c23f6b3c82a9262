"""The recovery guards on the running ladder: each test fails if its guard is taken away.

DOMAIN.md scenario 7 (Breathing Space pauses recovery but not billing) and the guards of (a):
deceased, correspondent, invoice query, instalment plan, limitation; and payment in full.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.calendar import to_local_date
from app.engine import runner
from app.extensions import db
from app.models import (
    AuditEvent,
    CapacityAssessment,
    HumanTask,
    InstanceStatus,
    Invoice,
    Representative,
    TaskStatus,
)
from app.services.debts import breathing_spaces, instalment_plans, recovery_holds
from app.services.estates import deaths
from app.services.imports import import_files
from app.services.processes import instances
from app.services.processes.engine_context import context_for
from app.services.queries import records as query_records

from .debt_helpers import (
    add_invoice,
    complete,
    debt_of,
    letter_text,
    letters,
    open_tasks,
    pay,
    person_account,
    sweep,
    user,
)
from .test_debt_recovery import CHECKLIST_OK


def waiting(debt) -> dict[str, date]:
    instance = instances.get_instance(debt.instance_id)
    timers = runner.waiting_timer_expressions(instances.model_of(instance), instance.state,
                                              context_for(instance))
    return {name: to_local_date(due) for name, (due, _, _) in timers.items()}


def templates(person_id: int) -> list[str]:
    return [t for t, _ in letters(person_id)]


def history(debt, action: str) -> list[dict]:
    return [e.summary for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.instance_id == debt.instance_id, AuditEvent.action == action)
        .order_by(AuditEvent.id))]


def import_invoice(account, number: str, invoice_date: str, due_date: str, amount: str):
    csv = ("invoice_number,account_number,person_reference,invoice_date,due_date,"
           "line_description,unit_amount\n"
           f"{number},{account.number},{account.person.reference},{invoice_date},{due_date},"
           f"Assessed contribution,{amount}\n")
    return import_files.import_file("invoices", csv, None)


# --- scenario 7: Breathing Space -------------------------------------------------------------------
@pytest.fixture
def at_final_demand(staff):
    """Invoice of Mon 20 Jul 2026: R1 Mon 17 Aug, final demand Tue 1 Sep (31 Aug is a bank
    holiday), phone task on 8 Sep, referral due Fri 18 Sep."""
    account = person_account()
    add_invoice(account, "INV-7001", date(2026, 7, 20), "300.00")
    for day in ("2026-08-11", "2026-08-17", "2026-09-01", "2026-09-08"):
        sweep(day)
    assert templates(account.person_id) == ["debt_reminder_1", "debt_final_demand"]
    assert letters(account.person_id)[-1][1] == date(2026, 9, 1)
    return account


def test_scenario_7_breathing_space_pauses_recovery_but_not_billing(at_final_demand):
    account = at_final_demand
    debt = debt_of(account)
    assert waiting(debt) == {"referral_due": date(2026, 9, 18)}
    sweep("2026-09-14", "10:00")
    bs = breathing_spaces.start(account.person, "standard", date(2026, 9, 14), None, "BS-1",
                                user("fa"))
    assert bs.ends_on == date(2026, 11, 13)  # 60 days
    instance = instances.get_instance(debt.instance_id)
    assert instance.status == InstanceStatus.HELD and instance.next_timer_due is None
    assert history(debt, "timer_paused") == [
        {"unit": "calendar_days", "remaining": 4, "breathing_space_id": bs.id}]
    review = open_tasks(debt)["breathing_space_review"]
    assert review.due_at.date() == date(2026, 10, 2)  # 20 days is Sun 4 Oct: due by Fri 2 Oct
    assert "breathing_space" in debt.guards

    # The next 4-weekly invoice is still issued and imported during the hold.
    outcome = import_invoice(account, "INV-7002", "2026-09-14", "2026-10-05", "300.00")
    assert outcome.added == 1
    for day in ("2026-09-18", "2026-09-21", "2026-10-06", "2026-11-12"):
        sweep(day)
    assert templates(account.person_id) == ["debt_reminder_1", "debt_final_demand"]
    assert "pre_legal_checklist" not in open_tasks(debt)
    assert [i.number for i in debt.invoices] == ["INV-7001", "INV-7002"]  # joined, no letter
    new_invoice = db.session.scalar(select(Invoice).where(Invoice.number == "INV-7002"))
    assert new_invoice.outstanding == Decimal("300.00") and new_invoice.status == "open"

    # On the notified end date the referral timer resumes with its 4 days left.
    sweep("2026-11-13")
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.ACTIVE
    assert waiting(debt) == {"referral_due": date(2026, 11, 17)}
    sweep("2026-11-16")
    assert "pre_legal_checklist" not in open_tasks(debt)
    sweep("2026-11-17")
    assert "pre_legal_checklist" in open_tasks(debt)
    assert debt.stage == "referral"


def test_breathing_space_resumes_each_timer_in_its_own_unit(staff):
    account = person_account()
    add_invoice(account, "INV-7101", date(2026, 7, 20), "300.00")
    for day in ("2026-08-11", "2026-08-17", "2026-09-01"):
        sweep(day)
    debt = debt_of(account)
    sweep("2026-09-02", "10:00")
    assert waiting(debt) == {"phone_contact_due": date(2026, 9, 8),
                             "referral_due": date(2026, 9, 18)}
    breathing_spaces.start(account.person, "standard", date(2026, 9, 2), None, None, user("fa"))
    remaining = {e.element_id: e.summary for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "timer_paused"))}
    assert remaining["phone_contact_due"]["unit"] == "working_days"
    assert remaining["phone_contact_due"]["remaining"] == 4  # 3, 4, 7, 8 Sep
    assert remaining["referral_due"] == {"unit": "calendar_days", "remaining": 16,
                                         "breathing_space_id": 1}
    sweep("2026-11-01")  # 60 days later, a Sunday: resumed from that day
    assert waiting(debt) == {"phone_contact_due": date(2026, 11, 5),  # 4 working days
                             "referral_due": date(2026, 11, 17)}  # 16 calendar days


def test_a_cancelled_mental_health_breathing_space_resumes_at_once(at_final_demand):
    account = at_final_demand
    debt = debt_of(account)
    sweep("2026-09-14", "10:00")
    bs = breathing_spaces.start(account.person, "mental_health", date(2026, 9, 14), None, None,
                                user("fa"))
    assert bs.ends_on is None
    sweep("2026-12-01")
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.HELD
    breathing_spaces.cancel(bs, None, user("fa"))
    assert waiting(debt) == {"referral_due": date(2026, 12, 7)}  # 4 days: Sat 5 -> Mon 7


def test_a_letter_due_while_held_goes_out_when_the_hold_ends(staff):
    """The hold starts before R1's timer is reached; the letter is dated when it ends."""
    account = person_account()
    add_invoice(account, "INV-7201", date(2026, 3, 2), "100.00")
    sweep("2026-03-24", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 3, 24), date(2026, 5, 23),
                           None, user("fa"))
    sweep("2026-03-30")
    assert letters(account.person_id) == []
    sweep("2026-05-23")  # Saturday: 6 days left -> Fri 29 May
    sweep("2026-05-29")
    assert letters(account.person_id) == [("debt_reminder_1", date(2026, 5, 29))]


# --- deceased, correspondent, query, plan, limitation -------------------------------------------
def test_a_death_stops_the_ladder_and_raises_the_estate_task(staff):
    account = person_account()
    add_invoice(account, "INV-8001", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    sweep("2026-03-30")
    deaths.record_death(account.person, date(2026, 3, 28), user("fa"))
    debt = debt_of(account)
    assert "record_grant_or_search" in open_tasks(debt)  # the estate route
    assert debt.stage == "estate" and "deceased" in debt.guards
    sweep("2026-04-13")
    sweep("2026-05-01")
    assert templates(account.person_id) == ["debt_reminder_1", "estate_final_account"]


def test_no_capacity_and_no_representative_holds_letters_and_raises_a_task(staff):
    account = person_account()
    db.session.add(CapacityAssessment(person_id=account.person_id, decision="finance",
                                      has_capacity=False, assessed_on=date(2026, 2, 1),
                                      assessor="Dr Who"))
    db.session.commit()
    add_invoice(account, "INV-8101", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    sweep("2026-03-30")
    debt = debt_of(account)
    assert letters(account.person_id) == []
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.HELD
    assert "representation" in debt.guards
    task = open_tasks(debt)["find_representative_guard"]
    assert task.role == "finance_officer"
    assert history(debt, "recovery_held")[0]["guards"] == ["representation"]

    db.session.add(Representative(person_id=account.person_id, name="Carol Deputy",
                                  type="deputy", scope="property_and_finance",
                                  address_lines=["2 Court Road"], postcode="EX2 2CC"))
    db.session.commit()
    sweep("2026-04-01")
    recovery_holds.recheck(debt, user("fo"))
    assert letters(account.person_id) == [("debt_reminder_1", date(2026, 4, 1))]
    assert db.session.get(HumanTask, task.id).status == TaskStatus.OPEN  # still to close
    assert "Carol Deputy" in letter_text(account.person_id, "debt_reminder_1")


def test_an_open_query_holds_that_invoice_only(staff):
    account = person_account()
    add_invoice(account, "INV-8201", date(2026, 3, 2), "412.50")
    add_invoice(account, "INV-8202", date(2026, 3, 2), "99.00")
    sweep("2026-03-24")
    query_records.set_hold("INV-8202", True, user("fa"))
    sweep("2026-03-30")
    text = letter_text(account.person_id, "debt_reminder_1")
    assert "INV-8201" in text and "INV-8202" not in text and "£412.50" in text
    debt = debt_of(account)
    assert history(debt, "recovery_excluded")[0]["invoices"] == ["INV-8202"]


def test_a_query_on_the_only_invoice_holds_the_letter_until_released(staff):
    account = person_account()
    add_invoice(account, "INV-8301", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    query_records.set_hold("INV-8301", True, user("fa"))
    sweep("2026-03-30")
    debt = debt_of(account)
    assert letters(account.person_id) == []
    assert "invoice_query" in debt.guards
    sweep("2026-04-08", "10:00")
    query_records.set_hold("INV-8301", False, user("fa"))
    # Paused on Tue 24 Mar with 6 days left to R1 (Mon 30 Mar): Wed 8 Apr + 6 = Tue 14 Apr.
    assert letters(account.person_id) == []
    assert waiting(debt) == {"reminder_1_due": date(2026, 4, 14)}
    sweep("2026-04-14")
    assert letters(account.person_id) == [("debt_reminder_1", date(2026, 4, 14))]
    assert waiting(debt) == {"final_demand_due": date(2026, 4, 28)}  # Tue 28 Apr 2026


def test_statute_barred_invoices_are_left_out_and_a_write_off_task_raised(staff):
    account = person_account()
    add_invoice(account, "INV-OLD", date(2020, 3, 2), "560.00")  # due 23 Mar 2020
    add_invoice(account, "INV-NEW", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    sweep("2026-03-25")
    text = letter_text(account.person_id, "debt_reminder_1")
    assert "INV-NEW" in text and "INV-OLD" not in text and "£560.00" not in text
    debt = debt_of(account)
    tasks = [t for t in open_tasks(debt).values() if t.name == "write_off_statute_barred"]
    assert [t.title for t in tasks] == ["Propose write-off: invoice INV-OLD is statute-barred"]


def test_an_up_to_date_plan_holds_the_ladder_and_a_broken_one_ends_it(staff):
    account = person_account()
    add_invoice(account, "INV-8401", date(2026, 3, 2), "400.00")
    sweep("2026-03-24")
    sweep("2026-03-30")
    debt = debt_of(account)
    sweep("2026-04-01", "10:00")
    instalment_plans.record_plan(debt, {
        "amount": Decimal("100.00"), "frequency": "monthly", "first_date": date(2026, 4, 15),
        "method": "standing_order"}, user("fo"))
    assert letters(account.person_id)[-1] == ("instalment_confirmation", date(2026, 4, 1))
    assert "instalment_plan" in debt.guards
    pay(account, "100.00", "2026-04-15")
    sweep("2026-04-16")  # the final demand's timer: held by the plan
    assert "debt_final_demand" not in templates(account.person_id)
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.HELD
    sweep("2026-05-16")  # 15 May instalment not paid
    assert letters(account.person_id)[-1] == ("instalment_missed", date(2026, 5, 18))
    text = letter_text(account.person_id, "instalment_missed")
    assert "£100.00" in text and "22 May 2026" in text
    sweep("2026-05-22")
    assert "letter_of_claim_after_plan" not in open_tasks(debt)
    sweep("2026-05-23")
    assert "letter_of_claim_after_plan" in open_tasks(debt)
    assert "debt_final_demand" not in templates(account.person_id)


def test_a_missed_instalment_brought_up_to_date_keeps_the_plan(staff):
    account = person_account()
    add_invoice(account, "INV-8501", date(2026, 3, 2), "400.00")
    sweep("2026-03-24")
    debt = debt_of(account)
    instalment_plans.record_plan(debt, {
        "amount": Decimal("100.00"), "frequency": "monthly", "first_date": date(2026, 4, 15),
        "method": "card"}, user("fo"))
    sweep("2026-04-16")
    plan = instalment_plans.cases.current_plan(debt)
    assert plan.status == "behind"
    pay(account, "100.00", "2026-04-20")
    assert plan.status == "active"
    sweep("2026-04-30")
    assert plan.status == "active"



# --- payment in full closes the ladder from any stage ---------------------------------------------
def _to_referral(account):
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-04-20", "2026-05-01"):
        sweep(day)


def _to_engagement(account):
    _to_referral(account)
    complete(open_tasks(debt_of(account))["pre_legal_checklist"], "fo", **CHECKLIST_OK)


def _to_plan(account):
    sweep("2026-03-24")
    sweep("2026-03-30")
    instalment_plans.record_plan(debt_of(account), {
        "amount": Decimal("100.00"), "frequency": "weekly", "first_date": date(2026, 4, 6),
        "method": "card"}, user("fo"))


def _to_breathing_space(account):
    sweep("2026-03-24")
    sweep("2026-03-30", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 3, 30), None, None,
                           user("fa"))


STAGES = {
    "opened": (lambda a: sweep("2026-03-24"), "opened"),
    "reminder_1": (lambda a: [sweep(d) for d in ("2026-03-24", "2026-03-30")], "reminder_1"),
    "final_demand": (lambda a: [sweep(d) for d in ("2026-03-24", "2026-03-30", "2026-04-13")],
                     "final_demand"),
    "referral": (_to_referral, "referral"),
    "engagement": (_to_engagement, "engagement"),
    "instalment_plan": (_to_plan, "instalment_plan"),
    "breathing_space": (_to_breathing_space, "reminder_1"),
}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_payment_in_full_closes_the_ladder_at_every_stage(staff, stage):
    account = person_account()
    add_invoice(account, "INV-9001", date(2026, 3, 2), "412.50")
    reach, expected_stage = STAGES[stage]
    reach(account)
    debt = debt_of(account)
    assert debt.stage == expected_stage
    sent = len(letters(account.person_id))
    pay(account, "412.50", "2026-05-05")
    assert (debt.status, debt.closed_reason, debt.stage) == ("closed", "paid_in_full", "closed")
    instance = instances.get_instance(debt.instance_id)
    assert instance.status == InstanceStatus.COMPLETED and instance.next_timer_due is None
    assert instances.open_tasks(instance) == []
    for day in ("2026-05-06", "2026-06-01", "2026-12-01"):
        sweep(day)
    assert len(letters(account.person_id)) == sent


def test_part_payment_keeps_the_ladder_going(staff):
    account = person_account()
    add_invoice(account, "INV-9101", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    pay(account, "400.00", "2026-03-25")
    sweep("2026-03-30")
    assert debt_of(account).status == "open"
    assert "£12.50" in letter_text(account.person_id, "debt_reminder_1")


def test_a_debt_opened_during_a_breathing_space_waits_for_its_end(staff):
    account = person_account()
    sweep("2026-03-02", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 3, 2), None, None, user("fa"))
    add_invoice(account, "INV-9201", date(2026, 3, 2), "150.00")
    sweep("2026-03-24")
    debt = debt_of(account)
    assert open_tasks(debt)["breathing_space_review"].due_at.date() == date(2026, 4, 13)
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.HELD
    sweep("2026-03-30")
    assert letters(account.person_id) == []
    sweep("2026-05-01")  # 60 days: reminder 1 had 6 days left -> Thu 7 May
    assert waiting(debt) == {"reminder_1_due": date(2026, 5, 7)}
    sweep("2026-05-07")
    assert letters(account.person_id) == [("debt_reminder_1", date(2026, 5, 7))]


def test_a_guard_task_is_completed_with_its_form_without_moving_the_ladder(staff):
    from app.errors import ValidationFailed

    account = person_account()
    add_invoice(account, "INV-OLD2", date(2020, 3, 2), "560.00")
    add_invoice(account, "INV-NEW2", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    sweep("2026-03-30")
    debt = debt_of(account)
    task = open_tasks(debt)["write_off_statute_barred"]
    state_before = instances.get_instance(debt.instance_id).state
    with pytest.raises(ValidationFailed):
        complete(task, "fo", decision="shred_it")
    done = complete(task, "fo", decision="propose_write_off", notes="Six years passed")
    assert done.status == TaskStatus.COMPLETED
    assert done.outcome == {"decision": "propose_write_off", "notes": "Six years passed"}
    assert instances.get_instance(debt.instance_id).state == state_before


def test_the_check_page_says_a_letter_waits_for_the_breathing_space(at_final_demand):
    """Issue 19's note: with a Breathing Space in force the check-your-answers page still said
    the recovery contact letter would be sent when the checklist was completed."""
    from app.services.inbox import letter_preview
    from tests.workflows.test_debt_recovery import CHECKLIST_OK

    account = at_final_demand
    sweep("2026-09-18")
    debt = debt_of(account)
    checklist = open_tasks(debt)["pre_legal_checklist"]
    [letter] = letter_preview.letters_on_completion(checklist, CHECKLIST_OK)
    assert letter.held is None
    sweep("2026-09-21", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 9, 21), None, "BS-9",
                           user("fa"))
    checklist = open_tasks(debt)["pre_legal_checklist"]
    [letter] = letter_preview.letters_on_completion(checklist, CHECKLIST_OK)
    assert letter.held is not None and "Breathing Space" in letter.held
