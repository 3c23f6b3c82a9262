"""The task inbox and the work on a task: claim, unclaim, assign, complete."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Mapping

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from app import clock
from app.domain.forms import validate_form
from app.engine import runner
from app.engine.types import FormField
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    HumanTask,
    ProcessInstance,
    ProcessVersion,
    TaskStatus,
    Team,
    User,
)
from app.services import audit
from app.services.inbox import task_checks
from app.services.processes import engine_context
from app.services.processes.instances import apply_result, model_of, require_running, run_engine
from app.services.transaction import use_case


# What a use case does when a task it raised is completed (a care package's end date recorded);
# create_app installs them (app/services/wiring.py), keyed by (process key, task name).
CompletedListener = Callable[[HumanTask], None]
_completed_listeners: dict[tuple[str, str], list[CompletedListener]] = {}


def on_completed(process_key: str, task_name: str, listener: CompletedListener) -> None:
    listeners = _completed_listeners.setdefault((process_key, task_name), [])
    if listener not in listeners:
        listeners.append(listener)


def get_task(task_id: int, user: User) -> HumanTask:
    """The task with its person, without its instance's state or its diagram: claiming,
    assigning and showing a task need neither."""
    task = db.session.get(HumanTask, task_id, options=[joinedload(HumanTask.person)])
    return _visible(task, task_id, user)


def _visible(task: HumanTask | None, task_id: int, user: User) -> HumanTask:
    if task is None:
        raise NotFound(f"no task {task_id}")
    if not (user.sees_all_teams or task.claimed_by_id == user.id or task.team_id == user.team_id):
        raise NotFound(f"no task {task_id}")  # other teams' cases are not disclosed
    return task


def _task_to_complete(task_id: int, user: User) -> tuple[HumanTask, list[HumanTask]]:
    """The task, its instance with the state the engine needs, and the instance's other open
    tasks, in one statement: the engine's result is reconciled with those open tasks without
    reading them again. The version's XML is not read (the model is cached by its hash)."""
    instance_of_task = select(HumanTask.instance_id).where(
        HumanTask.id == task_id).scalar_subquery()
    rows = db.session.scalars(
        select(HumanTask).where(or_(
            HumanTask.id == task_id,
            and_(HumanTask.instance_id == instance_of_task, HumanTask.status == TaskStatus.OPEN,
                 HumanTask.source == "diagram")))
        .options(joinedload(HumanTask.person),
                 joinedload(HumanTask.instance).joinedload(ProcessInstance.version)
                 .joinedload(ProcessVersion.definition))
    ).unique().all()
    task = _visible(next((t for t in rows if t.id == task_id), None), task_id, user)
    return task, [t for t in rows if t.instance_id == task.instance_id
                  and t.status == TaskStatus.OPEN and t.source == "diagram"]


def form_of(task: HumanTask) -> list[FormField]:
    return [FormField(id=f["id"], label=f["label"], type=f["type"], required=f["required"],
                      default=f.get("default"), options=tuple(tuple(o) for o in f["options"]),
                      validation=f.get("validation") or {}, properties=f.get("properties") or {})
            for f in task.form]


def _require_open(task: HumanTask) -> None:
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"this task is already {task.status}")


def _require_role(task: HumanTask, user: User) -> None:
    if task.role and not user.has_role(task.role) and not user.sees_all_teams:
        raise Forbidden(f"this task needs the role '{task.role}'")


def may_complete(task: HumanTask, user: User) -> bool:
    """What complete() and save_draft() allow, for pages deciding whether to offer the form."""
    return (task.status == TaskStatus.OPEN
            and not (task.role and not user.has_role(task.role) and not user.sees_all_teams)
            and task.claimed_by_id in (None, user.id))


@use_case
def claim(task_id: int, user: User) -> HumanTask:
    task = get_task(task_id, user)
    _require_open(task)
    _require_role(task, user)
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("someone else has claimed this task")
    if task.claimed_by_id == user.id:
        # Already theirs (a double click): nothing changes, so nothing is recorded. A write
        # here would not be made (same value) and could not lose a race to a completion.
        return task
    task.claimed_by_id = user.id
    audit.record("task_claimed", actor=user, person_id=task.person_id,
                 instance_id=task.instance_id, task_id=task.id, element_id=task.name)
    return task


@use_case
def unclaim(task_id: int, user: User) -> HumanTask:
    task = get_task(task_id, user)
    _require_open(task)
    if task.claimed_by_id is None:
        raise Conflict("this task is not claimed")
    if task.claimed_by_id != user.id and not user.sees_all_teams:
        raise Forbidden("only the holder or a manager can release this task")
    task.claimed_by_id = None
    audit.record("task_unclaimed", actor=user, person_id=task.person_id,
                 instance_id=task.instance_id, task_id=task.id, element_id=task.name)
    return task


