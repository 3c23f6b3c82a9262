"""Debt reports over HTTP."""
from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, fields, validate

from app.domain.instalments import FREQUENCIES, METHODS
from app.errors import ValidationFailed
from app.roles import FINANCE_STAFF, NOTIFIERS, RECOVERY_OFFICERS
from app.services.debts import (
    breathing_spaces,
    cases,
    instalment_plans,
    recovery_holds,
    reports,
    views,
)
from app.services.estates import deaths
from app.services.queries import records as query_records
from app.services.records import people

from . import bp
from .auth import current_user, requires
from .paging import page_args
from .schemas import StrictSchema, load_json

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
    rows = reports.limitation_report(current_user(), within_months=WINDOWS[within])
    return LimitationListOut().dump({"items": rows, "total": len(rows), "within": within})


limitation.openapi = {"response": LimitationListOut}


# --- debt cases ------------------------------------------------------------------------------------
_MONEY: dict[str, Any] = {"as_string": True, "places": 2}
DEBT_STATUSES = ("open", "closed", "all")


class GuardOut(Schema):
    guard = fields.String()
    reason = fields.String()
    since = fields.String(allow_none=True)


class AgedOut(Schema):
    band = fields.String()
    label = fields.String()
    amount = fields.Decimal(**_MONEY)


class DebtInvoiceOut(Schema):
    number = fields.String()
    invoice_date = fields.Date()
    due_date = fields.Date()
    total = fields.Decimal(**_MONEY)
    outstanding = fields.Decimal(**_MONEY)
    query_hold = fields.Boolean()
    statute_barred = fields.Boolean()


class ScheduleOut(Schema):
    date = fields.Date()
    amount = fields.Decimal(**_MONEY)


class PlanOut(Schema):
    id = fields.Integer()
    status = fields.String()
    arrears_total = fields.Decimal(**_MONEY)
    amount = fields.Decimal(**_MONEY)
    frequency = fields.String()
    first_date = fields.Date()
    method = fields.String()
    ended_on = fields.Date(allow_none=True)
    paid = fields.Decimal(**_MONEY)
    due_so_far = fields.Decimal(**_MONEY)
    missed_on = fields.Date(allow_none=True)
    bring_up_to_date_by = fields.Date(allow_none=True)
    schedule = fields.List(fields.Nested(ScheduleOut))


class NextStepOut(Schema):
    kind = fields.String()
    element_id = fields.String(allow_none=True)
    title = fields.String()
    date = fields.Date(allow_none=True)
    paused = fields.Boolean()
    remaining = fields.String(allow_none=True)


class DebtOut(Schema):
    id = fields.Integer()
    status = fields.String()
    stage = fields.String()
    stage_changed_on = fields.Date(allow_none=True)
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    closed_reason = fields.String(allow_none=True)
    person_reference = fields.String()
    account_number = fields.String()
    instance_id = fields.Integer(allow_none=True)
    balance = fields.Decimal(**_MONEY)
    not_yet_due = fields.Decimal(**_MONEY)
    aged = fields.List(fields.Nested(AgedOut))
    guards = fields.List(fields.Nested(GuardOut))
    invoices = fields.List(fields.Nested(DebtInvoiceOut))
    instalment_plan = fields.Nested(PlanOut, allow_none=True)
    next_step = fields.Nested(NextStepOut, allow_none=True)


class DebtListOut(Schema):
    items = fields.List(fields.Nested(DebtOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class PlanIn(StrictSchema):
    amount = fields.Decimal(required=True, places=None, allow_nan=False)
    frequency = fields.String(required=True, validate=validate.OneOf(sorted(FREQUENCIES)))
    first_date = fields.Date(required=True)
    method = fields.String(required=True, validate=validate.OneOf(sorted(METHODS)))
    full_income_expenditure = fields.Boolean(load_default=False)
    income_expenditure = fields.Dict(keys=fields.String(), values=fields.String(),
                                     load_default=dict)


class BreathingSpaceIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(breathing_spaces.KINDS))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None, allow_none=True)
    reference = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=40))


class BreathingSpaceEndIn(StrictSchema):
    ends_on = fields.Date(required=True)


class BreathingSpaceCancelIn(StrictSchema):
    cancelled_on = fields.Date(load_default=None, allow_none=True)


class BreathingSpaceOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    reference = fields.String(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    cancelled_on = fields.Date(allow_none=True)
    lifted_at = fields.DateTime(allow_none=True)


class DeathIn(StrictSchema):
    date_of_death = fields.Date(required=True)


class QueryHoldIn(StrictSchema):
    held = fields.Boolean(required=True)


def _visible_debt(debt_id: int):
    debt = cases.get_debt(debt_id)
    people.require_visible(people.get_person_by_id(debt.person_id), current_user())
    return debt


def _visible_person(reference: str):
    person = people.get_person(reference)
    people.require_visible(person, current_user())
    return person


@bp.get("/debts")
@requires(*FINANCE_STAFF)
def list_debts():
    """Debt cases, oldest first; filters: status (open|closed|all), stage, guard, person."""
    page, per_page = page_args()
    status = request.args.get("status", "open")
    if status not in DEBT_STATUSES:
        raise ValidationFailed("'status' must be open, closed or all",
                               [{"field": "status", "message": "use open, closed or all"}])
    query = views.DebtQuery(status=None if status == "all" else status,
                            stage=request.args.get("stage"),
                            guard=request.args.get("guard"),
                            person_reference=request.args.get("person"),
                            page=page, per_page=per_page)
    rows, total = views.list_debts(current_user(), query)
    return DebtListOut().dump({"items": [views.summary(d) for d in rows], "total": total,
                               "page": page, "per_page": per_page})


@bp.get("/debts/<int:debt_id>")
@requires(*FINANCE_STAFF)
def get_debt(debt_id):
    """A debt case: stage, guards holding, balance, aged amounts, plan and the next step."""
    return DebtOut().dump(views.summary(_visible_debt(debt_id)))


@bp.post("/debts/<int:debt_id>/instalment-plan")
@requires(*RECOVERY_OFFICERS)
def record_plan(debt_id):
    """Agree an instalment plan; the confirmation letter goes to the print batch."""
    debt = _visible_debt(debt_id)
    instalment_plans.record_plan(debt, load_json(PlanIn()), current_user())
    return DebtOut().dump(views.summary(debt)), 201


@bp.post("/debts/<int:debt_id>/recheck")
@requires(*RECOVERY_OFFICERS)
def recheck(debt_id):
    """Decide the guards again and run a held ladder on if nothing holds it any more."""
    debt = _visible_debt(debt_id)
    recovery_holds.recheck(debt, current_user())
    return DebtOut().dump(views.summary(debt))


@bp.post("/people/<reference>/breathing-spaces")
@requires(*NOTIFIERS)
def start_breathing_space(reference):
    """Record a Breathing Space notice: recovery pauses for every debt of the person."""
    body = load_json(BreathingSpaceIn())
    bs = breathing_spaces.start(_visible_person(reference), body["kind"], body["starts_on"],
                                body["ends_on"], body["reference"], current_user())
    return BreathingSpaceOut().dump(bs), 201


@bp.post("/breathing-spaces/<int:bs_id>/end")
@requires(*NOTIFIERS)
def end_breathing_space(bs_id):
    """Record the end of a Breathing Space; recovery resumes on that date."""
    bs = breathing_spaces.get(bs_id)
    _visible_person_id(bs.person_id)
    bs = breathing_spaces.end(bs, load_json(BreathingSpaceEndIn())["ends_on"], current_user())
    return BreathingSpaceOut().dump(bs)


@bp.post("/breathing-spaces/<int:bs_id>/cancel")
@requires(*NOTIFIERS)
def cancel_breathing_space(bs_id):
    """Record a cancelled Breathing Space; recovery resumes now."""
    bs = breathing_spaces.get(bs_id)
    _visible_person_id(bs.person_id)
    body = load_json(BreathingSpaceCancelIn())
    return BreathingSpaceOut().dump(breathing_spaces.cancel(bs, body["cancelled_on"],
                                                            current_user()))


@bp.post("/people/<reference>/death")
@requires(*NOTIFIERS)
def record_death(reference):
    """Record a death: the ladder stops and each open debt goes to the estate route."""
    person = _visible_person(reference)
    deaths.record_death(person, load_json(DeathIn())["date_of_death"], current_user())
    return {"reference": person.reference, "deceased": True,
            "date_of_death": person.date_of_death.isoformat()}


@bp.put("/invoices/<number>/query-hold")
@requires(*NOTIFIERS)
def set_query_hold(number):
    """Kept for older clients: held opens a query on the whole invoice, not held closes the
    queries opened this way (POST /people/<reference>/queries records a query in full)."""
    invoice = query_records.set_hold(number, load_json(QueryHoldIn())["held"], current_user())
    return {"number": invoice.number, "query_hold": invoice.query_hold}


def _visible_person_id(person_id: int) -> None:
    people.require_visible(people.get_person_by_id(person_id), current_user())


list_debts.openapi = {"response": DebtListOut}
get_debt.openapi = {"response": DebtOut}
record_plan.openapi = {"body": PlanIn, "response": DebtOut}
recheck.openapi = {"response": DebtOut}
start_breathing_space.openapi = {"body": BreathingSpaceIn, "response": BreathingSpaceOut}
end_breathing_space.openapi = {"body": BreathingSpaceEndIn, "response": BreathingSpaceOut}
cancel_breathing_space.openapi = {"body": BreathingSpaceCancelIn, "response": BreathingSpaceOut}
record_death.openapi = {"body": DeathIn}
set_query_hold.openapi = {"body": QueryHoldIn}
