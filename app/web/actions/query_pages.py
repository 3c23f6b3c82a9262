"""Invoice query pages (issue 20 part 5): open a query from the case page, a query's own page,
record its outcome when no process decides it, and the queries list with filters and ageing.

Roles as the API's (app/api/queries_routes.py): NOTIFIERS open a query, FINANCE_STAFF read them,
QUERY_RESOLVERS record an outcome. Every page is refused for another team's person (403) to
those who see only their team's. While the query's process runs, its outcome is recorded in the
process's "Decide the outcome" task, never here: closing it here would leave the process behind.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.domain.queries import (
    CHANNEL_WORDS,
    OUTCOME_WORDS,
    REASONS_MAX,
    TYPE_WORDS,
    WHAT_WAS_SAID_MAX,
)
from app.errors import Conflict, ValidationFailed
from app.roles import FINANCE_STAFF, NOTIFIERS, QUERY_RESOLVERS
from app.services.queries import query_views, records

from .. import bp
from ..auth import page_requires
from ..case_pages import visible_person
from ..filters import long_date
from .forms import Answers, act_once, errors_by_field, fingerprint, render_action

OPEN_TEMPLATE = "actions/query_open.html"
OUTCOME_TEMPLATE = "actions/query_outcome.html"
# The type's hint: where the process sends it (DOMAIN.md A.4 step 3), in staff words.
TYPE_HINTS = {
    "care_not_delivered": "Checked against the provider's actual hours and the purchase order",
    "rate_wrong": "Including uplifts and backdating. Checked against the rate table and the "
                  "uplift decision",
    "assessment": "Referred to the financial assessment team",
    "payment_not_allocated": "A payment they made is not on the account. Checked against the "
                             "bank records",
    "hardship": "They cannot afford it or ask us to waive it. A named officer reconsiders",
    "complaint": "Goes through the council's statutory complaints procedure",
}
CHANNEL_CHOICES = [(k, v[:1].upper() + v[1:]) for k, v in CHANNEL_WORDS.items()]
OUTCOME_CHOICES = [("upheld", "Upheld", "They were right: the charge is corrected"),
                   ("partly_upheld", "Partly upheld", "They were right about part of it"),
                   ("not_upheld", "Not upheld", "The charge stands")]
NOBODY = "nobody"


@bp.app_context_processor
def _query_globals() -> dict:
    """Who may open, read and resolve queries, and what the Summary and a task page show of
    them (a debt task links resolvers to record a query)."""
    return {"QUERY_OPENERS": NOTIFIERS, "QUERY_READERS": FINANCE_STAFF,
            "QUERY_RESOLVERS": QUERY_RESOLVERS,
            "open_query_rows": query_views.open_query_rows,
            "credit_note_of_task": query_views.credit_note_of_task}


# --- open a query ---------------------------------------------------------------------------------
@bp.route("/people/<reference>/queries/new", methods=["GET", "POST"])
@page_requires(*NOTIFIERS)
def open_query(reference):
    person = visible_person(reference)
    if request.method == "GET":
        today = clock.today()
        owners = {u.username for u in records.owners_for(person)}
        mine = current_user.username if current_user.username in owners else ""
        return _open_form(person, values={
            "received_on": [str(today.day), str(today.month), str(today.year)], "owner": mine})
    answers = Answers(request.form)
    given = _read_query(person, answers)
    if answers.errors:
        return _open_form(person, errors=answers.errors, values=answers.shown)
    try:
        query = act_once(request.form, _seen_new(person),
                         lambda: records.open_query(person, actor=current_user, **given))
    except ValidationFailed as exc:
        return _open_form(person, errors=_on_open_page(errors_by_field(exc), given),
                          values=answers.shown)
    except Conflict as exc:
        return _open_form(person, status=409, errors={"form": exc.message}, values=answers.shown)
    flash(_opened(query), "success")
    return redirect(url_for("web.case_page", reference=reference))


def _seen_new(person) -> str:
    return fingerprint(query_views.new_query_fingerprint(person))


def _open_form(person, status: int = 200, **context):
    invoices = query_views.unpaid_invoices(person)
    return render_action(
        OPEN_TEMPLATE, status=status, person=person, seen=_seen_new(person), invoices=invoices,
        channels=CHANNEL_CHOICES, raised_by=_from_options(person),
        types=[(k, v[:1].upper() + v[1:], TYPE_HINTS.get(k)) for k, v in TYPE_WORDS.items()],
        owners=[(u.username, u.full_name or u.username) for u in records.owners_for(person)]
        + [(NOBODY, "Nobody yet")], date_fields=("received_on",), **context)


def _from_options(person) -> list[tuple[str, str]]:
    rep = person.representative
    return [("person", person.name),
            ("representative", f"{rep.name}, their representative" if rep is not None
             else "Their representative (not recorded on the case)"),
            ("provider", "A care provider")]


def _read_query(person, answers: Answers) -> dict:
    """The answers as open_query takes them; the page's own problems in GOV.UK words."""
    received = answers.date("received_on", "the date the query was received")
    if received is not None and received > clock.today():
        answers.add_error("received_on", "The date the query was received must be today or in "
                                         "the past")
    channel = answers.choice("channel", CHANNEL_WORDS, required="Select how the query came in")
    raised_by = answers.choice("raised_by", dict(_from_options(person)),
                               required="Select who raised the query")
    name = answers.text("raised_by_name", max_length=200,
                        too_long="The name must be 200 characters or fewer")
    if raised_by == "provider" and not name:
        answers.add_error("raised_by_name", "Enter the name of the care provider")
    if raised_by == "representative" and not name and person.representative is None:
        answers.add_error("raised_by_name", "Enter the name of the representative")
    query_type = answers.choice("query_type", TYPE_WORDS, required="Select what the query is about")
    numbers = request.form.getlist("invoices")
    answers.shown["invoices"] = numbers
    if not numbers:
        answers.add_error("invoices", "Select at least one invoice the query is about")
    chosen = []
    for invoice in query_views.unpaid_invoices(person):
        field = f"amount-{invoice.number}"
        amount = answers.money(field, f"the amount in question on {invoice.number}",
                               required=False)
        if invoice.number in numbers:
            chosen.append({"invoice_number": invoice.number, "amount": amount})
        elif answers.shown.get(field):
            answers.add_error(field, f"Select {invoice.number} as well, or leave its amount "
                                     "empty")
    chosen += [{"invoice_number": n, "amount": None} for n in numbers
               if n not in {c["invoice_number"] for c in chosen}]  # the service refuses these
    said = answers.text("what_was_said", required="Enter what was said",
                        max_length=WHAT_WAS_SAID_MAX,
                        too_long=f"What was said must be {WHAT_WAS_SAID_MAX:,} "
                                 "characters or fewer")
    owners = {u.username: u for u in records.owners_for(person)}
    owner = answers.choice("owner", [*owners, NOBODY], required="Select who owns the query")
    return {"received_on": received, "channel": channel or "", "raised_by": raised_by or "",
            "raised_by_name": name, "query_type": query_type or "", "what_was_said": said or "",
            "invoices": chosen, "owner": owners.get(owner or "")}


