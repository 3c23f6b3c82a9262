"""The global recovery guards as a pure rule (app/domain/guards.decide): no app, no database.

Each test compares a case where the rule applies with the same case where it does not, so taking
the rule out of `decide` (or widening it) makes the test fail.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.domain.guards import COURT, ESCALATION, KINDS, LETTER, GuardFacts, InvoiceFact, decide

TODAY = date(2026, 4, 1)


def invoice(number: str, due: date, total: str = "412.50", outstanding: str | None = None,
            query_hold: bool = False) -> InvoiceFact:
    return InvoiceFact(number=number, invoice_date=date(due.year, 1, 1), due_date=due,
                       total=Decimal(total),
                       outstanding=Decimal(total if outstanding is None else outstanding),
                       query_hold=query_hold)


OVERDUE = invoice("INV-1", date(2026, 3, 23))
CLEAR = GuardFacts(today=TODAY, invoices=(OVERDUE,))


def numbers(invoices) -> list[str]:
    return [i.number for i in invoices]


# --- nothing holds ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_overdue_invoice_with_no_guard_is_chased(kind):
    decision = decide(CLEAR, kind)
    assert decision.holds == {} and not decision.held
    assert numbers(decision.chase) == ["INV-1"]
    assert (decision.queried, decision.barred) == ((), ())


# --- guards that hold the whole step ---------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_breathing_space_holds_every_kind_of_step(kind):
    facts = replace(CLEAR, breathing_space="standard from 2026-03-30 to 2026-05-29")
    decision = decide(facts, kind)
    assert decision.holds == {
        "breathing_space": "Breathing Space: standard from 2026-03-30 to 2026-05-29"}
    assert decision.held
    assert decision.reason() == "Breathing Space: standard from 2026-03-30 to 2026-05-29"
    assert numbers(decision.chase) == ["INV-1"]  # held, but the debt itself is unchanged


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_death_holds_every_kind_of_step(kind):
    decision = decide(replace(CLEAR, deceased=True), kind)
    assert list(decision.holds) == ["deceased"]
    assert "estate" in decision.holds["deceased"]
    assert decision.held


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_instalment_plan_in_force_holds_every_kind_of_step(kind):
    decision = decide(replace(CLEAR, plan_in_force=True), kind)
    assert list(decision.holds) == ["instalment_plan"]
    assert decision.held


@pytest.mark.parametrize("kind", [LETTER, COURT])
def test_nobody_to_write_to_holds_letters_and_court_steps(kind):
    facts = replace(CLEAR, representation_needed="no representative with authority is recorded")
    decision = decide(facts, kind)
    assert decision.holds == {"representation": "no representative with authority is recorded"}


def test_nobody_to_write_to_does_not_hold_an_escalation():
    facts = replace(CLEAR, representation_needed="no representative with authority is recorded")
    decision = decide(facts, ESCALATION)
    assert decision.holds == {} and not decision.held
    assert numbers(decision.chase) == ["INV-1"]


def test_several_guards_hold_together_and_the_reason_names_each():
    facts = replace(CLEAR, breathing_space="mental health from 2026-03-30 (open-ended)",
                    deceased=True, plan_in_force=True, representation_needed="no deputy")
    decision = decide(facts, LETTER)
    assert list(decision.holds) == ["breathing_space", "deceased", "instalment_plan",
                                    "representation"]
    assert decision.reason() == "; ".join(decision.holds.values())


# --- guards that keep single invoices out --------------------------------------------------------
def test_one_queried_invoice_of_two_is_excluded_but_the_step_goes_ahead():
    queried = invoice("INV-Q", date(2026, 3, 23), "99.00", query_hold=True)
    facts = replace(CLEAR, invoices=(OVERDUE, queried))
    decision = decide(facts, LETTER)
    assert decision.holds == {} and not decision.held
    assert numbers(decision.chase) == ["INV-1"]
    assert numbers(decision.queried) == ["INV-Q"]


def test_every_overdue_invoice_queried_holds_the_step():
    first = invoice("INV-Q1", date(2026, 3, 2), "10.00", query_hold=True)
    second = invoice("INV-Q2", date(2026, 3, 23), "20.00", query_hold=True)
    decision = decide(replace(CLEAR, invoices=(first, second)), LETTER)
    assert decision.holds == {
        "invoice_query": "every overdue invoice has an open query: INV-Q1, INV-Q2"}
    assert decision.chase == ()
    assert numbers(decision.queried) == ["INV-Q1", "INV-Q2"]


def test_a_query_on_an_invoice_not_yet_due_changes_nothing():
    later = invoice("INV-LATER", TODAY, "50.00", query_hold=True)
    decision = decide(replace(CLEAR, invoices=(OVERDUE, later)), LETTER)
    assert decision.holds == {}
    assert numbers(decision.chase) == ["INV-1"] and decision.queried == ()


OLD = invoice("INV-OLD", date(2020, 3, 23), "560.00")  # scenario 4: barred from 23 Mar 2026


@pytest.mark.parametrize("today, barred", [
    (date(2026, 3, 22), False),
    (date(2026, 3, 23), True),
    (date(2026, 4, 1), True),
])
def test_an_invoice_is_statute_barred_six_years_after_its_due_date(today, barred):
    fresh = invoice("INV-NEW", date(2026, 3, 2))
    decision = decide(GuardFacts(today=today, invoices=(OLD, fresh)), COURT)
    assert decision.holds == {}
    if barred:
        assert numbers(decision.chase) == ["INV-NEW"]
        assert numbers(decision.barred) == ["INV-OLD"]
    else:
        assert numbers(decision.chase) == ["INV-OLD", "INV-NEW"]
        assert decision.barred == ()


def test_every_overdue_invoice_statute_barred_holds_the_step():
    decision = decide(GuardFacts(today=date(2026, 3, 23), invoices=(OLD,)), LETTER)
    assert list(decision.holds) == ["limitation"]
    assert "INV-OLD" in decision.holds["limitation"]
    assert "s69(3)" in decision.holds["limitation"]
    assert decision.chase == ()
    assert numbers(decision.barred) == ["INV-OLD"]


def test_the_day_before_limitation_the_old_invoice_is_still_chased_alone():
    decision = decide(GuardFacts(today=date(2026, 3, 22), invoices=(OLD,)), LETTER)
    assert decision.holds == {}
    assert numbers(decision.chase) == ["INV-OLD"] and decision.barred == ()


def test_a_barred_invoice_under_query_counts_as_barred_not_queried():
    old_queried = replace(OLD, query_hold=True)
    decision = decide(GuardFacts(today=TODAY, invoices=(old_queried,)), LETTER)
    assert list(decision.holds) == ["limitation"]
    assert numbers(decision.barred) == ["INV-OLD"] and decision.queried == ()


def test_queried_and_barred_together_leave_nothing_and_both_hold():
    queried = invoice("INV-Q", date(2026, 3, 23), "99.00", query_hold=True)
    decision = decide(GuardFacts(today=TODAY, invoices=(OLD, queried)), LETTER)
    assert list(decision.holds) == ["invoice_query", "limitation"]
    assert decision.chase == ()


# --- what counts as overdue ----------------------------------------------------------------------
def test_an_invoice_due_today_is_not_chased_yet():
    due_today = invoice("INV-TODAY", TODAY)
    decision = decide(GuardFacts(today=TODAY, invoices=(due_today,)), LETTER)
    assert decision.chase == ()
    assert decision.holds == {"nothing_overdue": "nothing is overdue"}


def test_an_invoice_is_chased_from_the_day_after_its_due_date():
    due_yesterday = invoice("INV-Y", date(2026, 3, 31))
    decision = decide(GuardFacts(today=TODAY, invoices=(due_yesterday,)), LETTER)
    assert numbers(decision.chase) == ["INV-Y"] and decision.holds == {}


def test_paid_invoices_are_ignored():
    paid = invoice("INV-PAID", date(2026, 3, 2), "100.00", outstanding="0.00")
    decision = decide(GuardFacts(today=TODAY, invoices=(paid, OVERDUE)), LETTER)
    assert numbers(decision.chase) == ["INV-1"]
    alone = decide(GuardFacts(today=TODAY, invoices=(paid,)), LETTER)
    assert alone.chase == () and list(alone.holds) == ["nothing_overdue"]


def test_a_part_paid_invoice_is_chased():
    part = invoice("INV-PART", date(2026, 3, 2), "412.50", outstanding="12.50")
    decision = decide(GuardFacts(today=TODAY, invoices=(part,)), LETTER)
    assert numbers(decision.chase) == ["INV-PART"] and decision.holds == {}


def test_a_paid_statute_barred_invoice_is_neither_barred_nor_holding():
    paid_old = replace(OLD, outstanding=Decimal("0.00"))
    decision = decide(GuardFacts(today=TODAY, invoices=(paid_old, OVERDUE)), LETTER)
    assert decision.barred == () and decision.holds == {}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_nothing_overdue_holds_the_step(kind):
    decision = decide(GuardFacts(today=TODAY, invoices=()), kind)
    assert decision.holds == {"nothing_overdue": "nothing is overdue"}
    assert decision.held and decision.chase == ()


def test_nothing_overdue_is_not_claimed_when_a_guard_explains_the_empty_step():
    queried = invoice("INV-Q", date(2026, 3, 23), query_hold=True)
    decision = decide(GuardFacts(today=TODAY, invoices=(queried,)), LETTER)
    assert "nothing_overdue" not in decision.holds


@pytest.mark.parametrize("kind", ["", "Letter", "referral", "write_off"])
def test_an_unknown_step_kind_is_refused(kind):
    with pytest.raises(ValueError, match="unknown step kind"):
        decide(CLEAR, kind)
