"""Debt cases: opened by the daily job, joined by newly overdue invoices, closed when paid.

One open debt case per account (a partial unique index), so two schedulers running the daily job
at once open it once: the loser's insert fails, it rolls back and joins the winner's case. An
invoice joins an open case by a conditional UPDATE, so it joins (and is audited) once too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.errors import Conflict
from app.extensions import db
from app.models import (
    Account,
    DebtCase,
    Invoice,
    PausedTimer,
    ProcessInstance,
    User,
)
from app.models.workflow import InstanceStatus
from app.services import audit
from app.services.debts import breathing_spaces, cases, instalment_plans, recovery_contract
from app.services.debts.cases import UNPAID, balance
from app.services.processes import instances
from app.services.transaction import for_each_in_own_transaction


# Run in the transaction after a debt opens (its ladder started) or invoices join it: the invoice
# queries' pause of the ladder (wiring installs it; debts do not import queries).
DebtListener = Callable[[DebtCase, date], None]
OPENED_LISTENERS: list[DebtListener] = []
JOINED_LISTENERS: list[DebtListener] = []
# And after payments leave a debt still owing (a paid invoice may leave only queried ones).
PAID_LISTENERS: list[DebtListener] = []


@dataclass
class OpenedReport:
    opened: int = 0
    joined: int = 0


def open_overdue_debts(today: date | None = None) -> OpenedReport:
    """Open a debt case (and its ladder) for each account with an invoice unpaid after its due
    date, or add newly overdue invoices to the account's open case. One transaction per account.
    """
    today = today or clock.today()
    account_ids = list(db.session.scalars(
        select(Invoice.account_id).where(Invoice.status.in_(UNPAID), Invoice.due_date < today,
                                         Invoice.debt_case_id.is_(None)).distinct()))
    batch = for_each_in_own_transaction(
        account_ids, lambda account_id: _open_or_join(account_id, today),
        what="opening a debt case for account",
        retry_on=(IntegrityError,))  # another scheduler opened it first: join theirs
    return OpenedReport(opened=sum(opened for opened, _ in batch.results),
                        joined=sum(joined for _, joined in batch.results))


def _open_or_join(account_id: int, today: date) -> tuple[int, int]:
    invoices = list(db.session.scalars(
        select(Invoice).where(Invoice.account_id == account_id, Invoice.status.in_(UNPAID),
                              Invoice.due_date < today, Invoice.debt_case_id.is_(None))
        .order_by(Invoice.invoice_date, Invoice.number)))
    invoices = [i for i in invoices if i.outstanding > 0]
    if not invoices:
        return 0, 0
    debt = db.session.scalar(select(DebtCase).where(DebtCase.account_id == account_id,
                                                    DebtCase.status == "open"))
    if debt is not None:
        joined = [invoice for invoice in invoices if _join(invoice, debt)]
        for invoice in joined:
            audit.record("invoice_joined_debt", actor=None, person_id=debt.person_id,
                         instance_id=debt.instance_id,
                         summary={"debt_id": debt.id, "invoice": invoice.number})
        if joined:
            for listener in JOINED_LISTENERS:
                listener(debt, today)
        return 0, len(joined)
    account = db.session.get_one(Account, account_id)
    debt = DebtCase(account_id=account_id, person_id=account.person_id, status="open",
                    stage="opened", opened_on=today, stage_changed_on=today, guards={})
    db.session.add(debt)
    db.session.flush()  # the partial unique index decides here who opened it
    for invoice in invoices:
        invoice.debt_case_id = debt.id
    audit.record("debt_opened", actor=None, person_id=account.person_id,
                 summary={"debt_id": debt.id, "invoices": [i.number for i in invoices]})
    instances.begin_instance(
        recovery_contract.LADDER_KEY, account.person,
        {"debt_case_id": debt.id, "invoice_date": invoices[0].invoice_date.isoformat()}, None,
        on_created=lambda created: setattr(debt, "instance_id", created.id))

    breathing_spaces.hold_new_debt(debt, today)
    for listener in OPENED_LISTENERS:
        listener(debt, today)
    return 1, len(invoices)


def _join(invoice: Invoice, debt: DebtCase) -> bool:
    """Add the invoice to the debt unless another scheduler has just done so: the UPDATE is
    conditional, so of two that read it unjoined, the second matches no row (PostgreSQL waits
    for the first to commit and reads the row again) and records nothing."""
    changed = db.session.connection().execute(
        update(Invoice).where(Invoice.id == invoice.id, Invoice.debt_case_id.is_(None))
        .values(debt_case_id=debt.id)).rowcount
    db.session.expire(invoice, ["debt_case_id"])  # the row, not this object, knows who won
    return changed == 1


def after_payments(account_ids: set[int], actor: User | None) -> None:
    """Payments just allocated: close debts now paid in full, check instalment plans."""
    if not account_ids:
        return
    debts = db.session.scalars(select(DebtCase).where(DebtCase.account_id.in_(account_ids),
                                                      DebtCase.status == "open"))
    for debt in list(debts):
        if balance(debt) <= 0:
            close_paid(debt, actor)
        else:
            instalment_plans.review(debt, clock.today())
            for listener in PAID_LISTENERS:
                listener(debt, clock.today())


def close_paid(debt: DebtCase, actor: User | None, reason: str = "paid_in_full") -> None:
    """Paid in full (or credited to nothing: `reason` "credited"): the ladder ends from
    whatever stage it had reached."""
    today = clock.today()
    debt.status, debt.closed_on, debt.closed_reason = "closed", today, reason
    cases.set_stage(debt, "closed")
    debt.guards = {}
    plan = cases.current_plan(debt)
    if plan is not None:
        plan.status, plan.ended_on = "completed", today
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    audit.record("debt_closed", actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id,
                 summary={"debt_id": debt.id, "reason": reason})
    if instance is None or instance.status == InstanceStatus.COMPLETED:
        return
    for paused in db.session.scalars(select(PausedTimer).where(
            PausedTimer.instance_id == instance.id, PausedTimer.resumed_at.is_(None))):
        paused.resumed_at = clock.now()
    try:
        instances.send_message_to(instance, "paid_in_full", {}, actor)
    except Conflict:
        instances.close(instance, "paid_in_full", actor)  # it waited outside the ladder
    if instance.status != InstanceStatus.COMPLETED or instances.open_tasks(instance):
        instances.close(instance, "paid_in_full", actor)  # and the guards' own tasks
