"""DOMAIN.md scenarios 1, 2 and the letters of 3: the debt-recovery ladder on a frozen clock.

The shipped diagram runs on the real services: the daily job opens the debt case, the timers
fire through the scheduler's sweep, and the letters are real .docx files.
"""
from __future__ import annotations

from datetime import date

import pytest

from app.engine import runner
from app.models import InstanceStatus
from app.services.processes import instances
from app.services.processes.engine_context import context_for

from .debt_helpers import (
    add_invoice,
    complete,
    debt_of,
    letter_text,
    letters,
    open_tasks,
    person_account,
    sweep,
)


def waiting(debt) -> dict[str, date]:
    instance = instances.get_instance(debt.instance_id)
    timers = runner.waiting_timer_expressions(instances.model_of(instance), instance.state,
                                              context_for(instance))
    from app.calendar import to_local_date

    return {name: to_local_date(due) for name, (due, _, _) in timers.items()}


@pytest.fixture
def scenario_1(staff):
    account = person_account()
    add_invoice(account, "INV-1001", date(2026, 3, 2), "412.50")
    return account


def test_the_daily_job_opens_a_case_the_day_after_the_due_date(scenario_1):
    sweep("2026-03-23")
    assert debt_of(scenario_1) is None  # due today: not overdue yet
    sweep("2026-03-24")
    debt = debt_of(scenario_1)
    assert (debt.status, debt.stage, debt.opened_on) == ("open", "opened", date(2026, 3, 24))
    assert [i.number for i in debt.invoices] == ["INV-1001"]
    assert waiting(debt) == {"reminder_1_due": date(2026, 3, 30)}


def test_scenario_1_reminder_1_on_time_then_final_demand_and_referral(scenario_1):
    person_id = scenario_1.person_id
    sweep("2026-03-24")
    sweep("2026-03-27")
    assert letters(person_id) == []
    sweep("2026-03-30")
    debt = debt_of(scenario_1)
    assert letters(person_id) == [("debt_reminder_1", date(2026, 3, 30))]
    text = letter_text(person_id, "debt_reminder_1")
    assert "£412.50" in text and "INV-1001" in text and "30 March 2026" in text
    assert debt.stage == "reminder_1"
    assert waiting(debt) == {"final_demand_due": date(2026, 4, 13)}

    sweep("2026-04-13")
    assert letters(person_id)[-1] == ("debt_final_demand", date(2026, 4, 13))
    assert "£412.50" in letter_text(person_id, "debt_final_demand")
    assert waiting(debt) == {"phone_contact_due": date(2026, 4, 20),
                             "referral_due": date(2026, 5, 1)}
    sweep("2026-04-20")
    phone = open_tasks(debt)["phone_contact"]
    assert (phone.role, phone.due_at.date()) == ("finance_assistant", date(2026, 4, 22))
    sweep("2026-04-30")
    assert "pre_legal_checklist" not in open_tasks(debt)
    sweep("2026-05-01")
    checklist = open_tasks(debt)["pre_legal_checklist"]
    assert checklist.role == "finance_officer"
    assert debt.stage == "referral"


def test_scenario_2_reminder_due_on_easter_monday_moves_to_tuesday(staff):
    account = person_account()
    add_invoice(account, "INV-2001", date(2026, 3, 9), "238.00")
    sweep("2026-03-31")
    for day in ("2026-04-03", "2026-04-04", "2026-04-05", "2026-04-06"):
        sweep(day)
        assert letters(account.person_id) == [], day
    sweep("2026-04-07")
    assert letters(account.person_id) == [("debt_reminder_1", date(2026, 4, 7))]
    assert waiting(debt_of(account)) == {"final_demand_due": date(2026, 4, 21)}
    sweep("2026-04-21")
    assert letters(account.person_id)[-1] == ("debt_final_demand", date(2026, 4, 21))
    assert "£238.00" in letter_text(account.person_id, "debt_final_demand")


def test_scenario_3_the_deputy_receives_every_ladder_letter(staff):
    account = person_account("P3001", "Arthur Adams", representative={
        "name": "Beatrice Brown", "type": "deputy", "scope": "property_and_finance",
        "address": {"lines": ["9 Deputy Row", "Other Town"], "postcode": "OT1 9ZZ"},
        "evidence": "COP 1234", "verified_by": "fo", "verified_on": "2026-01-10"})
    add_invoice(account, "INV-3001", date(2026, 1, 5), "1000.00")
    add_invoice(account, "INV-3002", date(2026, 2, 2), "876.40")
    sweep("2026-02-27")
    sweep("2026-03-09")  # R1 for the oldest invoice: 5 Jan + 28 = 2 Feb, fired on opening
    sweep("2026-03-23")
    sent = letters(account.person_id)
    assert [t for t, _ in sent] == ["debt_reminder_1", "debt_final_demand"]
    from app.extensions import db
    from app.models import Letter

    for row in db.session.query(Letter).filter_by(person_id=account.person_id):
        assert row.recipient_name == "Beatrice Brown"
    text = letter_text(account.person_id, "debt_final_demand")
    assert "On behalf of Arthur Adams" in text
    assert "£1,876.40" in text and "INV-3001" in text and "INV-3002" in text


