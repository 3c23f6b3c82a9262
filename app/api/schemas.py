"""Marshmallow schemas: what the API accepts and what it answers."""
from __future__ import annotations

from flask import request
from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from app.errors import Malformed, ValidationFailed
from app.letters.addressing import REPRESENTATIVE_TYPES, SCOPES
from app.roles import ROLES

REP_TYPES = tuple(sorted(REPRESENTATIVE_TYPES))
REP_SCOPES = tuple(sorted(SCOPES))


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def load_json(schema: Schema) -> dict:
    """Parse the JSON body (400 if it is not JSON) and validate it (422 listing each field)."""
    body = request.get_json(silent=True)
    if body is None:
        if request.get_data():
            raise Malformed("the request body is not valid JSON")
        body = {}
    if not isinstance(body, dict):
        raise Malformed("the request body must be a JSON object")
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise ValidationFailed("the request has problems", _details(exc.messages)) from exc


def _details(messages, prefix: str = "") -> list[dict]:
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_details(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out.extend({"field": prefix, "message": m} for m in messages)
    else:
        for item in messages:
            out.extend(_details(item, prefix))
    return out


class TokenIn(StrictSchema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenOut(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()


class AddressIn(StrictSchema):
    lines = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                        validate=validate.Length(min=1, max=6))
    postcode = fields.String(required=True, validate=validate.Length(min=2, max=10))


# How to reach a person or their representative (docs/imports.md uses the same values).
CONTACT_PREFERENCES = ("post", "email", "phone")
ACCESSIBLE_FORMATS = ("large_print", "braille", "easy_read", "audio")
PHONE = r"^\+?[0-9][0-9 ()-]{5,28}$"


class ContactIn(StrictSchema):
    contact_preference = fields.String(load_default="post",
                                       validate=validate.OneOf(CONTACT_PREFERENCES))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        PHONE, error="Enter a telephone number, like 01632 960 001 or +44 808 157 0192"))
    accessible_format = fields.String(load_default=None, allow_none=True,
                                      validate=validate.OneOf(ACCESSIBLE_FORMATS))
    language = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(min=1, max=40))

    @validates_schema
    def _preferred_way_given(self, data, **kwargs):
        preference = data.get("contact_preference")
        if preference in ("email", "phone") and not data.get(preference):
            raise ValidationError(f"give the {preference} they prefer to be contacted by",
                                  preference)


class RepresentativeIn(ContactIn):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.OneOf(REP_TYPES))
    scope = fields.String(required=True, validate=validate.OneOf(REP_SCOPES))
    address = fields.Nested(AddressIn, required=True)


class DirectPaymentIn(StrictSchema):
    variant = fields.String(required=True,
                            validate=validate.OneOf(("standard", "nominated_authorised", "carer")))
    amount = fields.Decimal(required=True, places=2, as_string=True,
                            validate=validate.Range(min=0, min_inclusive=False))
    frequency = fields.String(required=True,
                              validate=validate.OneOf(("weekly", "four_weekly", "monthly")))
    client_contribution = fields.Decimal(load_default="0", places=2, as_string=True,
                                         validate=validate.Range(min=0))


class PersonIn(ContactIn):
    reference = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{1,40}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    address = fields.Nested(AddressIn, required=True)
    team = fields.String(required=True, validate=validate.Length(min=1, max=100))
    caseworker = fields.String(load_default=None, allow_none=True)
    representative = fields.Nested(RepresentativeIn, load_default=None, allow_none=True)
    direct_payment = fields.Nested(DirectPaymentIn, load_default=None, allow_none=True)


class InstanceIn(StrictSchema):
    process = fields.String(required=True)
    person_reference = fields.String(required=True)
    data = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]*$")),
                       load_default=dict)


