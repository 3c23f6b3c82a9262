"""Read-side queries about one case."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Account,
    DebtCase,
    DirectPaymentAgreement,
    HumanTask,
    InstanceStatus,
    Invoice,
    InvoiceStatus,
    Letter,
    Payment,
    Person,
    ProcessInstance,
    TaskStatus,
)

RECENT = 100  # the case page shows this many of the latest invoices and payments


def instances_of(person: Person) -> list[ProcessInstance]:
    return list(db.session.scalars(select(ProcessInstance).where(
        ProcessInstance.person_id == person.id).order_by(ProcessInstance.id)))


def running_instances_of(person: Person) -> list[ProcessInstance]:
    """The person's processes not finished (on hold or stopped by a problem included)."""
    return list(db.session.scalars(select(ProcessInstance).where(
        ProcessInstance.person_id == person.id,
        ProcessInstance.status != InstanceStatus.COMPLETED).order_by(ProcessInstance.id)))


def letters_of(person: Person) -> list[Letter]:
    return list(db.session.scalars(select(Letter).where(
        Letter.person_id == person.id).order_by(Letter.letter_date, Letter.id)))


def letters_of_instance(instance_id: int) -> list[Letter]:
    return list(db.session.scalars(select(Letter).where(
        Letter.instance_id == instance_id).order_by(Letter.letter_date, Letter.id)))


def accounts_of(person: Person) -> list[Account]:
    return list(db.session.scalars(select(Account).where(Account.person_id == person.id)
                                   .order_by(Account.number)))


def invoices_of(person: Person) -> list[Invoice]:
    """The latest invoices on any of the person's accounts, newest first."""
    return list(db.session.scalars(
        select(Invoice).join(Account, Account.id == Invoice.account_id)
        .where(Account.person_id == person.id)
        .order_by(Invoice.invoice_date.desc(), Invoice.id.desc()).limit(RECENT)))


def payments_of(person: Person) -> list[Payment]:
    """The latest payments matched to the person's accounts, newest first."""
    return list(db.session.scalars(
        select(Payment).join(Account, Account.id == Payment.account_id)
        .where(Account.person_id == person.id)
        .order_by(Payment.paid_on.desc(), Payment.id.desc()).limit(RECENT)))


def balance_of(person: Person) -> Decimal:
    """What the person owes on all their accounts: unpaid invoices not cancelled or written off."""
    owed = db.session.execute(
        select(func.coalesce(func.sum(Invoice.total - Invoice.paid - Invoice.credited), 0))
        .join(Account, Account.id == Invoice.account_id)
        .where(Account.person_id == person.id,
               Invoice.status.in_((InvoiceStatus.OPEN, InvoiceStatus.PART_PAID)))).scalar_one()
    return Decimal(owed).quantize(Decimal("0.01"))


def person_by_reference(reference: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.reference == reference))


def debts_of(person: Person) -> list[DebtCase]:
    return list(db.session.scalars(select(DebtCase).where(DebtCase.person_id == person.id)
                                   .order_by(DebtCase.id.desc())))

def open_tasks_of(person: Person) -> list[HumanTask]:
    """The person's open tasks, soonest due first (those with no due date last)."""
    return list(db.session.scalars(select(HumanTask).where(
        HumanTask.person_id == person.id, HumanTask.status == TaskStatus.OPEN)
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)))


def direct_payments_of(person: Person) -> list[DirectPaymentAgreement]:
    return list(db.session.scalars(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.person_id == person.id).order_by(DirectPaymentAgreement.id)))
