"""The export to the council's finance system (issue 20): every credit note issued and every
re-issued invoice since the last export, as a CSV with a manifest, so the ledger and this
service agree. Columns and manifest: docs/exports.md.

Each row goes out once: the export marks what it wrote (exported_at) in its own transaction, and
of two exports at the same moment the second finds the rows taken and is refused (409), so no row
is in two files and none is lost.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app import clock
from app.extensions import db
from app.models import Account, CreditNote, CreditNoteStatus, Invoice, Person, User
from app.services import audit, export_files
from app.services.transaction import use_case

COLUMNS = ("record_type", "number", "original_invoice_number", "account", "person_id",
           "amount", "reason", "issued_date")
CREDIT_NOTE = "credit note"
REISSUED_INVOICE = "reissued invoice"


@dataclass(frozen=True)
class _Row:
    record_type: str
    number: str
    original: str
    account: str
    person: str
    amount: Decimal
    reason: str
    issued: date

    def cells(self) -> list[str]:
        return [self.record_type, self.number, self.original, self.account, self.person,
                f"{self.amount:.2f}", self.reason, self.issued.isoformat()]


@use_case
def export_since_last(actor: User) -> tuple[bytes, dict]:
    """The CSV of what is new since the last export, and its manifest; marks it exported."""
    now = clock.now()
    notes = _credit_notes()
    reissued = _reissued_invoices()
    _mark(CreditNote, [row_id for row_id, _ in notes], now)
    _mark(Invoice, [row_id for row_id, _ in reissued], now)
    rows = [row for _, row in notes] + [row for _, row in reissued]
    content = _csv(rows)
    credits = [row for row in rows if row.record_type == CREDIT_NOTE]
    manifest = {
        "rows": len(rows),
        "credit_notes": len(credits),
        "reissued_invoices": len(rows) - len(credits),
        "total": _total(credits),
        "reissued_total": _total([r for r in rows if r.record_type != CREDIT_NOTE]),
        "first_number": credits[0].number if credits else None,
        "last_number": credits[-1].number if credits else None,
        "generated_at": now.isoformat(),
        "columns": list(COLUMNS),
        "sha256": export_files.sha256(content),
    }
    audit.record("finance_export_made", actor=actor,
                 summary={"rows": len(rows), "sha256": manifest["sha256"]})
    return content, manifest


def _total(rows: list[_Row]) -> str:
    return f"{sum((r.amount for r in rows), Decimal('0.00')):.2f}"


def zip_of(content: bytes, manifest: dict) -> tuple[bytes, str]:
    """The CSV and its manifest in one zip, and the file name to give it."""
    return export_files.zip_of("credit-notes", content, manifest)


def _credit_notes() -> list[tuple[int, _Row]]:
    rows = db.session.execute(
        select(CreditNote, Invoice.number, Account.number, Person.reference)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .join(Account, Account.id == Invoice.account_id)
        .join(Person, Person.id == Account.person_id)
        .where(CreditNote.status == CreditNoteStatus.ISSUED, CreditNote.exported_at.is_(None))
        .order_by(CreditNote.id))
    return [(note.id, _Row(CREDIT_NOTE, note.number, invoice, account, person, note.amount,
                           note.reason, note.issued_on or note.raised_on))
            for note, invoice, account, person in rows]


def _reissued_invoices() -> list[tuple[int, _Row]]:
    original = aliased(Invoice)
    rows = db.session.execute(
        select(Invoice, original.number, Account.number, Person.reference)
        .join(original, original.id == Invoice.reissue_of_id)
        .join(Account, Account.id == Invoice.account_id)
        .join(Person, Person.id == Account.person_id)
        .where(Invoice.reissue_of_id.is_not(None), Invoice.exported_at.is_(None))
        .order_by(Invoice.id))
    return [(invoice.id, _Row(REISSUED_INVOICE, invoice.number, was, account, person,
                              invoice.total, f"Re-issues invoice {was}", invoice.invoice_date))
            for invoice, was, account, person in rows]


def _mark(model, ids: list[int], now) -> None:
    export_files.mark_exported(model, ids, now)


def _csv(rows: list[_Row]) -> bytes:
    return export_files.csv_bytes(COLUMNS, (row.cells() for row in rows))
