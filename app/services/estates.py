"""Estates of people who have died (DOMAIN.md A.3-D): the record of who deals with it."""
from __future__ import annotations

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Estate, Person


def ensure_estate(person: Person) -> Estate:
    estate = db.session.scalar(select(Estate).where(Estate.person_id == person.id))
    if estate is None:
        estate = Estate(person_id=person.id, notified_on=clock.today())
        db.session.add(estate)
        db.session.flush()
    return estate
