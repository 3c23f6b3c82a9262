"""Calls and contacts logged on a case without a task: each one transaction, audited, told in the
History and shown on the Summary ("Last contact", and a promise to pay still ahead).

The outcomes are the debt phone call's (workflows/debt_recovery.bpmn, phone_contact), so a call
logged here reads like one recorded on the task. The plausibility rules live here, not on the
page, so the API refuses the same nonsense: a contact in the future, a "will pay" without a
date, a promised date in the past or more than PROMISE_WITHIN_MONTHS ahead.

A promise to pay does not hold the recovery ladder: DOMAIN.md's global guards hold it for a
Breathing Space, a death, an open query and an instalment plan that is up to date, not for a
promise, and the Ombudsman found fault where a debt was left to drift [S104]. The seam is
`promise_ahead`: a guard that should wait for a promised date would read it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from app import calendar, clock
from app.errors import ValidationFailed
from app.extensions import db
from app.letters.formatting import format_date, format_money
from app.models import (
    ContactMethod,
    ContactOutcome,
    ContactRecord,
    ContactWith,
    Person,
    Representative,
    User,
)
from app.services import audit
from app.services.transaction import use_case

PROMISE_WITHIN_MONTHS = 3
OLDEST_YEARS = 6  # the limitation period: an older contact is a typing slip, not a record
NOTES_MAX_CHARS = 5000
NAME_MAX_CHARS = 200
AMOUNT_LIMIT = Decimal("1000000")

# How, as the page asks it and as the History tells it.
METHODS: dict[str, str] = {
    ContactMethod.PHONE_OUT: "Phone call: we called them",
    ContactMethod.PHONE_IN: "Phone call: they called us",
    ContactMethod.EMAIL: "Email",
    ContactMethod.LETTER: "Letter",
    ContactMethod.VISIT: "Visit",
    ContactMethod.OTHER: "Another way",
}
_METHOD_SENTENCE = {
    ContactMethod.PHONE_OUT: "Phoned {who}",
    ContactMethod.PHONE_IN: "{who} phoned",
    ContactMethod.EMAIL: "Email with {who}",
    ContactMethod.LETTER: "Letter with {who}",
    ContactMethod.VISIT: "Visited {who}",
    ContactMethod.OTHER: "Contact with {who}",
}
OUTCOMES: dict[str, str] = {
    ContactOutcome.WILL_PAY: "Will pay",
    ContactOutcome.WANTS_ARRANGEMENT: "Wants an arrangement or more time to pay",
    ContactOutcome.DISPUTES: "Disputes the charge",
    ContactOutcome.HARDSHIP: "Hardship: cannot afford to pay",
    ContactOutcome.MESSAGE_LEFT: "No answer: message left",
    ContactOutcome.NO_ANSWER: "No answer",
    ContactOutcome.WRONG_DETAILS: "Wrong number or contact details",
    ContactOutcome.OTHER: "Something else",
}
WITH_WHOM = frozenset(ContactWith)


@dataclass(frozen=True)
class ContactIn:
    """A contact as staff describe it. `representative_id` names a recorded representative;
    `other_name` names a provider, someone else, or a representative not recorded yet."""
    contacted_on: date | None
    method: str
    with_whom: str
    outcome: str
    contacted_time: time | None = None
    representative_id: int | None = None
    other_name: str | None = None
    promised_on: date | None = None
    promised_amount: Decimal | None = None
    notes: str = ""


def promise_latest(today: date) -> date:
    """The latest promised payment date accepted when a contact is logged on `today`."""
    return calendar.add_months(today, PROMISE_WITHIN_MONTHS)


@use_case
def log_contact(person: Person, contact: ContactIn, actor: User) -> ContactRecord:
    """Log a call or contact on the person's case; ValidationFailed names each problem by field."""
    now = clock.now()
    problems = problems_with(person, contact, now)
    if problems:
        raise ValidationFailed("the contact cannot be logged", problems)
    assert contact.contacted_on is not None  # no problems: there is a date
    record = ContactRecord(
        person_id=person.id, contacted_on=contact.contacted_on,
        contacted_time=contact.contacted_time, method=contact.method,
        with_whom=contact.with_whom, representative_id=contact.representative_id,
        other_name=(contact.other_name or "").strip() or None, outcome=contact.outcome,
        promised_on=contact.promised_on, promised_amount=contact.promised_amount,
        notes=(contact.notes or "").strip(), recorded_by_id=actor.id, recorded_at=now)
    db.session.add(record)
    db.session.flush()
    # Codes and ids only: the History reads the words from the record (audit.py's rule).
    audit.record("contact_logged", actor=actor, person_id=person.id, summary={
        "contact_id": record.id, "method": record.method, "outcome": record.outcome})
    return record


