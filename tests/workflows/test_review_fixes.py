"""Cases a review found: each used to send a wrong letter, claim the wrong sum, or stop the
scheduler. Kept as tests so they stay fixed."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import InstalmentPlan, InstanceStatus
from app.services.debts import breathing_spaces, daily_jobs, instalment_plans
from app.services.legal import claims, letter_of_claim, pap_replies
from app.services.processes import instances

from .debt_helpers import (
    add_invoice,
    complete,
    debt_of,
    letters,
    open_tasks,
    pay,
    person_account,
    sweep,
    user,
)
from .legal_helpers import approve_and_post, decide_letter_of_claim, ladder_to_decision


def templates(person_id: int) -> list[str]:
    return [t for t, _ in letters(person_id)]


def test_a_plan_broken_while_paused_does_not_stop_the_sweep(staff):
    account = person_account()
    add_invoice(account, "INV-R1", date(2026, 3, 2), "400.00")
    for day in ("2026-03-24", "2026-03-30", "2026-04-13"):
        sweep(day)
    debt = debt_of(account)
    sweep("2026-04-14", "10:00")
    instalment_plans.record_plan(debt, {"amount": Decimal("100.00"), "frequency": "monthly",
                                        "first_date": date(2026, 4, 15), "method": "card"},
                                 user("fo"))
    sweep("2026-04-16", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 4, 16), None, None,
                           user("fa"))
    # The plan is broken by hand (as an import of a bounced payment might) during the hold.
    plan = db.session.scalar(select(InstalmentPlan))
    instalment_plans._break(debt, plan, date(2026, 5, 1))
    db.session.commit()
    report, _ = sweep("2026-06-15")  # the hold ends: its paused timers are gone
    assert report is not None and report.breathing_spaces_lifted == 1


def test_no_missed_instalment_letter_during_a_breathing_space(staff):
    account = person_account()
    add_invoice(account, "INV-R2", date(2026, 3, 2), "400.00")
    sweep("2026-03-24", "10:00")
    debt = debt_of(account)
    instalment_plans.record_plan(debt, {"amount": Decimal("100.00"), "frequency": "monthly",
                                        "first_date": date(2026, 4, 15), "method": "card"},
                                 user("fo"))
    sweep("2026-04-01", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 4, 1), None, None,
                           user("fa"))
    sweep("2026-04-16")
    sweep("2026-05-20")
    assert "instalment_missed" not in templates(account.person_id)


def test_a_plan_leaves_out_statute_barred_invoices(staff):
    account = person_account()
    add_invoice(account, "INV-OLD", date(2020, 3, 2), "560.00")
    add_invoice(account, "INV-NEW", date(2026, 3, 2), "412.50")
    sweep("2026-03-24", "10:00")
    plan = instalment_plans.record_plan(debt_of(account), {
        "amount": Decimal("100.00"), "frequency": "monthly", "first_date": date(2026, 4, 15),
        "method": "card"}, user("fo"))
    assert plan.arrears_total == Decimal("412.50")


def test_no_letter_of_claim_is_posted_during_a_breathing_space(no_placeholders):
    account = person_account()
    debt = decide_letter_of_claim(ladder_to_decision(account, "3250.00", "2026-04-01"))
    sweep("2026-04-02", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 4, 2), None, None,
                           user("fa"))
    complete(open_tasks(debt)["approve_letter_of_claim"], "fo", approved=True)
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.HELD
    assert letter_of_claim.current_loc(debt) is None
    assert "pap_reply_form" not in templates(account.person_id)


def test_a_payment_before_approval_changes_the_letter_of_claim(no_placeholders):
    account = person_account()
    debt = decide_letter_of_claim(ladder_to_decision(account, "3250.00", "2026-04-01"))
    pay(account, "250.00", "2026-04-01")
    approve_and_post(debt)
    loc = letter_of_claim.current_loc(debt)
    assert loc.amount == Decimal("3000.00") and loc.letter_date == date(2026, 4, 1)


def test_no_claim_while_requested_documents_are_unsent_or_an_offer_unanswered(no_placeholders):
    account = person_account()
    debt = approve_and_post(decide_letter_of_claim(
        ladder_to_decision(account, "3250.00", "2026-04-01")))
    sweep("2026-04-20", "10:00")
    pap_replies.record_reply(debt, received_on=date(2026, 4, 20), box="B",
                             offer_amount=Decimal("50.00"), offer_frequency="monthly",
                             documents_requested=True, seeking_advice=False,
                             actor=user("fo"))
    problems = claims.claim_checks(debt, date(2026, 5, 21))
    assert problems == [
        "the documents asked for on the Reply Form have not been sent",
        "the offer on the Reply Form has not been answered (a refusal needs written reasons)"]


def test_a_claim_is_for_the_letter_of_claims_invoices_only(no_placeholders):
    account = person_account()
    debt = approve_and_post(decide_letter_of_claim(
        ladder_to_decision(account, "2900.00", "2026-04-01")))
    add_invoice(account, "INV-LATER", date(2026, 4, 6), "400.00")  # overdue 28 Apr
    sweep("2026-05-08")
    complete(open_tasks(debt)["approve_legal_referral"], "fm", decision="refer_to_legal",
             reasons="No reply")
    claim = claims.current_claim(debt)
    assert (claim.amount, claim.fee) == (Decimal("2900.00"), Decimal("115.00"))


def test_the_sweep_fires_timers_even_when_a_daily_job_fails(staff, monkeypatch):
    def broken(today=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(daily_jobs.opening, "open_overdue_debts", broken)
    monkeypatch.setattr(daily_jobs, "fire_due_timers", lambda: ["the timers ran"])
    report, fired = daily_jobs.run_due()
    assert report is None and fired == ["the timers ran"]
