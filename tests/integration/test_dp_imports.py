"""The direct-payments import (issue 21): a council's running direct payments, each monitored from
its own first payment, last review and any audit in progress; all or nothing; a re-import changes
nothing."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import direct_payments as rules
from app.extensions import db
from app.models import (
    AuditEvent,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    Person,
    ProcessInstance,
)
from app.services.direct_payments import card_sweep, monitoring
from tests.conftest import add_user

from .api_helpers import count, error_of, fresh, set_clock, sweep_at
from .test_imports import post, sample

HEADER = ("person_reference,variant,amount,frequency,account_type,card_id,first_payment_date,"
          "last_review_date,audit_requested_on,audit_reason\n")


@pytest.fixture
def fa(as_user):
    add_user("sam", "caseworker", team="Finance North")  # the samples' caseworker
    api = as_user("fa")
    post(api, "people", sample("people"))
    return api


def agreement_of(reference: str) -> DirectPaymentAgreement:
    fresh()
    return db.session.scalar(select(DirectPaymentAgreement).join(Person).where(
        Person.reference == reference))


def test_the_sample_starts_monitoring_from_the_real_dates(fa):
    result = post(fa, "direct_payments", sample("direct_payments"))
    assert (result["rows"], result["added"], result["updated"], result["unchanged"]) == (
        4, 4, 0, 0)
    expected = {  # reference: (first payment, last review, the statutory review due)
        "200101": (date(2026, 1, 13), None, date(2026, 7, 13)),  # scenario 10
        "200102": (date(2025, 6, 2), date(2025, 11, 28), date(2026, 11, 27)),  # 28th: a Saturday
        "200105": (date(2024, 4, 1), date(2025, 4, 1), date(2026, 4, 1)),
        "200106": (date(2025, 9, 1), date(2026, 2, 20), date(2027, 2, 19)),
    }
    for reference, (first, last, due) in expected.items():
        dp = agreement_of(reference)
        assert (dp.status, dp.first_payment_date, dp.last_review_date) == ("active", first, last)
        assert rules.review_due(first, last) == due
        review = monitoring.next_review_of(dp)
        assert review is not None and review.due_on == due, reference
        instance = db.session.get(ProcessInstance, dp.monitoring_id)
        assert instance.status == "active" and instance.next_timer_due is not None
    scenario = agreement_of("200101")
    assert (scenario.amount, scenario.card_id, scenario.contingency_weeks,
            scenario.caseworker.username) == (Decimal("350.00"), "CARD-40001", None, "sam")
    assert monitoring.next_review_of(scenario).warn_on == date(2026, 6, 15)  # 28 days before
    assert (agreement_of("200106").contingency_weeks, agreement_of("200102").amount) == (
        6, Decimal("1300.00"))

    # The audit in progress counts its 28 days from the day it was asked for.
    audit = monitoring.open_audit_of(agreement_of("200105"))
    assert (audit.reason, audit.findings) == (
        "imported", ["Quarterly return for October to December 2025 not received"])
    assert (audit.requested_on, audit.documents_due_on, audit.reminder_due_on, audit.period_to) \
        == (date(2026, 2, 16), date(2026, 3, 16), date(2026, 3, 30), date(2026, 2, 16))
    assert db.session.scalar(select(DirectPaymentAudit.instance_id).where(
        DirectPaymentAudit.id == audit.id)) is not None
    assert monitoring.open_audit_of(agreement_of("200101")) is None
    assert count(AuditEvent, action="imported_direct_payment") == 4


def test_a_second_import_changes_nothing_and_new_terms_update(fa):
    post(fa, "direct_payments", sample("direct_payments"))
    instances, audits = count(ProcessInstance), count(DirectPaymentAudit)
    events = count(AuditEvent)
    again = post(fa, "direct_payments", sample("direct_payments"))
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert (count(ProcessInstance), count(DirectPaymentAudit)) == (instances, audits)
    assert count(AuditEvent) == events + 1  # import_completed only

    changed = sample("direct_payments").replace("200101,standard,350.00,weekly,0.00,net,card,"
                                                "CARD-40001,", "200101,standard,380.00,weekly,"
                                                "0.00,net,card,CARD-40009,")
    result = post(fa, "direct_payments", changed)
    assert (result["added"], result["updated"], result["unchanged"]) == (0, 1, 3)
    dp = agreement_of("200101")
    assert (dp.amount, dp.card_id) == (Decimal("380.00"), "CARD-40009")
    assert count(ProcessInstance) == instances  # new terms move no timer
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "imported_direct_payment").order_by(AuditEvent.id)).all()[-1]
    assert event.summary["fields"] == ["amount", "card_id"]


def test_an_older_review_in_a_later_file_is_left_alone_a_newer_is_refused(fa):
    post(fa, "direct_payments", HEADER + "200101,standard,350,weekly,bank,,2026-01-13,"
                                         "2026-02-02,,\n")
    older = post(fa, "direct_payments", HEADER + "200101,standard,350,weekly,bank,,2026-01-13,"
                                                 "2026-01-20,,\n")
    assert older["unchanged"] == 1
    response = fa.post("/imports/direct_payments", data=HEADER + (
        "200101,standard,350,weekly,bank,,2026-01-13,2026-02-20,,\n"),
        headers={"Content-Type": "text/csv"})
    assert error_of(response, 422, "validation_failed")["details"] == [{
        "line": 2, "column": "last_review_date",
        "message": "the review on 20 February 2026 is newer than the last review held "
                   "(2 February 2026); record it on the case"}]
    assert agreement_of("200101").last_review_date == date(2026, 2, 2)


def test_an_audit_in_a_later_file_opens_once(fa):
    post(fa, "direct_payments", HEADER + "200101,standard,350,weekly,bank,,2026-01-13,,,\n")
    row = HEADER + "200101,standard,350,weekly,bank,,2026-01-13,,2026-02-10,Bank statements\n"
    assert post(fa, "direct_payments", row)["updated"] == 1
    assert post(fa, "direct_payments", row)["unchanged"] == 1
    assert count(DirectPaymentAudit) == 1
    other = HEADER + "200101,standard,350,weekly,bank,,2026-01-13,,2026-02-20,Receipts\n"
    response = fa.post("/imports/direct_payments", data=other,
                       headers={"Content-Type": "text/csv"})
    audit = monitoring.open_audit_of(agreement_of("200101"))
    assert error_of(response, 422, "validation_failed")["details"][0]["message"] == (
        f"audit {audit.reference} is already open on this direct payment; finish it on the case")
    assert count(DirectPaymentAudit) == 1


BAD_ROWS = [
    ("P404,standard,350,weekly,bank,,2026-01-13,,,",
     [("person_reference", "no person with reference 'P404'; import people first")]),
    ("200104,standard,350,weekly,bank,,2026-01-13,,,",
     [("person_reference", "this person has died; a direct payment cannot start monitoring "
                           "after a death")]),
    ("200101,standard,350,weekly,card,,2026-01-13,,,",
     [("card_id", "required when account_type is card")]),
    ("200101,standard,350,weekly,bank,C-1,2026-01-13,,,",
     [("card_id", "must be empty when account_type is bank")]),
    ("200101,standard,350,weekly,bank,,2026-01-13,2026-01-12,,",
     [("last_review_date", "is before first_payment_date")]),
    ("200101,standard,350,weekly,bank,,2026-01-13,2026-03-03,,",
     [("last_review_date", "must be today or in the past (it is 3 March 2026)")]),
    ("200101,standard,350,weekly,bank,,2026-01-13,,2026-03-05,Receipts",
     [("audit_requested_on", "must be today or in the past (it is 5 March 2026)")]),
    ("200101,standard,350,weekly,bank,,2026-01-13,,,Receipts",
     [("audit_requested_on", "required when audit_reason is given")]),
    ("200101,standard,350,weekly,bank,,2026-01-13,,2026-02-01,",
     [("audit_reason", "required when audit_requested_on is given")]),
    ("200101,standard,0,fortnightly,bank,,,,,",
     [("amount", "must be more than zero"),
      ("frequency", "'fortnightly' is not one of: weekly, four_weekly, monthly"),
      ("first_payment_date", "required")]),
]


@pytest.mark.parametrize(("row", "expected"), BAD_ROWS)
def test_a_bad_row_imports_nothing(fa, row, expected):
    text = HEADER + "200102,standard,350,weekly,bank,,2026-01-13,,,\n" + row + "\n"
    response = fa.post("/imports/direct_payments", data=text,
                       headers={"Content-Type": "text/csv"})
    error = error_of(response, 422, "validation_failed")
    assert [(d["line"], d["column"], d["message"]) for d in error["details"]] == [
        (3, column, message) for column, message in expected]
    assert (count(DirectPaymentAgreement), count(ProcessInstance)) == (0, 0)


def test_rows_against_each_other_and_the_database(fa):
    post(fa, "direct_payments", HEADER + "200101,standard,350,weekly,card,C-1,2026-01-13,,,\n")
    response = fa.post("/imports/direct_payments", data=HEADER + (
        "200101,standard,350,weekly,card,C-1,2025-01-13,,,\n"  # a second at once
        "200102,standard,350,weekly,card,C-1,2026-01-13,,,\n"  # another person's card
        "200105,standard,350,weekly,card,C-5,2026-01-13,,,\n"
        "200105,standard,360,weekly,card,C-5,2026-01-13,,,\n"),
        headers={"Content-Type": "text/csv"})
    error = error_of(response, 422, "validation_failed")
    assert [(d["line"], d["column"], d["message"]) for d in error["details"]] == [
        (2, "first_payment_date", "this person already has a direct payment, first paid on 13 "
                                  "January 2026; a person has one direct payment at a time"),
        (3, "card_id", "card C-1 belongs to another person's direct payment"),
        (5, "amount", "differs from line 4, which has the same person_reference")]
    assert count(DirectPaymentAgreement) == 1


def test_caseworkers_may_not_import_direct_payments(fa, as_user):
    response = as_user("cw").post("/imports/direct_payments", data=sample("direct_payments"),
                                  headers={"Content-Type": "text/csv"})
    assert response.status_code == 403
    assert count(DirectPaymentAgreement) == 0


def test_the_cli_imports_direct_payments(fa, app):
    from .test_imports import SAMPLES

    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "direct_payments",
                                 str(SAMPLES / "direct_payments.csv"), "--user", "fa"])
    assert result.exit_code == 0, result.output
    assert result.output == ("direct_payments: 4 rows, 4 added, 0 updated, 0 unchanged, "
                             "0 in suspense\n")
    again = runner.invoke(args=["import", "direct_payments", str(SAMPLES / "direct_payments.csv")])
    assert again.output.startswith("direct_payments: 4 rows, 0 added, 0 updated, 4 unchanged")
    assert count(DirectPaymentAgreement, status="active") == 4


def test_the_samples_together_give_scenario_10_at_the_september_check(fa, as_user):
    post(fa, "direct_payments", sample("direct_payments"))
    # The card provider's files are dated up to 1 September: imported on that day, before the
    # scheduler's first pass of the day.
    admin = as_user("admin")
    set_clock(admin, "2026-09-01T07:00:00+00:00")
    post(fa, "card_balances", sample("card_balances"))
    post(fa, "card_transactions", sample("card_transactions"))
    scenario = agreement_of("200101")
    found = card_sweep.sweep(scenario, date(2026, 9, 1), since=date(2026, 8, 1))
    assert (found.balance, found.contingency, found.surplus) == (
        Decimal("4150.00"), Decimal("2800.00"), Decimal("1350.00"))
    assert found.findings == ["The balance of £4,150.00 on 1 September 2026 is £1,350.00 more "
                              "than the contingency of £2,800.00 (8 weeks) and money already "
                              "owed"]
    cash = card_sweep.sweep(agreement_of("200106"), date(2026, 9, 1), since=date(2026, 8, 1))
    assert "Cash withdrawal: £60.00 on 22 August 2026 (ATM Andover High St)" in cash.findings
    assert cash.surplus == Decimal("0.00")  # £905.60 - £120.00 is within 6 weeks of £210.00

    # The monitoring's own check, run by the scheduler, opens the audit with that surplus.
    sweep_at(admin, "2026-09-01T08:00:00+00:00")
    audit = monitoring.open_audit_of(agreement_of("200101"))
    assert (audit.reason, audit.balance, audit.surplus) == (
        "sweep", Decimal("4150.00"), Decimal("1350.00"))
    assert any(f.startswith("Cash withdrawal: £60.00") for f in
               monitoring.open_audit_of(agreement_of("200106")).findings)
