"""Invoice queries over HTTP: open one for a person (its invoices held from recovery), list a
person's, read one, close one with its outcome."""
from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, fields, validate

from app.domain.queries import (
    CHANNEL_WORDS,
    FROM_WORDS,
    OUTCOME_WORDS,
    REASONS_MAX,
    TYPE_WORDS,
    WHAT_WAS_SAID_MAX,
)
from app.errors import Conflict, ValidationFailed
from app.roles import FINANCE_STAFF, NOTIFIERS, QUERY_RESOLVERS
from app.services.queries import query_views, records
from app.services.records import people

from . import bp
from .auth import current_user, requires
from .schemas import StrictSchema, load_json

_MONEY: dict[str, Any] = {"as_string": True, "places": 2}
STATUSES = ("open", "closed", "all")
CHANNELS, FROM = tuple(CHANNEL_WORDS), tuple(FROM_WORDS)
TYPES, OUTCOMES = tuple(TYPE_WORDS), tuple(OUTCOME_WORDS)


class QueriedInvoiceIn(StrictSchema):
    invoice_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    line_id = fields.Integer(load_default=None, allow_none=True)
    amount = fields.Decimal(load_default=None, allow_none=True, places=None, allow_nan=False)


class QueryIn(StrictSchema):
    received_on = fields.Date(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    raised_by = fields.String(required=True, validate=validate.OneOf(FROM))
    raised_by_name = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=200))
    query_type = fields.String(required=True, validate=validate.OneOf(TYPES))
    what_was_said = fields.String(required=True,
                                  validate=validate.Length(min=1, max=WHAT_WAS_SAID_MAX))
    invoices = fields.List(fields.Nested(QueriedInvoiceIn), required=True,
                           validate=validate.Length(min=1, max=50))
    owner = fields.String(load_default=None, allow_none=True, metadata={
        "description": "Username of the finance staff member who owns it (none if left out)"})


class QueryCloseIn(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    reasons = fields.String(required=True, validate=validate.Length(min=1, max=REASONS_MAX))
    decided_on = fields.Date(required=True)


class QueriedInvoiceOut(Schema):
    invoice_number = fields.Function(lambda i: i.invoice.number)
    line_id = fields.Integer(allow_none=True)
    line = fields.Function(lambda i: i.line.description if i.line else None)
    amount = fields.Decimal(allow_none=True, **_MONEY, metadata={
        "description": "As given; null: the whole line or what is outstanding"})
    in_question = fields.Function(lambda i: f"{records.amount_in_question(i):.2f}")
    held = fields.Function(lambda i: i.invoice.query_hold)


class QueryOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    person_reference = fields.Function(lambda q: records.person_of(q).reference)
    status = fields.String()
    received_on = fields.Date()
    channel = fields.String()
    raised_by = fields.String()
    raised_by_name = fields.String(allow_none=True)
    query_type = fields.String()
    what_was_said = fields.String()
    owner = fields.Function(lambda q: q.owner.username if q.owner else None)
    outcome = fields.String(allow_none=True)
    outcome_on = fields.Date(allow_none=True)
    outcome_reasons = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    invoices = fields.List(fields.Nested(QueriedInvoiceOut), attribute="items")


class QueryListOut(Schema):
    items = fields.List(fields.Nested(QueryOut))
    total = fields.Integer()


def _visible_person(reference: str):
    person = people.get_person(reference)
    people.require_visible(person, current_user())
    return person


def _visible_query(query_id: int):
    query = records.get_query(query_id)
    people.require_visible(records.person_of(query), current_user())
    return query


@bp.post("/people/<reference>/queries")
@requires(*NOTIFIERS)
def open_query(reference):
    """Record a query about some of the person's invoices: each is held from recovery while
    the query is open."""
    person = _visible_person(reference)
    body = load_json(QueryIn())
    owner = None
    if body["owner"]:
        owner = records.user_named(body["owner"])
        if owner is None:
            raise ValidationFailed("the query has problems", [{
                "field": "owner", "message": f"no member of staff '{body['owner']}'"}])
    query = records.open_query(
        person, received_on=body["received_on"], channel=body["channel"],
        raised_by=body["raised_by"], raised_by_name=body["raised_by_name"],
        query_type=body["query_type"], what_was_said=body["what_was_said"],
        invoices=body["invoices"], owner=owner, actor=current_user())
    return QueryOut().dump(query), 201


@bp.get("/people/<reference>/queries")
@requires(*FINANCE_STAFF)
def list_queries(reference):
    """The person's queries, newest first; filter: status (open|closed|all, default all)."""
    person = _visible_person(reference)
    status = request.args.get("status", "all")
    if status not in STATUSES:
        raise ValidationFailed("'status' must be open, closed or all",
                               [{"field": "status", "message": "use open, closed or all"}])
    rows = records.queries_of(person, None if status == "all" else status)
    return QueryListOut().dump({"items": rows, "total": len(rows)})


@bp.get("/queries/<int:query_id>")
@requires(*FINANCE_STAFF)
def get_query(query_id):
    """One query, with its invoices and, once closed, its outcome."""
    return QueryOut().dump(_visible_query(query_id))


@bp.post("/queries/<int:query_id>/close")
@requires(*QUERY_RESOLVERS)
def close_query(query_id):
    """Record the outcome: the query closes and each invoice no other open query holds is
    released for recovery. Refused (409) while the query's invoice_query process runs: its
    outcome is then recorded on the process's outcome task, which closes the query."""
    query = _visible_query(query_id)
    if query.status == "open" and query_views.running_instance(query) is not None:
        raise Conflict(f"query {query.reference} is being worked in its process: record its "
                       "outcome on the process's task “Decide the outcome of the query”, "
                       "which closes the query")
    body = load_json(QueryCloseIn())
    return QueryOut().dump(records.close_query(
        query, outcome=body["outcome"], reasons=body["reasons"], decided_on=body["decided_on"],
        actor=current_user()))


open_query.openapi = {"body": QueryIn, "response": QueryOut}
list_queries.openapi = {"response": QueryListOut}
get_query.openapi = {"response": QueryOut}
close_query.openapi = {"body": QueryCloseIn, "response": QueryOut}
