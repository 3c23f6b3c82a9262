"""CSV imports from the finance and social-care systems, and the payments held in suspense."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, fields

from app.errors import Malformed, NotFound
from app.imports.formats import FORMATS, decode
from app.roles import FINANCE_STAFF
from app.services.imports import import_files

from . import bp
from .auth import current_user, requires
from .paging import page_args


class ImportResultOut(Schema):
    kind = fields.String()
    rows = fields.Integer()
    added = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    suspense = fields.Integer()
    related = fields.Dict(keys=fields.String(), values=fields.Integer())


class SuspensePaymentOut(Schema):
    id = fields.Integer()
    bank_reference = fields.String()
    paid_on = fields.Date()
    amount = fields.Decimal(as_string=True, places=2)
    account_number = fields.String()
    method = fields.String()
    imported_at = fields.AwareDateTime()


class SuspenseListOut(Schema):
    items = fields.List(fields.Nested(SuspensePaymentOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


@bp.post("/imports/<kind>")
@requires(*FINANCE_STAFF)
def import_csv(kind):
    """Import a CSV file of one kind (docs/imports.md: people, representatives, care_packages,
    invoices, payments, direct_payments, card_transactions, card_balances or
    direct_payment_payments)."""
    if kind not in FORMATS:
        raise NotFound(f"no import of kind '{kind}'; kinds: {', '.join(FORMATS)}")
    if request.mimetype != "text/csv":
        raise Malformed("send the file as the request body with Content-Type: text/csv")
    try:
        text = decode(request.get_data())
    except ValueError as exc:
        raise Malformed(str(exc)) from exc
    result = import_files.import_file(kind, text, current_user())
    return ImportResultOut().dump(result)


@bp.get("/payments/suspense")
@requires(*FINANCE_STAFF)
def suspense_payments():
    """Payments that matched no account, oldest first (page, per_page)."""
    page, per_page = page_args()
    items, total = import_files.suspense_payments(page, per_page)
    return {"items": SuspensePaymentOut(many=True).dump(items), "total": total, "page": page,
            "per_page": per_page}



import_csv.openapi = {"body_type": "text/csv", "response": ImportResultOut}
suspense_payments.openapi = {"response": SuspenseListOut}
