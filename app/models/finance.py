"""The money: providers, care packages, accounts, invoices, payments, debt cases, holds.

Money is NUMERIC(12, 2) read as Decimal; never float.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

from .people import Person
from .types import UtcDateTime

Money = Numeric(12, 2)


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PART_PAID = "part_paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    WRITTEN_OFF = "written_off"


class DebtCaseStatus(StrEnum):
    OPEN = "open"  # one open case per account (a partial unique index)
    CLOSED = "closed"  # paid in full or written off: closed_reason says which


DEBT_CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    DebtCaseStatus.OPEN: frozenset({DebtCaseStatus.CLOSED}),
    DebtCaseStatus.CLOSED: frozenset(),
}


class InstalmentPlanStatus(StrEnum):
    ACTIVE = "active"
    BEHIND = "behind"  # an instalment missed, still within the grace days
    BROKEN = "broken"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # stopped with the debt's route (a death, a write-off)


# ACTIVE and BEHIND are "in force" (they hold the ladder); the other three end the plan.
INSTALMENT_PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    InstalmentPlanStatus.ACTIVE: frozenset({
        InstalmentPlanStatus.BEHIND, InstalmentPlanStatus.BROKEN,
        InstalmentPlanStatus.COMPLETED, InstalmentPlanStatus.CANCELLED}),
    # BEHIND again: a later instalment missed too (the person is written to about each one).
    InstalmentPlanStatus.BEHIND: frozenset({
        InstalmentPlanStatus.BEHIND, InstalmentPlanStatus.ACTIVE, InstalmentPlanStatus.BROKEN,
        InstalmentPlanStatus.COMPLETED, InstalmentPlanStatus.CANCELLED}),
    InstalmentPlanStatus.BROKEN: frozenset(),
    InstalmentPlanStatus.COMPLETED: frozenset(),
    InstalmentPlanStatus.CANCELLED: frozenset(),
}


class Provider(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    cqc_id: Mapped[str | None] = mapped_column(String(20))


class CarePackage(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    service: Mapped[str] = mapped_column(String(100))
    weekly_cost: Mapped[Decimal] = mapped_column(Money)
    purchase_order: Mapped[str] = mapped_column(String(40), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    provider: Mapped[Provider] = relationship()


class Account(Model):
    """A client ledger in the finance system; one person may have more than one."""
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    billing_frequency: Mapped[str] = mapped_column(String(20), default="four_weekly")
    payment_method: Mapped[str] = mapped_column(String(20), default="invoice")
    dd_reference: Mapped[str | None] = mapped_column(String(40))
    person: Mapped[Person] = relationship()


class Invoice(Model):
    __table_args__ = (Index("ix_invoice_account_due", "account_id", "status", "due_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    invoice_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    total: Mapped[Decimal] = mapped_column(Money)
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.OPEN)
    query_hold: Mapped[bool] = mapped_column(default=False)
    # Issued credit notes against it (app/models/queries.py CreditNote), kept here as `paid` is.
    credited: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"),
                                              server_default="0.00")
    # The invoice this one re-issues after an upheld query: it starts its own recovery.
    reissue_of_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    # When a re-issued invoice went to the council's finance system (credit_note_export).
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    debt_case_id: Mapped[int | None] = mapped_column(ForeignKey("debt_case.id"), index=True)
    account: Mapped[Account] = relationship()
    lines: Mapped[list["InvoiceLine"]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceLine.position")

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid - (self.credited or Decimal("0.00"))


class InvoiceLine(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("1"))
    unit_amount: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)


class Payment(Model):
    """A bank-file payment; without a matching account it sits in suspense."""
    __table_args__ = (
        # The natural key of a bank-file row: re-importing the file adds nothing.
        UniqueConstraint("bank_reference", "paid_on", "amount", "account_number",
                         name="uq_payment_natural_key"),
        CheckConstraint("amount > 0", name="positive_amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_reference: Mapped[str] = mapped_column(String(60))
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    account_number: Mapped[str] = mapped_column(String(40))  # as given in the bank file
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    method: Mapped[str] = mapped_column(String(20), default="bank")
    in_suspense: Mapped[bool] = mapped_column(default=False, index=True)
    unallocated: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    allocations: Mapped[list["PaymentAllocation"]] = relationship(cascade="all, delete-orphan")


class PaymentAllocation(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    rule: Mapped[str] = mapped_column(String(20))  # reference | oldest_first


class DebtCase(Model):
    """One open debt case per account: a newly overdue invoice joins it."""
    __table_args__ = (
        Index("uq_debt_case_one_open_per_account", "account_id", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=DebtCaseStatus.OPEN)
    stage: Mapped[str] = mapped_column(String(40), default="opened")
    stage_changed_on: Mapped[date | None] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(String(40))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    # Care Act s69(2): the deferred payment test as recorded (offered_accepted, offered_refused,
    # ineligible, not_eligible) with its evidence; None while not yet done.
    dpa_outcome: Mapped[str | None] = mapped_column(String(20))
    dpa_evidence: Mapped[str | None] = mapped_column(String(500))
    # The guards holding recovery back now: {name: {"reason": ..., "since": ISO date}}.
    guards: Mapped[dict] = mapped_column(JSON, default=dict)
    account: Mapped[Account] = relationship()
    invoices: Mapped[list[Invoice]] = relationship(
        foreign_keys="Invoice.debt_case_id", order_by="Invoice.due_date, Invoice.number")


class BreathingSpace(Model):
    """A debt respite moratorium: standard (with an end date) or mental-health (open-ended)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # standard | mental_health
    reference: Mapped[str | None] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When recovery was resumed after the end or cancellation (None while it still holds).
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def active_on(self, day: date) -> bool:
        if self.cancelled_on is not None and day >= self.cancelled_on:
            return False
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


class InstalmentPlan(Model):
    """An arrangement to pay a debt case's arrears by instalments (DOMAIN.md A.3-IP)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_case_id: Mapped[int] = mapped_column(ForeignKey("debt_case.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=InstalmentPlanStatus.ACTIVE)
    arrears_total: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    frequency: Mapped[str] = mapped_column(String(20))
    first_date: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    invoice_ids: Mapped[list] = mapped_column(JSON, default=list)  # the arrears it covers
    income_expenditure: Mapped[dict] = mapped_column(JSON, default=dict)
    full_income_expenditure: Mapped[bool] = mapped_column(default=False)
    missed_on: Mapped[date | None] = mapped_column(Date)  # the instalment last written about
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class PausedTimer(Model):
    """A ladder timer paused by a Breathing Space, or by invoice queries on every unpaid invoice
    of the debt (the query whose opening paused it), with what was left of it in its own unit."""
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    breathing_space_id: Mapped[int | None] = mapped_column(ForeignKey("breathing_space.id"))
    invoice_query_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_query.id"))
    element_id: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))  # calendar_days | working_days
    remaining: Mapped[int]
    was_due: Mapped[datetime] = mapped_column(UtcDateTime())
    resumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class JobRun(Model):
    """A daily job that has run for a business date: the unique key lets one scheduler win."""
    __table_args__ = (UniqueConstraint("name", "day", name="uq_job_run_name_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    day: Mapped[date] = mapped_column(Date)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime())
