"""Rules the database itself keeps, on SQLite and PostgreSQL alike."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Account, DebtCase, Payment
from app.services.records import people


@pytest.fixture
def account(staff):
    person = people.create_person({
        "reference": "C1", "name": "Cora Example", "team": "North", "caseworker": None,
        "address": {"lines": ["1 Lane"], "postcode": "EX1 1AA"}, "representative": None}, None)
    row = Account(number="AC1", person_id=person.id)
    db.session.add(row)
    db.session.commit()
    return row


def test_one_open_debt_case_per_account(account):
    db.session.add(DebtCase(account_id=account.id, opened_on=date(2026, 4, 1)))
    db.session.commit()
    db.session.add(DebtCase(account_id=account.id, opened_on=date(2026, 5, 1)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_closed_debt_cases_do_not_count(account):
    db.session.add(DebtCase(account_id=account.id, opened_on=date(2025, 1, 6), status="closed",
                            closed_on=date(2025, 6, 2)))
    db.session.add(DebtCase(account_id=account.id, opened_on=date(2026, 4, 1)))
    db.session.commit()
    assert db.session.query(DebtCase).filter_by(account_id=account.id).count() == 2


def test_money_comes_back_as_exact_decimal(account):
    payment = Payment(bank_reference="REF", paid_on=date(2026, 4, 1), amount=Decimal("0.10"),
                      account_number="AC1", account_id=account.id,
                      imported_at=datetime(2026, 4, 1, tzinfo=timezone.utc))
    db.session.add(payment)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Payment, payment.id).amount
    assert isinstance(stored, Decimal) and stored * 3 == Decimal("0.30")
