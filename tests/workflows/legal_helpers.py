"""Drive a debt up the ladder to the Letter of Claim decision, for the legal-stage tests.

Invoice of Mon 5 Jan 2026, due 26 Jan: reminder 1 Mon 2 Feb, final demand Mon 16 Feb, phone
task 23 Feb, referral Fri 6 Mar (invoice + 60 days), then the officer's checklist, engagement
and Letter of Claim decision on the day given.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.extensions import db
from app.models import FinancialAssessment, Person

from .debt_helpers import add_invoice, complete, debt_of, open_tasks, sweep
from .test_debt_recovery import CHECKLIST_OK


def ladder_to_decision(account, amount: str, decision_day: str, number: str = "INV-L1"):
    add_invoice(account, number, date(2026, 1, 5), amount)
    for day in ("2026-01-27", "2026-02-02", "2026-02-16", "2026-02-23", "2026-03-06"):
        sweep(day)
    debt = debt_of(account)
    complete(open_tasks(debt)["pre_legal_checklist"], "fo", **CHECKLIST_OK)
    complete(open_tasks(debt)["engagement"], "fo", outcome="no_engagement")
    sweep(decision_day, "10:00")
    return debt


def decide_letter_of_claim(debt):
    complete(open_tasks(debt)["letter_of_claim_next"], "fo",
             decision="prepare_letter_of_claim")
    return debt


def approve_and_post(debt):
    complete(open_tasks(debt)["approve_letter_of_claim"], "fo", approved=True)
    return debt


def could_have_a_deferred_payment(account) -> None:
    """Scenario 6's facts: in a care home, owning a home that is not disregarded, with £12,000
    besides it, so a deferred payment agreement could be entered into (Care Act s69(2))."""
    person = db.session.get(Person, account.person_id)
    person.in_care_home, person.owns_property, person.property_disregarded = True, True, False
    db.session.add(FinancialAssessment(
        person_id=person.id, assessed_on=date(2025, 12, 1), effective_from=date(2025, 12, 1),
        weekly_contribution=Decimal("250.00"), capital_including_home=Decimal("262000.00"),
        capital_excluding_home=Decimal("12000.00")))
    db.session.commit()
