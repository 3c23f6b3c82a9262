"""What the invoice-query pages show (issue 20 part 5), read-only: the queries list with its
filters, ageing and paging; one query with its invoices, tasks, what happens next and its own
history; the Summary's open queries; the unpaid invoices a new query can name; and the credit
note an approval task is about. Nothing here changes a record.

Ageing counts working days (app/calendar.py) from the day the query was received: to today while
it is open, to the day of the decision once closed. The targets are the settings the process's
escalations use (query_resolution_target_working_days, query_manager_escalation_working_days).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from app import calendar, clock
from app.domain.queries import CHANNEL_WORDS, FROM_WORDS, OUTCOME_WORDS, TYPE_WORDS, money
from app.extensions import db
from app.models import (
    Account,
    AuditEvent,
    CreditNote,
    HumanTask,
    Invoice,
    InvoiceQuery,
    Person,
    ProcessInstance,
    Provider,
    ProviderAdjustment,
    QueryStatus,
    User,
)
from app.models.workflow import InstanceStatus
from app.roles import QUERY_RESOLVERS
from app.services import settings
from app.services.processes import instances, next_steps
from app.services.records import history

from . import credit_notes, records
from .query_contract import DECIDE_OUTCOME

PER_PAGE = 25
STATUSES = {"open": "Open", "closed": "Closed", "all": "Open and closed"}
NO_OWNER = "none"
# The audit actions about a query or its credit notes, for its own history.
_QUERY_ACTIONS = ("query_opened", "query_closed")
_NOTE_ACTIONS = ("credit_note_raised", "credit_note_issued", "credit_note_rejected")


def target_days() -> int:
    return settings.integer("query_resolution_target_working_days")


def manager_days() -> int:
    return settings.integer("query_manager_escalation_working_days")


def acknowledgement_due(query: InvoiceQuery) -> date:
    """The day the acknowledgement letter is due by (A.4 step 2)."""
    return calendar.add_working_days(query.received_on,
                                     settings.integer("query_acknowledgment_working_days"))


def days_open(query: InvoiceQuery, today: date) -> int:
    """Working days since the query was received: to today, or to its decision once closed."""
    end = query.outcome_on if query.status == QueryStatus.CLOSED and query.outcome_on else today
    try:
        return calendar.working_days_between(query.received_on, end)
    except ValueError:  # received a century ago: older than anything it is compared with
        return 10**6


def age_tag(days: int) -> tuple[str, str] | None:
    """(words, colour) for a query past the resolution target or the manager's escalation."""
    if days > manager_days():
        return f"Over {manager_days()} working days", "govuk-tag--red"
    if days > target_days():
        return f"Over {target_days()} working days", "govuk-tag--orange"
    return None


def overdue_cutoff(today: date) -> date:
    """The latest day received that puts an open query past its target today: the target is
    passed when more working days than it have gone by since the query was received."""
    day, target = today, target_days()
    while calendar.working_days_between(day, today) <= target:
        day -= timedelta(days=1)
    return day


# --- the list -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    status: str = "open"
    query_type: str | None = None
    owner: str | None = None  # a username, NO_OWNER, or None for anyone
    overdue: bool = False
    page: int = 1


def owner_choices(user: User) -> list[User]:
    """Who the owner filter offers: the query resolvers of the user's team (every team's for
    those who see all teams)."""
    stmt = select(User).where(User.active.is_(True))
    if not user.sees_all_teams:
        stmt = stmt.where(User.team_id == user.team_id)
    rows = db.session.scalars(stmt.order_by(User.full_name, User.username))
    return [u for u in rows if u.has_role(*QUERY_RESOLVERS)]


