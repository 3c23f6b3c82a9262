"""The payments-made import (issue 21): the payments the finance system made to direct payments,
matched by card or by person, all or nothing, idempotent, audited; only finance staff import.

The samples' direct payments are imported at the suite's clock (2 March 2026); the payments are
imported on 2 September 2026, after the last of them.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import (
    AuditEvent,
    DirectPaymentAgreement,
    DirectPaymentPayment,
    Person,
    User,
)
from app.services.imports import import_files
from tests.conftest import add_user, set_clock

from .api_helpers import count, error_of, fresh
from .test_imports import post, sample

KIND = "direct_payment_payments"
HEADER = "person_reference,card_id,paid_on,amount,reference\n"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def fa(as_user):
    add_user("sam", "caseworker", team="Finance North")  # the samples' caseworker
    api = as_user("fa")
    post(api, "people", sample("people"))
    post(api, "direct_payments", sample("direct_payments"))
    set_clock(datetime.fromisoformat("2026-09-02T09:00:00+00:00"))
    return api


def agreement_of(reference: str) -> DirectPaymentAgreement:
    fresh()
    return db.session.scalar(select(DirectPaymentAgreement).join(Person).where(
        Person.reference == reference).order_by(DirectPaymentAgreement.id.desc()))


def paid(reference: str) -> list[tuple[date, Decimal, str]]:
    """The payments held for the person's latest direct payment, in date order."""
    agreement = agreement_of(reference)
    return [(p.paid_on, p.amount, p.reference) for p in db.session.scalars(
        select(DirectPaymentPayment).where(DirectPaymentPayment.agreement_id == agreement.id)
        .order_by(DirectPaymentPayment.paid_on))]


def events() -> list[AuditEvent]:
    fresh()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "imported_dp_payment").order_by(AuditEvent.id)))


def test_the_sample_loads_once_by_card_and_by_person(fa):
    result = post(fa, KIND, sample(KIND))
    assert (result["kind"], result["rows"], result["added"], result["updated"],
            result["unchanged"]) == (KIND, 9, 9, 0, 0)
    assert paid("200101") == [(date(2026, 8, day), Decimal("350.00"), f"DPP-2608{day:02}-0101")
                              for day in (4, 11, 18, 25)]
    assert paid("200102") == [(date(2026, 7, 27), Decimal("1300.00"), "DPP-260727-0102"),
                              (date(2026, 8, 24), Decimal("1300.00"), "DPP-260824-0102")]
    assert [p[:2] for p in paid("200105")] == [(date(2026, 7, 1), Decimal("520.00")),
                                               (date(2026, 8, 1), Decimal("520.00"))]
    assert paid("200106") == [(date(2026, 8, 4), Decimal("210.00"), "DPP-260804-0106")]
    assert all(isinstance(amount, Decimal) for _, amount, _ in paid("200102"))
    audited = events()
    assert len(audited) == 9
    scenario = agreement_of("200101")
    first = audited[0]
    assert (first.person_id, first.summary["kind"], first.summary["change"],
            first.summary["agreement_id"]) == (scenario.person_id, KIND, "added", scenario.id)
    assert "amount" not in first.summary and "350.00" not in str(first.summary)
    completed = count(AuditEvent, action="import_completed")

    again = post(fa, KIND, sample(KIND))
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 9)
    assert count(DirectPaymentPayment) == 9
    assert len(events()) == 9  # a repeat writes only its import_completed
    assert count(AuditEvent, action="import_completed") == completed + 1


def test_a_corrected_amount_is_updated_and_the_same_payment_twice_is_one(fa):
    post(fa, KIND, HEADER + ",CARD-40001,2026-08-04,350.00,P1\n")
    result = post(fa, KIND, HEADER + (
        ",CARD-40001,04/08/2026,\"£3,500.00\",P1\n"
        "200101,,2026-08-04,3500.00,P1\n"  # the same payment, named by the person
        "200101,CARD-40001,2026-08-04,3500.00,P1\n"
        ",CARD-40001,2026-08-04,3500.00,P1\n"))  # an exact repeat
    assert (result["rows"], result["added"], result["updated"], result["unchanged"]) == (
        4, 0, 1, 3)
    assert paid("200101") == [(date(2026, 8, 4), Decimal("3500.00"), "P1")]
    assert events()[-1].summary["fields"] == ["amount"]


