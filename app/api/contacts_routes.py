"""Calls and contacts logged on a case without a task, over HTTP (the page's service, the same
rules: app/services/records/contacts.py)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.roles import FINANCE_STAFF
from app.services.records import contacts, people

from . import bp
from .auth import current_user, requires
from .schemas import StrictSchema, load_json


class ContactLogIn(StrictSchema):
    contacted_on = fields.Date(required=True, metadata={
        "description": "the day of the contact, today or earlier"})
    contacted_time = fields.Time(load_default=None, allow_none=True)
    method = fields.String(required=True, validate=validate.OneOf(list(contacts.METHODS)))
    with_whom = fields.String(required=True, validate=validate.OneOf(
        [w.value for w in contacts.ContactWith]))
    representative_id = fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "one of the person's representatives, with with_whom=representative"})
    other_name = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=contacts.NAME_MAX_CHARS),
                               metadata={"description": "the provider or someone else; a "
                                                        "representative not yet recorded"})
    outcome = fields.String(required=True, validate=validate.OneOf(list(contacts.OUTCOMES)))
    promised_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "with outcome will_pay only (then required): today or later, within "
                       f"{contacts.PROMISE_WITHIN_MONTHS} months"})
    promised_amount = fields.Decimal(load_default=None, allow_none=True, places=2,
                                     as_string=True)
    notes = fields.String(load_default="", validate=validate.Length(
        max=contacts.NOTES_MAX_CHARS))


class ContactOut(Schema):
    id = fields.Integer()
    contacted_on = fields.Date()
    contacted_time = fields.Time(allow_none=True)
    method = fields.String()
    with_whom = fields.String()
    representative_id = fields.Integer(allow_none=True)
    other_name = fields.String(allow_none=True)
    outcome = fields.String()
    promised_on = fields.Date(allow_none=True)
    promised_amount = fields.Decimal(as_string=True, places=2, allow_none=True)
    notes = fields.String()
    recorded_at = fields.AwareDateTime()


class ContactListOut(Schema):
    items = fields.List(fields.Nested(ContactOut))
    total = fields.Integer()


@bp.post("/people/<reference>/contacts")
@requires(*FINANCE_STAFF)
def log_contact(reference):
    """Log a call or contact without a task; audited and shown in the case history."""
    person = people.get_person(reference)
    people.require_visible(person, current_user())
    record = contacts.log_contact(person, contacts.ContactIn(**load_json(ContactLogIn())),
                                  current_user())
    return ContactOut().dump(record), 201


@bp.get("/people/<reference>/contacts")
@requires(*FINANCE_STAFF)
def list_contacts(reference):
    """The person's logged contacts, the latest first."""
    person = people.get_person(reference)
    people.require_visible(person, current_user())
    items = contacts.contacts_of(person)
    return {"items": ContactOut(many=True).dump(items), "total": len(items)}


log_contact.openapi = {"body": ContactLogIn, "response": ContactOut}
list_contacts.openapi = {"response": ContactListOut}