def _on_open_page(errors: dict[str, str], given: dict) -> dict[str, str]:
    """The service's field names ("invoices.0.amount") as this page's ("amount-INV-1001")."""
    out: dict[str, str] = {}
    for name, message in errors.items():
        if name.startswith("invoices."):
            index = int(name.split(".")[1])
            number = given["invoices"][index]["invoice_number"]
            name = f"amount-{number}" if name.endswith(".amount") else "invoices"
        out.setdefault(name, message)
    return out


def _opened(query) -> str:
    numbers = list(dict.fromkeys(item.invoice.number for item in query.items))
    held = (f"Invoice {numbers[0]} is" if len(numbers) == 1
            else f"Invoices {', '.join(numbers[:-1])} and {numbers[-1]} are")
    return (f"Query {query.reference} opened. {held} held from recovery while it is open. "
            f"The acknowledgement is due by "
            f"{long_date(query_views.acknowledgement_due(query))}.")


# --- one query ------------------------------------------------------------------------------------
def visible_query(query_id: int):
    query = records.get_query(query_id)
    person = records.person_of(query)
    if not current_user.sees_all_teams and person.team_id != current_user.team_id:
        abort(403)
    return query


@bp.get("/queries/<int:query_id>")
@page_requires(*FINANCE_STAFF)
def query_page(query_id):
    query = visible_query(query_id)
    view = query_views.details(query)
    return render_template("query.html", query=view, person=view["person"],
                           may_close=current_user.has_role(*QUERY_RESOLVERS),
                           active_nav="queries")


