"""Person search over HTTP:
GET /api/v1/people?name=&dob=&reference=&account=&invoice=&nhs_number=&postcode=."""
from __future__ import annotations

from flask import request
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from app.errors import ValidationFailed
from app.services.records.search import MAX_PER_PAGE, PersonQuery, search_people

from . import bp
from .auth import current_user, requires

REFERENCE = r"^[A-Za-z0-9-]{1,40}$"  # as POST /people accepts it
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # PostgreSQL refuses NUL in text: a 422, not a 500


class PersonSearchArgs(Schema):
    """The query string. Empty parameters count as absent (a browser form sends every field)."""

    class Meta:
        unknown = RAISE  # a misspelt criterion must not silently widen the search

    name = fields.String(validate=validate.Length(max=200))
    dob = fields.Date(format="iso")
    reference = fields.String(validate=validate.Regexp(REFERENCE))
    account = fields.String(validate=[validate.Length(max=40), validate.Regexp(PRINTABLE)])
    invoice = fields.String(validate=[validate.Length(max=40), validate.Regexp(PRINTABLE)])
    nhs_number = fields.String(validate=validate.Length(max=20))
    postcode = fields.String(validate=validate.Length(max=10))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE))

    @pre_load
    def _drop_blanks(self, data, **kwargs):
        return {key: value.strip() for key, value in data.items() if value.strip()}


class PersonHitOut(Schema):
    reference = fields.String()
    name = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    postcode = fields.String()
    team = fields.String()
    accounts = fields.List(fields.String())


class PersonSearchOut(Schema):
    items = fields.List(fields.Nested(PersonHitOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def _person_query() -> PersonQuery:
    try:
        args = PersonSearchArgs().load(request.args.to_dict())
    except ValidationError as exc:
        raise ValidationFailed("the search has problems", [
            {"field": field, "message": message}
            for field, messages in sorted(exc.normalized_messages().items())
            for message in messages]) from exc
    return PersonQuery(name=args.get("name"), date_of_birth=args.get("dob"),
                       reference=args.get("reference"), account_number=args.get("account"),
                       invoice_number=args.get("invoice"), nhs_number=args.get("nhs_number"),
                       postcode=args.get("postcode"), page=args["page"],
                       per_page=args["per_page"])


@bp.get("/people")
@requires()
def search_people_route():
    """Find people by name (word prefixes), dob, reference, account, invoice, NHS number or
    postcode; paged."""
    query = _person_query()
    items, total = search_people(query, current_user())
    return PersonSearchOut().dump({"items": items, "total": total, "page": query.page,
                                   "per_page": query.per_page})


search_people_route.openapi = {"response": PersonSearchOut}
