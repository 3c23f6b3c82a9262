"""A direct payment being paid and monitored, for the direct-payment page and API tests: Alice
Example (P100234, team North), £350.00 a week net with an £85.00 contribution on a prepaid card,
first paid Tue 13 Jan 2026 (DOMAIN.md scenario 10), and the rows the pages show."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import (
    CardBalance,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    DirectPaymentReview,
    User,
)
from app.services.direct_payments import monitoring
from tests.dp_helpers import dp_person

REFERENCE = "P100234"
FIRST_PAID = date(2026, 1, 13)


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def monitored(reference: str = REFERENCE, team: str = "North") -> DirectPaymentAgreement:
    """The person with their direct payment active and its monitoring running; committed."""
    person = dp_person(reference, team=team)
    db.session.commit()
    agreement = db.session.scalar(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.person_id == person.id))
    monitoring.start_monitoring(agreement, FIRST_PAID, user("fa"))
    db.session.commit()
    return agreement


def add_balance(agreement: DirectPaymentAgreement, on: date, balance: str) -> None:
    db.session.add(CardBalance(agreement_id=agreement.id, as_of=on, balance=Decimal(balance),
                               commitments=Decimal("0.00"), imported_at=clock.now()))
    db.session.commit()


def add_closed_audit(agreement: DirectPaymentAgreement, reference: str = "AUD-900001", *,
                     opened: date = date(2026, 2, 2), surplus: str | None = "1350.00",
                     recovered: str = "1350.00") -> DirectPaymentAudit:
    audit = DirectPaymentAudit(
        reference=reference, agreement_id=agreement.id, reason="sweep", status="closed",
        period_from=FIRST_PAID, period_to=opened, opened_on=opened, requested_on=opened,
        documents_due_on=date(2026, 3, 2), findings=["Balance £4,150.00 is over the contingency"],
        balance=Decimal("4150.00"), contingency=Decimal("2800.00"),
        surplus=Decimal(surplus) if surplus else None, outcome="surplus",
        recovered=Decimal(recovered), closed_on=date(2026, 2, 27), created_at=clock.now())
    db.session.add(audit)
    db.session.commit()
    return audit


def counts() -> tuple[int, int, str]:
    """Audits, reviews, and the first direct payment's status, read afresh."""
    db.session.expire_all()
    audits = db.session.scalar(select(func.count()).select_from(DirectPaymentAudit)) or 0
    reviews = db.session.scalar(select(func.count()).select_from(DirectPaymentReview)) or 0
    status = db.session.scalar(select(DirectPaymentAgreement.status).order_by(
        DirectPaymentAgreement.id).limit(1))
    return audits, reviews, status
