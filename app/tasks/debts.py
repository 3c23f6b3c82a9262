"""Service-task handlers of the debt-recovery ladder.

Both check the recovery guards first (app/services/recovery.py), whatever the diagram says: when
a guard holds, the step is parked (the instance waits, held) instead of sending or escalating.
"""
from __future__ import annotations

from app.services import legal, recovery
from app.services.engine_context import HandlerCase


def send_debt_letter(case: HandlerCase, template: str, date_var: str | None = None
                     ) -> dict | None:
    """Send a ladder letter about the invoices recovery may chase; park the step if held."""
    letter = recovery.send_ladder_letter(case.instance, template, case.data)
    return {date_var: letter.letter_date.isoformat()} if date_var else None


def debt_step(case: HandlerCase, step: str) -> dict | None:
    """An escalation (e.g. referral to the finance officer): guards first, then the new stage."""
    recovery.escalate(case.instance, step, case.data)
    if step == "legal_stage":
        legal.open_legal_stage(recovery.debt_of(case.instance, case.data))
    return None


def legal_step(case: HandlerCase, step: str) -> dict | None:
    """A step of the legal stage (Letter of Claim, referral, claim, judgment, estate)."""
    return legal.run_step(case.instance, step, case.data)
