"""Debt reports over HTTP."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, fields

from app.errors import ValidationFailed
from app.services import debts

from . import bp
from .auth import FINANCE_STAFF, current_user, requires

WINDOWS = {"6m": 6, "12m": 12, "barred": None}


class LimitationRowOut(Schema):
    invoice_number = fields.String()
    account_number = fields.String()
    person_reference = fields.String()
    due_date = fields.Date()
    outstanding = fields.Decimal(as_string=True, places=2)
    limitation_expiry = fields.Date()


class LimitationListOut(Schema):
    items = fields.List(fields.Nested(LimitationRowOut))
    total = fields.Integer()
    within = fields.String()


@bp.get("/debts/limitation")
@requires(*FINANCE_STAFF)
def limitation():
    """Unpaid invoices within 6 or 12 months of their limitation date (s69(3)), or past it."""
    within = request.args.get("within", "12m")
    if within not in WINDOWS:
        raise ValidationFailed("'within' must be 6m, 12m or barred",
                               [{"field": "within", "message": "use 6m, 12m or barred"}])
    rows = debts.limitation_report(current_user(), within_months=WINDOWS[within])
    return LimitationListOut().dump({"items": rows, "total": len(rows), "within": within})


limitation.openapi = {"response": LimitationListOut}
