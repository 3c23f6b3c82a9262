"""Direct-payment money not repaid by its date becomes an invoice on the person's account
(DOMAIN.md A.2 step 5: "if unpaid, raise an invoice and pass to the debt ladder"). From then it is
an invoice like any other: the daily job opens or joins the debt when it falls overdue, and the
ladder runs over it.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app import calendar, clock
from app.extensions import db
from app.models import (
    Account,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
)
from app.services import audit, settings

NUMBER_PREFIX = "DP-"


def raise_invoice(agreement: DirectPaymentAgreement, dp_audit: DirectPaymentAudit,
                  amount: Decimal) -> Invoice:
    """An invoice for `amount` dated today, due by the council's usual terms, inside the
    caller's transaction."""
    today = clock.today()
    account = _account_of(agreement)
    outcome = "surplus" if dp_audit.outcome == "surplus" else "repayment required"
    invoice = Invoice(number=f"{NUMBER_PREFIX}{dp_audit.reference}", account_id=account.id,
                      invoice_date=today, period_start=dp_audit.period_from,
                      period_end=dp_audit.period_to,
                      due_date=calendar.add_calendar_days(
                          today, settings.integer("debt_invoice_due_days")),
                      total=amount, paid=Decimal("0.00"), credited=Decimal("0.00"),
                      status=InvoiceStatus.OPEN)
    invoice.lines = [InvoiceLine(
        position=1, description=f"Direct payment {outcome} not repaid (audit "
                                f"{dp_audit.reference})",
        quantity=Decimal("1"), unit_amount=amount, amount=amount)]
    db.session.add(invoice)
    db.session.flush()
    audit.record("dp_invoice_raised", actor=None, person_id=agreement.person_id,
                 summary={"invoice": invoice.number, "audit": dp_audit.reference,
                          "total": str(amount)})
    return invoice


def _account_of(agreement: DirectPaymentAgreement) -> Account:
    account = db.session.scalar(select(Account).where(Account.person_id == agreement.person_id)
                                .order_by(Account.id).limit(1))
    if account is None:
        account = Account(number=f"{NUMBER_PREFIX}{agreement.person.reference}",
                          person_id=agreement.person_id)
        db.session.add(account)
        db.session.flush()
    return account
