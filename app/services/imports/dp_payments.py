"""The payments-made import (issue 21): the payments the council's finance system made to direct
payments, read in for the direct payment's page (this service does not pay; docs/imports.md).

A row names its direct payment by card, matched as the card imports match it (the direct payment
running on the card, else the latest that had it), or by person: the person's direct payment that
was being paid on the day, the latest first paid on or before it, so a late payment of an ended
direct payment is not put on the new one. A payment is held by its direct payment, day and the
finance system's reference; one held already is updated when its amount was corrected.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import partial
from typing import Any, Iterable

from sqlalchemy import select

from app.extensions import db
from app.imports import formats
from app.imports.formats import Parsed, Row
from app.models import (
    DirectPaymentAgreement,
    DirectPaymentPayment,
    DirectPaymentStatus,
    Person,
    User,
)
from app.services.imports.cards import cards_for
from app.services.imports.common import (
    CHUNK,
    ImportResult,
    add_or_update,
    fail_if,
    firsts,
    load_by,
    people_for,
    problem,
    record,
)
from app.services.imports.direct_payments import not_after_today

Key = tuple[int, date, str]  # direct payment, day paid, the finance system's reference


def import_direct_payment_payments(parsed: Parsed, actor: User | None,
                                   result: ImportResult) -> None:
    """Add the payments made not held yet; a held one whose amount differs is updated."""
    if any(e["line"] == 1 for e in parsed.errors):
        fail_if(parsed.errors)  # a wrong header: the rows cannot be matched without their columns
    groups, errors = formats.group_rows(parsed.rows, formats.DIRECT_PAYMENT_PAYMENTS.key)
    rows = firsts(groups, result)
    errors = parsed.errors + errors + not_after_today(rows, ("paid_on",))
    agreements = _agreements_for(rows, errors)
    rows = _one_row_a_payment(rows, agreements, errors, result)
    fail_if(errors)
    held = _held(rows, agreements)
    for row in rows:
        agreement = agreements[row.line]
        key = _key(row, agreement)
        fields = {"amount": row.values["amount"]}
        payment, changed = add_or_update(
            held.get(key), fields,
            partial(DirectPaymentPayment, agreement_id=agreement.id, paid_on=key[1],
                    reference=key[2], **fields))
        held[key] = payment
        record(result, "imported_dp_payment", actor, changed, person_id=agreement.person_id,
               summary={"agreement_id": agreement.id, "dp_payment_id": payment.id})


def _key(row: Row, agreement: DirectPaymentAgreement) -> Key:
    return agreement.id, row.values["paid_on"], row.values["reference"]


def _agreements_for(rows: list[Row], errors: list[dict[str, Any]]
                    ) -> dict[int, DirectPaymentAgreement]:
    """The direct payment each row was paid to, by the row's line; a row naming none we hold,
    or paid before its direct payment's first payment, is an error."""
    by_card = [r for r in rows if r.values.get("card_id")]
    named = [r for r in rows if r.values.get("person_reference")]
    cards = cards_for(by_card, errors)
    people = people_for(named, errors)
    theirs = _agreements_of(people.values())
    found: dict[int, DirectPaymentAgreement] = {}
    for row in rows:
        card, reference = row.values.get("card_id"), row.values.get("person_reference")
        person = people.get(reference or "")
        if card:
            agreement = cards.get(card)
            if agreement is None:
                continue  # already an error
            if person is not None and agreement.person_id != person.id:
                errors.append(problem(row.line, "card_id", (
                    f"card '{card}' pays another person's direct payment, not the direct "
                    f"payment of person '{reference}'")))
                continue
        elif person is not None:
            agreement = _paid_on_the_day(row, theirs.get(person.id, []), errors)
        else:
            continue  # already an error
        if agreement is not None and _paid_after_the_first(row, agreement, errors):
            found[row.line] = agreement
    return found


def _agreements_of(people: Iterable[Person]) -> dict[int, list[DirectPaymentAgreement]]:
    """Each person's direct payments that have been paid, the first paid first."""
    by_person: dict[int, list[DirectPaymentAgreement]] = defaultdict(list)
    for agreement in sorted(load_by(DirectPaymentAgreement, DirectPaymentAgreement.person_id,
                                    [p.id for p in people], many=True),
                            key=lambda a: (a.first_payment_date or date.min, a.id)):
        if agreement.status != DirectPaymentStatus.PROPOSED:
            by_person[agreement.person_id].append(agreement)
    return by_person


def _paid_on_the_day(row: Row, theirs: list[DirectPaymentAgreement],
                     errors: list[dict[str, Any]]) -> DirectPaymentAgreement | None:
    """The person's direct payment being paid on the row's day: the latest first paid on or
    before it; else the first one (the row is then before its first payment, an error)."""
    if not theirs:
        errors.append(problem(row.line, "person_reference", (
            f"person '{row.values['person_reference']}' has no direct payment being paid; "
            "import direct payments first")))
        return None
    paid_on = row.values["paid_on"]
    started = [a for a in theirs if a.first_payment_date and a.first_payment_date <= paid_on]
    return started[-1] if started else theirs[0]


def _paid_after_the_first(row: Row, agreement: DirectPaymentAgreement,
                          errors: list[dict[str, Any]]) -> bool:
    first, paid_on = agreement.first_payment_date, row.values["paid_on"]
    if agreement.status == DirectPaymentStatus.PROPOSED or first is None:
        column = "card_id" if row.values.get("card_id") else "person_reference"
        errors.append(problem(row.line, column, (
            "the direct payment is still being arranged; payments are read in once its "
            "agreement records the first payment")))
        return False
    if paid_on < first:
        errors.append(problem(row.line, "paid_on", (
            f"{paid_on:%-d %B %Y} is before the direct payment's first payment on "
            f"{first:%-d %B %Y}")))
        return False
    return True


def _one_row_a_payment(rows: list[Row], agreements: dict[int, DirectPaymentAgreement],
                       errors: list[dict[str, Any]], result: ImportResult) -> list[Row]:
    """One row per payment: a row naming by card the payment another names by person is a
    repeat when the amounts agree (counted unchanged) and an error when they differ."""
    first: dict[Key, Row] = {}
    kept = []
    for row in rows:
        agreement = agreements.get(row.line)
        if agreement is None:
            kept.append(row)  # already an error
            continue
        earlier = first.setdefault(_key(row, agreement), row)
        if earlier is row:
            kept.append(row)
        elif earlier.values["amount"] == row.values["amount"]:
            result.unchanged += 1
        else:
            errors.append(problem(row.line, "amount", (
                f"differs from line {earlier.line}, which is the same payment (the same "
                "direct payment, paid_on and reference)")))
    return kept


def _held(rows: list[Row], agreements: dict[int, DirectPaymentAgreement]
          ) -> dict[Key, DirectPaymentPayment]:
    """The payments held of the file's direct payments, between the file's first and last days
    (a direct payment paid weekly for years has hundreds)."""
    ids = sorted({agreements[r.line].id for r in rows})
    if not ids:
        return {}
    days = [r.values["paid_on"] for r in rows]
    held: dict[Key, DirectPaymentPayment] = {}
    for start in range(0, len(ids), CHUNK):
        for payment in db.session.scalars(select(DirectPaymentPayment).where(
                DirectPaymentPayment.agreement_id.in_(ids[start:start + CHUNK]),
                DirectPaymentPayment.paid_on.between(min(days), max(days)))):
            held[(payment.agreement_id, payment.paid_on, payment.reference)] = payment
    return held

