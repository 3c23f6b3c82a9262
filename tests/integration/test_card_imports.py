"""The prepaid-card imports (issue 21): statement lines and balances matched to the direct payment
by card id, all or nothing, idempotent; the sample gives scenario 10's surplus."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import direct_payments as rules
from app.extensions import db
from app.models import AuditEvent, CardBalance, CardTransaction, DirectPaymentAgreement, Person
from tests.conftest import add_user, set_clock

from .api_helpers import count, error_of, fresh
from .test_imports import post, sample

TX_HEADER = "provider_reference,card_id,posted_on,kind,amount,payee,category\n"
BALANCE_HEADER = "card_id,as_of,balance,commitments\n"


def held_agreement(reference: str, card: str, status: str = "active",
                   **terms) -> DirectPaymentAgreement:
    """A direct payment on a card, as the direct-payments import or the agreement leaves it."""
    person = db.session.scalar(select(Person).where(Person.reference == reference))
    dp = DirectPaymentAgreement(person_id=person.id, variant="standard",
                                amount=terms.pop("amount", Decimal("350.00")), frequency="weekly",
                                account_type="card", card_id=card, status=status,
                                first_payment_date=date(2026, 1, 13), **terms)
    db.session.add(dp)
    db.session.commit()
    return dp


@pytest.fixture
def fa(as_user):
    add_user("sam", "caseworker", team="Finance North")
    api = as_user("fa")
    post(api, "people", sample("people"))
    held_agreement("200101", "CARD-40001")
    held_agreement("200106", "CARD-40002", amount=Decimal("210.00"), contingency_weeks=6,
                   client_contribution=Decimal("32.40"))
    set_clock(datetime.fromisoformat("2026-09-02T09:00:00+00:00"))
    return api


def test_the_samples_load_once_and_give_scenario_10s_surplus(fa):
    balances = post(fa, "card_balances", sample("card_balances"))
    lines = post(fa, "card_transactions", sample("card_transactions"))
    assert (balances["rows"], balances["added"], balances["unchanged"]) == (3, 3, 0)
    assert (lines["rows"], lines["added"], lines["unchanged"]) == (13, 13, 0)
    fresh()
    dp = db.session.scalar(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.card_id == "CARD-40001"))
    latest = db.session.scalar(select(CardBalance).where(CardBalance.agreement_id == dp.id)
                               .order_by(CardBalance.as_of.desc()))
    assert (latest.as_of, latest.balance, latest.commitments) == (
        date(2026, 9, 1), Decimal("4150.00"), Decimal("0.00"))
    weekly = rules.weekly_amount(dp.amount, dp.frequency)
    assert rules.contingency(weekly, 8) == Decimal("2800.00")
    assert rules.surplus(latest.balance, latest.commitments, weekly, 8) == Decimal("1350.00")
    # The statement adds up to the balance the provider sent.
    moved = sum(t.amount for t in db.session.scalars(select(CardTransaction).where(
        CardTransaction.agreement_id == dp.id)))
    assert Decimal("3820.00") + moved == Decimal("4150.00")
    cash = db.session.scalar(select(CardTransaction).where(
        CardTransaction.provider_reference == "TX-880204"))
    assert (cash.kind, cash.amount, cash.category) == ("cash", Decimal("-60.00"),
                                                       "cash withdrawal")
    events = count(AuditEvent, action="imported_card_transaction")

    again = [post(fa, kind, sample(kind)) for kind in ("card_balances", "card_transactions")]
    assert [(r["added"], r["updated"], r["unchanged"]) for r in again] == [(0, 0, 3), (0, 0, 13)]
    assert (count(CardBalance), count(CardTransaction)) == (3, 13)
    assert count(AuditEvent, action="imported_card_transaction") == events


def test_a_corrected_line_or_balance_is_updated(fa):
    post(fa, "card_transactions", TX_HEADER + "T1,CARD-40001,2026-08-04,spend,-12.00,Shop,\n")
    post(fa, "card_balances", BALANCE_HEADER + "CARD-40001,2026-09-01,4150.00,\n")
    lines = post(fa, "card_transactions", TX_HEADER + (
        "T1,CARD-40001,2026-08-04,spend,-21.00,Shop,groceries\n"
        "T1,CARD-40001,2026-08-04,spend,-21.00,Shop,groceries\n"))
    balances = post(fa, "card_balances", BALANCE_HEADER + "CARD-40001,01/09/2026,4150.00,150.00\n")
    assert (lines["updated"], lines["unchanged"], balances["updated"]) == (1, 1, 1)
    fresh()
    line = db.session.scalar(select(CardTransaction))
    assert (line.amount, line.category) == (Decimal("-21.00"), "groceries")
    assert db.session.scalar(select(CardBalance.commitments)) == Decimal("150.00")
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "imported_card_transaction").order_by(AuditEvent.id)).all()[-1]
    assert event.summary["fields"] == ["amount", "category"]


def test_an_ended_card_still_takes_its_final_lines(fa):
    ended = held_agreement("200102", "CARD-50000", status="ended")
    post(fa, "card_transactions", TX_HEADER + "F1,CARD-50000,2026-08-30,spend,-40.00,PA,\n")
    fresh()
    assert db.session.scalar(select(CardTransaction.agreement_id)) == ended.id


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("card_transactions", TX_HEADER + "T1,CARD-99999,2026-08-04,spend,-12.00,Shop,\n",
     [(2, "card_id", "no direct payment with card 'CARD-99999'; import direct payments first")]),
    ("card_transactions", TX_HEADER + (
        "T1,CARD-40001,2026-08-04,spend,12.00,Shop,\n"
        "T2,CARD-40001,2026-08-04,load,-350.00,Council,\n"
        "T3,CARD-40001,2026-08-04,refund,0,Shop,\n"
        "T4,CARD-40001,2026-09-03,spend,-1.00,Shop,\n"
        "T5,CARD-40001,2026-08-04,gift,-1.00,Shop,\n"
        "T6,CARD-40001,2026-08-04,spend,--1.00,Shop,\n"
        "T7,CARD-40001,2026-08-04,spend,-1.00,Shop,\n"
        "T7,CARD-40001,2026-08-04,spend,-2.00,Shop,\n"),
     [(2, "amount", "must be negative for a spend (money off the card), e.g. -12.00"),
      (3, "amount", "must be positive for a load (money onto the card)"),
      (4, "amount", "must not be zero"),
      (5, "posted_on", "must be today or in the past (it is 3 September 2026)"),
      (6, "kind", "'gift' is not one of: load, contribution, refund, spend, cash"),
      (7, "amount", "'--1.00' is not an amount; write 85.00 for money in and -85.00 for money "
                    "out"),
      (9, "amount", "differs from line 8, which has the same card_id + provider_reference")]),
    ("card_balances", BALANCE_HEADER + (
        "CARD-40001,2026-09-01,-5.00,\n"
        "CARD-40001,,5.00,\n"
        "CARD-77777,2026-09-01,5.00,\n"),
     [(2, "balance", "'-5.00' is not an amount; write 1234.56, 1,234.56 or £1,234.56"),
      (3, "as_of", "required"),
      (4, "card_id", "no direct payment with card 'CARD-77777'; import direct payments first")]),
    ("card_balances", "card_id,balance\nCARD-40001,5.00\n",
     [(1, "as_of", "the required column 'as_of' is missing from the header")]),
])
def test_a_bad_row_imports_nothing(fa, kind, text, expected):
    response = fa.post(f"/imports/{kind}", data=text, headers={"Content-Type": "text/csv"})
    error = error_of(response, 422, "validation_failed")
    assert [(d["line"], d["column"], d["message"]) for d in error["details"]] == expected
    assert (count(CardTransaction), count(CardBalance)) == (0, 0)


def test_a_card_on_two_running_direct_payments_is_refused(fa):
    held_agreement("200102", "CARD-40001")
    response = fa.post("/imports/card_balances", data=BALANCE_HEADER + (
        "CARD-40001,2026-09-01,5.00,\n"), headers={"Content-Type": "text/csv"})
    assert error_of(response, 422, "validation_failed")["details"][0]["message"] == (
        "card 'CARD-40001' is on more than one running direct payment; correct the cards on "
        "the direct payments first")


def test_caseworkers_may_not_import_card_data(fa, as_user):
    response = as_user("cw").post("/imports/card_balances", data=sample("card_balances"),
                                  headers={"Content-Type": "text/csv"})
    assert response.status_code == 403
    assert count(CardBalance) == 0
