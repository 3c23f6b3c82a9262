from app.roles import FINANCE_STAFF
from app.services.inbox.task_list import TaskQuery, list_tasks
from app.services.records import case_file, people

from . import bp
from .auth import current_user, requires
from .schemas import (
    InstanceSummaryOut,
    LetterOut,
    PersonDetailOut,
    PersonIn,
    PersonOut,
    TaskOut,
    load_json,
)


@bp.post("/people")
@requires(*FINANCE_STAFF)
def create_person():
    """Open a case for a person (the reference is the social-care person id)."""
    person = people.create_person(load_json(PersonIn()), current_user())
    return PersonOut().dump(person), 201


@bp.get("/people/<reference>")
@requires()
def get_person(reference):
    """A person with their process instances, open tasks and letters."""
    person = people.get_person(reference)
    people.require_visible(person, current_user())
    tasks = list_tasks(current_user(), TaskQuery(person_reference=reference, per_page=100),
                       with_total=False).rows
    return {**PersonOut().dump(person),
            "instances": InstanceSummaryOut(many=True).dump(
                case_file.instances_of(person)),
            "tasks": TaskOut(many=True).dump(tasks),
            "letters": LetterOut(many=True).dump(case_file.letters_of(person))}


create_person.openapi = {"body": PersonIn, "response": PersonOut}
get_person.openapi = {"response": PersonDetailOut}