def problems_with(person: Person, contact: ContactIn, now: datetime) -> list[dict[str, str]]:
    """What is wrong with a contact, field by field (the page shows them all at once)."""
    problems: list[dict[str, str]] = []

    def refuse(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    today = now.astimezone(calendar.LOCAL_TZ).date()
    _check_when(contact, now, today, refuse)
    if contact.method not in METHODS:
        refuse("method", "Select how you were in contact")
    _check_who(person, contact, refuse)
    if contact.outcome not in OUTCOMES:
        refuse("outcome", "Select what the outcome was")
    _check_promise(contact, today, refuse)
    notes = (contact.notes or "").strip()
    if len(notes) > NOTES_MAX_CHARS:
        refuse("notes", f"Notes must be {NOTES_MAX_CHARS:,} characters or fewer")
    elif contact.outcome == ContactOutcome.OTHER and not notes:
        refuse("notes", "Enter what happened")
    return problems


def _check_when(contact: ContactIn, now: datetime, today: date, refuse) -> None:
    on = contact.contacted_on
    if on is None:
        refuse("contacted_on", "Enter the date of the contact")
    elif on > today:
        refuse("contacted_on", "The date of the contact must be today or in the past")
    elif on < today - relativedelta(years=OLDEST_YEARS):
        refuse("contacted_on", f"The date of the contact must be in the last {OLDEST_YEARS} "
                               "years")
    elif (on == today and contact.contacted_time is not None
          and contact.contacted_time > now.astimezone(calendar.LOCAL_TZ).time()):
        refuse("contacted_time", "The time of the contact must be now or in the past")


def _check_who(person: Person, contact: ContactIn, refuse) -> None:
    if contact.with_whom not in WITH_WHOM:
        refuse("with_whom", "Select who you were in contact with")
        return
    name = (contact.other_name or "").strip()
    if len(name) > NAME_MAX_CHARS:
        refuse("other_name", f"The name must be {NAME_MAX_CHARS} characters or fewer")
    if contact.with_whom == ContactWith.REPRESENTATIVE:
        if contact.representative_id is not None:
            if contact.representative_id not in {r.id for r in person.representatives}:
                refuse("representative_id", "Select one of the person's representatives")
        elif not name:
            refuse("other_name", "Enter the representative's name")
    elif contact.representative_id is not None:
        refuse("representative_id", "Name a representative only for a contact with one")
    if contact.with_whom == ContactWith.PROVIDER and not name:
        refuse("other_name", "Enter the name of the provider")
    elif contact.with_whom == ContactWith.SOMEONE_ELSE and not name:
        refuse("other_name", "Enter the name of who you were in contact with")


def _check_promise(contact: ContactIn, today: date, refuse) -> None:
    amount = contact.promised_amount
    if contact.outcome != ContactOutcome.WILL_PAY:
        if contact.promised_on is not None or amount is not None:
            refuse("promised_on", "Give a promised payment date only when they will pay")
        return
    if contact.promised_on is None:
        refuse("promised_on", "Enter the date they promised to pay by")
    elif contact.promised_on < today:
        refuse("promised_on", "The promised payment date must be today or in the future")
    elif contact.promised_on > promise_latest(today):
        refuse("promised_on", "The promised payment date must be within the next "
                              f"{PROMISE_WITHIN_MONTHS} months")
    if amount is not None and not (Decimal(0) < amount < AMOUNT_LIMIT
                                   and amount == amount.quantize(Decimal("0.01"))):
        refuse("promised_amount", "The amount must be more than £0 and less than £1,000,000, "
                                  "in pounds and pence")


# -- reading the log ---------------------------------------------------------------------

def contacts_of(person: Person, limit: int | None = None) -> list[ContactRecord]:
    """The person's contacts, the latest first (by when they happened, then when logged)."""
    stmt = (select(ContactRecord).where(ContactRecord.person_id == person.id)
            .order_by(ContactRecord.contacted_on.desc(), ContactRecord.recorded_at.desc(),
                      ContactRecord.id.desc()))
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))


