"""People (the cases), their representatives and direct-payment agreements."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select

from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import DirectPaymentAgreement, Person, Representative, User

from . import audit
from .instances import get_person
from .transaction import use_case
from .users import team_named


@use_case
def create_person(data: Mapping[str, Any], actor: User | None) -> Person:
    """Open a case for a person. `data` is already schema-validated."""
    if db.session.scalar(select(Person.id).where(Person.reference == data["reference"])):
        raise Conflict(f"a person with reference '{data['reference']}' already exists")
    caseworker = None
    if data.get("caseworker"):
        caseworker = db.session.scalar(select(User).where(User.username == data["caseworker"]))
        if caseworker is None or not caseworker.has_role("caseworker"):
            raise ValidationFailed("the caseworker must be a user with the caseworker role",
                                   [{"field": "caseworker", "message": "unknown caseworker"}])
    person = Person(reference=data["reference"], name=data["name"],
                    address_lines=list(data["address"]["lines"]),
                    postcode=data["address"]["postcode"], team=team_named(data["team"]),
                    caseworker=caseworker)
    rep = data.get("representative")
    if rep:
        person.representative = Representative(
            name=rep["name"], type=rep["type"], scope=rep["scope"],
            address_lines=list(rep["address"]["lines"]), postcode=rep["address"]["postcode"])
    db.session.add(person)
    db.session.flush()
    audit.record("person_created", actor=actor, person_id=person.id)
    dp = data.get("direct_payment")
    if dp:
        db.session.add(DirectPaymentAgreement(
            person_id=person.id, variant=dp["variant"], amount=Decimal(dp["amount"]),
            frequency=dp["frequency"],
            client_contribution=Decimal(dp.get("client_contribution") or "0"),
            caseworker_id=caseworker.id if caseworker else None))
    return person


def current_agreement(person: Person) -> DirectPaymentAgreement | None:
    return db.session.scalar(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.person_id == person.id).order_by(DirectPaymentAgreement.id.desc()))


__all__ = ["create_person", "current_agreement", "get_person"]
