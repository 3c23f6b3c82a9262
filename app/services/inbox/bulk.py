"""Taking or assigning several inbox tasks at once (the MOJ multi-select pattern).

Each task is its own use case, so its own transaction: a task someone else took first is left
alone and named, and the others are still taken. The summary says which is which."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.errors import AppError
from app.extensions import db
from app.models import HumanTask, TaskStatus, User
from app.services.inbox import task_actions

MAX_TASKS = 100  # one page of the inbox is 25; more is not a person's click


@dataclass
class Outcome:
    done: list[HumanTask] = field(default_factory=list)
    left: list[tuple[HumanTask | None, str]] = field(default_factory=list)  # (task, why not)


def take_tasks(task_ids: list[int], user: User) -> Outcome:
    """Take each task for the user; a task held by someone else is named, not taken."""
    return _each(task_ids, user, lambda task_id: task_actions.claim(task_id, user), "take")


def assign_tasks(task_ids: list[int], username: str, actor: User) -> Outcome:
    """Give each task to the named person (managers); each as task_actions.assign would."""
    return _each(task_ids, actor,
                 lambda task_id: task_actions.assign(task_id, username, actor), "assign")


def _each(task_ids: list[int], user: User, act: Callable[[int], HumanTask],
          verb: str) -> Outcome:
    outcome = Outcome()
    for task_id in list(dict.fromkeys(task_ids))[:MAX_TASKS]:
        try:
            outcome.done.append(act(task_id))
        except AppError as exc:
            task = _task_if_visible(task_id, user)
            outcome.left.append((task, _why(exc, task, user, verb)))
    return outcome


def _task_if_visible(task_id: int, user: User) -> HumanTask | None:
    db.session.expire_all()  # who holds it now, not what this session last read
    try:
        return task_actions.get_task(task_id, user)
    except AppError:
        return None


def _why(exc: AppError, task: HumanTask | None, user: User, verb: str) -> str:
    """Why a task was left alone, in words (docs/content.md: full names, "took")."""
    if task is None or exc.status in (403, 404):
        return f"you cannot {verb} it"
    if task.status != TaskStatus.OPEN:
        return "it is no longer open"
    holder = task.claimed_by
    if exc.status == 409 and holder is not None and holder.id != user.id:
        return f"{holder.full_name or 'someone else'} took it first"
    if exc.status == 422:
        return "the person you chose does not do this kind of task"
    return exc.message
