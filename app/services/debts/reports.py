"""Debt reports. First: invoices nearing or past their limitation date (s69(3))."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from app import clock
from app.domain.limitation import LIMITATION_YEARS, limitation_expiry
from app.extensions import db
from app.models import Account, Invoice, InvoiceStatus, Person, User

UNPAID = (InvoiceStatus.OPEN, InvoiceStatus.PART_PAID)


@dataclass(frozen=True)
class LimitationRow:
    invoice_number: str
    account_number: str
    person_reference: str
    due_date: date
    outstanding: Decimal
    limitation_expiry: date


def limitation_report(user: User, *, within_months: int | None, on: date | None = None
                      ) -> list[LimitationRow]:
    """Unpaid invoices whose limitation date falls within `within_months` from `on` (today by
    default), soonest first; with `within_months=None`, those already statute-barred.

    The window is turned into a due-date range so the due-date index does the work.
    """
    today = on or clock.today()
    horizon = None if within_months is None else today + relativedelta(months=within_months)
    # A due-date range for the index, one day wider at each end: a 29 February due date expires
    # on 28 February, which no plain subtraction of years finds. The exact rule is applied below.
    barred_from = today - relativedelta(years=LIMITATION_YEARS)
    stmt = (select(Invoice, Account.number, Person.reference)
            .join(Account, Account.id == Invoice.account_id)
            .join(Person, Person.id == Account.person_id)
            .where(Invoice.status.in_(UNPAID)))
    if horizon is None:
        stmt = stmt.where(Invoice.due_date <= barred_from + timedelta(days=1))
    else:
        until = horizon - relativedelta(years=LIMITATION_YEARS)
        stmt = stmt.where(Invoice.due_date >= barred_from - timedelta(days=1),
                          Invoice.due_date <= until + timedelta(days=1))
    if not user.sees_all_teams:
        stmt = stmt.where(Person.team_id == user.team_id)
    rows = db.session.execute(stmt.order_by(Invoice.due_date, Invoice.number))
    return [LimitationRow(invoice.number, account, reference, invoice.due_date,
                          invoice.outstanding, limitation_expiry(invoice.due_date))
            for invoice, account, reference in rows
            if invoice.outstanding > 0
            and _in_window(limitation_expiry(invoice.due_date), today, horizon)]


def _in_window(expiry: date, today: date, horizon: date | None) -> bool:
    if horizon is None:
        return expiry <= today  # statute-barred (DOMAIN.md A.3 guard 6: "on or after")
    return today < expiry <= horizon
