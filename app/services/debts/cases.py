"""The debt case itself: finding it, its balance, its stage, and the process that works on it.

Every other debts module, and the legal and estate stages, build on these; this module builds on
none of them.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select

from app import clock
from app.errors import NotFound
from app.extensions import db
from app.models import (
    BreathingSpace,
    DebtCase,
    HumanTask,
    InstalmentPlan,
    InstalmentPlanStatus,
    InvoiceStatus,
    Person,
    ProcessInstance,
)
from app.services import audit
from app.services.processes import instances

UNPAID = (InvoiceStatus.OPEN, InvoiceStatus.PART_PAID)
CLOSED_INVOICE = (InvoiceStatus.CANCELLED, InvoiceStatus.WRITTEN_OFF)
PLAN_HOLDING = (InstalmentPlanStatus.ACTIVE, InstalmentPlanStatus.BEHIND)  # a plan in force


def get_debt(debt_id: int) -> DebtCase:
    debt = db.session.get(DebtCase, debt_id)
    if debt is None:
        raise NotFound(f"no debt case {debt_id}")
    return debt


def open_debts_of(person: Person) -> list[DebtCase]:
    return list(db.session.scalars(select(DebtCase).where(
        DebtCase.person_id == person.id, DebtCase.status == "open").order_by(DebtCase.id)))


def debt_of(instance: ProcessInstance, data: Mapping[str, Any] | None = None) -> DebtCase:
    """The debt case a ladder instance works on (by its variable while the ladder starts)."""
    debt = db.session.scalar(select(DebtCase).where(DebtCase.instance_id == instance.id))
    if debt is None and data and data.get("debt_case_id"):
        debt = db.session.get(DebtCase, data["debt_case_id"])
        if debt is not None and debt.instance_id not in (None, instance.id):
            debt = None
    if debt is None:
        raise NotFound(f"process instance {instance.id} is not a debt case's ladder")
    return debt


def debt_of_task(task: HumanTask) -> DebtCase:
    """The debt a task of a debt's process works on."""
    if task.instance is None:
        raise NotFound(f"task {task.id} is not part of a debt's process")
    return debt_of(task.instance)


def process_of(debt: DebtCase) -> ProcessInstance:
    """The process working on the debt now (the ladder, a legal or estate stage, a decision)."""
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    if instance is None:
        raise NotFound("this debt has no running process")
    return instance


def start_stage(debt: DebtCase, process_key: str, stage: str) -> ProcessInstance:
    """Start the process of a new stage for the debt; the debt follows it from now on."""
    person = db.session.get_one(Person, debt.person_id)
    instance = instances.begin_instance(
        process_key, person, {"debt_case_id": debt.id}, None,
        on_created=lambda created: setattr(debt, "instance_id", created.id))
    set_stage(debt, stage)
    return instance


def set_stage(debt: DebtCase, stage: str) -> None:
    if debt.stage != stage:
        audit.record("debt_stage_changed", actor=None, person_id=debt.person_id,
                     instance_id=debt.instance_id,
                     summary={"debt_id": debt.id, "from": debt.stage, "to": stage})
        debt.stage, debt.stage_changed_on = stage, clock.today()


def balance(debt: DebtCase) -> Decimal:
    """What is owed on the debt's live invoices (cancelled and written-off ones are gone)."""
    return sum((i.outstanding for i in debt.invoices if i.status not in CLOSED_INVOICE),
               Decimal("0.00"))


def outstanding(debt: DebtCase) -> Decimal:
    """The sum of every invoice still owing something, as the legal and estate letters print it."""
    return sum((i.outstanding for i in debt.invoices if i.outstanding > 0), Decimal("0.00"))


def active_breathing_space(person_id: int, today: date) -> BreathingSpace | None:
    rows = db.session.scalars(select(BreathingSpace).where(
        BreathingSpace.person_id == person_id, BreathingSpace.starts_on <= today))
    return next((bs for bs in rows if bs.active_on(today)), None)


def current_plan(debt: DebtCase) -> InstalmentPlan | None:
    return db.session.scalar(select(InstalmentPlan).where(
        InstalmentPlan.debt_case_id == debt.id, InstalmentPlan.status.in_(PLAN_HOLDING)))
