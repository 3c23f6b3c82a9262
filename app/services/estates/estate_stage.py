"""Estates of people who have died (DOMAIN.md A.3-D): the record of who deals with it."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from sqlalchemy import select

from app import clock
from app.domain.estates import dpa_due_date
from app.domain.forms import as_date
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import (
    DebtCase,
    Estate,
    Person,
    ProcessInstance,
    User,
)
from app.services import audit
from app.services.correspondence.letters import issue_letter
from app.services.debts import cases
from app.services.debts.cases import open_debts_of, outstanding
from app.services.estates import estate_contract
from app.services.estates.estate_contract import ESTATE_KEY
from app.services.processes import instances
from app.services.transaction import use_case


def ensure_estate(person: Person) -> Estate:
    estate = db.session.scalar(select(Estate).where(Estate.person_id == person.id))
    if estate is None:
        estate = Estate(person_id=person.id, notified_on=clock.today())
        db.session.add(estate)
        db.session.flush()
    return estate


def open_estate_stage(debt: DebtCase) -> ProcessInstance:
    return cases.start_stage(debt, ESTATE_KEY, "estate")


def check_standing_search(form: Mapping[str, Any]) -> list[dict]:
    """No grant known: the standing search's date is needed for its six-month renewal."""
    if form.get("grant_known") is False and as_date(form.get("standing_search_lodged_on")) is None:
        return [{"field": "standing_search_lodged_on",
                 "message": "no grant is known: lodge a standing search and give its date"}]
    return []


def send_final_account(debt: DebtCase, instance: ProcessInstance) -> None:
    person = db.session.get_one(Person, debt.person_id)
    ensure_estate(person)
    last = max((i for i in debt.invoices), key=lambda i: i.invoice_date, default=None)
    due: date | str = ""
    if debt.dpa_outcome == "offered_accepted":
        # Not checked upstream: a person marked deceased without a date of death fails here.
        assert person.date_of_death is not None
        due = dpa_due_date(person.date_of_death)
    issue_letter(instance, "estate_final_account", {
        "deceased_name": person.name, "date_of_death": person.date_of_death,
        "final_invoice_no": last.number if last else "none", "final_balance": outstanding(debt),
        "dpa_due_date": due,
    })
    return None


@use_case
def record_grant(person: Person, grant_type: str, grant_date: date, actor: User) -> Estate:
    """A grant of probate or letters of administration: the estate route claims against it."""
    if not person.deceased:
        raise Conflict("no death is recorded for this person")
    if grant_date > clock.today() or (person.date_of_death and grant_date < person.date_of_death):
        raise ValidationFailed("the grant date must fall between the death and today",
                               [{"field": "grant_date", "message": "out of range"}])
    estate = ensure_estate(person)
    estate.grant_type, estate.grant_date = grant_type, grant_date
    audit.record("grant_recorded", actor=actor, person_id=person.id,
                 summary={"grant_type": grant_type})
    for debt in open_debts_of(person):
        instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
        if instance is None or instance.version.definition.key != estate_contract.ESTATE_KEY:
            continue
        try:
            instances.send_message_to(instance, "grant_recorded", {}, actor)
        except Conflict:
            pass  # past the point where a grant changes anything
    return estate
