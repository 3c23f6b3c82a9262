"""Person search and the case pages: the Summary and its sibling pages (Money, Debts, Direct
payments, Letters, Notes and documents, History) under one case layout."""
from __future__ import annotations


from typing import TYPE_CHECKING

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.errors import ValidationFailed
from app.letters import DOCX
from app.services.correspondence import letters
from app.services.queries import credit_notes
from app.services.records import case_file, notes_and_documents, people
from app.services.records import search as people_search

from . import bp, case_overview, history_view
from .auth import page_requires
from .task_forms import date_from_boxes

if TYPE_CHECKING:  # the type only: pages never touch a model themselves
    from app.models import Person

SEARCH_FIELDS = ("name", "reference", "account_number", "invoice_number", "nhs_number",
                 "postcode")
BIRTH_BOXES = ("dob-day", "dob-month", "dob-year")
PER_PAGE = 25
DIRECT_PAYMENT_PROCESS = "direct_payment"  # the key prefix of the agreement's processes


@bp.get("/people")
@page_requires()
def search():
    args = {name: (request.args.get(name) or "").strip() for name in SEARCH_FIELDS + BIRTH_BOXES}
    page = request.args.get("page", "1")
    page = min(int(page), 10_000) if page.isdigit() and int(page) > 0 else 1
    hits, total, errors = [], None, {}
    if any(args.values()):
        born = None
        if any(args[box] for box in BIRTH_BOXES):
            try:
                born = date_from_boxes([args[box] for box in BIRTH_BOXES])
            except ValueError:
                errors["dob"] = "Date of birth must be a real date, for example 27 3 1941"
        if not errors:
            try:
                hits, total = people_search.search_people(people_search.PersonQuery(
                    name=args["name"] or None, date_of_birth=born,
                    reference=args["reference"] or None,
                    account_number=args["account_number"] or None,
                    invoice_number=args["invoice_number"] or None,
                    nhs_number=args["nhs_number"] or None,
                    postcode=args["postcode"] or None, page=page, per_page=PER_PAGE),
                    current_user)
            except ValidationFailed as exc:
                errors = {d.get("field") or "name": _search_message(d)
                          for d in exc.details}
    return render_template("search.html", args=args, hits=hits, total=total, errors=errors,
                           page=page, pages=max(1, -(-(total or 0) // PER_PAGE)),
                           active_nav="search"), 422 if errors else 200


def _search_message(detail: dict) -> str:
    """GOV.UK wording for the search's problems (the service's words are the API's)."""
    return {"nhs_number": "Enter an NHS number with 10 digits, like 485 777 3456",
            "name": "Enter a name with at least one letter or number",
            "postcode": "Enter a postcode, like RG26 4AB, or the first part of one, like RG26",
            }.get(detail.get("field") or "", detail["message"])


def visible_person(reference: str) -> Person:
    """Another team's case is refused outright (403) to those who only see their team's."""
    person = case_file.person_by_reference(reference)
    if person is None:
        abort(404)
    if not current_user.sees_all_teams and person.team_id != current_user.team_id:
        abort(403)
    return person


@bp.get("/people/<reference>")
@page_requires()
def case_page(reference):
    """The Summary: current work, what holds recovery, contact details."""
    person = visible_person(reference)
    return _page("case.html", person, work=case_overview.current_work(
        person, case_overview.debts(person)))


@bp.get("/people/<reference>/money")
@page_requires()
def case_money(reference):
    person = visible_person(reference)
    return _page("case_money.html", person, invoices=case_file.invoices_of(person),
                 payments=case_file.payments_of(person), balance=case_file.balance_of(person),
                 credit_notes=credit_notes.credit_notes_of(person))


@bp.get("/people/<reference>/debts")
@page_requires()
def case_debts(reference):
    person = visible_person(reference)
    return _page("case_debts.html", person, debts=case_overview.debts(person))


@bp.get("/people/<reference>/direct-payments")
@page_requires()
def case_direct_payments(reference):
    person = visible_person(reference)
    return _page("case_direct_payments.html", person,
                 agreements=case_file.direct_payments_of(person),
                 processes=case_overview.running_processes(person, DIRECT_PAYMENT_PROCESS))


@bp.get("/people/<reference>/letters")
@page_requires()
def case_letters(reference):
    person = visible_person(reference)
    return _page("case_letters.html", person, letters=case_overview.letters(person))


@bp.get("/people/<reference>/notes")
@page_requires()
def case_notes(reference):
    return _notes_page(visible_person(reference))


@bp.get("/people/<reference>/history")
@page_requires()
def case_history(reference):
    person = visible_person(reference)
    return _page("case_history.html", person, **_history_context(person))


def _history_context(person: Person) -> dict:
    """The plain-English history's variables (the layout has the person already)."""
    context = dict(history_view.history_context(person, request.args))
    context.pop("person", None)
    return context


def _page(template: str, person: Person, status: int = 200, **context):
    return render_template(template, person=person, today=clock.today(), active_nav="search",
                           errors=context.pop("errors", None) or {},
                           values=context.pop("values", None) or {}, **context), status


def _notes_page(person: Person, errors: dict | None = None, values: dict | None = None):
    return _page("case_notes.html", person, 422 if errors else 200, errors=errors,
                 values=values, current_tab="web.case_notes",
                 notes=notes_and_documents.notes_of(person),
                 documents=notes_and_documents.documents_of(person))


@bp.post("/people/<reference>/notes")
@page_requires()
def add_note(reference):
    person = visible_person(reference)
    text = request.form.get("note", "")
    try:
        notes_and_documents.add_note(person, text, current_user)
    except ValidationFailed as exc:
        return _notes_page(person, _by_field(exc), {"note": text})
    flash("Note added.", "success")
    return redirect(url_for("web.case_notes", reference=reference, _anchor="notes"))


@bp.post("/people/<reference>/documents")
@page_requires()
def attach_document(reference):
    person = visible_person(reference)
    upload = request.files.get("document")
    description = request.form.get("description", "")
    try:
        notes_and_documents.attach_document(person, upload.filename if upload else "",
                                            upload.read() if upload else b"", description,
                                            current_user)
    except ValidationFailed as exc:
        return _notes_page(person, _by_field(exc), {"description": description})
    flash("Document attached.", "success")
    return redirect(url_for("web.case_notes", reference=reference, _anchor="documents"))


@bp.get("/documents/<int:document_id>")
@page_requires()
def document_download(document_id):
    document = notes_and_documents.get_document(document_id)
    visible_person(people.get_person_by_id(document.person_id).reference)
    return Response(document.content, mimetype=document.content_type, headers={
        "Content-Disposition":
            f'attachment; filename="{notes_and_documents.download_name(document)}"',
        "X-Content-Type-Options": "nosniff"})


@bp.get("/letters/<int:letter_id>.docx")
@page_requires()
def letter_download(letter_id):
    letter = letters.get_letter(letter_id)
    visible_person(people.get_person_by_id(letter.person_id).reference)
    return Response(letters.document_of(letter), mimetype=DOCX,
                    headers=letters.download_headers(letter))


def _by_field(exc: ValidationFailed) -> dict:
    return {d.get("field", ""): d["message"] for d in exc.details}
