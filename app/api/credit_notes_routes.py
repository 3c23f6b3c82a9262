"""Credit notes over HTTP (DOMAIN.md A.4 step 5): raise one on an invoice, decide one waiting for
approval, read one; and the export for the council's finance system. Thin: shapes here, the
rules in app/services/queries/credit_notes.py."""
from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields, validate

from app.roles import FINANCE_EXPORTERS, RECOVERY_OFFICERS, WRITE_OFF_DECIDERS
from app.services.queries import credit_notes
from app.services.records import people

from . import bp
from .auth import current_user, requires
from .schemas import StrictSchema, load_json

class CreditLineIn(StrictSchema):
    line_id = fields.Integer(required=True, strict=True)
    amount = fields.Decimal(required=True, allow_nan=False)


class CreditNoteIn(StrictSchema):
    amount = fields.Decimal(required=True, allow_nan=False)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    lines = fields.List(fields.Nested(CreditLineIn), load_default=list,
                        validate=validate.Length(max=200))
    query_id = fields.Integer(load_default=None, allow_none=True, strict=True)


class CreditNoteDecisionIn(StrictSchema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, allow_none=True)  # required to reject


class CreditNoteOut(Schema):
    id = fields.Integer()
    number = fields.String()
    invoice_number = fields.Function(lambda note: note.invoice.number)
    query_id = fields.Integer(allow_none=True)
    amount = fields.Decimal(as_string=True, places=2)
    reason = fields.String()
    lines = fields.List(fields.Dict())
    status = fields.String()
    raised_on = fields.Date()
    issued_on = fields.Date(allow_none=True)
    approver_role = fields.String(allow_none=True)
    invoice_outstanding = fields.Function(lambda note: f"{note.invoice.outstanding:.2f}")


def _visible_invoice(number: str):
    invoice = credit_notes.invoice_by_number(number)
    people.require_visible(people.get_person_by_id(invoice.account.person_id), current_user())
    return invoice


def _visible_note(note_id: int):
    note = credit_notes.get_credit_note(note_id)
    people.require_visible(credit_notes.person_of(note), current_user())
    return note


@bp.post("/invoices/<number>/credit-notes")
@requires(*RECOVERY_OFFICERS)
def raise_credit_note(number):
    """Raise a credit note: issued at once up to the threshold, else waiting for approval by
    someone other than its author at the level the amount needs (settings)."""
    invoice = _visible_invoice(number)
    body = load_json(CreditNoteIn())
    lines = [{"line_id": line["line_id"], "amount": line["amount"]} for line in body["lines"]]
    note = credit_notes.raise_credit_note(
        invoice, amount=body["amount"], reason=body["reason"], lines=lines,
        query=credit_notes.query_by_id(body["query_id"]), actor=current_user())
    return CreditNoteOut().dump(note), 201


@bp.post("/credit-notes/<int:note_id>/decision")
@requires(*WRITE_OFF_DECIDERS)
def decide_credit_note(note_id):
    """Approve (the note is issued) or reject it with a reason; never by its author."""
    note = _visible_note(note_id)
    body = load_json(CreditNoteDecisionIn())
    return CreditNoteOut().dump(credit_notes.decide_credit_note(
        note, approve=body["approve"], reason=body["reason"], actor=current_user()))


@bp.get("/credit-notes/<int:note_id>")
@requires(*RECOVERY_OFFICERS, *FINANCE_EXPORTERS)
def get_credit_note(note_id):
    """A credit note with its invoice's outstanding amount."""
    return CreditNoteOut().dump(_visible_note(note_id))


@bp.post("/exports/credit-notes")
@requires(*FINANCE_EXPORTERS)
def export_credit_notes():
    """Everything issued since the last export, once: a zip of the CSV and its manifest
    (docs/exports.md). The manifest's sha256 and row count are also in response headers."""
    content, manifest = credit_notes.export_since_last(current_user())
    archive, name = credit_notes.zip_of(content, manifest)
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Export-Rows": str(manifest["rows"]), "X-Export-Sha256": manifest["sha256"]})


raise_credit_note.openapi = {"body": CreditNoteIn, "response": CreditNoteOut}
decide_credit_note.openapi = {"body": CreditNoteDecisionIn, "response": CreditNoteOut}
get_credit_note.openapi = {"response": CreditNoteOut}
