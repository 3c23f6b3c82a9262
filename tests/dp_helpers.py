"""Direct-payment cases for page and service tests: a person with an agreement, and the
agreement returned so its validation task is open (the services, not the API)."""
from __future__ import annotations

from app.extensions import db
from app.models import HumanTask, Person, ProcessInstance
from app.services.processes import instances
from app.services.records import people

from .integration.api_helpers import PROCESS, person_body


def dp_person(reference: str = "P100234", name: str = "Alice Example", team: str = "North",
              **overrides) -> Person:
    return people.create_person(person_body(reference, team, name=name, representative=None,
                                            **overrides), None)


def returned_agreement(reference: str, actor=None) -> tuple[ProcessInstance, HumanTask]:
    """Start the agreement for the person and record it as returned; committed."""
    chase = instances.start_instance(PROCESS, reference, {}, actor)
    instances.deliver_message(chase.id, "paperwork_received", {}, actor)
    db.session.commit()
    return chase, next(t for t in instances.open_tasks(chase) if t.name == "validate_agreement")
