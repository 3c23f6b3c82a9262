"""Payment instructions: what whoever pays a direct payment must do, and from when. This service
does not pay (issue 21); starting, changing, suspending, restarting or stopping a payment, or
taking a surplus back from a card, becomes an instruction that the next export carries to the
council's finance system (instruction_export.py, docs/exports.md).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app import clock
from app.errors import ValidationFailed
from app.extensions import db
from app.models import DirectPaymentAgreement, InstructionKind, PaymentInstruction, User
from app.services import audit

# The kinds that say how much: the new payment, or the surplus to take back from the card.
WITH_AMOUNT = frozenset({InstructionKind.START, InstructionKind.CHANGE, InstructionKind.RECOUP})
# The kinds that only stop something: an amount on them would be read as a payment.
WITHOUT_AMOUNT = frozenset({InstructionKind.SUSPEND, InstructionKind.STOP})


def instruct(agreement: DirectPaymentAgreement, kind: InstructionKind | str, effective_on: date,
             amount: Decimal | None, reason: str, actor: User | None) -> PaymentInstruction:
    """Record an instruction for whoever pays, inside the caller's transaction, and audit it.
    A restart may give the amount it restarts at, or none (the amount as before)."""
    kind = _kind(kind)
    problems = _problems(kind, amount, reason)
    if problems:
        raise ValidationFailed("the payment instruction is not complete", problems)
    instruction = PaymentInstruction(
        agreement_id=agreement.id, kind=kind, effective_on=effective_on,
        amount=amount.quantize(Decimal("0.01")) if amount is not None else None,
        reason=reason.strip(), created_at=clock.now(),
        created_by_id=actor.id if actor else None)
    db.session.add(instruction)
    db.session.flush()
    audit.record("payment_instruction_made", actor=actor, person_id=agreement.person_id,
                 summary={"agreement_id": agreement.id, "instruction_id": instruction.id,
                          "kind": str(kind)})
    return instruction


def _kind(kind: InstructionKind | str) -> InstructionKind:
    try:
        return InstructionKind(kind)
    except ValueError:
        raise ValidationFailed("the payment instruction is not complete", [{
            "field": "kind", "message": f"'{kind}' is not one of: "
                                        f"{', '.join(k.value for k in InstructionKind)}"}]) from None


def _problems(kind: InstructionKind, amount: Decimal | None, reason: str) -> list[dict]:
    problems = []
    if kind in WITH_AMOUNT and (amount is None or amount <= 0):
        problems.append({"field": "amount", "message": f"Enter the amount for a {kind} "
                                                       "instruction, more than £0.00"})
    elif kind in WITHOUT_AMOUNT and amount is not None:
        problems.append({"field": "amount", "message": f"A {kind} instruction has no amount"})
    elif amount is not None and amount <= 0:
        problems.append({"field": "amount", "message": "The amount must be more than £0.00"})
    if not reason or not reason.strip():
        problems.append({"field": "reason", "message": "Enter the reason for the instruction"})
    return problems
