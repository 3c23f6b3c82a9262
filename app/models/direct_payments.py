"""A direct payment after its agreement (DOMAIN.md A.2): the reviews the law requires, the audits,
the council's decisions on misuse, the card data the sweep reads, the payments made, and the
instructions for whoever pays (this service does not pay).

The agreement's terms stay on DirectPaymentAgreement (people.py); these records hang off it.
Statuses are enums with their allowed moves, as elsewhere (can_move).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

from .finance import Money
from .people import DirectPaymentAgreement
from .types import UtcDateTime
from .users import User


class DirectPaymentStatus(StrEnum):
    PROPOSED = "proposed"  # the agreement is being chased (A.1)
    ACTIVE = "active"  # paid and monitored
    SUSPENDED = "suspended"  # a s33(5) decision stopped payments for now
    ENDING = "ending"  # notice given: payments stop at the end of the notice
    ENDED = "ended"


DIRECT_PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    DirectPaymentStatus.PROPOSED: frozenset({DirectPaymentStatus.ACTIVE,
                                             DirectPaymentStatus.ENDED}),
    DirectPaymentStatus.ACTIVE: frozenset({DirectPaymentStatus.SUSPENDED,
                                           DirectPaymentStatus.ENDING,
                                           DirectPaymentStatus.ENDED}),
    DirectPaymentStatus.SUSPENDED: frozenset({DirectPaymentStatus.ACTIVE,
                                              DirectPaymentStatus.ENDING,
                                              DirectPaymentStatus.ENDED}),
    DirectPaymentStatus.ENDING: frozenset({DirectPaymentStatus.ENDED}),
    DirectPaymentStatus.ENDED: frozenset(),
}


class AccountType(StrEnum):
    CARD = "card"  # prepaid card: the council sees the transactions
    MANAGED = "managed"  # a managed account held by a provider of the service
    BANK = "bank"  # the person's own dedicated bank account


class ReviewKind(StrEnum):
    LIGHT_TOUCH = "light_touch"  # the optional check about 12 weeks in
    FIRST = "first"  # reg 7(1)(a): within 6 months of the first payment
    ANNUAL = "annual"  # reg 7(1)(a): at intervals not exceeding 12 months
    CONCERN = "concern"  # reg 7(1)(b)-(d): a breach, a concern, a change


class ReviewStatus(StrEnum):
    DUE = "due"
    DONE = "done"
    CANCELLED = "cancelled"  # the direct payment ended first


REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.DUE: frozenset({ReviewStatus.DONE, ReviewStatus.CANCELLED}),
    ReviewStatus.DONE: frozenset(),
    ReviewStatus.CANCELLED: frozenset(),
}


class DirectPaymentReview(Model):
    """A review the council owes: due by a date the law sets; breached when that date passes
    without it (the flag stays on the record, for the returns report)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("direct_payment_agreement.id"),
                                              index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.DUE, index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    warn_on: Mapped[date | None] = mapped_column(Date)
    breached_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    agreement: Mapped[DirectPaymentAgreement] = relationship()


class AuditReason(StrEnum):
    SWEEP = "sweep"  # the monthly card check found something
    QUARTERLY_RETURN = "quarterly_return"
    ANNUAL = "annual"  # the yearly audit of an own-account direct payment
    CONCERN = "concern"  # asked for by staff
    ENDING = "ending"  # the final audit after notice
    DEATH = "death"  # the final audit after a death
    IMPORTED = "imported"  # in progress when the council moved to this service


class AuditStatus(StrEnum):
    REQUESTED = "requested"  # the information request is out
    REMINDED = "reminded"
    ESCALATED = "escalated"  # nothing came back: the caseworker's reg 7(1)(b) review
    DECIDING = "deciding"  # the documents are in; an outcome is being worked through
    CLOSED = "closed"


AUDIT_TRANSITIONS: dict[str, frozenset[str]] = {
    AuditStatus.REQUESTED: frozenset({AuditStatus.REMINDED, AuditStatus.DECIDING,
                                      AuditStatus.CLOSED}),
    AuditStatus.REMINDED: frozenset({AuditStatus.ESCALATED, AuditStatus.DECIDING,
                                     AuditStatus.CLOSED}),
    AuditStatus.ESCALATED: frozenset({AuditStatus.DECIDING, AuditStatus.CLOSED}),
    AuditStatus.DECIDING: frozenset({AuditStatus.CLOSED}),
    AuditStatus.CLOSED: frozenset(),
}


class AuditOutcome(StrEnum):
    SATISFACTORY = "satisfactory"
    SURPLUS = "surplus"  # more in the account than the contingency allows
    MISUSE = "misuse"  # spend unevidenced or outside the plan
    CONTRIBUTIONS_UNPAID = "contributions_unpaid"


