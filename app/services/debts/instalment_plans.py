"""Instalment plans (DOMAIN.md A.3-IP): agreed terms hold the ladder while they are kept.

Payments are checked against the schedule when they are imported and by the daily job: a missed
instalment sends the missed-instalment letter; not brought up to date within the grace days, the
plan ends and the ladder goes on at the Letter of Claim (a task for the officer until it is built).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select

from app import clock
from app.domain import instalments
from app.domain.limitation import is_statute_barred
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import DebtCase, InstalmentPlan, Invoice, Person, ProcessInstance, User
from app.models.workflow import InstanceStatus
from app.roles import Role
from app.services import audit, settings
from app.services.correspondence.letters import RepresentationRequired, issue_letter
from app.services.debts import cases, recovery_guards
from app.services.processes import instances
from app.services.transaction import for_each_in_own_transaction, use_case

METHOD_TEXT = {"direct_debit": "Direct Debit", "standing_order": "standing order",
               "card": "debit or credit card", "cash_or_cheque": "cash or cheque"}


@dataclass(frozen=True)
class PlanPreview:
    """What a plan on these terms would be: the arrears it covers and its payments."""
    arrears: Decimal
    schedule: tuple[instalments.Instalment, ...]


def arrears_covered(debt: DebtCase, today: date | None = None) -> Decimal:
    """What a plan agreed today would cover: every invoice still owing, except one under
    query or statute-barred."""
    return sum((i.outstanding for i in _covered(debt, today or clock.today())), Decimal("0.00"))


def preview(debt: DebtCase, terms: Mapping[str, Any]) -> PlanPreview:
    """The plan `record_plan` would agree on these terms, written nowhere: Conflict or
    ValidationFailed exactly as `record_plan` would raise them."""
    arrears = _check(debt, terms, clock.today())[1]
    return PlanPreview(arrears, instalments.schedule(arrears, terms["amount"],
                                                     terms["frequency"], terms["first_date"]))


def rules() -> dict[str, Any]:
    """The settings a plan's terms are checked against, for a page's hints."""
    return {"dd_notice_days": settings.integer("instalment_dd_advance_notice_days"),
            "max_months": settings.integer("instalment_plan_max_months"),
            "minimum_amount": Decimal(settings.get("instalment_minimum_amount")),
            "grace_days": settings.integer("instalment_missed_payment_grace_days")}


def _covered(debt: DebtCase, today: date) -> list[Invoice]:
    return [i for i in debt.invoices if i.outstanding > 0 and not i.query_hold
            and i.status not in cases.CLOSED_INVOICE
            and not is_statute_barred(i.due_date, today)]


def _check(debt: DebtCase, terms: Mapping[str, Any], today: date
           ) -> tuple[list[Invoice], Decimal]:
    if debt.status != "open":
        raise Conflict("this debt case is closed")
    person = db.session.get(Person, debt.person_id) if debt.person_id else None
    if person is not None and person.deceased:
        raise Conflict("the person has died: this debt is recovered from their estate, not "
                       "by an instalment plan")
    if cases.current_plan(debt) is not None:
        raise Conflict("this debt already has an instalment plan in force")
    covered = _covered(debt, today)
    arrears = sum((i.outstanding for i in covered), Decimal("0.00"))
    if arrears <= 0:
        raise Conflict("nothing is owed on this debt that a plan could cover")
    problems = instalments.check_terms(
        arrears, terms["amount"], terms["frequency"], terms["first_date"], terms["method"],
        today=today, minimum_amount=Decimal(settings.get("instalment_minimum_amount")),
        max_months=settings.integer("instalment_plan_max_months"),
        dd_notice_days=settings.integer("instalment_dd_advance_notice_days"),
        full_income_expenditure=terms.get("full_income_expenditure", False))
    if problems:
        raise ValidationFailed("the instalment plan's terms have problems",
                               [{"field": p.field, "message": p.message} for p in problems])
    return covered, arrears


@use_case
def record_plan(debt: DebtCase, terms: Mapping[str, Any], actor: User) -> InstalmentPlan:
    """Agree a plan for the debt's arrears as they stand today and confirm it by letter."""
    covered, arrears = _check(debt, terms, clock.today())
    plan = InstalmentPlan(
        debt_case_id=debt.id, status="active", arrears_total=arrears, amount=terms["amount"],
        frequency=terms["frequency"], first_date=terms["first_date"], method=terms["method"],
        invoice_ids=[i.id for i in covered],
        income_expenditure=terms.get("income_expenditure") or {},
        full_income_expenditure=terms.get("full_income_expenditure", False),
        created_at=clock.now(), created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    cases.set_stage(debt, "instalment_plan")
    audit.record("instalment_plan_agreed", actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id, summary={"debt_id": debt.id, "plan_id": plan.id})
    _send(debt, "instalment_confirmation", _confirmation_fields(plan))
    recovery_guards.note_guards(debt, recovery_guards.decide(debt, "letter"))
    return plan


def schedule_of(plan: InstalmentPlan) -> tuple[instalments.Instalment, ...]:
    return instalments.schedule(plan.arrears_total, plan.amount, plan.frequency, plan.first_date)


def paid_towards(plan: InstalmentPlan) -> Decimal:
    """What has been paid off the arrears the plan covers (allocations reach its invoices)."""
    invoices = db.session.scalars(select(Invoice).where(Invoice.id.in_(plan.invoice_ids)))
    return plan.arrears_total - sum((i.outstanding for i in invoices), Decimal("0.00"))


def position(plan: InstalmentPlan, today: date) -> instalments.PlanPosition:
    return instalments.position(schedule_of(plan), paid_towards(plan), today,
                                settings.integer("instalment_missed_payment_grace_days"))


def review(debt: DebtCase, today: date) -> None:
    """Check the debt's plan against its schedule and act on what changed."""
    plan = cases.current_plan(debt)
    if plan is None or debt.status != "open":
        return
    where = position(plan, today)
    holds = recovery_guards.decide(debt, "letter", today).holds
    if where.state in ("behind", "broken") and ("breathing_space" in holds
                                                or "deceased" in holds):
        return  # no demand for a missed instalment while a moratorium or an estate holds
    if where.state == "completed":
        plan.status, plan.ended_on = "completed", today
        audit.record("instalment_plan_completed", actor=None, person_id=debt.person_id,
                     instance_id=debt.instance_id, summary={"plan_id": plan.id})
        _plan_ended(debt)
    elif where.state == "behind" and plan.missed_on != where.missed_on:
        assert where.missed_on is not None  # "behind" always names the missed instalment
        plan.status, plan.missed_on = "behind", where.missed_on
        audit.record("instalment_missed", actor=None, person_id=debt.person_id,
                     instance_id=debt.instance_id,
                     summary={"plan_id": plan.id, "missed_on": where.missed_on.isoformat()})
        _send(debt, "instalment_missed", {
            "missed_date": where.missed_on, "missed_amount": where.missed_amount,
            "bring_up_to_date_by": where.bring_up_to_date_by})
    elif where.state == "up_to_date" and plan.status == "behind":
        plan.status = "active"
        audit.record("instalment_plan_up_to_date", actor=None, person_id=debt.person_id,
                     instance_id=debt.instance_id, summary={"plan_id": plan.id})
    elif where.state == "broken":
        _break(debt, plan, today)
    recovery_guards.note_guards(debt, recovery_guards.decide(debt, "letter"))


def _plan_ended(debt: DebtCase) -> None:
    """A kept plan ended with something else still owed (invoices that joined meanwhile): the
    ladder waiting for the plan goes on, and a step it held runs again."""
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    if instance is None or instance.status in (InstanceStatus.COMPLETED, InstanceStatus.INCIDENT):
        return
    try:
        instances.send_message_to(instance, "plan_ended", {}, None)
    except Conflict:
        recovery_guards.recheck(debt, None)


def cancel_plan(debt: DebtCase, reason: str) -> None:
    """The plan stops with the debt's route (a death, a write-off)."""
    plan = cases.current_plan(debt)
    if plan is not None:
        plan.status, plan.ended_on = "cancelled", clock.today()
        audit.record("instalment_plan_cancelled", actor=None, person_id=debt.person_id,
                     instance_id=debt.instance_id, summary={"plan_id": plan.id,
                                                            "reason": reason})


def review_all(today: date | None = None) -> int:
    """Daily: every plan in force, one transaction each; a plan whose review fails (its letter,
    say) is logged and tried again tomorrow. Returns how many were checked."""
    today = today or clock.today()
    ids = list(db.session.scalars(select(InstalmentPlan.debt_case_id).where(
        InstalmentPlan.status.in_(cases.PLAN_HOLDING))))
    for_each_in_own_transaction(
        ids, lambda debt_id: review(db.session.get_one(DebtCase, debt_id), today),
        what="review of the instalment plan of debt")
    return len(ids)


def _break(debt: DebtCase, plan: InstalmentPlan, today: date) -> None:
    plan.status, plan.ended_on = "broken", today
    audit.record("instalment_plan_broken", actor=None, person_id=debt.person_id,
                 instance_id=debt.instance_id, summary={"plan_id": plan.id})
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    if instance is None or instance.status in (InstanceStatus.COMPLETED, InstanceStatus.INCIDENT):
        return
    try:
        instances.send_message_to(instance, "plan_broken", {}, None)
    except Conflict:
        recovery_guards.raise_task(instance, "letter_of_claim_after_plan_guard",
                                   "Broken instalment plan: decide on a Letter of Claim",
                                   Role.FINANCE_OFFICER, recovery_guards.NOTES_FORM)


def _send(debt: DebtCase, template: str, fields: Mapping[str, Any]) -> None:
    instance = db.session.get_one(ProcessInstance, debt.instance_id)
    try:
        issue_letter(instance, template, fields)
    except RepresentationRequired as exc:
        raise ValidationFailed("no letter can be sent: " + str(exc),
                               [{"message": "record a representative first"}]) from exc


def _confirmation_fields(plan: InstalmentPlan) -> dict[str, Any]:
    steps = schedule_of(plan)
    return {
        "arrears_total": plan.arrears_total, "instalment_amount": plan.amount,
        "frequency": instalments.frequency_text(plan.frequency), "first_date": plan.first_date,
        "number_of_payments": len(steps), "final_payment_amount": steps[-1].amount,
        "method": METHOD_TEXT[plan.method],
        "payment_schedule": [{"date": s.due_on, "amount": s.amount} for s in steps],
        "dd_advance_notice_days": settings.integer("instalment_dd_advance_notice_days"),
    }

