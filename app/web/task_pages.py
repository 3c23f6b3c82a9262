"""The task page: the diagram's form, validated on the server (errors beside the fields, the
values kept), the person's contact details, what the task needs (a debt's invoices and the
letters sent on it, what earlier tasks of the process recorded), a completed task's answers, and
the diagram with this task highlighted.

A task whose completion would send a letter is not completed from its form: valid answers are
kept (as the task's draft) and shown on a check-your-answers page, and only its "Confirm and
send" completes the task, with the answers that page showed."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.errors import AppError, NotFound, ValidationFailed
from app.services.debts import cases
from app.services.debts.cases import balance
from app.services.inbox import letter_preview, task_actions, task_list
from app.services.records import history

from . import bp
from .approval import approval_view
from .auth import page_requires
from .task_forms import field_kind, hint_of, read_answers, sections, shown_values

if TYPE_CHECKING:  # the type only: pages never touch a model themselves
    from app.models import Person


LONG_FORM = 4  # fields: from this many a form offers "Save draft"


def _summary(person: Person) -> dict:
    debts = cases.open_debts_of(person)
    return {
        "representative": person.representative,
        "debts": [{"id": d.id, "stage": d.stage, "balance": balance(d),
                   "guards": d.guards or {}, "invoices": list(d.invoices),
                   "plan_in_force": cases.current_plan(d) is not None} for d in debts],
    }


def _record(task) -> dict:
    """What the page shows of the record: a completed task's answers and who gave them, the
    earlier tasks' answers, and on a debt task the letters sent on the debt."""
    debt_task = history.is_debt_task(task)
    letters = history.debt_letters_of(task.person) if debt_task else []
    return {
        "answers": history.answers_of(task) if task.status == "completed" else (),
        "completed_by": (history.staff_name(task.completed_by_id)
                         if task.status == "completed" else None),
        "claimed_by": history.full_name(task.claimed_by) if task.claimed_by else None,
        "earlier": history.recorded_before(task),
        "debt_task": debt_task,
        "letters": [{"id": row.id, "name": history.letter_name(row.template),
                     "to": history.recipient_of(row, task.person), "date": row.letter_date}
                    for row in letters],
    }


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@page_requires()
def task_page(task_id):
    task = task_actions.get_task(task_id, current_user)
    fields = task_actions.form_of(task)
    errors, raw = {}, shown_values(fields, task.draft or {})
    if request.method == "POST":
        draft = request.form.get("action") == "draft"
        answers, raw, errors = read_answers(fields, request.form, draft=draft)
        if not errors and not draft and approval_view(task) is None:
            errors, done = _check_first(task, answers)
            if done is not None:
                return done
        if not errors:
            errors, done = _submit(task, answers, draft)
            if done is not None:
                return done
    person = task.person
    status = 422 if errors else 200
    return render_template(
        "task.html", task=task, fields=fields, kind=field_kind, errors=errors, raw=raw,
        sections=sections, hint=hint_of,
        person=person, summary=_summary(person), today=clock.today(), record=_record(task),
        offers_draft=len(fields) >= LONG_FORM,
        may_complete=task_actions.may_complete(task, current_user),
        approval=approval_view(task),
        # Only an open task can be late: a completed or cancelled one is done.
        due=task_list.due_badge(task, clock.today()) if task.status == "open" else None), status


def _submit(task, answers: dict, draft: bool):
    """Save the draft or complete the task: (the problems to show, or the page to go to)."""
    try:
        if draft:
            task_actions.save_draft(task.id, answers, current_user)
        else:
            task_actions.complete(task.id, answers, current_user)
    except ValidationFailed as exc:
        return {d.get("field") or "": d["message"] for d in exc.details} or {
            "": exc.message}, None
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
        return {}, redirect(url_for("web.inbox"))
    if draft:
        flash("Draft saved, and you have taken the task. Complete it when you have every "
              "answer.", "success")
        return {}, redirect(url_for("web.task_page", task_id=task.id))
    return {}, _moved_on(task)


def _moved_on(task):
    """After a completion, keep the user moving: the person's next task they may do, else
    the inbox."""
    following = task_list.next_task_for(task.person_id, current_user, task.id)
    if following is None:
        flash(f"Completed: {task.title}. There are no more tasks for {task.person.name} "
              "that you can do.", "success")
        return redirect(url_for("web.inbox"))
    flash(f"Completed: {task.title}. Next for {task.person.name}: {following.title}.",
          "success")
    return redirect(url_for("web.task_page", task_id=following.id))


def _check_first(task, answers: dict):
    """For a task whose completion sends a letter: keep the valid answers and go to the check
    page. (The problems to show, or that page); (no problems, None) for any other task."""
    try:
        clean = task_actions.check_answers(task.id, answers, current_user)
    except AppError:
        return {}, None  # completing says what is wrong, as it always has
    if not letter_preview.letters_on_completion(task, clean):
        return {}, None
    try:
        task_actions.save_draft(task.id, answers, current_user)
    except AppError:
        return {}, None
    return {}, redirect(url_for("web.check_answers", task_id=task.id), code=303)


@bp.get("/tasks/<int:task_id>/check")
@page_requires()
def check_answers(task_id):
    """Check your answers before sending the letter: the kept answers with Change links, the
    letters and who they go to, and "Confirm and send"."""
    task = task_actions.get_task(task_id, current_user)
    back = redirect(url_for("web.task_page", task_id=task.id))
    if not task_actions.may_complete(task, current_user) or task.draft is None:
        return back
    try:
        clean = task_actions.check_answers(task.id, task.draft, current_user)
    except AppError:
        return back  # the form shows the kept answers; Complete says what is wrong
    letters = letter_preview.letters_on_completion(task, clean)
    if not letters:
        return back
    fields = task_actions.form_of(task)
    rows = [(section.heading, [(f, history.answer_name(f.to_dict()),
                                history.answer_in_words(f.to_dict(), clean.get(f.id)))
                               for f in section.fields]) for section in sections(fields)]
    return render_template("check_answers.html", task=task, person=task.person, rows=rows,
                           letters=letters, token=task_actions.answers_token(task.draft))


@bp.post("/tasks/<int:task_id>/check")
@page_requires()
def confirm_answers(task_id):
    """Confirm and send: completes the task with the checked answers, once."""
    task = task_actions.get_task(task_id, current_user)
    try:
        task_actions.complete_checked(task.id, request.form.get("answers", ""), current_user)
    except ValidationFailed as exc:
        problems = "; ".join(d["message"] for d in exc.details) or exc.message
        flash(f"Nothing was sent: {problems}. Change your answers and complete the task "
              "again.", "error")
        return redirect(url_for("web.task_page", task_id=task.id))
    return _moved_on(task)


@bp.get("/tasks/<int:task_id>/diagram.bpmn")
@page_requires()
def task_diagram(task_id):
    task = task_actions.get_task(task_id, current_user)
    if task.instance is None:
        raise NotFound(f"task {task_id} is not part of a process")
    # Fetched by the viewer; opened directly it is a download, and never runs as a page.
    return Response(task.instance.version.xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{task.process_key}.bpmn"',
        "Content-Security-Policy": "sandbox; default-src 'none'"})
