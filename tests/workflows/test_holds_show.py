"""Every hold on a debt holds its step, has its task, shows on the debt, and is reported as a hold
(issue 15 items 2, 3 and 4)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Incident,
    InstanceStatus,
    Invoice,
    Letter,
    Representative,
)
from app.roles import Role
from app.services.debts import views
from app.services.processes import instances

from .debt_helpers import add_invoice, debt_of, open_tasks, person_account, sweep
from .legal_helpers import could_have_a_deferred_payment, decide_letter_of_claim, ladder_to_decision

APPOINTEE = {"name": "Sam Appointee", "type": "appointee", "scope": "benefits",
             "address": {"lines": ["4 Benefit Lane", "Example Town"], "postcode": "EX1 4BB"},
             "evidence": "DWP BF57", "verified_by": "fo", "verified_on": "2026-01-10"}


def templates_sent(person_id: int) -> list[str]:
    return list(db.session.scalars(select(Letter.template).where(Letter.person_id == person_id)
                                   .order_by(Letter.id)))


def test_an_appointee_alone_holds_the_letter_of_claim_until_a_deputy_is_recorded(
        no_placeholders):
    account = person_account("P2201", "Vera Vale", representative=APPOINTEE)
    debt = ladder_to_decision(account, "2400.00", "2026-04-01")
    decide_letter_of_claim(debt)

    instance = instances.get_instance(debt.instance_id)
    assert instance.status == InstanceStatus.HELD  # not an incident
    assert db.session.scalar(select(Incident).where(Incident.instance_id == instance.id)) is None
    reason = debt.guards["representation"]["reason"]
    assert "deputy or a litigation friend" in reason and "Vera" not in reason
    task = open_tasks(debt)["find_deputy_or_litigation_friend_guard"]
    assert (task.title, task.role) == ("A deputy or a litigation friend is needed",
                                       Role.CASEWORKER)
    shown = views.summary(debt)["guards"]
    assert [(g["guard"], g["reason"]) for g in shown] == [("representation", reason)]
    assert "letter_of_claim" not in templates_sent(account.person_id)

    db.session.add(Representative(person_id=account.person_id, name="Dan Deputy", type="deputy",
                                  scope="property_and_finance", address_lines=["7 Court Way"],
                                  postcode="EX1 7CC"))
    db.session.commit()
    sweep("2026-04-02")  # the daily jobs run held ladders again

    assert instances.get_instance(debt.instance_id).status == InstanceStatus.ACTIVE
    assert "letter_of_claim" in templates_sent(account.person_id)
    assert "approve_letter_of_claim" in open_tasks(debt)
    assert views.summary(debt)["guards"] == []


def test_the_deferred_payment_hold_shows_on_the_debt(no_placeholders):
    account = person_account("P6002", "Doris Dane")
    could_have_a_deferred_payment(account)
    debt = decide_letter_of_claim(ladder_to_decision(account, "6800.00", "2026-04-01"))
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.HELD

    shown = views.summary(debt)["guards"]
    assert [(g["guard"], g["reason"], g["since"]) for g in shown] == [
        ("deferred_payment", "DPA could be entered into – offer required (Care Act s69(2))",
         "2026-04-01")]


def test_a_step_held_by_a_guard_is_reported_as_held_not_as_an_incident(staff):
    account = person_account("P4401", "Quentin Query")
    add_invoice(account, "INV-Q1", date(2026, 1, 5), "120.00")
    sweep("2026-01-27")  # the debt opens; reminder 1 waits for Mon 2 Feb
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == "INV-Q1"))
    invoice.query_hold = True
    db.session.commit()

    _, fired = sweep("2026-02-02")

    debt = debt_of(account)
    [outcome] = [f for f in fired if f.instance_id == debt.instance_id]
    assert outcome.incident is False
    assert outcome.held == "every overdue invoice has an open query: INV-Q1"
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.HELD
