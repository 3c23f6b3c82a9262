from flask import request

from app.errors import ValidationFailed
from app.roles import TASK_ASSIGNERS
from app.services.inbox import task_actions, task_list

from . import bp
from .auth import current_user, requires
from .paging import page_args
from .schemas import AssignIn, DataIn, TaskDetailOut, TaskOut, TaskPageOut, load_json


def _task_query() -> task_list.TaskQuery:
    args = request.args
    assignee = args.get("assignee")
    if assignee not in (None, "me"):
        raise ValidationFailed("'assignee' can only be 'me'",
                               [{"field": "assignee", "message": "use assignee=me"}])
    if args.get("overdue") not in (None, "true", "false"):
        raise ValidationFailed("'overdue' must be true or false",
                               [{"field": "overdue", "message": "true or false"}])
    if "cursor" in args and "page" in args:
        raise ValidationFailed("give 'cursor' or 'page', not both",
                               [{"field": "page", "message": "leave out page with a cursor"}])
    team = args.get("team")
    page, per_page = page_args()
    return task_list.TaskQuery(
        assignee_me=assignee == "me", role=args.get("role"),
        team_id=task_actions.team_id_named(team) if team else None,
        overdue=args.get("overdue") == "true", process=args.get("process"),
        person_reference=args.get("person_reference"),
        cursor=task_list.decode_cursor(args["cursor"]) if "cursor" in args else None,
        page=page if "page" in args else None, per_page=per_page)


@bp.get("/tasks")
@requires()
def list_tasks():
    """Open tasks I can see, soonest due first, a page at a time: pass `next` back as `cursor`.

    Filters: assignee=me, role, team, overdue, process, person_reference. Paging: per_page (1
    to 100, default 25) and cursor, the `next` of the page before (null on the last page). The
    order is (due_at, id) with undated tasks last, and each page starts after the row the cursor
    names, so a task added or completed meanwhile neither repeats nor skips a row. A cursor this
    list did not give is a 422. `total` is the exact number of matching tasks on the first page
    and null on pages after a cursor. Numbered pages (`page`) still work for older clients, with
    `total` on each, but read every row before them; a page number with a cursor is a 422.
    """
    query = _task_query()
    found = task_list.list_tasks(current_user(), query)
    return {"items": TaskOut(many=True).dump(found.rows),
            "next": found.next.encode() if found.next else None, "total": found.total,
            "page": query.page or (1 if query.cursor is None else None),
            "per_page": query.per_page}


# Made once: building a schema costs more than using it, and the hot endpoints below run often.
_TASK_OUT, _TASK_DETAIL_OUT, _DATA_IN = TaskOut(), TaskDetailOut(), DataIn()


@bp.get("/tasks/<int:task_id>")
@requires()
def get_task(task_id):
    """A task with its form."""
    return _TASK_DETAIL_OUT.dump(task_actions.get_task(task_id, current_user()))


@bp.post("/tasks/<int:task_id>/claim")
@requires()
def claim(task_id):
    """Take a task for myself."""
    return _TASK_OUT.dump(task_actions.claim(task_id, current_user()))


@bp.post("/tasks/<int:task_id>/unclaim")
@requires()
def unclaim(task_id):
    """Give a claimed task back to the team."""
    return _TASK_OUT.dump(task_actions.unclaim(task_id, current_user()))


@bp.post("/tasks/<int:task_id>/assign")
@requires(*TASK_ASSIGNERS)
def assign(task_id):
    """Give a task to a user who has its role (managers)."""
    body = load_json(AssignIn())
    return _TASK_OUT.dump(task_actions.assign(task_id, body["username"], current_user()))


@bp.post("/tasks/<int:task_id>/complete")
@requires()
def complete(task_id):
    """Complete a task with its form data; the process runs on in the same transaction."""
    body = load_json(_DATA_IN)
    return _TASK_DETAIL_OUT.dump(task_actions.complete(task_id, body["data"], current_user()))


list_tasks.openapi = {"response": TaskPageOut}
get_task.openapi = {"response": TaskDetailOut}
assign.openapi = {"body": AssignIn, "response": TaskOut}
complete.openapi = {"body": DataIn, "response": TaskDetailOut}