class DataIn(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class AssignIn(StrictSchema):
    username = fields.String(required=True)


class ClockIn(StrictSchema):
    advance = fields.String()
    set = fields.AwareDateTime()

    @validates_schema
    def _exactly_one(self, data, **kwargs):
        if ("advance" in data) == ("set" in data):
            raise ValidationError("give exactly one of 'advance' or 'set'")


class FormFieldOut(Schema):
    id = fields.String()
    label = fields.String()
    type = fields.String()
    required = fields.Boolean()
    default = fields.String(allow_none=True)
    options = fields.List(fields.List(fields.String()))
    validation = fields.Dict()


class TaskOut(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer()
    name = fields.String()
    title = fields.String()
    role = fields.String(allow_none=True)
    status = fields.String()
    process = fields.String(attribute="process_key")
    instance_id = fields.Integer()
    person_reference = fields.Function(lambda t: t.person.reference)
    person_name = fields.Function(lambda t: t.person.name)
    team = fields.Function(lambda t: t.team.name if t.team else None)
    claimed_by = fields.Function(lambda t: t.claimed_by.username if t.claimed_by else None)
    due_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    completed_at = fields.AwareDateTime(allow_none=True)


class TaskDetailOut(TaskOut):
    form = fields.List(fields.Nested(FormFieldOut))
    outcome = fields.Dict(allow_none=True)


class TaskPageOut(Schema):
    """A page of the task list (documents GET /tasks; the handler builds the dict)."""
    items = fields.List(fields.Nested(TaskOut))
    next = fields.String(allow_none=True, metadata={
        "description": "Opaque cursor: pass it as `cursor` for the next page; null on the last"})
    total = fields.Integer(allow_none=True, metadata={
        "description": "Matching tasks, counted on the first page (no cursor) only"})
    page = fields.Integer(allow_none=True, metadata={
        "description": "The numbered page asked for (1 with neither page nor cursor); null "
                       "after a cursor. Numbered pages are kept for older clients"})
    per_page = fields.Integer()


class LetterOut(Schema):
    id = fields.Integer()
    template = fields.String()
    template_ref = fields.String()
    letter_date = fields.Date()
    recipient_name = fields.String()
    status = fields.String()
    sha256 = fields.String(allow_none=True)  # None until the letter worker has made it
    merge_data_hash = fields.String(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    render_status = fields.String()
    render_error = fields.String(allow_none=True)


class IncidentOut(Schema):
    id = fields.Integer()
    element_id = fields.String()
    handler = fields.String()
    error = fields.String()
    created_at = fields.AwareDateTime()


class InstanceSummaryOut(Schema):
    id = fields.Integer()
    process = fields.Function(lambda i: i.version.definition.key)
    version = fields.Function(lambda i: i.version.number)
    status = fields.String()
    next_timer_due = fields.AwareDateTime(allow_none=True)


class InstanceOut(InstanceSummaryOut):
    person_reference = fields.Function(lambda i: i.person.reference)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    ready_tasks = fields.List(fields.Nested(TaskOut))
    incident = fields.Nested(IncidentOut, allow_none=True)
    letters = fields.List(fields.Nested(LetterOut))


class HistoryEventOut(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    action = fields.String()
    actor = fields.Function(lambda e: e.actor.username if e.actor else "system")
    element_id = fields.String(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    summary = fields.Dict()


class ContactOut(Schema):
    contact_preference = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    accessible_format = fields.String(allow_none=True)
    language = fields.String(allow_none=True)


class RepresentativeOut(ContactOut):
    name = fields.String()
    type = fields.String()
    scope = fields.String()
    address_lines = fields.List(fields.String())
    postcode = fields.String()


class PersonOut(ContactOut):
    id = fields.Integer()
    reference = fields.String()
    name = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    deceased = fields.Boolean()
    date_of_death = fields.Date(allow_none=True)
    address_lines = fields.List(fields.String())
    postcode = fields.String()
    team = fields.Function(lambda p: p.team.name)
    caseworker = fields.Function(lambda p: p.caseworker.username if p.caseworker else None)
    representative = fields.Nested(RepresentativeOut, allow_none=True)


class PersonDetailOut(PersonOut):
    instances = fields.List(fields.Nested(InstanceSummaryOut))
    tasks = fields.List(fields.Nested(TaskOut))
    letters = fields.List(fields.Nested(LetterOut))


class VersionOut(Schema):
    number = fields.Integer()
    content_hash = fields.String()
    source = fields.String()
    published_at = fields.AwareDateTime()


class ProblemOut(Schema):
    message = fields.String()
    element_id = fields.String()
    line = fields.Integer()


class ProcessOut(Schema):
    key = fields.String()
    name = fields.String()
    latest_version = fields.Function(lambda d: d.versions[-1].number if d.versions else None)
    has_draft = fields.Function(lambda d: d.draft_xml is not None)


class ProcessDetailOut(ProcessOut):
    versions = fields.List(fields.Nested(VersionOut))
    draft_problems = fields.List(fields.Dict())


class DraftCheckOut(Schema):
    valid = fields.Boolean()
    errors = fields.List(fields.Dict())


ROLE_NAMES = sorted(ROLES)