def list_queries(user: User, filters: Filters) -> tuple[list[dict[str, Any]], int]:
    """A page of the queries the user may see (their team's; every team's for managers),
    oldest received first, and how many match in all."""
    today = clock.today()
    stmt = select(InvoiceQuery).join(Person, Person.id == InvoiceQuery.person_id)
    if not user.sees_all_teams:
        stmt = stmt.where(Person.team_id == user.team_id)
    if filters.status in (QueryStatus.OPEN, QueryStatus.CLOSED):
        stmt = stmt.where(InvoiceQuery.status == filters.status)
    if filters.query_type:
        stmt = stmt.where(InvoiceQuery.query_type == filters.query_type)
    if filters.owner == NO_OWNER:
        stmt = stmt.where(InvoiceQuery.owner_id.is_(None))
    elif filters.owner:
        stmt = stmt.join(User, User.id == InvoiceQuery.owner_id).where(
            User.username == filters.owner)
    if filters.overdue:
        stmt = stmt.where(InvoiceQuery.status == QueryStatus.OPEN,
                          InvoiceQuery.received_on <= overdue_cutoff(today))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(InvoiceQuery.received_on, InvoiceQuery.id)
                              .offset((filters.page - 1) * PER_PAGE).limit(PER_PAGE))
    people: dict[int, Person] = {}
    out = []
    for query in rows:
        person = people.get(query.person_id) or db.session.get_one(Person, query.person_id)
        people[query.person_id] = person
        out.append({**row_of(query, today), "person": person.name,
                    "person_reference": person.reference})
    return out, total


def row_of(query: InvoiceQuery, today: date) -> dict[str, Any]:
    """One query as a row of a table: the list's and the Summary's."""
    days = days_open(query, today)
    return {
        "id": query.id, "reference": query.reference, "status": query.status,
        "type": TYPE_WORDS.get(query.query_type, query.query_type),
        "invoices": ", ".join(dict.fromkeys(item.invoice.number for item in query.items)),
        "received_on": query.received_on,
        "owner": _name(query.owner) if query.owner else "Nobody yet",
        "days_open": days, "tag": age_tag(days) if query.status == QueryStatus.OPEN else None,
        "outcome": OUTCOME_WORDS.get(query.outcome or "", ""),
    }


def open_query_rows(person: Person) -> list[dict[str, Any]]:
    """The Summary's open queries, oldest first."""
    today = clock.today()
    return [row_of(q, today) for q in records.open_queries_of(person)]


# --- one query ------------------------------------------------------------------------------------
def running_instance(query: InvoiceQuery) -> ProcessInstance | None:
    """The query's process while it is not finished; None when there is none."""
    if query.instance_id is None:
        return None
    instance = db.session.get(ProcessInstance, query.instance_id)
    if instance is None or instance.status == InstanceStatus.COMPLETED:
        return None
    return instance


def outcome_task(query: InvoiceQuery) -> HumanTask | None:
    """The open "decide the outcome" task of the query's process, if it has reached it."""
    instance = running_instance(query)
    if instance is None:
        return None
    return next((t for t in instances.open_tasks(instance) if t.name == DECIDE_OUTCOME), None)


def details(query: InvoiceQuery) -> dict[str, Any]:
    """Everything the query page shows."""
    today = clock.today()
    person = records.person_of(query)
    instance = running_instance(query)
    raised_by = FROM_WORDS.get(query.raised_by, query.raised_by)
    if query.raised_by == "person":
        raised_by = person.name
    elif query.raised_by_name:
        raised_by = f"{query.raised_by_name} ({raised_by})"
    notes = list(db.session.scalars(select(CreditNote).where(CreditNote.query_id == query.id)
                                    .order_by(CreditNote.id)))
    return {
        **row_of(query, today),
        "person": person,
        "channel": CHANNEL_WORDS.get(query.channel, query.channel),
        "raised_by": raised_by,
        "what_was_said": query.what_was_said,
        "outcome_on": query.outcome_on, "outcome_reasons": query.outcome_reasons,
        "acknowledgement_due": acknowledgement_due(query),
        "items": [{"invoice": item.invoice.number, "invoice_date": item.invoice.invoice_date,
                   "line": item.line.description if item.line else None,
                   "in_question": records.amount_in_question(item),
                   "outstanding": item.invoice.outstanding,
                   "held": item.invoice.query_hold} for item in query.items],
        "credit_notes": [{"number": n.number, "invoice": n.invoice.number, "amount": n.amount,
                          "status": n.status.replace("_", " ")} for n in notes],
        "provider_adjustments": provider_adjustments(query),
        "process_running": instance is not None,
        "tasks": [{"id": t.id, "title": t.title,
                   "due": next_steps.day_in_words(calendar.to_local_date(t.due_at))
                   if t.due_at else None} for t in instances.open_tasks(instance)]
        if instance else [],
        "next": next_steps.what_happens_next(instance) if instance else [],
        "outcome_task": outcome_task(query),
        "history": history_of(query, person),
    }