@bp.route("/queries/<int:query_id>/outcome", methods=["GET", "POST"])
@page_requires(*QUERY_RESOLVERS)
def record_outcome(query_id):
    query = visible_query(query_id)
    if query.status != "open":
        raise Conflict(f"Query {query.reference} is already closed")
    if query_views.running_instance(query) is not None:
        raise Conflict(f"Query {query.reference} is being worked in its process: record the "
                       "outcome in its task “Decide the outcome of the query”")
    person = records.person_of(query)
    if request.method == "GET":
        today = clock.today()
        return _outcome_form(query, person, values={
            "decided_on": [str(today.day), str(today.month), str(today.year)]})
    answers = Answers(request.form)
    outcome = answers.choice("outcome", OUTCOME_WORDS, required="Select the outcome")
    reasons = answers.text("reasons", required="Enter the reasons for the decision",
                           max_length=REASONS_MAX,
                           too_long=f"The reasons must be {REASONS_MAX:,} characters "
                                    "or fewer")
    decided = answers.date("decided_on", "the date of the decision")
    if answers.errors:
        return _outcome_form(query, person, errors=answers.errors, values=answers.shown)
    assert decided is not None  # required: an error otherwise
    try:
        act_once(request.form, _seen_query(query), lambda: records.close_query(
            query, outcome=outcome or "", reasons=reasons or "", decided_on=decided,
            actor=current_user))
    except ValidationFailed as exc:
        return _outcome_form(query, person, errors=errors_by_field(exc), values=answers.shown)
    except Conflict as exc:
        return _outcome_form(query, person, status=409, errors={"form": exc.message},
                             values=answers.shown)
    released = [i.number for i in dict.fromkeys(item.invoice for item in query.items)
                if not i.query_hold]
    flash(f"Outcome recorded: query {query.reference} is closed as "
          f"{OUTCOME_WORDS[outcome or '']}. "
          + (f"Recovery may go on for {', '.join(released)}." if released
             else "Another open query still holds its invoices from recovery."), "success")
    return redirect(url_for("web.query_page", query_id=query.id))


def _seen_query(query) -> str:
    return fingerprint(query_views.fingerprint_of(query))


def _outcome_form(query, person, status: int = 200, **context):
    return render_action(OUTCOME_TEMPLATE, status=status, query=query, person=person,
                         seen=_seen_query(query), outcomes=OUTCOME_CHOICES,
                         date_fields=("decided_on",), **context)


# --- the list -------------------------------------------------------------------------------------
@bp.get("/queries")
@page_requires(*FINANCE_STAFF)
def query_list():
    args = request.args
    owners = query_views.owner_choices(current_user)
    status = args.get("status") if args.get("status") in query_views.STATUSES else "open"
    query_type = args.get("type") if args.get("type") in TYPE_WORDS else None
    owner_names = {u.username for u in owners} | {query_views.NO_OWNER}
    owner = args.get("owner") if args.get("owner") in owner_names else None
    page = args.get("page", "1")
    page = min(int(page), 10_000) if page.isdigit() and int(page) > 0 else 1
    filters = query_views.Filters(status=status, query_type=query_type, owner=owner,
                                  overdue=args.get("overdue") == "yes", page=page)
    rows, total = query_views.list_queries(current_user, filters)
    pages = max(1, -(-total // query_views.PER_PAGE))
    return render_template(
        "queries.html", rows=rows, total=total, filters=filters, page=page, pages=pages,
        statuses=list(query_views.STATUSES.items()),
        types=[(k, v[:1].upper() + v[1:]) for k, v in TYPE_WORDS.items()],
        owners=[(u.username, u.full_name or u.username) for u in owners],
        no_owner=query_views.NO_OWNER, target=query_views.target_days(),
        args={k: v for k, v in args.items() if k != "page"}, active_nav="queries")
