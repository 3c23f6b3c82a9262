"""Invoice query records: open one (its invoices held from recovery), close it with an outcome
(the holds no other open query keeps are lifted), and read them back.

An invoice is held while any open query names it, whichever of its lines: Invoice.query_hold
mirrors that, and recovery honours the flag (app/domain/guards.py leaves a held invoice out of a
letter, and holds the step when every overdue invoice is held).

Seams for the other parts of issue 20:
- the `invoice_query` process starts for a new query once it is published (`_start_process`);
  until then a query is a record and its holds;
- OPENED_LISTENERS and CLOSED_LISTENERS run inside the use case's transaction after a query is
  opened or closed, for recovery to pause or resume the ladder (wiring installs them);
- the old `PUT /invoices/<n>/query-hold` route is `set_hold` below: a thin alias.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from sqlalchemy import select

from app import clock
from app.domain.queries import REASONS_MAX, TYPE_WORDS, WHAT_WAS_SAID_MAX
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    CarePackage,
    DebtCase,
    Invoice,
    InvoiceLine,
    InvoiceQuery,
    Person,
    Provider,
    ProviderAdjustment,
    QueriedInvoice,
    QueryChannel,
    QueryFrom,
    QueryOutcome,
    QueryStatus,
    QueryType,
    User,
)
from app.models.finance import InvoiceStatus
from app.models.queries import QUERY_TRANSITIONS
from app.models.types import can_move
from app.roles import QUERY_RESOLVERS
from app.services import audit
from app.services.debts import recovery_guards
from app.services.processes import definitions, instances
from app.services.records.people import get_person_by_id, require_visible
from app.services.transaction import use_case

PROCESS_KEY = "invoice_query"
REFERENCE_PREFIX = "Q-"
# Invoices a query can no longer be about: nothing is left to recover on them.
SETTLED = frozenset({InvoiceStatus.PAID, InvoiceStatus.CANCELLED, InvoiceStatus.WRITTEN_OFF})

Listener = Callable[[InvoiceQuery, User | None], None]
OPENED_LISTENERS: list[Listener] = []
CLOSED_LISTENERS: list[Listener] = []


def on_opened(listener: Listener) -> None:
    if listener not in OPENED_LISTENERS:
        OPENED_LISTENERS.append(listener)


def on_closed(listener: Listener) -> None:
    if listener not in CLOSED_LISTENERS:
        CLOSED_LISTENERS.append(listener)


# --- reading ------------------------------------------------------------------------------------
def get_query(query_id: int) -> InvoiceQuery:
    query = db.session.get(InvoiceQuery, query_id)
    if query is None:
        raise NotFound(f"no query {query_id}")
    return query


def person_of(query: InvoiceQuery) -> Person:
    return get_person_by_id(query.person_id)


def queries_of(person: Person, status: str | None = None) -> list[InvoiceQuery]:
    """The person's queries, newest first; only those of `status` when given."""
    stmt = select(InvoiceQuery).where(InvoiceQuery.person_id == person.id)
    if status is not None:
        stmt = stmt.where(InvoiceQuery.status == status)
    return list(db.session.scalars(stmt.order_by(InvoiceQuery.received_on.desc(),
                                                 InvoiceQuery.id.desc())))


def open_queries_of(person: Person) -> list[InvoiceQuery]:
    """The person's open queries, oldest first (the order they are worked in)."""
    return list(db.session.scalars(
        select(InvoiceQuery).where(InvoiceQuery.person_id == person.id,
                                   InvoiceQuery.status == QueryStatus.OPEN)
        .order_by(InvoiceQuery.received_on, InvoiceQuery.id)))


def open_queries_on(invoice: Invoice) -> list[InvoiceQuery]:
    """The open queries naming the invoice (any of its lines), oldest first."""
    return list(db.session.scalars(
        select(InvoiceQuery).join(QueriedInvoice, QueriedInvoice.query_id == InvoiceQuery.id)
        .where(QueriedInvoice.invoice_id == invoice.id, InvoiceQuery.status == QueryStatus.OPEN)
        .distinct().order_by(InvoiceQuery.id)))


def is_held(invoice: Invoice) -> bool:
    """Whether an open query holds the invoice from recovery."""
    return bool(open_queries_on(invoice))


