"""The debt-recovery ladder's own steps: its letters and its escalations, each after the guards.

Whatever the diagram says, a step the guards hold is parked (the instance waits, held) instead of
sending or escalating; app/services/debts/recovery_guards.py decides.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Mapping

from app import calendar, clock
from app.domain import ageing, guards
from app.engine.types import StepHeld
from app.models import DebtCase, Letter, ProcessInstance
from app.services import audit
from app.services.correspondence.letters import issue_letter
from app.services.debts.cases import debt_of, set_stage
from app.services.debts.recovery_contract import LETTER_STAGES, STEP_STAGES
from app.services.debts.recovery_guards import decide, hold_recorder, note_exclusions, note_guards


def send_ladder_letter(instance: ProcessInstance, template: str, data: Mapping[str, Any]
                       ) -> Letter:
    """Send a ladder letter about the invoices recovery may chase, or park the step."""
    debt = debt_of(instance, data)
    decision = decide(debt, guards.LETTER)
    if decision.held:
        raise StepHeld(decision.reason(), hold_recorder(debt, decision, template))
    letter_date = calendar.next_working_day(clock.today())
    fields = ladder_fields(template, debt, decision, letter_date, data)
    letter = issue_letter(instance, template, fields, letter_date)
    set_stage(debt, LETTER_STAGES.get(template, debt.stage))
    note_guards(debt, decision)
    note_exclusions(debt, decision, template)
    return letter


def escalate(instance: ProcessInstance, step: str, data: Mapping[str, Any]) -> None:
    """An escalation of the ladder (referral, the Letter of Claim decision), or park it."""
    if step not in STEP_STAGES:
        raise ValueError(f"unknown ladder step '{step}'")  # the contract refuses it at save
    debt = debt_of(instance, data)
    decision = decide(debt, guards.ESCALATION)
    if decision.held:
        raise StepHeld(decision.reason(), hold_recorder(debt, decision, step))
    set_stage(debt, STEP_STAGES[step])
    note_guards(debt, decision)
    note_exclusions(debt, decision, step)
    audit.record("debt_escalated", actor=None, person_id=debt.person_id,
                 instance_id=instance.id, summary={"debt_id": debt.id, "step": step})


def ladder_fields(template: str, debt: DebtCase, decision: guards.GuardDecision,
                  letter_date: date, data: Mapping[str, Any]) -> dict[str, Any]:
    """The figures a ladder letter prints: only the invoices recovery may chase."""
    chase = decision.chase
    total = sum((i.outstanding for i in chase), Decimal("0.00"))
    if template == "debt_recovery_contact":
        aged = ageing.aged_amounts([(i.due_date, i.outstanding) for i in chase], letter_date)
        return {"total_arrears": total,
                "aged_breakdown": [{"band": b.label, "amount": b.amount}
                                   for b in aged.bands if b.amount > 0],
                "request_call_by": calendar.add_working_days(letter_date, 5)}
    fields: dict[str, Any] = {
        "invoices_overdue": [{"number": i.number, "date": i.invoice_date, "amount": i.total,
                              "due_date": i.due_date, "balance": i.outstanding} for i in chase],
        "total_overdue": total,
        # Pay before the next step: reminder 1 gives 10 days, the final demand 14.
        "pay_by_date": calendar.next_working_day(letter_date + timedelta(days=10)),
    }
    if template == "debt_final_demand":
        fields["previous_reminder_date"] = date.fromisoformat(data["r1_date"])
        fields["deadline_date"] = calendar.next_working_day(letter_date + timedelta(days=14))
        fields["pay_by_date"] = fields["deadline_date"]
    return fields