def last_contact(person: Person) -> ContactRecord | None:
    found = contacts_of(person, limit=1)
    return found[0] if found else None


def promise_ahead(person: Person, today: date) -> ContactRecord | None:
    """The latest promise to pay whose date has not passed: the seam for a guard that waits."""
    return db.session.scalar(
        select(ContactRecord).where(ContactRecord.person_id == person.id,
                                    ContactRecord.outcome == ContactOutcome.WILL_PAY,
                                    ContactRecord.promised_on >= today)
        .order_by(ContactRecord.contacted_on.desc(), ContactRecord.recorded_at.desc(),
                  ContactRecord.id.desc()).limit(1))


def records_by_id(ids: Iterable[Any]) -> dict[int, ContactRecord]:
    """Contacts by id, in one query (the History names them by id)."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    return {r.id: r for r in db.session.scalars(
        select(ContactRecord).where(ContactRecord.id.in_(wanted)))}


def fingerprint_of(person: Person) -> tuple:
    """What a page that logs a contact depends on: the latest contact and the representatives."""
    last = last_contact(person)
    return (last.id if last else None, tuple((r.id, r.name, r.end_date)
                                             for r in person.representatives))


# -- in words ----------------------------------------------------------------------------

def who_in_words(record: ContactRecord, person: Person) -> str:
    """"Margaret Ellis", "Jennifer Penrose, deputy", "Sunrise Care (provider)"."""
    if record.with_whom == ContactWith.PERSON:
        return person.name
    if record.with_whom == ContactWith.REPRESENTATIVE:
        rep = record.representative
        if rep is not None:
            return representative_words(rep)
        return f"{record.other_name}, their representative"
    if record.with_whom == ContactWith.PROVIDER:
        return f"{record.other_name} (provider)"
    return record.other_name or "someone else"


def representative_words(rep: Representative) -> str:
    return f"{rep.name}, {rep.type.replace('_', ' ')}"


def outcome_in_words(record: ContactRecord) -> str:
    """"will pay £50.00 by 20 January 2027", "disputes the charge"."""
    said = OUTCOMES.get(record.outcome, "")
    if record.outcome == ContactOutcome.OTHER:
        return ""
    said = said[:1].lower() + said[1:]
    if record.outcome == ContactOutcome.WILL_PAY:
        if record.promised_amount is not None:
            said += f" {format_money(record.promised_amount)}"
        if record.promised_on is not None:
            said += f" by {format_date(record.promised_on)}"
    return said


def sentence(record: ContactRecord, person: Person) -> str:
    """The History's line: "Phoned Margaret Ellis: will pay £50.00 by 20 January 2027"."""
    what = _METHOD_SENTENCE.get(ContactMethod(record.method),
                                "Contact with {who}").format(who=who_in_words(record, person))
    said = outcome_in_words(record)
    return f"{what}: {said}" if said else what


def when_in_words(record: ContactRecord) -> str:
    """"3 March 2026", or "3 March 2026 at 14:05" when a time was given."""
    day = format_date(record.contacted_on)
    return f"{day} at {record.contacted_time:%H:%M}" if record.contacted_time else day
