"""The direct-payments import (issue 21): the direct payments a council already runs, each with its
first payment date, last review and any audit in progress, so that monitoring starts from those
dates and not from the import day (docs/imports.md).

A row matches a direct payment we hold by person and first payment date. The dates that started
its timers are read once, when it is added: a later file may bring new terms (amount, card,
caseworker…) but not move a timer; a newer review or a second audit is recorded on the case.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.imports import formats
from app.imports.formats import Parsed, Row
from app.models import (
    AuditReason,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    DirectPaymentStatus,
    Person,
    User,
)
from app.services.direct_payments import monitoring
from app.services.imports.common import (
    ImportResult,
    apply_changes,
    caseworkers_for,
    fail_if,
    firsts,
    load_by,
    people_for,
    problem,
    record,
)

TERMS = ("variant", "amount", "frequency", "client_contribution", "gross_or_net", "account_type",
         "card_id", "contingency_weeks")
LIVE = (DirectPaymentStatus.ACTIVE, DirectPaymentStatus.SUSPENDED, DirectPaymentStatus.ENDING)
NOT_IN_FUTURE = ("last_review_date", "audit_requested_on")


def import_direct_payments(parsed: Parsed, actor: User | None, result: ImportResult) -> None:
    """Add the direct payments not held yet, each monitored from its own dates; update the terms
    of those held."""
    groups, errors = formats.group_rows(parsed.rows, formats.DIRECT_PAYMENTS.key)
    rows = firsts(groups, result)
    errors = parsed.errors + errors + not_after_today(rows, NOT_IN_FUTURE)
    people = people_for(rows, errors)
    caseworkers = caseworkers_for(rows, errors)
    held = _agreements_of(people.values())
    matches = {row.line: _match(row, people.get(row.values["person_reference"]), held, errors)
               for row in rows}
    _check_cards(rows, people, errors)
    fail_if(errors)
    for row in rows:
        person = people[row.values["person_reference"]]
        fields = _terms(row.values, caseworkers)
        agreement = matches[row.line]
        if agreement is None:
            agreement = _add(person, row.values, fields, actor)
            changed = None
        else:
            changed = sorted(n for n, value in fields.items() if getattr(agreement, n) != value)
            apply_changes(agreement, fields, changed)
            if _audit_to_open(agreement, row.values):
                _open_imported_audit(agreement, row.values, actor)
                changed = sorted([*changed, "audit_requested_on"])
        record(result, "imported_direct_payment", actor, changed, person_id=person.id,
               summary={"person_id": person.id, "agreement_id": agreement.id})


def not_after_today(rows: list[Row], columns: Iterable[str]) -> list[dict[str, Any]]:
    """A date that has not come yet cannot have happened: a review, an audit, a card line."""
    today = clock.today()
    return [problem(row.line, name, f"must be today or in the past (it is "
                                    f"{row.values[name]:%-d %B %Y})")
            for row in rows for name in columns
            if row.values.get(name) and row.values[name] > today]


def _agreements_of(people: Iterable[Person]) -> dict[int, list[DirectPaymentAgreement]]:
    by_person: dict[int, list[DirectPaymentAgreement]] = defaultdict(list)
    for agreement in load_by(DirectPaymentAgreement, DirectPaymentAgreement.person_id,
                             [p.id for p in people], many=True):
        by_person[agreement.person_id].append(agreement)
    return by_person


def _match(row: Row, person: Person | None, held: dict[int, list[DirectPaymentAgreement]],
           errors: list[dict[str, Any]]) -> DirectPaymentAgreement | None:
    """The direct payment the row is, if we hold it; otherwise check one may be added."""
    if person is None:
        return None  # already an error
    values = row.values
    theirs = held.get(person.id, [])
    same = next((a for a in theirs if a.first_payment_date == values["first_payment_date"]), None)
    if same is not None:
        errors.extend(problem(row.line, column, message)
                      for column, message in _fixed_dates_problems(same, values))
        return same
    if person.deceased:
        errors.append(problem(row.line, "person_reference", (
            "this person has died; a direct payment cannot start monitoring after a death")))
    for other in theirs:
        if other.status == DirectPaymentStatus.PROPOSED:
            errors.append(problem(row.line, "person_reference", (
                "this person has a direct payment agreement still being arranged; finish or "
                "withdraw it before importing a running one")))
        elif other.status in LIVE:
            first = other.first_payment_date
            errors.append(problem(row.line, "first_payment_date", (
                "this person already has a direct payment"
                + (f", first paid on {first:%-d %B %Y}" if first else "")
                + "; a person has one direct payment at a time")))
    return None


def _fixed_dates_problems(agreement: DirectPaymentAgreement,
                          values: dict[str, Any]) -> list[tuple[str, str]]:
    """A held direct payment's timers count from dates a file cannot move: a review newer than
    the last one held is recorded on the case, where it moves the next review."""
    found = []
    review, held = values.get("last_review_date"), agreement.last_review_date
    if review and (held is None or review > held):
        found.append(("last_review_date", (
            f"the review on {review:%-d %B %Y} is newer than the last review held"
            + (f" ({held:%-d %B %Y})" if held else "") + "; record it on the case")))
    if values.get("audit_requested_on") and not _audit_imported(agreement, values):
        current = monitoring.open_audit_of(agreement)
        if current is not None:
            found.append(("audit_requested_on", (
                f"audit {current.reference} is already open on this direct payment; finish it "
                "on the case")))
    return found


def _check_cards(rows: list[Row], people: dict[str, Person], errors: list[dict]) -> None:
    """One card pays one person: a card on someone else's running direct payment is an error,
    or the card provider's file would go to the wrong person."""
    cards = {r.values["card_id"] for r in rows if r.values.get("card_id")}
    owners = {a.card_id: a.person_id for a in load_by(
        DirectPaymentAgreement, DirectPaymentAgreement.card_id, cards, many=True)
        if a.status != DirectPaymentStatus.ENDED}
    seen: dict[str, int] = {}
    for row in rows:
        card, person = row.values.get("card_id"), people.get(row.values["person_reference"])
        if not card or person is None:
            continue
        if card in seen and seen[card] != person.id or owners.get(card, person.id) != person.id:
            errors.append(problem(row.line, "card_id", (
                f"card {card} belongs to another person's direct payment")))
        seen.setdefault(card, person.id)