def amount_in_question(item: QueriedInvoice) -> Decimal:
    """The sum a queried invoice or line is about: as given, else the line's amount, else what
    is outstanding on the invoice."""
    if item.amount is not None:
        return item.amount
    if item.line is not None:
        return item.line.amount
    return item.invoice.outstanding


def owners_for(person: Person) -> list[User]:
    """Who may own a query of the person: finance staff of the person's team."""
    users = db.session.scalars(select(User).where(User.team_id == person.team_id,
                                                  User.active.is_(True)).order_by(User.full_name,
                                                                                  User.username))
    return [u for u in users if u.has_role(*QUERY_RESOLVERS)]


def user_named(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


# --- opening --------------------------------------------------------------------------------------
@dataclass
class _Checked:
    invoice: Invoice
    line: InvoiceLine | None
    amount: Decimal | None


@use_case
def open_query(person: Person, *, received_on: date, channel: str, raised_by: str,
               raised_by_name: str | None, query_type: str, what_was_said: str,
               invoices: list[dict], owner: User | None, actor: User) -> InvoiceQuery:
    """Record a query: validate it, store it, hold each queried invoice, audit it and start
    the invoice_query process for it when that process is published. One transaction."""
    return _open(person, received_on=received_on, channel=channel, raised_by=raised_by,
                 raised_by_name=raised_by_name, query_type=query_type,
                 what_was_said=what_was_said, invoices=invoices, owner=owner, actor=actor)


def open_for_disputed_invoices(debt: DebtCase, received_on: date, dispute: str,
                               query_type: str, actor: User) -> InvoiceQuery | None:
    """A Pre-Action Protocol Reply Form disputes the invoices (box D; DOMAIN.md A.3 step 8):
    an invoice query by letter, from the person, on the debt's outstanding invoices no open
    query holds whole already (those stay held by theirs), inside the Reply Form's transaction.
    None when every one of them is under an open query already."""
    numbers = [i.number for i in debt.invoices
               if i.status not in SETTLED and i.outstanding > 0
               and not whole_invoice_queried(i)]
    if not numbers:
        return None
    return _open(get_person_by_id(debt.person_id), received_on=received_on,
                 channel=QueryChannel.LETTER, raised_by=QueryFrom.PERSON, raised_by_name=None,
                 query_type=query_type, what_was_said=dispute,
                 invoices=[{"invoice_number": n} for n in numbers], owner=None, actor=actor)


def _open(person: Person, *, received_on: date, channel: str, raised_by: str,
          raised_by_name: str | None, query_type: str, what_was_said: str,
          invoices: list[dict], owner: User | None, actor: User,
          start_process: bool = True) -> InvoiceQuery:
    problems: list[dict[str, str]] = []
    if received_on > clock.today():
        problems.append(_problem("received_on", "the date it was received must be today or in "
                                                "the past"))
    _one_of(problems, "channel", channel, QueryChannel, "phone, email, letter or portal")
    _one_of(problems, "raised_by", raised_by, QueryFrom, "person, representative or provider")
    _one_of(problems, "query_type", query_type, QueryType, ", ".join(TYPE_WORDS))
    raised_by_name = (raised_by_name or "").strip() or None
    if raised_by == QueryFrom.REPRESENTATIVE and raised_by_name is None:
        representative = person.representative
        if representative is not None:
            raised_by_name = representative.name
        else:
            problems.append(_problem("raised_by_name", "give the name of the representative "
                                                       "who raised it: none is recorded"))
    elif raised_by == QueryFrom.PROVIDER and raised_by_name is None:
        problems.append(_problem("raised_by_name", "give the name of the care provider who "
                                                   "raised it"))
    if raised_by_name is not None and len(raised_by_name) > 200:
        problems.append(_problem("raised_by_name", "the name must be 200 characters or fewer"))
    said = (what_was_said or "").strip()
    if not said:
        problems.append(_problem("what_was_said", "say what the query is about, in their words "
                                                  "or yours"))
    elif len(said) > WHAT_WAS_SAID_MAX:
        problems.append(_problem("what_was_said", f"what was said must be {WHAT_WAS_SAID_MAX:,} "
                                                  "characters or fewer"))
    if owner is not None and not (owner.active and owner.team_id == person.team_id
                                  and owner.has_role(*QUERY_RESOLVERS)):
        problems.append(_problem("owner", "the owner must be a member of the finance staff of "
                                          "the person's team"))
    checked = _check_invoices(person, invoices, problems)
    if problems:
        raise ValidationFailed("the query has problems", problems)

    query = InvoiceQuery(
        reference=f"{REFERENCE_PREFIX}{uuid.uuid4().hex[:16]}", person_id=person.id,
        received_on=received_on, channel=channel, raised_by=raised_by,
        raised_by_name=raised_by_name, query_type=query_type, what_was_said=said,
        owner_id=owner.id if owner else None, status=QueryStatus.OPEN,
        created_at=clock.now(), created_by_id=actor.id if actor else None,
        items=[QueriedInvoice(invoice_id=c.invoice.id, line_id=c.line.id if c.line else None,
                              amount=c.amount) for c in checked])
    db.session.add(query)
    db.session.flush()
    query.reference = f"{REFERENCE_PREFIX}{query.id:06d}"  # unique: the id is
    for c in checked:
        c.invoice.query_hold = True
    db.session.flush()
    audit.record("query_opened", actor=actor, person_id=person.id, summary={
        "query_id": query.id, "reference": query.reference, "query_type": query_type,
        "channel": channel, "raised_by": raised_by,
        "invoices": _items_summary(query)})
    if start_process:
        _start_process(query, person, actor)
    for listener in OPENED_LISTENERS:
        listener(query, actor)
    return query


def _items_summary(query: InvoiceQuery) -> list[dict[str, Any]]:
    return [{"invoice": item.invoice.number, "line_id": item.line_id,
             "amount": str(amount_in_question(item))} for item in query.items]


def _check_invoices(person: Person, given: list[dict], problems: list[dict]) -> list[_Checked]:
    if not given:
        problems.append(_problem("invoices", "choose at least one invoice the query is about"))
        return []
    _lock(given)
    checked: list[_Checked] = []
    seen: set[tuple[int, int | None]] = set()
    for n, item in enumerate(given):
        where = f"invoices.{n}"
        number = str(item.get("invoice_number") or "").strip()
        invoice = db.session.scalar(select(Invoice).where(Invoice.number == number)) \
            if number else None
        if invoice is None or invoice.account.person_id != person.id:
            problems.append(_problem(f"{where}.invoice_number",
                                     f"{number or 'the invoice'} is not one of this person's "
                                     "invoices"))
            continue
        if invoice.status in SETTLED or invoice.outstanding <= 0:
            problems.append(_problem(f"{where}.invoice_number",
                                     f"{number} has nothing left to pay: it cannot be queried"))
            continue
        line = None
        if item.get("line_id") is not None:
            line = db.session.get(InvoiceLine, item["line_id"])
            if line is None or line.invoice_id != invoice.id:
                problems.append(_problem(f"{where}.line_id",
                                         f"the line is not one of {number}'s lines"))
                continue
        key = (invoice.id, line.id if line else None)
        what = f"{number}" + (f" line {line.position}" if line else "")
        if key in seen:
            problems.append(_problem(where, f"{what} is given twice"))
            continue
        seen.add(key)
        if _open_on_line(invoice, line) is not None:
            problems.append(_problem(where, f"{what} is already in open query "
                                            f"{_open_on_line(invoice, line)}"))
            continue
        amount = _amount(item.get("amount"), invoice, line, f"{where}.amount", problems)
        checked.append(_Checked(invoice, line, amount))
    return checked


def _lock(given: list[dict]) -> None:
    """Lock the named invoices' rows until the query is committed (SELECT ... FOR UPDATE, in
    one order so that two queries naming the same invoices cannot deadlock): a query opened at
    the same moment on one of them waits, then finds this one open and is refused. SQLite
    ignores it: a use case there holds the database's write lock from its start."""
    numbers = sorted({str(item.get("invoice_number") or "").strip() for item in given} - {""})
    if numbers:
        db.session.scalars(select(Invoice.id).where(Invoice.number.in_(numbers))
                           .order_by(Invoice.id).with_for_update()).all()


def _amount(value: Any, invoice: Invoice, line: InvoiceLine | None, field: str,
            problems: list[dict]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        problems.append(_problem(field, "the amount must be a sum of money, like 48.20"))
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        problems.append(_problem(field, "the amount must be a sum of money, like 48.20"))
        return None
    ceiling = line.amount if line is not None else invoice.outstanding
    if amount <= 0:
        problems.append(_problem(field, "the amount must be more than £0.00"))
    elif amount > ceiling:
        problems.append(_problem(field, f"the amount must be no more than £{ceiling:,.2f}, "
                                        + ("the line's amount" if line is not None
                                           else "what is outstanding on the invoice")))
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def whole_invoice_queried(invoice: Invoice) -> bool:
    """Whether an open query is about the whole invoice (not only some of its lines)."""
    return _open_on_line(invoice, None) is not None


def _open_on_line(invoice: Invoice, line: InvoiceLine | None) -> str | None:
    """The reference of an open query already about this invoice line (None: the whole)."""
    stmt = (select(InvoiceQuery.reference)
            .join(QueriedInvoice, QueriedInvoice.query_id == InvoiceQuery.id)
            .where(QueriedInvoice.invoice_id == invoice.id,
                   InvoiceQuery.status == QueryStatus.OPEN))
    stmt = stmt.where(QueriedInvoice.line_id.is_(None) if line is None
                      else QueriedInvoice.line_id == line.id)
    return db.session.scalar(stmt.limit(1))


def _start_process(query: InvoiceQuery, person: Person, actor: User | None) -> None:
    """Start the invoice_query process for the query, if a version of it is published; until
    then a query is its record and its holds."""
    try:
        definition = definitions.get_definition(PROCESS_KEY)
    except NotFound:
        return
    if definitions.latest_version(definition) is None:
        return
    instance = instances.begin_instance(PROCESS_KEY, person, {
        "query_id": query.id, "query_reference": query.reference,
        "query_type": query.query_type, "received_on": query.received_on.isoformat()}, actor)
    query.instance_id = instance.id


# --- closing --------------------------------------------------------------------------------------
@use_case
def close_query(query: InvoiceQuery, *, outcome: str, reasons: str, decided_on: date,
                actor: User) -> InvoiceQuery:
    """Record the outcome: the query closes and each of its invoices no other open query names
    is released, its debt's held ladder checked again. One transaction."""
    return record_closing(query, outcome=outcome, reasons=reasons, decided_on=decided_on,
                          actor=actor)


def record_provider_adjustment(query: InvoiceQuery, reduction: Decimal, actor: User
                               ) -> ProviderAdjustment:
    """The provider is paid `reduction` less for care not delivered: recorded apart from the
    person's charge, which follows the contribution rule (DOMAIN.md A.4 step 3(a))."""
    if reduction <= 0:
        raise ValidationFailed("the reduction must be more than £0", [{
            "field": "provider_payment_reduction",
            "message": "The provider's payment reduction must be more than £0"}])
    provider = provider_of(query)
    note = "Care not delivered, from the provider's records"
    if provider is None and query.raised_by == QueryFrom.PROVIDER and query.raised_by_name:
        note = f"Care not delivered, from the records of {query.raised_by_name}"
    adjustment = ProviderAdjustment(query_id=query.id, amount=-reduction, note=note,
                                    provider_id=provider.id if provider else None,
                                    recorded_on=clock.today(), recorded_by_id=actor.id)
    db.session.add(adjustment)
    db.session.flush()
    audit.record("provider_adjustment_recorded", actor=actor, person_id=query.person_id,
                 instance_id=query.instance_id,
                 summary={"query_id": query.id, "amount": str(-reduction),
                          "provider_id": adjustment.provider_id})
    return adjustment


def provider_of(query: InvoiceQuery) -> Provider | None:
    """The provider of the care a query's invoices charge for: the person's care package in
    force during a queried invoice's period (its date when it gives none), the latest first."""
    packages = db.session.scalars(
        select(CarePackage).where(CarePackage.person_id == query.person_id)
        .order_by(CarePackage.start_date.desc(), CarePackage.id.desc()))
    invoices = list(dict.fromkeys(item.invoice for item in query.items))
    for package in packages:
        for invoice in invoices:
            start = invoice.period_start or invoice.invoice_date
            end = invoice.period_end or invoice.invoice_date
            if package.start_date <= end and (package.end_date is None
                                              or package.end_date >= start):
                return package.provider
    return None


def record_closing(query: InvoiceQuery, *, outcome: str, reasons: str, decided_on: date,
                   actor: User | None) -> InvoiceQuery:
    """close_query inside the caller's transaction (the process's outcome step)."""
    if not can_move(QUERY_TRANSITIONS, query.status, QueryStatus.CLOSED):
        raise Conflict(f"query {query.reference} is already closed")
    problems: list[dict[str, str]] = []
    _one_of(problems, "outcome", outcome, QueryOutcome, "upheld, not_upheld or partly_upheld")
    reasons = (reasons or "").strip()
    if not reasons:
        problems.append(_problem("reasons", "give the reasons for the decision"))
    elif len(reasons) > REASONS_MAX:
        problems.append(_problem("reasons", f"the reasons must be {REASONS_MAX:,} characters or "
                                            "fewer"))
    if decided_on > clock.today():
        problems.append(_problem("decided_on", "the date of the decision must be today or in "
                                               "the past"))
    elif decided_on < query.received_on:
        problems.append(_problem("decided_on", "the date of the decision must be on or after "
                                               "the day the query was received, "
                                               f"{query.received_on:%-d %B %Y}"))
    if problems:
        raise ValidationFailed("the outcome has problems", problems)
    query.status = QueryStatus.CLOSED
    query.outcome, query.outcome_on, query.outcome_reasons = outcome, decided_on, reasons
    db.session.flush()
    released = _release_holds(query, actor)
    audit.record("query_closed", actor=actor, person_id=query.person_id,
                 instance_id=query.instance_id, summary={
                     "query_id": query.id, "reference": query.reference, "outcome": outcome,
                     "decided_on": decided_on.isoformat(),
                     "released": [i.number for i in released]})
    for listener in CLOSED_LISTENERS:
        listener(query, actor)
    return query


def _release_holds(query: InvoiceQuery, actor: User | None) -> list[Invoice]:
    """Lift the hold on each of the query's invoices that no other open query names; a held
    ladder of its debt runs on if nothing else holds it (as releasing a hold always has)."""
    released: list[Invoice] = []
    for invoice in dict.fromkeys(item.invoice for item in query.items):
        if not open_queries_on(invoice):
            invoice.query_hold = False
            released.append(invoice)
    for debt_id in dict.fromkeys(i.debt_case_id for i in released if i.debt_case_id):
        debt = db.session.get_one(DebtCase, debt_id)
        if debt.status == "open":
            recovery_guards.recheck(debt, actor)
    return released


# --- the old boolean route, as an alias ----------------------------------------------------------
ALIAS_SAID = "Recorded as a hold on the invoice"
ALIAS_REASONS = "The hold on the invoice was lifted"
ALIAS_TYPE = QueryType.RATE_WRONG


@use_case
def set_hold(number: str, held: bool, actor: User) -> Invoice:
    """`PUT /invoices/<number>/query-hold`: held opens a query on the whole invoice (by phone,
    from the person, of type "rate or charge wrong", with ALIAS_SAID as what was said, no owner,
    and no invoice_query process); not held closes the invoice's queries opened that way as not
    upheld. A query recorded properly is closed with its outcome, never by the alias (409)."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        raise NotFound(f"no invoice {number}")
    person = get_person_by_id(invoice.account.person_id)
    require_visible(person, actor)
    open_now = open_queries_on(invoice)
    if held:
        if open_now:
            return invoice
        _open(person, received_on=clock.today(), channel=QueryChannel.PHONE,
              raised_by=QueryFrom.PERSON, raised_by_name=None, query_type=ALIAS_TYPE,
              what_was_said=ALIAS_SAID, invoices=[{"invoice_number": number}], owner=None,
              actor=actor, start_process=False)
        return invoice
    recorded = [q for q in open_now if not _is_alias(q)]
    if recorded:
        raise Conflict(f"{number} is held by query {recorded[0].reference}: record that query's "
                       "outcome to lift the hold")
    for query in open_now:
        record_closing(query, outcome=QueryOutcome.NOT_UPHELD, reasons=ALIAS_REASONS,
               decided_on=clock.today(), actor=actor)
    if not open_now and invoice.query_hold:  # a flag set before queries were recorded
        invoice.query_hold = False
        audit.record("query_hold_released", actor=actor, person_id=person.id,
                     summary={"invoice": number})
        if invoice.debt_case_id is not None:
            recovery_guards.recheck(db.session.get_one(DebtCase, invoice.debt_case_id), actor)
    return invoice


def _is_alias(query: InvoiceQuery) -> bool:
    return query.what_was_said == ALIAS_SAID and query.instance_id is None


# --- helpers --------------------------------------------------------------------------------------
def _problem(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def _one_of(problems: list[dict], field: str, value: str, choices: Any, words: str) -> None:
    if value not in {c.value for c in choices}:
        problems.append(_problem(field, f"must be one of {words}"))