@use_case
def assign(task_id: int, username: str, actor: User) -> HumanTask:
    if not actor.sees_all_teams:
        raise Forbidden("only a manager can assign tasks")
    task = get_task(task_id, actor)
    _require_open(task)
    assignee = db.session.scalar(select(User).where(User.username == username))
    if assignee is None or not assignee.active:
        raise ValidationFailed("no such user", [{"field": "username", "message": "unknown user"}])
    if task.role and not assignee.has_role(task.role):
        raise ValidationFailed(f"{username} does not have the role '{task.role}'",
                               [{"field": "username", "message": "lacks the task's role"}])
    if task.claimed_by_id == assignee.id:
        return task  # already theirs: nothing to change or record
    task.claimed_by_id = assignee.id
    audit.record("task_assigned", actor=actor, person_id=task.person_id,
                 instance_id=task.instance_id, task_id=task.id, element_id=task.name,
                 summary={"assignee": assignee.username})
    return task


def _accepted(task: HumanTask, data: Mapping[str, Any], user: User) -> dict[str, Any]:
    """The clean answers complete() would record, or what it would refuse them with."""
    _require_open(task)
    _require_role(task, user)
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("someone else has claimed this task")
    clean, errors = validate_form(form_of(task), data)
    if errors:
        raise ValidationFailed("the form has problems", [e.to_dict() for e in errors])
    refused = task_checks.problems(task, clean)
    if refused:
        raise ValidationFailed("this step is not allowed yet", refused)
    return clean


def check_answers(task_id: int, data: Mapping[str, Any], user: User) -> dict[str, Any]:
    """The answers as complete() would take them, without completing or changing anything:
    what a check-your-answers page shows. Refused as complete() would refuse them."""
    task, _ = _task_to_complete(task_id, user)
    return _accepted(task, data, user)


def answers_token(answers: Mapping[str, Any]) -> str:
    """A digest of answers, so a confirmation names the answers the user saw and checked."""
    text = json.dumps(dict(answers), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@use_case
def complete(task_id: int, data: Mapping[str, Any], user: User) -> HumanTask:
    """Complete a task with its form data, then let the engine run on, in one transaction."""
    task, open_tasks = _task_to_complete(task_id, user)
    return _complete(task, open_tasks, data, user)


@use_case
def complete_checked(task_id: int, token: str, user: User) -> HumanTask:
    """Complete a task with the answers kept when they were checked (its draft), only if they
    are still the ones the check page showed (`token`): a second or a stale confirmation
    changes nothing and says so."""
    task, open_tasks = _task_to_complete(task_id, user)
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"This task was already {task.status}, so nothing was sent again")
    if task.draft is None or answers_token(task.draft) != token:
        raise Conflict("The answers changed after you checked them, so nothing was sent: "
                       "check them again")
    return _complete(task, open_tasks, task.draft, user)


def _complete(task: HumanTask, open_tasks: list[HumanTask], data: Mapping[str, Any],
              user: User) -> HumanTask:
    clean = _accepted(task, data, user)
    instance = task.instance
    result = None
    if task.source == "diagram":
        assert instance is not None  # a diagram's task always has its instance
        # A held instance's tasks can be done; a guard holds its letters and escalations.
        require_running(instance, allow_held=True)
        with engine_context.acting(user):  # a step reached may ask who decided
            result = run_engine(lambda ctx: runner.complete_task(
                model_of(instance), instance.state, task.engine_task_id, clean, ctx), instance)
    now = clock.now()
    task.status, task.completed_at, task.completed_by_id = TaskStatus.COMPLETED, now, user.id
    task.claimed_by_id = task.claimed_by_id or user.id
    task.outcome = clean
    task.draft = task.draft_saved_at = None  # the answers are in the outcome now
    audit.record("task_completed", actor=user, person_id=task.person_id,
                 instance_id=task.instance_id, task_id=task.id, element_id=task.name,
                 summary={"title": task.title, "fields": sorted(clean)})
    if result is not None and instance is not None:
        apply_result(instance, result, user, open_tasks=open_tasks)
    for listener in _completed_listeners.get((task.process_key, task.name), ()):
        listener(task)
    return task


@use_case
def save_draft(task_id: int, data: Mapping[str, Any], user: User) -> HumanTask:
    """Keep answers so far on a long form; what is given must be valid, the rest may wait."""
    task = get_task(task_id, user)
    _require_open(task)
    _require_role(task, user)
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("someone else has claimed this task")
    clean, errors = validate_form(form_of(task), data, partial=True)
    if errors:
        raise ValidationFailed("the form has problems", [e.to_dict() for e in errors])
    task.draft, task.draft_saved_at = clean, clock.now()
    # Written even when nothing differs (same answers, a frozen clock), so the row's version
    # is checked and a draft cannot be saved over a completion made meanwhile.
    flag_modified(task, "draft_saved_at")
    task.claimed_by_id = task.claimed_by_id or user.id  # a draft is somebody's work
    audit.record("task_draft_saved", actor=user, person_id=task.person_id,
                 instance_id=task.instance_id, task_id=task.id, element_id=task.name,
                 summary={"fields": sorted(clean)})
    return task


def team_id_named(name: str) -> int:
    team_id = db.session.scalar(select(Team.id).where(Team.name == name))
    if team_id is None:
        raise ValidationFailed(f"no team '{name}'", [{"field": "team", "message": "unknown"}])
    return team_id