def _terms(values: dict[str, Any], caseworkers: dict[str, User]) -> dict[str, Any]:
    fields = {name: values[name] for name in TERMS if name in values}
    if "caseworker" in values:
        user = caseworkers.get(values["caseworker"] or "")
        fields["caseworker_id"] = user.id if user else None
    return fields


def _add(person: Person, values: dict[str, Any], fields: dict[str, Any],
         actor: User | None) -> DirectPaymentAgreement:
    """A running direct payment, monitored from its first payment and last review, with the
    audit that was in progress (its 28 and 14 days count from the day it was asked for)."""
    agreement = DirectPaymentAgreement(person_id=person.id, start_date=values["first_payment_date"],
                                       **fields)
    db.session.add(agreement)
    db.session.flush()
    monitoring.start_monitoring(agreement, values["first_payment_date"], actor,
                                last_review_date=values.get("last_review_date"))
    if values.get("audit_requested_on"):
        _open_imported_audit(agreement, values, actor)
    return agreement


def _open_imported_audit(agreement: DirectPaymentAgreement, values: dict[str, Any],
                         actor: User | None) -> DirectPaymentAudit:
    return monitoring.open_audit(agreement, AuditReason.IMPORTED, actor,
                                 findings=[values["audit_reason"]],
                                 period_to=values["audit_requested_on"],
                                 requested_on=values["audit_requested_on"])


def _audit_imported(agreement: DirectPaymentAgreement, values: dict[str, Any]) -> bool:
    """Whether this audit came in with an earlier import (whatever has happened to it since)."""
    return db.session.scalar(select(DirectPaymentAudit.id).where(
        DirectPaymentAudit.agreement_id == agreement.id,
        DirectPaymentAudit.reason == AuditReason.IMPORTED,
        DirectPaymentAudit.requested_on == values["audit_requested_on"]).limit(1)) is not None


def _audit_to_open(agreement: DirectPaymentAgreement, values: dict[str, Any]) -> bool:
    requested: date | None = values.get("audit_requested_on")
    return requested is not None and not _audit_imported(agreement, values)
