"""The payment-instruction export (issue 21): every instruction for whoever pays a direct payment
made since the last export, as a CSV with a manifest, for the council's finance system, which
makes the payments. Columns and manifest: docs/exports.md.

Each instruction goes out once: the export marks what it wrote (exported_at) in its own
transaction, and of two exports at the same moment the second is refused (409), so none is in two
files and none is lost.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    DirectPaymentAgreement,
    InstructionKind,
    PaymentInstruction,
    Person,
    User,
)
from app.services import audit, export_files
from app.services.transaction import use_case

COLUMNS = ("instruction", "kind", "person_id", "account_type", "card_id", "effective_date",
           "amount", "frequency", "reason", "made_on")
PREFIX = "payment-instructions"


def number(instruction_id: int) -> str:
    """The instruction as the finance system quotes it back: PI-000123."""
    return f"PI-{instruction_id:06d}"


@use_case
def export_since_last(actor: User) -> tuple[bytes, dict]:
    """The CSV of the instructions not exported yet, oldest first, and its manifest; marks them
    exported."""
    now = clock.now()
    found = db.session.execute(
        select(PaymentInstruction, DirectPaymentAgreement, Person.reference)
        .join(DirectPaymentAgreement, DirectPaymentAgreement.id == PaymentInstruction.agreement_id)
        .join(Person, Person.id == DirectPaymentAgreement.person_id)
        .where(PaymentInstruction.exported_at.is_(None))
        .order_by(PaymentInstruction.id)).all()
    export_files.mark_exported(PaymentInstruction, [i.id for i, _, _ in found], now)
    content = export_files.csv_bytes(COLUMNS, (_cells(*row) for row in found))
    kinds = Counter(instruction.kind for instruction, _, _ in found)
    manifest = {
        "rows": len(found),
        "kinds": {kind.value: kinds.get(kind.value, 0) for kind in InstructionKind},
        "recoup_total": _total(i for i, _, _ in found if i.kind == InstructionKind.RECOUP),
        "first_instruction": number(found[0][0].id) if found else None,
        "last_instruction": number(found[-1][0].id) if found else None,
        "generated_at": now.isoformat(),
        "columns": list(COLUMNS),
        "sha256": export_files.sha256(content),
    }
    audit.record("payment_instructions_exported", actor=actor,
                 summary={"rows": len(found), "sha256": manifest["sha256"]})
    return content, manifest


def zip_of(content: bytes, manifest: dict) -> tuple[bytes, str]:
    """The CSV and its manifest in one zip, and the file name to give it."""
    return export_files.zip_of(PREFIX, content, manifest)


def _cells(instruction: PaymentInstruction, agreement: DirectPaymentAgreement,
           person: str) -> list[str]:
    amount = instruction.amount
    return [number(instruction.id), instruction.kind, person, agreement.account_type,
            agreement.card_id or "", instruction.effective_on.isoformat(),
            f"{amount:.2f}" if amount is not None else "", agreement.frequency,
            instruction.reason, instruction.created_at.astimezone(clock.LONDON).date().isoformat()]


def _total(instructions) -> str:
    return f"{sum((i.amount or Decimal('0.00') for i in instructions), Decimal('0.00')):.2f}"
