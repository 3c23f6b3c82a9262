"""Operations for admins and finance managers: incidents with Retry, the scheduler, the timers
coming due, today's print batch, and three charts."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.errors import AppError
from app.roles import OPERATORS
from app.services.correspondence import letter_worker, print_batch
from app.services.operations import dashboard
from app.services.processes import definitions, instances

from . import bp
from .auth import page_requires
from .header import letter_title


@bp.get("/operations")
@page_requires(*OPERATORS)
def operations_page():
    incidents = dashboard.open_incidents()
    return render_template(
        "operations.html", active_nav="operations", now=clock.now(),
        incidents=incidents, routes={instance.id: instances.ambiguous_routes(instance)
                                     for incident, instance in incidents if not incident.handler},
        step_names={incident.id: instances.step_name(instance, incident.element_id)
                    for incident, instance in incidents},
        last_sweep=dashboard.last_sweep(),
        scheduler_stale=dashboard.scheduler_stale(dashboard.last_sweep()),
        last_daily=dashboard.last_daily_run(), timers=dashboard.timers_due(24),
        tasks_due=dashboard.tasks_due_per_day(14), stages=dashboard.debts_by_stage(),
        ages=dashboard.outstanding_by_age(), batch=print_batch.letters_for(clock.today()),
        to_make=print_batch.still_to_make(clock.today()),
        failed_letters=letter_worker.failed_letters(),
        versions=definitions.check_versions_in_use())


@bp.get("/operations/print-batch.zip")
@page_requires(*OPERATORS)
def print_batch_download():
    """Today's print batch: one PDF to print (LibreOffice) and the .docx files, zipped."""
    day = clock.today()
    letters = print_batch.letters_for(day)
    if not letters:
        flash("There are no letters in today's print batch.", "error")
        return redirect(url_for("web.operations_page"))
    try:
        pdf = print_batch.pdf_of(letters)
    except print_batch.PdfConversionError as exc:
        pdf, failure = None, str(exc)
    else:
        failure = None
    return Response(print_batch.zip_of(letters, pdf, note=failure), mimetype="application/zip",
                    headers={
        "Content-Disposition": f'attachment; filename="print-batch-{day.isoformat()}.zip"'})


@bp.post("/operations/instances/<int:instance_id>/retry")
@page_requires(*OPERATORS)
def retry_incident(instance_id):
    try:
        instances.retry_incident(instance_id, current_user)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        flash(f"Retry did not complete: {exc.message}", "error")
    else:
        instance = instances.get_instance(instance_id)
        if instance.status == "incident":
            flash("Retried, and the step failed again: see the new error below.", "error")
        elif instance.status == "held":
            flash(f"Retried: the step ran, and recovery for {_who(instance.person)} is now on "
                  "hold (the debt on their case says why).", "success")
        else:
            flash(f"Retried: the step completed and the work for {_who(instance.person)} "
                  "has moved on.", "success")
    return redirect(url_for("web.operations_page"))


@bp.post("/operations/letters/<int:letter_id>/retry")
@page_requires(*OPERATORS)
def retry_letter(letter_id):
    """A letter the worker could not make goes back to it (e.g. once its template is fixed)."""
    try:
        letter = letter_worker.retry(letter_id, current_user)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        flash(f"The letter was not sent back: {exc.message}", "error")
    else:
        flash(f"{letter_title(letter.template)} for {_who(letter.person)} will be made again "
              "within a minute.", "success")
    return redirect(url_for("web.operations_page"))


@bp.post("/operations/instances/<int:instance_id>/route")
@page_requires(*OPERATORS)
def choose_route(instance_id):
    """Two conditions held at a gateway: the operator decides the route for this case."""
    target = request.form.get("route", "")
    try:
        instance = instances.choose_route(instance_id, target, current_user)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        flash(f"The route was not taken: {exc.message}", "error")
    else:
        flash(f"The work for {_who(instance.person)} has taken the route you chose.",
              "success")
    return redirect(url_for("web.operations_page"))


def _who(person) -> str:
    """A case as staff know it: the person's name and person id (docs/content.md)."""
    return f"{person.name} (person id {person.reference})"
