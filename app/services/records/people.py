"""People (the cases), their representatives and direct-payment agreements."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import delete, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import DirectPaymentAgreement, Person, PersonNameToken, Representative, User
from app.roles import Role
from app.services import audit
from app.services.staff.users import team_named
from app.services.transaction import use_case


@use_case
def create_person(data: Mapping[str, Any], actor: User | None) -> Person:
    """Open a case for a person. `data` is already schema-validated."""
    if db.session.scalar(select(Person.id).where(Person.reference == data["reference"])):
        raise Conflict(f"a person with reference '{data['reference']}' already exists")
    caseworker = None
    if data.get("caseworker"):
        caseworker = db.session.scalar(select(User).where(User.username == data["caseworker"]))
        if caseworker is None or not caseworker.has_role(Role.CASEWORKER):
            raise ValidationFailed("the caseworker must be a user with the caseworker role",
                                   [{"field": "caseworker", "message": "unknown caseworker"}])
    person = Person(reference=data["reference"], name=data["name"],
                    date_of_birth=data.get("date_of_birth"),
                    address_lines=list(data["address"]["lines"]),
                    postcode=data["address"]["postcode"],
                    postcode_key=postcode_key(data["address"]["postcode"]),
                    team=team_named(data["team"]),
                    caseworker=caseworker, **_contact(data))
    rep = data.get("representative")
    if rep:
        person.representatives.append(Representative(
            name=rep["name"], type=rep["type"], scope=rep["scope"],
            address_lines=list(rep["address"]["lines"]), postcode=rep["address"]["postcode"],
            **_contact(rep)))
    db.session.add(person)
    db.session.flush()
    index_name(person)
    audit.record("person_created", actor=actor, person_id=person.id)
    dp = data.get("direct_payment")
    if dp:
        db.session.add(DirectPaymentAgreement(
            person_id=person.id, variant=dp["variant"], amount=Decimal(dp["amount"]),
            frequency=dp["frequency"],
            client_contribution=Decimal(dp.get("client_contribution") or "0"),
            caseworker_id=caseworker.id if caseworker else None))
    return person


CONTACT_FIELDS = ("contact_preference", "email", "phone", "accessible_format", "language")


def _contact(data: Mapping[str, Any]) -> dict[str, Any]:
    """How to reach them, as given (a preference of "post" when none is)."""
    given = {name: data[name] for name in CONTACT_FIELDS if data.get(name) is not None}
    return {"contact_preference": "post", **given}


def postcode_key(postcode: str) -> str:
    """Postcodes compare without spaces and case: 'rg26 4ab' finds 'RG26 4AB'."""
    return "".join(postcode.split()).upper()


def name_tokens(name: str) -> set[str]:
    """Words of a name, lower-cased, split at spaces and hyphens, without punctuation:
    "Mary-Jane O'Neil" gives mary, jane, oneil. Search terms are cut up the same way."""
    words = re.split(r"[\s\-]+", name.lower())
    return {re.sub(r"[^\w]", "", word) for word in words} - {""}


def index_name(person: Person) -> None:
    """Refresh the person's name tokens (the search index) inside the caller's transaction."""
    db.session.execute(delete(PersonNameToken).where(PersonNameToken.person_id == person.id))
    db.session.add_all(PersonNameToken(person_id=person.id, token=token[:60])
                       for token in sorted(name_tokens(person.name)))


def current_agreement(person: Person) -> DirectPaymentAgreement | None:
    return db.session.scalar(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.person_id == person.id).order_by(DirectPaymentAgreement.id.desc()))


__all__ = [
    "create_person", "current_agreement", "get_person", "index_name", "name_tokens", "postcode_key"]


def get_person(reference: str) -> Person:
    person = db.session.scalar(select(Person).where(Person.reference == reference))
    if person is None:
        raise NotFound(f"no person with reference '{reference}'")
    return person


def require_visible(person: Person, user: User) -> None:
    """Cases of other teams are not disclosed (404), except to managers and admins."""
    if not user.sees_all_teams and person.team_id != user.team_id:
        raise NotFound("no such case")


def get_person_by_id(person_id: int | None) -> Person:
    """The person, or NotFound (also for a record that names none, like a debt without one)."""
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound("no such case")
    return person
