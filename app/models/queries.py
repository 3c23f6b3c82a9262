"""Invoice queries and what they lead to (DOMAIN.md A.4): the query with its invoices and lines,
credit notes, and the provider-side adjustment kept apart from the person's charge.

Statuses are enums with their allowed moves, as elsewhere (can_move).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

from .finance import Invoice, InvoiceLine, Money
from .types import UtcDateTime
from .users import User


class QueryChannel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    PORTAL = "portal"


class QueryFrom(StrEnum):
    PERSON = "person"
    REPRESENTATIVE = "representative"
    PROVIDER = "provider"


class QueryType(StrEnum):
    # DOMAIN.md A.4 step 1 (a) to (f).
    CARE_NOT_DELIVERED = "care_not_delivered"  # or hours wrong
    RATE_WRONG = "rate_wrong"  # including uplifts and backdating
    ASSESSMENT = "assessment"  # financial assessment disagreement
    PAYMENT_NOT_ALLOCATED = "payment_not_allocated"
    HARDSHIP = "hardship"  # hardship or waiver request
    COMPLAINT = "complaint"


class QueryStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


QUERY_TRANSITIONS: dict[str, frozenset[str]] = {
    QueryStatus.OPEN: frozenset({QueryStatus.CLOSED}),
    QueryStatus.CLOSED: frozenset(),
}


class QueryOutcome(StrEnum):
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"
    PARTLY_UPHELD = "partly_upheld"


class InvoiceQuery(Model):
    """A query about one or more of a person's invoices: open while it is looked into (its
    invoices held from recovery), closed with an outcome."""
    __table_args__ = (
        CheckConstraint("(status = 'closed') = (outcome IS NOT NULL)",
                        name="closed_with_outcome"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # "Q-000123", for letters
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    raised_by: Mapped[str] = mapped_column(String(20))  # QueryFrom
    raised_by_name: Mapped[str | None] = mapped_column(String(200))
    query_type: Mapped[str] = mapped_column(String(30))
    what_was_said: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default=QueryStatus.OPEN, index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    outcome_reasons: Mapped[str | None] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    items: Mapped[list["QueriedInvoice"]] = relationship(cascade="all, delete-orphan",
                                                         order_by="QueriedInvoice.id")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])


class QueriedInvoice(Model):
    """An invoice a query is about; with `line_id` one line of it; with `amount` the sum in
    question (the whole outstanding amount when not given)."""
    __table_args__ = (
        UniqueConstraint("query_id", "invoice_id", "line_id", name="uq_queried_invoice_line"),
        CheckConstraint("amount IS NULL OR amount > 0", name="positive_amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("invoice_query.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_line.id"))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    invoice: Mapped[Invoice] = relationship()
    line: Mapped[InvoiceLine | None] = relationship()


class CreditNoteStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # above the amount that needs a second person
    ISSUED = "issued"  # counts against the invoice
    REJECTED = "rejected"


CREDIT_NOTE_TRANSITIONS: dict[str, frozenset[str]] = {
    CreditNoteStatus.AWAITING_APPROVAL: frozenset({CreditNoteStatus.ISSUED,
                                                   CreditNoteStatus.REJECTED}),
    CreditNoteStatus.ISSUED: frozenset(),
    CreditNoteStatus.REJECTED: frozenset(),
}


class CreditNote(Model):
    """Money taken off an invoice: a finance record like a payment, in the balance, the ageing,
    the statement of account and the export to the council's finance system."""
    __table_args__ = (CheckConstraint("amount > 0", name="positive_amount"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # "CN-000123"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    query_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_query.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    lines: Mapped[list] = mapped_column(JSON, default=list)  # [{"line_id", "amount"}]
    status: Mapped[str] = mapped_column(String(20), default=CreditNoteStatus.ISSUED)
    raised_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date | None] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    approver_role: Mapped[str | None] = mapped_column(String(40))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    invoice: Mapped[Invoice] = relationship()


class ProviderAdjustment(Model):
    """What the provider's payment changes by after a query (care not delivered): recorded
    apart from the person's charge, which follows the contribution rule."""
    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("invoice_query.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    amount: Mapped[Decimal] = mapped_column(Money)  # negative: the provider is paid less
    note: Mapped[str | None] = mapped_column(Text)
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