def provider_adjustments(query: InvoiceQuery) -> list[dict[str, Any]]:
    """What the provider is paid less after the query (A.4 step 3(a)), apart from the
    person's charge: who, how much, when and on what."""
    rows = db.session.scalars(select(ProviderAdjustment).where(
        ProviderAdjustment.query_id == query.id).order_by(ProviderAdjustment.id))
    out = []
    for row in rows:
        provider = db.session.get(Provider, row.provider_id) if row.provider_id else None
        out.append({"provider": provider.name if provider else "The care provider",
                    "reduction": -row.amount, "recorded_on": row.recorded_on,
                    "note": row.note})
    return out


def history_of(query: InvoiceQuery, person: Person) -> list[history.HistoryEntry]:
    """The query's own events, newest first, told as the case History tells them: its opening
    and closing, its process's steps staff see, and its credit notes."""
    note_ids = set(db.session.scalars(select(CreditNote.id).where(
        CreditNote.query_id == query.id)))
    about: list[ColumnElement[bool]] = [AuditEvent.action.in_(_QUERY_ACTIONS + _NOTE_ACTIONS)]
    if query.instance_id is not None:
        about.append(AuditEvent.instance_id == query.instance_id)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.person_id == person.id, or_(*about),
                                 AuditEvent.action.not_in(history.SYSTEM_ACTIONS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    mine = [e for e in events if _is_about(e, query, note_ids)]
    return history.entries_for(person, mine)


def _is_about(event: AuditEvent, query: InvoiceQuery, note_ids: set[int]) -> bool:
    if event.action in _QUERY_ACTIONS:
        return event.summary.get("query_id") == query.id
    if event.action in _NOTE_ACTIONS:
        return event.summary.get("credit_note_id") in note_ids
    return query.instance_id is not None and event.instance_id == query.instance_id


def fingerprint_of(query: InvoiceQuery) -> tuple:
    """What the outcome page relies on: it is stale once any of this changes."""
    return (query.status, query.outcome, query.owner_id, query.instance_id,
            tuple((i.invoice_id, i.line_id, str(i.amount)) for i in query.items))


# --- opening one ----------------------------------------------------------------------------------
def unpaid_invoices(person: Person) -> list[Invoice]:
    """The person's invoices with something left to pay, oldest first: what a query can name."""
    rows = db.session.scalars(
        select(Invoice).join(Account, Account.id == Invoice.account_id)
        .where(Account.person_id == person.id, Invoice.status.not_in(records.SETTLED))
        .order_by(Invoice.invoice_date, Invoice.id))
    return [i for i in rows if i.outstanding > 0]


def new_query_fingerprint(person: Person) -> tuple:
    """What the "Open a query" page relies on: the unpaid invoices and the open queries."""
    return (tuple((i.number, str(i.outstanding), i.query_hold) for i in unpaid_invoices(person)),
            tuple(q.id for q in records.open_queries_of(person)))


# --- the credit note an approval task is about ----------------------------------------------------
def credit_note_of_task(task: HumanTask) -> dict[str, Any] | None:
    """The note a "credit_note" approval task decides, in words; None for any other task."""
    engine_id = task.engine_task_id or ""
    if task.process_key != credit_notes.PROCESS_KEY or not engine_id.startswith("credit-note-"):
        return None
    note = db.session.get(CreditNote, int(engine_id.removeprefix("credit-note-")))
    if note is None:
        return None
    invoice = note.invoice
    author = db.session.get(User, note.author_id)
    query = db.session.get(InvoiceQuery, note.query_id) if note.query_id else None
    left = invoice.outstanding - note.amount
    return {
        "number": note.number, "invoice": invoice.number, "invoice_date": invoice.invoice_date,
        "amount": note.amount, "reason": note.reason, "author": _name(author),
        "author_id": note.author_id, "raised_on": note.raised_on,
        "status": note.status.replace("_", " "),
        "query": query and {"id": query.id, "reference": query.reference},
        "approving": (f"Approving issues credit note {note.number}: {money(note.amount)} comes "
                      f"off invoice {invoice.number}, which then has "
                      f"{money(max(left, Decimal('0.00')))} left to pay"
                      + (", so it is settled" if left <= 0 else "")
                      + ". The credit is in the balance, the statement of account and the "
                        "next export to the council's finance system."),
    }


def _name(user: User | None) -> str:
    return history.full_name(user) if user is not None else "Nobody yet"
