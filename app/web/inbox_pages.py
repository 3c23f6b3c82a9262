"""The task inbox (the home page) and its claim / unclaim / assign buttons."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.errors import AppError, Forbidden, ValidationFailed
from app.roles import TASK_ASSIGNERS
from app.services.inbox import bulk, task_actions
from app.services.inbox import task_list as inbox_service
from app.services.processes import definitions

from . import bp
from .auth import page_requires, safe_path
from .task_forms import date_from_boxes

PER_PAGE = 25
DUE_BOXES = ("due_before-day", "due_before-month", "due_before-year")
FILTERS = ("tab", "process", "overdue", "due_before", *DUE_BOXES, "person",
           "sort")  # kept across pages


def _query() -> tuple[inbox_service.InboxQuery, dict[str, str]]:
    """The inbox query from the address; a bad filter is an error shown above the list."""
    args = request.args
    errors = {}
    tab = args.get("tab") or "mine"
    if tab not in inbox_service.TABS:
        errors["tab"] = "Choose my tasks, my team's tasks or all open tasks"
        tab = "mine"
    due_before = None
    boxes = [(args.get(box) or "").strip() for box in DUE_BOXES]
    try:
        if any(boxes):
            due_before = date_from_boxes(boxes)
        elif args.get("due_before"):  # an address from before the three boxes
            due_before = date.fromisoformat(args["due_before"])
    except ValueError:
        errors["due_before"] = "Due before must be a real date"
    query = inbox_service.InboxQuery(
        tab=tab, process=args.get("process") or None, overdue=args.get("overdue") == "yes",
        due_before=due_before, person=(args.get("person") or "").strip() or None,
        latest_due_first=args.get("sort") == "due_desc", cursor=_cursor(args.get("cursor")),
        per_page=PER_PAGE, count_all=args.get("count") == "all")
    return query, errors


def _due_boxes(query: inbox_service.InboxQuery) -> list[str]:
    """What the three boxes show: what was typed (kept on an error), else the date in use."""
    typed = [(request.args.get(box) or "").strip() for box in DUE_BOXES]
    if any(typed) or query.due_before is None:
        return typed
    day = query.due_before
    return [str(day.day), str(day.month), str(day.year)]


def _cursor(text: str | None) -> inbox_service.Cursor | None:
    """A broken or edited page link shows the first page, as a bad page number used to: the
    address is not something the user typed, so an error message would not help them."""
    if not text:
        return None
    try:
        return inbox_service.decode_cursor(text)
    except ValidationFailed:
        return None


@bp.get("/")
@page_requires()
def inbox():
    query, errors = _query()
    page = inbox_service.inbox(current_user, query)
    assignees = (inbox_service.assignable_users()
                 if current_user.has_role(*TASK_ASSIGNERS) else [])
    return render_template(
        "inbox.html", query=query, errors=errors, page=page, rows=page.rows,
        counts=inbox_service.counts(current_user), cap=inbox_service.COUNT_CAP,
        tabs=inbox_service.tabs_for(current_user),
        tab_titles=inbox_service.TAB_TITLES, processes=definitions.list_definitions(),
        today=clock.today(),
        now=clock.now(), badge=inbox_service.due_badge, assignees=assignees,
        days_overdue=inbox_service.days_overdue, due_boxes=_due_boxes(query),
        args={k: v for k, v in request.args.items() if k in FILTERS}), 422 if errors else 200


def _back():
    return redirect(safe_path(request.form.get("back")))


@bp.post("/tasks/<int:task_id>/claim")
@page_requires()
def claim_task(task_id):
    """Taken, the user goes straight to the task; if not (someone was first), back to the list."""
    try:
        task_actions.claim(task_id, current_user)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        flash(_message(exc), "error")
        return _back()
    flash("You have taken this task", "success")
    return redirect(url_for("web.task_page", task_id=task_id))


@bp.post("/tasks/selected")
@page_requires()
def act_on_selected():
    """Take the ticked tasks, or (managers) assign them; a summary of what was done and of
    any task left alone, named, with the reason (someone else took it first)."""
    ids = [int(v) for v in request.form.getlist("task_id") if v.isdigit() and len(v) < 19]
    if not ids:
        flash("Select at least one task", "error")
        return _back()
    if request.form.get("action") == "assign":
        if not current_user.has_role(*TASK_ASSIGNERS):
            raise Forbidden("only managers assign tasks")
        username = request.form.get("username", "")
        outcome = bulk.assign_tasks(ids, username, current_user)
        done, verb = f"assigned to {_full_name(username)}", "Not assigned"
    else:
        outcome = bulk.take_tasks(ids, current_user)
        done, verb = "taken", "Not taken"
    if outcome.done:
        count = len(outcome.done)
        flash(f"{count} task{'' if count == 1 else 's'} {done}", "success")
    if outcome.left:
        flash(f"{verb}: " + "; ".join(
            f"{task.title} for {task.person.name} ({why})" if task else f"a task ({why})"
            for task, why in outcome.left), "error")
    return _back()


@bp.post("/tasks/<int:task_id>/unclaim")
@page_requires()
def unclaim_task(task_id):
    return _act(lambda: task_actions.unclaim(task_id, current_user),
                "Task given back to the team.")


@bp.post("/tasks/<int:task_id>/assign")
@page_requires(*TASK_ASSIGNERS)
def assign_task(task_id):
    username = request.form.get("username", "")
    return _act(lambda: task_actions.assign(task_id, username, current_user),
                f"Task assigned to {_full_name(username)}.")


def _full_name(username: str) -> str:
    """Who a task went to, as staff know them (docs/content.md: never a username)."""
    for user in inbox_service.assignable_users():
        if user.username == username:
            return user.full_name or "the person you chose"
    return "the person you chose"


def _act(action, done: str):
    try:
        action()
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        flash(_message(exc), "error")
    else:
        flash(done, "success")
    return _back()


def _message(exc: AppError) -> str:
    details = "; ".join(d.get("message", "") for d in exc.details if d.get("message"))
    return f"{exc.message}: {details}" if details else exc.message
