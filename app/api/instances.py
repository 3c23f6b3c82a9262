from flask import Response

from app.letters import DOCX
from app.roles import FINANCE_STAFF, OPERATORS, PROCESS_STARTERS
from app.services.correspondence import letters
from app.services.processes import instances
from app.services.records import case_file, people

from . import bp
from .auth import current_user, requires
from .schemas import (
    DataIn,
    HistoryEventOut,
    IncidentOut,
    InstanceIn,
    InstanceOut,
    LetterOut,
    TaskOut,
    load_json,
)


def instance_view(instance) -> dict:
    open_incidents = instances.open_incidents(instance)
    out = InstanceOut(exclude=("ready_tasks", "incident", "letters")).dump(instance)
    out["ready_tasks"] = TaskOut(many=True).dump(instances.open_tasks(instance))
    out["incident"] = IncidentOut().dump(open_incidents[-1]) if open_incidents else None
    out["letters"] = LetterOut(many=True).dump(case_file.letters_of_instance(instance.id))
    return out


def _visible_instance(instance_id: int):
    instance = instances.get_instance(instance_id)
    people.require_visible(instance.person, current_user())
    return instance


@bp.post("/instances")
@requires(*PROCESS_STARTERS)
def start_instance():
    """Start the latest published version of a process for a person."""
    body = load_json(InstanceIn())
    person = people.get_person(body["person_reference"])
    people.require_visible(person, current_user())
    instance = instances.start_instance(body["process"], body["person_reference"], body["data"],
                                        current_user())
    return instance_view(instance), 201


@bp.get("/instances/<int:instance_id>")
@requires()
def get_instance(instance_id):
    """Status, version, open tasks, next timer, open incident and letters of an instance."""
    return instance_view(_visible_instance(instance_id))


@bp.get("/instances/<int:instance_id>/history")
@requires()
def get_history(instance_id):
    """Every step of the instance, with who and when."""
    _visible_instance(instance_id)
    events = instances.history(instance_id)
    return {"items": HistoryEventOut(many=True).dump(events), "total": len(events), "page": 1,
            "per_page": len(events)}


@bp.post("/instances/<int:instance_id>/messages/<name>")
@requires(*FINANCE_STAFF)
def deliver_message(instance_id, name):
    """Deliver an external fact (e.g. paperwork_received) to the waiting instance."""
    body = load_json(DataIn())
    _visible_instance(instance_id)
    return instance_view(instances.deliver_message(instance_id, name, body["data"],
                                                   current_user()))


@bp.post("/instances/<int:instance_id>/retry")
@requires(*OPERATORS)
def retry(instance_id):
    """Re-run the failed step of an instance with an open incident."""
    _visible_instance(instance_id)
    return instance_view(instances.retry_incident(instance_id, current_user()))


@bp.get("/letters/<int:letter_id>")
@requires()
def get_letter(letter_id):
    """The letter as sent (.docx)."""
    letter = letters.get_letter(letter_id)
    people.require_visible(people.get_person_by_id(letter.person_id), current_user())
    return Response(letters.document_of(letter), mimetype=DOCX,
                    headers=letters.download_headers(letter))


start_instance.openapi = {"body": InstanceIn, "response": InstanceOut}
get_instance.openapi = {"response": InstanceOut}
deliver_message.openapi = {"body": DataIn, "response": InstanceOut}
retry.openapi = {"response": InstanceOut}
get_letter.openapi = {"response_type": DOCX}
