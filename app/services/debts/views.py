"""Read models of debt cases for the API and pages: balance, ageing, guards, the next step."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app import calendar, clock
from app.domain import ageing
from app.domain.guards import GuardDecision
from app.engine import runner
from app.extensions import db
from app.models import (
    Account,
    DebtCase,
    DebtCaseStatus,
    InstalmentPlan,
    PausedTimer,
    Person,
    ProcessInstance,
    User,
)
from app.models.workflow import InstanceStatus
from app.services.debts import cases, instalment_plans, recovery_guards
from app.services.debts.cases import balance
from app.services.processes import instances
from app.services.processes.engine_context import context_for


@dataclass(frozen=True)
class DebtQuery:
    status: str | None = DebtCaseStatus.OPEN
    stage: str | None = None
    guard: str | None = None
    person_reference: str | None = None
    page: int = 1
    per_page: int = 25


def list_debts(user: User, query: DebtQuery) -> tuple[list[DebtCase], int]:
    stmt = select(DebtCase).join(Person, Person.id == DebtCase.person_id)
    if query.status:
        stmt = stmt.where(DebtCase.status == query.status)
    if query.stage:
        stmt = stmt.where(DebtCase.stage == query.stage)
    if query.person_reference:
        stmt = stmt.where(Person.reference == query.person_reference)
    if not user.sees_all_teams:
        stmt = stmt.where(Person.team_id == user.team_id)
    stmt = stmt.order_by(DebtCase.opened_on, DebtCase.id)
    start = (query.page - 1) * query.per_page
    if query.guard:  # JSON keys are read differently by each database: filtered here
        rows = [d for d in db.session.scalars(stmt) if query.guard in (d.guards or {})]
        return rows[start:start + query.per_page], len(rows)
    total = db.session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    return list(db.session.scalars(stmt.offset(start).limit(query.per_page))), total


def summary(debt: DebtCase, today: date | None = None) -> dict[str, Any]:
    """Everything the debt page and GET /debts/<id> show; guards decided as of today."""
    today = today or clock.today()
    person = db.session.get_one(Person, debt.person_id)
    account = db.session.get_one(Account, debt.account_id)
    open_invoices = [i for i in debt.invoices if i.outstanding > 0]
    aged = ageing.aged_amounts([(i.due_date, i.outstanding) for i in open_invoices], today)
    decision = (recovery_guards.decide(debt, "letter", today) if debt.status == DebtCaseStatus.OPEN
                else None)
    plan = db.session.scalar(select(InstalmentPlan).where(
        InstalmentPlan.debt_case_id == debt.id).order_by(InstalmentPlan.id.desc()).limit(1))
    return {
        "id": debt.id, "status": debt.status, "stage": debt.stage,
        "stage_changed_on": debt.stage_changed_on, "opened_on": debt.opened_on,
        "closed_on": debt.closed_on, "closed_reason": debt.closed_reason,
        "person_reference": person.reference, "account_number": account.number,
        "instance_id": debt.instance_id, "balance": balance(debt),
        "aged": [{"band": b.key, "label": b.label, "amount": b.amount} for b in aged.bands],
        "not_yet_due": aged.not_yet_due,
        "guards": [{"guard": name, "reason": reason,
                    "since": (debt.guards or {}).get(name, {}).get("since")}
                   for name, reason in holds_of(debt, decision).items()],
        "invoices": [{"number": i.number, "invoice_date": i.invoice_date,
                      "due_date": i.due_date, "total": i.total, "outstanding": i.outstanding,
                      "query_hold": i.query_hold,
                      "statute_barred": decision is not None and in_barred(decision, i)}
                     for i in debt.invoices],
        "instalment_plan": None if plan is None else _plan(plan, today),
        "next_step": next_step(debt),
    }


def holds_of(debt: DebtCase, decision: GuardDecision | None) -> dict[str, str]:
    """What holds the debt, in words: the guards on a letter today, and while its process is
    held, whatever held the step (a deferred payment test, a court check, a representative
    with authority over property), as recorded when it was held."""
    if decision is None:
        return {}
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    held = {}
    if instance is not None and instance.status == InstanceStatus.HELD:
        held = {name: guard["reason"] for name, guard in (debt.guards or {}).items()}
    return {**held, **decision.holds}


def in_barred(decision, invoice) -> bool:
    return any(b.number == invoice.number for b in decision.barred)


def _plan(plan: InstalmentPlan, today: date) -> dict[str, Any]:
    out = {"id": plan.id, "status": plan.status, "arrears_total": plan.arrears_total,
           "amount": plan.amount, "frequency": plan.frequency, "first_date": plan.first_date,
           "method": plan.method, "ended_on": plan.ended_on,
           "schedule": [{"date": s.due_on, "amount": s.amount}
                        for s in instalment_plans.schedule_of(plan)]}
    if plan.status in cases.PLAN_HOLDING:
        where = instalment_plans.position(plan, today)
        out.update(paid=where.paid, due_so_far=where.due_so_far, missed_on=where.missed_on,
                   bring_up_to_date_by=where.bring_up_to_date_by)
    return out


def next_step(debt: DebtCase) -> dict[str, Any] | None:
    """The earliest thing the ladder waits for: a timer (paused or not) or an open task."""
    if debt.instance_id is None or debt.status != DebtCaseStatus.OPEN:
        return None
    instance = db.session.get_one(ProcessInstance, debt.instance_id)
    if instance.status == InstanceStatus.COMPLETED:
        return None
    paused = {p.element_id: p for p in db.session.scalars(select(PausedTimer).where(
        PausedTimer.instance_id == instance.id, PausedTimer.resumed_at.is_(None)))}
    steps = []
    timers = runner.waiting_timer_expressions(instances.model_of(instance), instance.state,
                                              context_for(instance))
    for element_id, (due, _, title) in timers.items():
        hold = paused.get(element_id)
        steps.append({"kind": "timer", "element_id": element_id, "title": title,
                      "date": None if hold else calendar.to_local_date(due),
                      "paused": hold is not None,
                      "remaining": None if hold is None else f"{hold.remaining} {hold.unit}"})
    for task in instances.open_tasks(instance):
        steps.append({"kind": "task", "element_id": task.name, "title": task.title,
                      "date": calendar.to_local_date(task.due_at) if task.due_at else None,
                      "paused": False, "remaining": None})
    if instance.status == InstanceStatus.HELD and not paused:
        return {"kind": "held", "element_id": None, "title": "held by a guard", "date": None,
                "paused": True, "remaining": None}
    # While a Breathing Space pauses the ladder, that is what comes next, whatever is open.
    steps.sort(key=lambda s: (not s["paused"], s["date"] is None, s["date"] or date.max))
    return steps[0] if steps else None