def test_a_newly_overdue_invoice_joins_the_case_and_the_next_letter(scenario_1):
    add_invoice(scenario_1, "INV-1002", date(2026, 3, 30), "85.00")  # due 20 Apr
    sweep("2026-03-24")
    sweep("2026-03-30")
    assert "INV-1002" not in letter_text(scenario_1.person_id, "debt_reminder_1")
    sweep("2026-04-13")
    text = letter_text(scenario_1.person_id, "debt_final_demand")
    assert "INV-1002" not in text  # not yet overdue on 13 Apr
    sweep("2026-04-21")
    debt = debt_of(scenario_1)
    assert [i.number for i in debt.invoices] == ["INV-1001", "INV-1002"]


def test_checklist_outcome_deceased_routes_to_the_estate_task(scenario_1):
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-05-01"):
        sweep(day)
    debt = debt_of(scenario_1)
    checklist = open_tasks(debt)["pre_legal_checklist"]
    complete(checklist, "fo", **{**CHECKLIST_OK, "deceased": True})
    assert "estate_route" in open_tasks(debt)


def test_clean_checklist_sends_the_introduction_letter_and_engagement_task(scenario_1):
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-05-01"):
        sweep(day)
    debt = debt_of(scenario_1)
    complete(open_tasks(debt)["pre_legal_checklist"], "fo", **CHECKLIST_OK)
    assert letters(scenario_1.person_id)[-1] == ("debt_recovery_contact", date(2026, 5, 1))
    text = letter_text(scenario_1.person_id, "debt_recovery_contact")
    assert "£412.50" in text
    engagement = open_tasks(debt)["engagement"]
    assert engagement.due_at.date() == date(2026, 5, 18)  # 10 working days; 4 May a holiday
    assert debt.stage == "engagement"
    complete(engagement, "fo", outcome="no_engagement")
    assert "letter_of_claim_next" in open_tasks(debt)
    assert debt.stage == "letter_of_claim_pending"
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.ACTIVE


CHECKLIST_OK = dict(
    charge_correct=True, assessment_current=True, open_query_or_complaint=False,
    correspondent_verified=True, lacks_capacity_without_representative=False,
    dpa_test="not_eligible", safeguarding_concern=False, vulnerability_or_hardship=False,
    social_worker_informed=True, breathing_space_checked=True, limitation_checked=True,
    proportionate=True, third_party_issues=False, deceased=False)


def test_ladder_letters_go_to_the_print_batch_unless_set_to_need_approval(staff):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Letter
    from app.services import settings

    from .debt_helpers import user

    account = person_account()
    add_invoice(account, "INV-1101", date(2026, 3, 2), "412.50")
    settings.change("letters_needing_approval", ["debt_final_demand"], user("admin"))
    db.session.commit()
    for day in ("2026-03-24", "2026-03-30", "2026-04-13"):
        sweep(day)
    statuses = {row.template: row.status for row in db.session.scalars(
        select(Letter).where(Letter.person_id == account.person_id))}
    assert statuses == {"debt_reminder_1": "print_batch",
                        "debt_final_demand": "awaiting_approval"}


def test_an_unknown_template_cannot_be_set_to_need_approval(staff):
    from app.errors import ValidationFailed
    from app.services import settings

    from .debt_helpers import user

    with pytest.raises(ValidationFailed):
        settings.change("letters_needing_approval", ["no_such_letter"], user("admin"))


def test_a_review_stop_ends_the_ladder_and_its_open_phone_task(scenario_1):
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-04-20", "2026-05-01"):
        sweep(day)
    debt = debt_of(scenario_1)
    assert {"phone_contact", "pre_legal_checklist"} <= set(open_tasks(debt))
    complete(open_tasks(debt)["pre_legal_checklist"], "fo", **{
        **CHECKLIST_OK, "safeguarding_concern": True,
        "lacks_capacity_without_representative": True})
    review = open_tasks(debt)["review_before_recovery"]
    assert "find_representative" not in open_tasks(debt)
    ladder = instances.get_instance(debt.instance_id)
    complete(review, "fm", decision="stop", reasons="Safeguarding referral made")
    assert ladder.status == InstanceStatus.COMPLETED
    assert [t.name for t in instances.open_tasks(ladder)] == []
    # Money is still owed: the officer is asked for the next step (tests/workflows/
    # test_debt_decisions.py).
    assert set(open_tasks(debt)) == {"decide_next_step"}


@pytest.mark.parametrize("layout", ["shipped", "estate box dragged to the bottom"])
def test_a_death_with_a_review_flag_goes_to_the_estate_whatever_the_layout(scenario_1, layout):
    # Both 'deceased' and 'safeguarding concern' are ticked. SpiffWorkflow alone would take the
    # higher box; the shipped conditions exclude each other, so dragging changes nothing.
    if layout != "shipped":
        from app.services.processes import definitions
        from tests.conftest import REPO

        from .debt_helpers import user

        xml = (REPO / "workflows" / "debt_recovery.bpmn").read_bytes().replace(
            b'bpmnElement="estate_route"><dc:Bounds x="1390" y="130"',
            b'bpmnElement="estate_route"><dc:Bounds x="1390" y="900"', 1)
        assert definitions.save_draft("debt_recovery", xml, user("fm")).valid
        assert definitions.publish_draft("debt_recovery", user("fm")).number == 2
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-05-01"):
        sweep(day)
    debt = debt_of(scenario_1)
    complete(open_tasks(debt)["pre_legal_checklist"], "fo",
             **{**CHECKLIST_OK, "deceased": True, "safeguarding_concern": True})
    instance = instances.get_instance(debt.instance_id)
    assert instance.version.number == (1 if layout == "shipped" else 2)
    assert "estate_route" in open_tasks(debt)
    assert "review_before_recovery" not in open_tasks(debt)
