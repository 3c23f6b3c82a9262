"""Recovery waits for an invoice query and resumes after it (issue 20 part 4; DOMAIN.md A.4).

The rules are in app/domain/query_pause.py; this module applies them to a debt's ladder, inside
the transaction of whatever changed (a query opened or closed, a debt opened, an invoice joining
one). It reuses the Breathing Space's pause: PausedTimer rows with the time each timer had left
in its own unit (here with invoice_query_id instead of breathing_space_id), the instance held
meanwhile, and on resumption the timer rescheduled and the held ladder run on by the guards'
recheck (app/services/debts/recovery_guards.py), which due timers then fire.

- A query on some of a debt's unpaid invoices pauses nothing: the ladder runs for the others and
  its letters leave the queried ones out (app/domain/guards.py, as before).
- When every unpaid invoice of the debt is under an open query, the ladder's waiting timers pause
  from that day (`after_query_opened`).
- The same when a payment clears the last invoice not under query (`after_payments`).
- When one of them is no longer queried (an outcome recorded, or an unqueried invoice joining
  the debt) they resume: from the outcome date for a closed query, from today for a join.
- A debt opened over invoices queried before it existed has the spans they were all held
  applied to its new ladder (`after_debt_opened`): an invoice queried before any reminder keeps
  the time it had left until its first reminder.
- Where a Breathing Space already holds the ladder, it keeps its own pause and a query pauses
  nothing more (both cannot hold the same timer twice).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from sqlalchemy import select

from app import calendar, clock
from app.domain.breathing_space import TimerUnit, time_left, timer_unit
from app.domain.query_pause import Span, after_spans, either, held_together
from app.engine import runner
from app.engine.types import EngineResult
from app.extensions import db
from app.models import (
    BreathingSpace,
    DebtCase,
    Invoice,
    InvoiceQuery,
    PausedTimer,
    ProcessInstance,
    QueriedInvoice,
    QueryStatus,
    User,
)
from app.models.workflow import InstanceStatus
from app.services import audit
from app.services.debts.query_pauses import (
    fully_queried,
    ladder_of,
    resume_if_unheld,
    unpaid_invoices,
)
from app.services.processes import instances
from app.services.processes.engine_context import context_for


# --- the facts -------------------------------------------------------------------------------
def query_spans(invoice: Invoice) -> list[Span]:
    """Each query on the invoice as a span: from the day it was recorded (the hold went on) to
    its outcome date, or None while open."""
    queries = db.session.scalars(
        select(InvoiceQuery).join(QueriedInvoice, QueriedInvoice.query_id == InvoiceQuery.id)
        .where(QueriedInvoice.invoice_id == invoice.id).distinct())
    return [(calendar.to_local_date(q.created_at),
             q.outcome_on if q.status == QueryStatus.CLOSED else None) for q in queries]


def breathing_space_spans(debt: DebtCase) -> list[Span]:
    """Each Breathing Space of the debt's person that has been lifted, as a span from its start
    to its end or cancellation: a timer that starts waiting afterwards but counts from before it
    gets the days the ladder was held (a Breathing Space still in force holds the whole ladder,
    so no timer starts during one)."""
    rows = db.session.scalars(select(BreathingSpace).where(
        BreathingSpace.person_id == debt.account.person_id,
        BreathingSpace.lifted_at.is_not(None)))
    spans: list[Span] = []
    for row in rows:
        ends = [d for d in (row.ends_on, row.cancelled_on) if d is not None]
        if ends:
            spans.append((row.starts_on, min(ends)))
    return spans


def _debts_of(query: InvoiceQuery) -> list[DebtCase]:
    ids = dict.fromkeys(item.invoice.debt_case_id for item in query.items
                        if item.invoice.debt_case_id is not None)
    return [db.session.get_one(DebtCase, debt_id) for debt_id in ids]


# --- the listeners --------------------------------------------------------------------------------
def after_query_opened(query: InvoiceQuery, actor: User | None) -> None:
    """records.OPENED_LISTENERS: pause each debt of the query now wholly under query."""
    today = clock.today()
    for debt in _debts_of(query):
        instance = ladder_of(debt)
        if instance is None or not fully_queried(debt) or instances.paused_by_hold(instance):
            continue  # running for other invoices, already paused, or in a Breathing Space
        _pause(instance, query.id, today, {}, actor)


def after_query_closed(query: InvoiceQuery, actor: User | None) -> None:
    """records.CLOSED_LISTENERS: resume from the outcome date each paused ladder of the query's
    debts no longer wholly under query."""
    assert query.outcome_on is not None  # set by record_closing before the listeners run
    for debt in _debts_of(query):
        resume_if_unheld(debt, query.outcome_on, f"query {query.reference} decided", actor)


def after_debt_opened(debt: DebtCase, today: date) -> None:
    """A new debt's ladder has started: apply the spans during which all its invoices were
    already under query (they were queried before they fell due)."""
    instance = ladder_of(debt)
    if instance is None or instances.paused_by_hold(instance):
        return
    # Spans already over were counted as the ladder's timers started (adjust_ladder_timer):
    # here only one still open, which pauses them with the time they have left.
    spans = [(start, end) for start, end in held_together(
        [query_spans(i) for i in unpaid_invoices(debt)]) if start < today and end is None]
    if not spans:
        return
    left_at: dict[str, tuple[TimerUnit, int, date]] = {}
    timers = runner.waiting_timer_expressions(instances.model_of(instance), instance.state,
                                              context_for(instance))
    for element_id, (due, expression, _) in sorted(timers.items()):
        unit = timer_unit(expression)
        was = calendar.to_local_date(due)
        now_due, left = after_spans(unit, was, spans)
        if left is not None:
            left_at[element_id] = (unit, left, now_due)
        elif now_due != was:
            instances.move_timer(instance, element_id, calendar.at_local_hour(now_due), None,
                                 "the invoice was under query before the debt opened")
    if left_at:
        _pause(instance, _latest_open_query(debt), today, left_at, None)


def after_payments(debt: DebtCase, today: date) -> None:
    """Payments left the debt owing: if what is left unpaid is all under query (the one invoice
    not queried was paid), its ladder pauses from today, as a query opened today would."""
    instance = ladder_of(debt)
    if instance is None or not fully_queried(debt) or instances.paused_by_hold(instance):
        return
    _pause(instance, _latest_open_query(debt), today, {}, None)


def after_invoices_joined(debt: DebtCase, today: date) -> None:
    """Invoices just joined an open debt: one not under query starts its paused ladder again."""
    resume_if_unheld(debt, today, "an invoice not under query joined the debt", None)


def after_ladder_ran(instance: ProcessInstance, was_state: str, result: EngineResult) -> None:
    """instances.RAN_LISTENERS for the ladder: a timer that started waiting in this run and
    counts from a date before a span during which every unpaid invoice of the debt was under
    query, or a Breathing Space held the ladder, (REF: invoice date + 60 days, started after the final demand) gets the time it would
    have had left at each span's start after the span (moved), or, the span still open, is
    paused with it. A timer counting from a step that came after the spans (R2 from the real
    R1, P from the final demand) moves nothing: those steps were late already."""
    model, ctx = instances.model_of(instance), context_for(instance)
    before = runner.waiting_timers(model, was_state, ctx)
    started = {name: timer for name, timer in
               runner.waiting_timer_expressions(model, instance.state, ctx).items()
               if name not in before}
    debt = db.session.scalar(select(DebtCase).where(DebtCase.instance_id == instance.id)) \
        if started else None
    if debt is None or ladder_of(debt) is None:
        return
    today = clock.today()
    # Spans over were counted as each timer started (adjust_ladder_timer): here only one still
    # open, which pauses the timer with the time it had left.
    spans = [(start, end) for start, end in _held_spans(debt, today) if end is None]
    if not spans:
        return
    left_at: dict[str, tuple[TimerUnit, int, date]] = {}
    for element_id, (due, expression, _) in sorted(started.items()):
        anchor = counts_from(expression, result.data)
        if anchor is None:
            continue  # it counts from now: nothing held it yet
        since = [(max(start, anchor), end) for start, end in spans]
        unit = timer_unit(expression)
        was = calendar.to_local_date(due)
        now_due, left = after_spans(unit, was, since)
        if left is not None:
            left_at[element_id] = (unit, left, now_due)
        elif now_due != was:
            instances.move_timer(instance, element_id, calendar.at_local_hour(now_due), None,
                                 "the invoices were under query after the date it counts from")
    if left_at:
        _pause(instance, _latest_open_query(debt), today, left_at, None, only=set(left_at))


def adjust_ladder_timer(instance: ProcessInstance, element_id: str, due: str, expression: str,
                        data: Mapping[str, Any]) -> str:
    """engine_context's timer adjuster for the ladder: a timer starting to wait now that counts
    from a date before spans that held the ladder and are over (every unpaid invoice under query,
    or a Breathing Space) falls due the time it would have had left at each span's start after
    the span. Worked out as the timer starts, so one already past due (REF, invoice + 60 days,
    reached after a long hold) does not fire at once; spans still open are after_ladder_ran's."""
    anchor = counts_from(expression, data)
    debt = db.session.scalar(select(DebtCase).where(DebtCase.instance_id == instance.id)) \
        if anchor is not None else None
    if anchor is None or debt is None:
        return due
    today = clock.today()
    since = [(max(start, anchor), end) for start, end in _held_spans(debt, today)
             if end is not None and end > anchor]
    if not since:
        return due
    was = calendar.to_local_date(due)
    now_due, _ = after_spans(timer_unit(expression), was, since)
    if now_due == was:
        return due
    audit.record("timer_moved_for_hold", actor=None, person_id=instance.person_id,
                 instance_id=instance.id, element_id=element_id,
                 summary={"from": was.isoformat(), "to": now_due.isoformat()})
    return calendar.at_local_hour(now_due).isoformat()


