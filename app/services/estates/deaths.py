"""A death recorded: letters to the person stop, and each open debt leaves its stage for the
estate route."""
from __future__ import annotations

from datetime import date
from typing import Callable

from sqlalchemy import select

from app import clock
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import (
    PausedTimer,
    Person,
    ProcessInstance,
    User,
)
from app.models.workflow import InstanceStatus
from app.services import audit
from app.services.debts import instalment_plans, recovery_guards
from app.services.debts.cases import open_debts_of
from app.services.estates import estate_stage
from app.services.processes import instances
from app.services.records import care_packages
from app.services.transaction import use_case

# Other capabilities that act on a death inside the same transaction (a direct payment stops);
# create_app installs them (app/services/wiring.py).
DeathListener = Callable[[Person, date, User | None], None]
DEATH_LISTENERS: list[DeathListener] = []


@use_case
def record_death(person: Person, date_of_death: date, actor: User) -> Person:
    """Letters to the person stop; each open debt leaves its stage for the estate route (a final
    account to the personal representatives, the grant or a standing search); each care package
    still running gets a task to end it."""
    if person.deceased:
        raise Conflict("a death is already recorded for this person")
    if date_of_death > clock.today():
        raise ValidationFailed("the date of death is in the future", [{
            "field": "date_of_death", "message": "the date of death must be today or in the past"}])
    born = person.date_of_birth
    if born is not None and date_of_death < born:
        raise ValidationFailed("the date of death is before the date of birth", [{
            "field": "date_of_death", "message": f"the date of death must be on or after the "
                                                f"date of birth, {born.day} {born:%B %Y}"}])
    person.deceased, person.date_of_death = True, date_of_death
    audit.record("death_recorded", actor=actor, person_id=person.id)
    for debt in open_debts_of(person):
        instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
        if instance is not None and instance.status != InstanceStatus.COMPLETED:
            instances.close(instance, "person_died", actor)
        for paused in db.session.scalars(select(PausedTimer).where(
                PausedTimer.instance_id == debt.instance_id, PausedTimer.resumed_at.is_(None))):
            paused.resumed_at = clock.now()
        instalment_plans.cancel_plan(debt, "person_died")
        estate_stage.open_estate_stage(debt)
        recovery_guards.note_guards(debt, recovery_guards.decide(debt, "letter"))
    care_packages.raise_end_tasks(person, date_of_death)
    for listener in DEATH_LISTENERS:
        listener(person, date_of_death, actor)
    return person