class DirectPaymentAudit(Model):
    """One audit of a direct payment's account: the request, the chase, what it found, and the
    money it asks back. `findings` keeps what started it (the sweep's hits), in words."""
    __table_args__ = (
        CheckConstraint("(status = 'closed') = (closed_on IS NOT NULL)", name="closed_dated"),
        CheckConstraint("surplus IS NULL OR surplus >= 0", name="surplus_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # "DPA-000123"
    agreement_id: Mapped[int] = mapped_column(ForeignKey("direct_payment_agreement.id"),
                                              index=True)
    reason: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default=AuditStatus.REQUESTED, index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)
    requested_on: Mapped[date | None] = mapped_column(Date)
    documents_due_on: Mapped[date | None] = mapped_column(Date)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    reminder_due_on: Mapped[date | None] = mapped_column(Date)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    balance: Mapped[Decimal | None] = mapped_column(Money)
    commitments: Mapped[Decimal | None] = mapped_column(Money)
    contingency: Mapped[Decimal | None] = mapped_column(Money)
    surplus: Mapped[Decimal | None] = mapped_column(Money)
    outcome: Mapped[str | None] = mapped_column(String(30))
    repayment_due: Mapped[Decimal | None] = mapped_column(Money)
    repay_by: Mapped[date | None] = mapped_column(Date)
    recovered: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    agreement: Mapped[DirectPaymentAgreement] = relationship()


class Section33Decision(StrEnum):
    # Care Act s33(5): what the care manager decides after the reg 7(1)(b) review.
    CONTINUE_WITH_CONDITIONS = "continue_with_conditions"
    REDUCE = "reduce"
    SUSPEND = "suspend"
    TERMINATE = "terminate"


class DirectPaymentDecision(Model):
    """A care manager's s33(5) decision with its written reasons; a repayment it requires is
    `repayment` (none when it requires none)."""
    __tablename__ = "section33_decision"  # PostgreSQL names stop at 63 characters
    __table_args__ = (CheckConstraint("repayment IS NULL OR repayment > 0",
                                      name="positive_repayment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("direct_payment_agreement.id"),
                                              index=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("direct_payment_audit.id"))
    decision: Mapped[str] = mapped_column(String(30))
    new_amount: Mapped[Decimal | None] = mapped_column(Money)  # a reduced payment
    repayment: Mapped[Decimal | None] = mapped_column(Money)
    reasons: Mapped[str] = mapped_column(Text)
    fraud_referral: Mapped[bool] = mapped_column(default=False)
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_by: Mapped[User] = relationship()


class DirectPaymentPayment(Model):
    """A payment the finance system made to the direct payment (read in, not made here)."""
    __table_args__ = (UniqueConstraint("agreement_id", "paid_on", "reference",
                                       name="uq_dp_payment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("direct_payment_agreement.id"),
                                              index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str] = mapped_column(String(60), default="")


class CardBalance(Model):
    """A prepaid card's balance on a date, from the card provider's file."""
    __table_args__ = (UniqueConstraint("agreement_id", "as_of", name="uq_card_balance_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("direct_payment_agreement.id"),
                                              index=True)
    as_of: Mapped[date] = mapped_column(Date)
    balance: Mapped[Decimal] = mapped_column(Money)
    commitments: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CardTransactionKind(StrEnum):
    LOAD = "load"  # the council's payment onto the card
    CONTRIBUTION = "contribution"  # the person's own contribution paid in
    SPEND = "spend"
    CASH = "cash"  # a cash withdrawal
    REFUND = "refund"


class CardTransaction(Model):
    """One line of a card's statement; `category` is the merchant category the provider gives,
    which the sweep checks against the blocked list (a setting)."""
    __table_args__ = (
        UniqueConstraint("agreement_id", "provider_reference", name="uq_card_transaction"),
        Index("ix_card_transaction_agreement_day", "agreement_id", "posted_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("direct_payment_agreement.id"))
    provider_reference: Mapped[str] = mapped_column(String(60))
    posted_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)  # money in positive, money out negative
    payee: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(60), default="")


class InstructionKind(StrEnum):
    START = "start"
    CHANGE = "change"  # a new amount from a date
    SUSPEND = "suspend"
    RESTART = "restart"
    STOP = "stop"
    RECOUP = "recoup"  # take a surplus back from the card


class PaymentInstruction(Model):
    """What whoever pays must do, from a date; exported for the council's finance system with a
    manifest (`exported_at` says when), since this service does not pay."""
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("direct_payment_agreement.id"),
                                              index=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
