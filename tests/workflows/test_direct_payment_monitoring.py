"""DOMAIN.md scenario 10 and A.2: a direct payment's monitoring and audit on the shipped diagrams,
the real services and the frozen clock. The timers fire through the sweep the scheduler runs.

Given a direct payment first paid on Tue 13 Jan 2026, £350.00 a week, 8 weeks' contingency
(£2,800.00): the first review is due by Mon 13 Jul 2026 with its warning 28 days before; the card
check on Tue 1 Sep 2026 finds £4,150.00 with nothing owed, so an audit starts with a surplus of
£1,350.00; the documents asked for that day are due Tue 29 Sep 2026, and the reminder sent that day
gives until Tue 13 Oct 2026.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    AuditEvent,
    CardBalance,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    DirectPaymentReview,
    DirectPaymentStatus,
    HumanTask,
    Invoice,
    PaymentInstruction,
    TaskStatus,
)
from app.services.direct_payments import monitoring
from app.services.processes import instances
from app.services.records import people
from tests.conftest import set_clock
from tests.workflows.debt_helpers import at, complete, letters, sweep, user

FIRST_PAYMENT = date(2026, 1, 13)


@pytest.fixture
def dp(staff):
    person = people.create_person({
        "reference": "P100234", "name": "Alice Example", "team": "North", "caseworker": "cw",
        "address": {"lines": ["1 High Street", "Example Town"], "postcode": "EX1 2AB"},
        "representative": None,
        "direct_payment": {"variant": "standard", "amount": "350.00", "frequency": "weekly",
                           "client_contribution": "0.00"},
    }, None)
    set_clock(at("2026-01-13", "09:00"))
    agreement = db.session.scalar(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.person_id == person.id))
    agreement.card_id = "CARD-0001"
    monitoring.start_monitoring(agreement, FIRST_PAYMENT, user("fo"))
    db.session.commit()
    return agreement


def tasks_of(instance_id: int) -> dict[str, HumanTask]:
    return {t.name: t for t in instances.open_tasks(instances.get_instance(instance_id))}


def review_of(agreement) -> DirectPaymentReview:
    return db.session.scalars(select(DirectPaymentReview).where(
        DirectPaymentReview.agreement_id == agreement.id,
        DirectPaymentReview.kind != "light_touch").order_by(DirectPaymentReview.id)).first()


def audits_of(agreement) -> list[DirectPaymentAudit]:
    return list(db.session.scalars(select(DirectPaymentAudit).where(
        DirectPaymentAudit.agreement_id == agreement.id).order_by(DirectPaymentAudit.id)))


def card_balance(agreement, on: str, balance: str, commitments: str = "0.00") -> None:
    db.session.add(CardBalance(agreement_id=agreement.id, as_of=date.fromisoformat(on),
                               balance=Decimal(balance), commitments=Decimal(commitments),
                               imported_at=clock.now()))
    db.session.commit()


def test_scenario_10_first_review_due_with_its_warning(dp):
    review = review_of(dp)
    assert (review.kind, review.due_on, review.warn_on) == (
        "first", date(2026, 7, 13), date(2026, 6, 15))
    assert dp.status == DirectPaymentStatus.ACTIVE
    sweep("2026-06-12")
    assert ("dp_review_due", date(2026, 6, 15)) not in letters(dp.person_id)
    assert "carry_out_review" not in tasks_of(dp.monitoring_id)
    sweep("2026-06-15")
    assert ("dp_review_due", date(2026, 6, 15)) in letters(dp.person_id)
    task = tasks_of(dp.monitoring_id)["carry_out_review"]
    assert task.due_at.date() == date(2026, 7, 13)


def test_a_missed_review_raises_the_breach_flag_and_the_next_counts_from_the_review(dp):
    sweep("2026-06-15")
    sweep("2026-07-13")
    assert review_of(dp).breached_on is None  # due today: not yet missed
    sweep("2026-07-14")
    review = review_of(dp)
    assert review.breached_on == date(2026, 7, 14)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dp_review_breached"))
    complete(tasks_of(dp.monitoring_id)["carry_out_review"], "cw",
             reviewed_on="2026-07-14", review_outcome="continue")
    db.session.refresh(dp)
    assert dp.last_review_date == date(2026, 7, 14)
    nxt = monitoring.next_review_of(dp)
    assert (nxt.kind, nxt.due_on) == ("annual", date(2027, 7, 14))
    assert review_of(dp).status == "done" and review_of(dp).breached_on == date(2026, 7, 14)


def test_light_touch_check_twelve_weeks_in(dp):
    sweep("2026-04-06")  # Easter Monday: 12 weeks after the first payment is Tue 7 Apr
    assert "light_touch_check" not in tasks_of(dp.monitoring_id)
    sweep("2026-04-07")
    complete(tasks_of(dp.monitoring_id)["light_touch_check"], "fa",
             checked_on="2026-04-07", spending_as_planned=True)
    assert audits_of(dp) == []


def test_scenario_10_card_check_finds_the_surplus_and_the_audit_chases(dp):
    sweep("2026-08-01")  # no balance from the card provider: nothing found
    assert audits_of(dp) == []
    card_balance(dp, "2026-09-01", "4150.00")
    sweep("2026-09-01")
    [audit] = audits_of(dp)
    assert (audit.reason, audit.surplus, audit.contingency, audit.balance) == (
        "sweep", Decimal("1350.00"), Decimal("2800.00"), Decimal("4150.00"))
    assert "£1,350.00 more than the contingency of £2,800.00" in audit.findings[0]
    assert (audit.requested_on, audit.documents_due_on, audit.reminder_due_on) == (
        date(2026, 9, 1), date(2026, 9, 29), date(2026, 10, 13))
    assert ("dp_audit_request", date(2026, 9, 1)) in letters(dp.person_id)
    sweep("2026-09-28")
    assert ("dp_audit_reminder", date(2026, 9, 29)) not in letters(dp.person_id)
    sweep("2026-09-29")
    assert ("dp_audit_reminder", date(2026, 9, 29)) in letters(dp.person_id)
    db.session.refresh(audit)
    assert audit.status == "reminded"
    sweep("2026-10-13")
    assert "caseworker_review" not in tasks_of(audit.instance_id)
    sweep("2026-10-14")
    db.session.refresh(audit)
    assert audit.status == "escalated"
    assert "caseworker_review" in tasks_of(audit.instance_id)
    assert "record_audit_evidence" not in tasks_of(audit.instance_id)


def test_surplus_is_talked_through_then_recouped_from_the_card(dp):
    card_balance(dp, "2026-09-01", "4150.00")
    sweep("2026-09-01")
    [audit] = audits_of(dp)
    set_clock(at("2026-09-10", "10:00"))
    complete(tasks_of(audit.instance_id)["record_audit_evidence"], "fa",
             documents_received_on="2026-09-10", balance="4150.00", commitments="0",
             outcome="surplus", audit_findings="No planned spending explains the balance.")
    assert "discuss_surplus" in tasks_of(audit.instance_id)
    assert "dp_surplus_notice" not in [t for t, _ in letters(dp.person_id)]
    complete(tasks_of(audit.instance_id)["discuss_surplus"], "cw",
             surplus_discussed=True, surplus_to_recover="1350.00")
    db.session.refresh(audit)
    assert (audit.repayment_due, audit.repay_by) == (Decimal("1350.00"), date(2026, 9, 24))
    assert ("dp_surplus_notice", date(2026, 9, 10)) in letters(dp.person_id)
    recoup = db.session.scalar(select(PaymentInstruction).where(
        PaymentInstruction.kind == "recoup"))
    assert (recoup.amount, recoup.effective_on) == (Decimal("1350.00"), date(2026, 9, 24))
    assert (audit.status, audit.recovered) == ("closed", Decimal("1350.00"))


def test_an_own_account_surplus_not_repaid_becomes_an_invoice(dp):
    dp.account_type = "bank"
    db.session.commit()
    row = monitoring.open_audit(dp, "concern", user("fa"), findings=["Asked for by staff"])
    db.session.commit()
    set_clock(at("2026-09-10", "10:00"))
    complete(tasks_of(row.instance_id)["record_audit_evidence"], "fa",
             documents_received_on="2026-09-10", balance="4150.00", commitments="0",
             outcome="surplus", audit_findings="Statements show an unspent balance.")
    complete(tasks_of(row.instance_id)["discuss_surplus"], "cw",
             surplus_discussed=True, surplus_to_recover="1350.00")
    sweep("2026-09-24")
    assert "check_repayment" not in tasks_of(row.instance_id)
    sweep("2026-09-25")
    complete(tasks_of(row.instance_id)["check_repayment"], "fa", amount_repaid="350.00")
    db.session.refresh(row)
    invoice = db.session.get(Invoice, row.invoice_id)
    assert (invoice.total, invoice.invoice_date, row.recovered, row.status) == (
        Decimal("1000.00"), date(2026, 9, 25), Decimal("350.00"), "closed")
    assert invoice.account.person_id == dp.person_id
    # Overdue, it joins the debt ladder like any other invoice.
    sweep("2026-10-17")
    db.session.refresh(invoice)
    assert invoice.debt_case_id is not None


def test_misuse_goes_to_the_care_managers_s33_decision(dp):
    set_clock(at("2026-03-02", "10:00"))
    row = monitoring.open_audit(dp, "concern", user("fa"), findings=["Spending at a casino"])
    db.session.commit()
    complete(tasks_of(row.instance_id)["record_audit_evidence"], "fa",
             documents_received_on="2026-03-02", balance="1000.00", commitments="0",
             outcome="misuse", audit_findings="£600.00 spent at a casino.")
    complete(tasks_of(row.instance_id)["caseworker_review"], "cw", reviewed_on="2026-03-02",
             review_findings="The person says a relative used the card.")
    complete(tasks_of(row.instance_id)["care_manager_decision"], "cm", decision="suspend",
             repayment="600.00", reasons="Money spent outside the support plan.",
             fraud_suspected=True)
    db.session.refresh(dp)
    assert dp.status == DirectPaymentStatus.SUSPENDED
    kinds = {i.kind for i in db.session.scalars(select(PaymentInstruction))}
    assert kinds == {"suspend"}
    sent = [t for t, _ in letters(dp.person_id)]
    assert "dp_s33_decision" in sent and "dp_repayment_required" in sent
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "dp_counter_fraud_referral"))


def test_notice_stops_payments_then_the_final_audit(dp):
    set_clock(at("2026-09-01", "10:00"))
    monitoring.give_notice(dp.id, given_on=date(2026, 9, 1), given_by="person",
                           reasons="Moving to a care home", actor=user("cw"))
    db.session.refresh(dp)
    assert (dp.status, dp.ended_on) == ("ending", date(2026, 9, 29))
    stop = db.session.scalar(select(PaymentInstruction).where(PaymentInstruction.kind == "stop"))
    assert stop.effective_on == date(2026, 9, 29)
    assert ("dp_termination", date(2026, 9, 1)) in letters(dp.person_id)
    assert monitoring.next_review_of(dp) is None  # no review is owed on an ending payment
    sweep("2026-09-29")
    db.session.refresh(dp)
    [audit] = audits_of(dp)
    assert (dp.status, audit.reason) == ("ended", "ending")
    # A surplus at the end is returned within 4 weeks after the notice ends (Worcestershire).
    set_clock(at("2026-09-30", "10:00"))
    complete(tasks_of(audit.instance_id)["record_audit_evidence"], "fa",
             documents_received_on="2026-09-30", balance="3500.00", commitments="200.00",
             outcome="surplus", audit_findings="Wages for September still to pay.")
    complete(tasks_of(audit.instance_id)["discuss_surplus"], "cw",
             surplus_discussed=True, surplus_to_recover="500.00")
    db.session.refresh(audit)
    assert (audit.surplus, audit.repay_by) == (Decimal("500.00"), date(2026, 10, 27))


def test_a_death_stops_the_payments_writes_to_the_executor_and_asks_for_end_tasks(dp):
    from app.services.estates import deaths

    set_clock(at("2026-09-01", "10:00"))
    deaths.record_death(dp.person, date(2026, 8, 30), user("fo"))
    db.session.refresh(dp)
    assert (dp.status, dp.ended_on, dp.end_reason) == ("ended", date(2026, 8, 30), "death")
    stop = db.session.scalar(select(PaymentInstruction).where(PaymentInstruction.kind == "stop"))
    assert stop.effective_on == date(2026, 8, 30)
    assert "dp_executor" in [t for t, _ in letters(dp.person_id)]
    assert "close_account" in tasks_of(dp.monitoring_id)
    [audit] = audits_of(dp)
    assert audit.reason == "death"
    # Nothing is addressed to the person after their death: the final audit's request too.
    from app.models import Letter

    sent = list(db.session.scalars(select(Letter).where(Letter.person_id == dp.person_id)))
    assert {row.template for row in sent} == {"dp_executor", "dp_audit_request"}
    assert all(row.recipient_name.startswith("The Personal Representative") for row in sent), \
        [row.recipient_name for row in sent]


def test_monitoring_cannot_be_started_by_hand(dp, client):
    from app.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        instances.start_instance("direct_payment_monitoring", "P100234", {}, user("fo"))


def test_countersigning_starts_monitoring_from_the_first_payment_date(staff):
    from tests.dp_helpers import dp_person, returned_agreement

    person = dp_person("P100871")
    set_clock(at("2026-03-02", "09:00"))
    chase, task = returned_agreement(person.reference, user("fa"))
    complete(task, "fa", signatures_complete=True, dedicated_account=True,
             contribution_set_up=True, recipient_signed_on="2026-03-01")
    countersign = next(t for t in instances.open_tasks(chase)
                       if t.name == "countersign_agreement")
    complete(countersign, "fo", first_payment_date="2026-03-16", countersigned=True)
    agreement = db.session.scalar(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.person_id == person.id))
    assert (agreement.status, agreement.first_payment_date) == ("active", date(2026, 3, 16))
    start = db.session.scalar(select(PaymentInstruction).where(
        PaymentInstruction.agreement_id == agreement.id))
    assert (start.kind, start.effective_on, start.amount) == (
        "start", date(2026, 3, 16), agreement.amount)
    assert monitoring.next_review_of(agreement).due_on == date(2026, 9, 16)
    assert db.session.get(HumanTask, countersign.id).status == TaskStatus.COMPLETED


def _own_account(staff, reference: str = "P100871"):
    person = people.create_person({
        "reference": reference, "name": "Arthur Penrose", "team": "North", "caseworker": "cw",
        "address": {"lines": ["2 Mill Lane"], "postcode": "RG21 7QT"}, "representative": None,
        "direct_payment": {"variant": "standard", "amount": "1400.00",
                           "frequency": "four_weekly", "client_contribution": "0.00"},
    }, None)
    agreement = db.session.scalar(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.person_id == person.id))
    agreement.account_type = "bank"
    return agreement


def test_an_own_account_is_audited_a_year_after_the_first_payment(staff):
    set_clock(at("2026-01-13", "09:00"))
    agreement = _own_account(staff)
    monitoring.start_monitoring(agreement, FIRST_PAYMENT, user("fo"))
    db.session.commit()
    sweep("2026-02-02")  # no monthly card check for an own account
    assert audits_of(agreement) == []
    sweep("2027-01-12")
    assert audits_of(agreement) == []
    sweep("2027-01-13")
    [audit] = audits_of(agreement)
    assert (audit.reason, audit.period_from, audit.period_to, audit.documents_due_on) == (
        "annual", FIRST_PAYMENT, date(2027, 1, 13), date(2027, 2, 10))


def test_quarterly_returns_are_asked_for_after_each_quarter(staff):
    from app.services import settings

    settings.change("dp_quarterly_returns", True, user("admin"))
    set_clock(at("2026-01-13", "09:00"))
    agreement = _own_account(staff)
    monitoring.start_monitoring(agreement, FIRST_PAYMENT, user("fo"))
    db.session.commit()
    sweep("2026-04-27")
    assert audits_of(agreement) == []
    sweep("2026-04-28")  # the quarter to 31 March, 28 days on
    [audit] = audits_of(agreement)
    assert (audit.reason, audit.period_from, audit.period_to) == (
        "quarterly_return", FIRST_PAYMENT, date(2026, 3, 31))
    sweep("2026-07-28")  # the next quarter's while that audit is still open: one at a time
    assert len(audits_of(agreement)) == 1


def test_the_steps_each_contract_allows_are_the_ones_the_handler_runs():
    from app.services.direct_payments import audit_steps, monitoring_contract, monitoring_steps

    assert set(monitoring_steps.STEPS) == monitoring_contract.MONITORING_STEPS
    assert set(audit_steps.STEPS) == monitoring_contract.AUDIT_STEPS
