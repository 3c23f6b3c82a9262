"""Read-side queries about one case."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Letter, Person, ProcessInstance


def instances_of(person: Person) -> list[ProcessInstance]:
    return list(db.session.scalars(select(ProcessInstance).where(
        ProcessInstance.person_id == person.id).order_by(ProcessInstance.id)))


def letters_of(person: Person) -> list[Letter]:
    return list(db.session.scalars(select(Letter).where(
        Letter.person_id == person.id).order_by(Letter.letter_date, Letter.id)))


def letters_of_instance(instance_id: int) -> list[Letter]:
    return list(db.session.scalars(select(Letter).where(
        Letter.instance_id == instance_id).order_by(Letter.letter_date, Letter.id)))
