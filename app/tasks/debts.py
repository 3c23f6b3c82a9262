"""Service-task handlers of the debt-recovery ladder, the legal stage and the estate stage.

Each checks the recovery guards first (app/services/debts/recovery_guards.py), whatever the diagram
says: when a guard holds, the step is parked (the instance waits, held) instead of sending or
escalating.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from app.models import DebtCase, ProcessInstance
from app.services.debts import cases, ladder
from app.services.estates import estate_stage
from app.services.legal import claims, judgments, legal_stage, letter_of_claim
from app.services.legal.legal_stage import LegalStepRefused
from app.services.processes.engine_context import HandlerCase


def send_debt_letter(case: HandlerCase, template: str, date_var: str | None = None
                     ) -> dict | None:
    """Send a ladder letter about the invoices recovery may chase; park the step if held."""
    letter = ladder.send_ladder_letter(case.instance, template, case.data)
    return {date_var: letter.letter_date.isoformat()} if date_var else None


def debt_step(case: HandlerCase, step: str) -> dict | None:
    """An escalation (e.g. referral to the finance officer): guards first, then the new stage."""
    ladder.escalate(case.instance, step, case.data)
    if step == "legal_stage":
        legal_stage.open_legal_stage(cases.debt_of(case.instance, case.data))
    return None


Step = Callable[[DebtCase, ProcessInstance, Mapping[str, Any]], object]

# What each step a diagram's `legal_step` may name runs; the legal contract lists the names
# (LEGAL_STEPS) and a test keeps the two in step.
LEGAL_STEPS: dict[str, Step] = {
    "prepare_letter_of_claim": lambda debt, instance, data:
        letter_of_claim.prepare_letter_of_claim(debt, instance),
    "post_letter_of_claim": letter_of_claim.post_letter_of_claim,
    "refer_to_legal": lambda debt, instance, data: claims.refer_to_legal(debt, instance),
    "record_claim": lambda debt, instance, data: claims.record_claim(debt, data),
    "record_judgment": judgments.record_judgment,
    "record_enforcement": lambda debt, instance, data: judgments.record_enforcement(debt, data),
    "estate_stage": lambda debt, instance, data: estate_stage.open_estate_stage(debt),
    "final_account": lambda debt, instance, data: estate_stage.send_final_account(debt, instance),
}


def legal_step(case: HandlerCase, step: str) -> dict | None:
    """A step of the legal or the estate stage (Letter of Claim, referral, claim, judgment,
    enforcement, the estate's final account)."""
    if step not in LEGAL_STEPS:
        raise LegalStepRefused(f"unknown legal step '{step}'")
    result = LEGAL_STEPS[step](cases.debt_of(case.instance, case.data), case.instance, case.data)
    return result if isinstance(result, dict) else None  # only dicts become process data