def _held_spans(debt: DebtCase, today: date) -> list[Span]:
    return [(start, end) for start, end in
            either(held_together([query_spans(i) for i in unpaid_invoices(debt)]),
                   breathing_space_spans(debt)) if start < today]


def counts_from(expression: str, data: Mapping[str, Any]) -> date | None:
    """The earliest date among the process's variables a timer's expression names (the date
    it counts from, e.g. `invoice_date`); None when it names none (it counts from today)."""
    days = []
    for name in set(_NAMES.findall(expression)):
        value = data.get(name)
        if isinstance(value, str):
            try:
                days.append(date.fromisoformat(value[:10]))
            except ValueError:
                continue
    return min(days) if days else None


_NAMES = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


# --- pausing and resuming -------------------------------------------------------------------------
def _pause(instance: ProcessInstance, query_id: int, today: date,
           known: dict[str, tuple[TimerUnit, int, date]], actor: User | None,
           only: set[str] | None = None) -> None:
    """Pause every waiting timer of the ladder (those `only` names, when given) with the time
    it has left (or the time `known` gives for it, counted from an earlier day)."""
    timers = runner.waiting_timer_expressions(instances.model_of(instance), instance.state,
                                              context_for(instance))
    if only is not None:
        timers = {name: timer for name, timer in timers.items() if name in only}
    if not timers:
        return  # a step already held by the guards waits for their recheck
    for element_id, (due, expression, _) in sorted(timers.items()):
        if element_id in known:
            unit, remaining, due_on = known[element_id]
            was_due = calendar.at_local_hour(due_on)
        else:
            unit = timer_unit(expression)
            remaining, was_due = time_left(unit, today, calendar.to_local_date(due)), due
        db.session.add(PausedTimer(instance_id=instance.id, invoice_query_id=query_id,
                                   element_id=element_id, unit=unit, remaining=remaining,
                                   was_due=was_due))
        audit.record("timer_paused", actor=actor, person_id=instance.person_id,
                     instance_id=instance.id, element_id=element_id,
                     summary={"unit": unit, "remaining": remaining, "invoice_query_id": query_id})
    instance.status = InstanceStatus.HELD
    instance.next_timer_due = None
    db.session.flush()


def _latest_open_query(debt: DebtCase) -> int:
    ids = [q for q in db.session.scalars(
        select(InvoiceQuery.id).join(QueriedInvoice, QueriedInvoice.query_id == InvoiceQuery.id)
        .where(QueriedInvoice.invoice_id.in_([i.id for i in unpaid_invoices(debt)]),
               InvoiceQuery.status == QueryStatus.OPEN).order_by(InvoiceQuery.id))]
    return ids[-1]
