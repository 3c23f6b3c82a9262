"""The task page: the diagram's form, validated on the server (errors beside the fields, the
values kept), a summary of the person, and the diagram with this task highlighted."""
from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.errors import AppError, ValidationFailed
from app.models import Person
from app.domain.forms import validate_form
from app.services import debt_cases, inbox, work
from app.services.debt_cases import balance

from . import bp
from .auth import page_requires


def field_kind(field) -> str:
    """How a form field is shown: the types the diagrams use (app/domain/forms.py)."""
    if field.type == "enum":
        return "radios" if len(field.options) <= 8 else "select"
    return {"boolean": "yesno", "date": "date", "money": "money", "long": "number",
            "note": "textarea"}.get(field.type, "text")


def date_from_boxes(parts: list[str]) -> date:
    """GOV.UK's date input: day, month and a four-digit year; ValueError if not a real date."""
    day, month, year = parts
    if len(year) != 4 or not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise ValueError("not a date")
    return date(int(year), int(month), int(day))


def posted_data(fields, form) -> tuple[dict, dict]:
    """The answers to hand to the service, and the raw values to show again on an error.
    A date comes as day, month and year boxes; a date that is not real is an error here."""
    data, raw, errors = {}, {}, {}
    for field in fields:
        if field.type == "date":
            parts = [form.get(f"{field.id}-{p}", "").strip() for p in ("day", "month", "year")]
            raw[field.id] = parts
            if not any(parts):
                data[field.id] = None
                continue
            try:
                data[field.id] = date_from_boxes(parts).isoformat()
            except ValueError:
                errors[field.id] = f"{field.label} must be a real date, for example 27 3 2026"
        else:
            value = form.get(field.id)
            raw[field.id] = value
            data[field.id] = value if value not in ("",) else None
    return data, raw, errors


def shown_values(fields, saved: dict) -> dict:
    """A saved draft's answers as the form shows them (a date in its three boxes)."""
    shown = {}
    for field in fields:
        value = saved.get(field.id)
        if value is None:
            continue
        if field.type == "date":
            day = date.fromisoformat(value)
            shown[field.id] = [str(day.day), str(day.month), str(day.year)]
        elif field.type == "boolean":
            shown[field.id] = "true" if value else "false"
        else:
            shown[field.id] = str(value)
    return shown


LONG_FORM = 4  # fields: from this many a form offers "Save draft"


def _summary(person: Person) -> dict:
    debts = debt_cases.open_debts_of(person)
    return {
        "representative": person.representative,
        "debts": [{"id": d.id, "stage": d.stage, "balance": balance(d),
                   "guards": d.guards or {}} for d in debts],
    }


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@page_requires()
def task_page(task_id):
    task = work.get_task(task_id, current_user)
    fields = work.form_of(task)
    errors = {}
    raw = shown_values(fields, task.draft or {})
    if request.method == "POST":
        data, raw, errors = posted_data(fields, request.form)
        answers = {k: v for k, v in data.items() if v is not None}
        if errors:  # a date that is not real: report the other fields' problems at once too
            others = [f for f in fields if f.id not in errors]
            _, more = validate_form(others, {k: v for k, v in answers.items()
                                             if k not in errors},
                                    partial=request.form.get("action") == "draft")
            errors.update({e.field: e.message for e in more})
        if not errors and request.form.get("action") == "draft":
            try:
                work.save_draft(task_id, answers, current_user)
            except ValidationFailed as exc:
                errors = {d.get("field") or "": d["message"] for d in exc.details}
            else:
                flash("Draft saved, and the task is claimed by you. Complete it when you have "
                      "every answer.", "success")
                return redirect(url_for("web.task_page", task_id=task_id))
        elif not errors:
            try:
                work.complete(task_id, answers, current_user)
            except ValidationFailed as exc:
                errors = {d.get("field") or "": d["message"] for d in exc.details} or {
                    "": exc.message}
            except AppError as exc:
                if exc.status in (403, 404):
                    raise
                flash(exc.message, "error")
                return redirect(url_for("web.inbox"))
            else:
                flash(f"Completed: {task.title}.", "success")
                return redirect(url_for("web.inbox"))
    person = task.instance.person
    status = 422 if errors else 200
    return render_template(
        "task.html", task=task, fields=fields, kind=field_kind, errors=errors, raw=raw,
        person=person, summary=_summary(person), today=clock.today(),
        offers_draft=len(fields) >= LONG_FORM,
        may_complete=work.may_complete(task, current_user),
        due=inbox.due_badge(task, clock.today())), status


@bp.get("/tasks/<int:task_id>/diagram.bpmn")
@page_requires()
def task_diagram(task_id):
    task = work.get_task(task_id, current_user)
    # Fetched by the viewer; opened directly it is a download, and never runs as a page.
    return Response(task.instance.version.xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{task.process_key}.bpmn"',
        "Content-Security-Policy": "sandbox; default-src 'none'"})
