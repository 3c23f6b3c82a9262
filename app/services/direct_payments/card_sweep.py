"""The monthly card check (DOMAIN.md A.2 step 3): the latest balance the card provider sent against
the contingency, the contributions paid in, and spending on the blocked list. Any hit starts an
audit (monitoring_steps.run_check); this module only finds them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.domain import direct_payments as rules
from app.extensions import db
from app.models import CardBalance, CardTransaction, CardTransactionKind, DirectPaymentAgreement
from app.services import settings


@dataclass(frozen=True)
class SweepResult:
    as_of: date
    balance: Decimal
    commitments: Decimal
    contingency: Decimal
    surplus: Decimal
    findings: list[str] = field(default_factory=list)


def contingency_weeks(agreement: DirectPaymentAgreement) -> int:
    return agreement.contingency_weeks or settings.integer("dp_contingency_weeks")


def weekly(agreement: DirectPaymentAgreement) -> Decimal:
    return rules.weekly_amount(Decimal(agreement.amount), agreement.frequency)


def latest_balance(agreement: DirectPaymentAgreement, on: date | None = None
                   ) -> CardBalance | None:
    query = select(CardBalance).where(CardBalance.agreement_id == agreement.id)
    if on is not None:
        query = query.where(CardBalance.as_of <= on)
    return db.session.scalar(query.order_by(CardBalance.as_of.desc()).limit(1))


def sweep(agreement: DirectPaymentAgreement, on: date, since: date | None = None
          ) -> SweepResult | None:
    """What the check finds on `on`, over the card's transactions after `since` (the last check,
    or the first payment); None when the card provider has sent no balance yet."""
    balance = latest_balance(agreement, on)
    if balance is None:
        return None
    per_week, weeks = weekly(agreement), contingency_weeks(agreement)
    held = rules.contingency(per_week, weeks)
    surplus = rules.surplus(balance.balance, balance.commitments, per_week, weeks)
    findings: list[str] = []
    if surplus > 0:
        findings.append(f"The balance of {_money(balance.balance)} on {_day(balance.as_of)} is "
                        f"{_money(surplus)} more than the contingency of {_money(held)} "
                        f"({weeks} weeks) and money already owed")
    start = since or agreement.first_payment_date or on
    rows = list(db.session.scalars(select(CardTransaction).where(
        CardTransaction.agreement_id == agreement.id, CardTransaction.posted_on > start,
        CardTransaction.posted_on <= on).order_by(CardTransaction.posted_on)))
    blocked = {c.strip().lower() for c in settings.get("dp_blocked_categories")}
    for row in rows:
        if row.kind == CardTransactionKind.CASH or row.category.strip().lower() in blocked:
            what = "Cash withdrawal" if row.kind == CardTransactionKind.CASH else \
                f"Spending on {row.category}"
            findings.append(f"{what}: {_money(-row.amount)} on {_day(row.posted_on)}"
                            + (f" ({row.payee})" if row.payee else ""))
    # Without a single transaction in the period the provider sent no statement: nothing can be
    # said about contributions.
    expected = _expected_contributions(agreement, start, on) if rows else Decimal("0.00")
    paid = sum((r.amount for r in rows if r.kind == CardTransactionKind.CONTRIBUTION),
               Decimal("0.00"))
    if expected > 0 and paid < expected:
        findings.append(f"Contributions paid in since {_day(start)} were {_money(paid)}, "
                        f"{_money(expected - paid)} less than the {_money(expected)} due")
    return SweepResult(balance.as_of, balance.balance, balance.commitments, held, surplus,
                       findings)


def _expected_contributions(agreement: DirectPaymentAgreement, start: date, on: date) -> Decimal:
    # A net payment leaves the person to pay their contribution in: one a week for whole weeks.
    contribution = Decimal(agreement.client_contribution or 0)
    if agreement.gross_or_net != "net" or contribution <= 0:
        return Decimal("0.00")
    weekly_contribution = rules.weekly_amount(contribution, agreement.frequency)
    return (weekly_contribution * ((on - start).days // 7)).quantize(rules.PENNY)


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"