def test_a_person_is_matched_to_the_direct_payment_paid_on_the_day(fa):
    """A late payment of an ended direct payment goes on it, not on the person's new one."""
    old = agreement_of("200101")
    old.status, old.card_id, old.ended_on = "ended", None, date(2026, 8, 28)
    new = DirectPaymentAgreement(person_id=old.person_id, variant="standard",
                                 amount=Decimal("400.00"), frequency="weekly",
                                 account_type="bank", status="active",
                                 first_payment_date=date(2026, 9, 1))
    db.session.add(new)
    db.session.commit()
    new_id, old_id = new.id, old.id
    post(fa, KIND, HEADER + "200101,,2026-08-28,350.00,LATE\n200101,,2026-09-01,400.00,NEW\n")
    fresh()
    held = {p.reference: p.agreement_id for p in db.session.scalars(
        select(DirectPaymentPayment))}
    assert held == {"LATE": old_id, "NEW": new_id}


@pytest.mark.parametrize(("text", "expected"), [
    (HEADER + ",CARD-99999,2026-08-04,350.00,P1\n",
     [(2, "card_id", "no direct payment with card 'CARD-99999'; import direct payments first")]),
    (HEADER + "999999,,2026-08-04,350.00,P1\n",
     [(2, "person_reference", "no person with reference '999999'; import people first")]),
    (HEADER + "200103,,2026-08-04,350.00,P1\n",
     [(2, "person_reference", "person '200103' has no direct payment being paid; import "
                              "direct payments first")]),
    (HEADER + ",CARD-40001,2026-01-12,350.00,P1\n200102,,2025-06-01,1300.00,P2\n",
     [(2, "paid_on", "12 January 2026 is before the direct payment's first payment on "
                     "13 January 2026"),
      (3, "paid_on", "1 June 2025 is before the direct payment's first payment on 2 June 2025")]),
    (HEADER + ",CARD-40001,2026-08-04,-350.00,P1\n,CARD-40001,2026-08-11,0.00,P2\n",
     [(2, "amount", "'-350.00' is a negative amount; a payment made is more than zero (money "
                    "paid back is not a payment made)"),
      (3, "amount", "must be more than zero")]),
    (HEADER + ",CARD-40001,2026-09-03,350.00,P1\n,,2026-08-04,350.00,P2\n"
              ",CARD-40001,2026-08-04,350.00,\n,CARD-40001,2026-08-04,350.00,P 4\n",
     [(2, "paid_on", "must be today or in the past (it is 3 September 2026)"),
      (3, "person_reference", "required when card_id is empty: give the person or the card "
                              "the payment was made to"),
      (4, "reference", "required"),
      (5, "reference", "'P 4' has characters a reference cannot have")]),
    (HEADER + "200102,CARD-40001,2026-08-04,350.00,P1\n",
     [(2, "card_id", "card 'CARD-40001' pays another person's direct payment, not the direct "
                     "payment of person '200102'")]),
    (HEADER + ",CARD-40001,2026-08-04,350.00,P1\n200101,,2026-08-04,35.00,P1\n",
     [(3, "amount", "differs from line 2, which is the same payment (the same direct payment, "
                    "paid_on and reference)")]),
    ("card_id,paid_on,amount\nCARD-40001,2026-08-04,350.00\n",
     [(1, "reference", "the required column 'reference' is missing from the header")]),
])
def test_a_bad_row_imports_nothing(fa, text, expected):
    good = ",CARD-40002,2026-08-04,210.00,GOOD\n"  # a good row is not imported either
    body = text + good if text.startswith(HEADER) else text
    response = fa.post(f"/imports/{KIND}", data=body, headers=CSV)
    error = error_of(response, 422, "validation_failed")
    assert [(d["line"], d["column"], d["message"]) for d in error["details"]] == expected
    assert count(DirectPaymentPayment) == 0
    assert events() == []


def test_the_service_imports_and_refuses_as_the_api_does(fa):
    fresh()
    actor = db.session.scalar(select(User).where(User.username == "fo"))
    text = HEADER + "200105,,2026-08-01,520.00,S1\n"
    first = import_files.import_file(KIND, text, actor)
    db.session.commit()
    assert (first.added, first.unchanged) == (1, 0)
    again = import_files.import_file(KIND, text, actor)
    db.session.commit()
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    assert events()[-1].actor_id == actor.id
    with pytest.raises(ValidationFailed) as refused:
        import_files.import_file(KIND, HEADER + "200105,,2024-03-31,520.00,S2\n", actor)
    db.session.rollback()
    assert refused.value.details == [{
        "line": 2, "column": "paid_on",
        "message": "31 March 2024 is before the direct payment's first payment on 1 April 2024"}]
    assert count(DirectPaymentPayment) == 1


def test_caseworkers_may_not_import_payments_made(fa, as_user):
    response = as_user("cw").post(f"/imports/{KIND}", data=sample(KIND), headers=CSV)
    assert response.status_code == 403
    assert count(DirectPaymentPayment) == 0
