"""Breathing Space (the Debt Respite Scheme): recovery pauses, billing does not.

While a moratorium holds, every ladder timer of the person is paused with what was left of it in
its own unit (calendar days for calendar-day steps, working days for working-day steps). When it
ends or is cancelled the timers run again from that day with the time they had left, a letter
date moving to the next working day. Invoices go on being issued and payable meanwhile; one that
falls overdue joins the debt case and waits with it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app import calendar, clock
from app.domain.breathing_space import TimerUnit, resume_on, time_left, timer_unit
from app.engine import runner
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import BreathingSpace, PausedTimer, Person, ProcessInstance, TaskStatus, User
from app.models.workflow import InstanceStatus
from app.roles import Role
from app.services import audit, settings
from app.services.debts import cases, recovery_guards
from app.services.debts.cases import open_debts_of
from app.services.processes import instances
from app.services.processes.engine_context import context_for
from app.services.transaction import for_each_in_own_transaction, use_case

KINDS = ("standard", "mental_health")


@use_case
def start(person: Person, kind: str, starts_on: date, ends_on: date | None,
          reference: str | None, actor: User) -> BreathingSpace:
    today = clock.today()
    _check(kind, starts_on, ends_on, today)
    if person.deceased:
        raise Conflict("the person has died: a Breathing Space ends with a death")
    if cases.active_breathing_space(person.id, today) is not None:
        raise Conflict("a Breathing Space is already recorded for this person")
    if kind == "standard" and ends_on is None:
        ends_on = standard_end(starts_on)
    bs = BreathingSpace(person_id=person.id, kind=kind, reference=reference, starts_on=starts_on,
                        ends_on=ends_on, recorded_at=clock.now())
    db.session.add(bs)
    db.session.flush()
    audit.record("breathing_space_started", actor=actor, person_id=person.id,
                 summary={"breathing_space_id": bs.id, "kind": kind,
                          "starts_on": starts_on.isoformat(),
                          "ends_on": ends_on.isoformat() if ends_on else None})
    review_due = calendar.working_day_on_or_before(calendar.add_calendar_days(
        starts_on, settings.integer("breathing_space_review_task_days")))
    for debt in open_debts_of(person):
        instance = _ladder(debt)
        if instance is not None:
            _pause(instance, bs, today, actor)
            recovery_guards.raise_task(instance, "breathing_space_review",
                                       f"Breathing Space from {starts_on:%d %b %Y}: consider a "
                                       "review", Role.FINANCE_OFFICER,
                                       recovery_guards.REVIEW_FORM, due=review_due)
        recovery_guards.note_guards(debt, recovery_guards.decide(debt, "letter"))
    return bs


def hold_new_debt(debt, today: date) -> None:
    """A debt opened during a Breathing Space joins it: its timers pause from today and the
    review task is due within 20 days of the debt being added."""
    bs = cases.active_breathing_space(debt.person_id, today)
    instance = _ladder(debt)
    if bs is None or instance is None:
        return
    _pause(instance, bs, today, None)
    review_due = calendar.working_day_on_or_before(calendar.add_calendar_days(
        today, settings.integer("breathing_space_review_task_days")))
    recovery_guards.raise_task(instance, "breathing_space_review",
                               f"Breathing Space from {bs.starts_on:%d %b %Y}: consider a review",
                               Role.FINANCE_OFFICER, recovery_guards.REVIEW_FORM, due=review_due)
    recovery_guards.note_guards(debt, recovery_guards.decide(debt, "letter"))


def standard_days() -> int:
    """How long a standard Breathing Space lasts, in calendar days (60 by the regulations)."""
    return settings.integer("breathing_space_standard_days")


def standard_end(starts_on: date) -> date:
    """The day a standard Breathing Space starting on `starts_on` ends."""
    return calendar.add_calendar_days(starts_on, standard_days())


def open_of(person: Person) -> BreathingSpace | None:
    """The person's latest Breathing Space not yet ended or cancelled: the one whose end or
    cancellation may still be recorded."""
    return db.session.scalar(select(BreathingSpace).where(
        BreathingSpace.person_id == person.id, BreathingSpace.lifted_at.is_(None),
        BreathingSpace.cancelled_on.is_(None)).order_by(BreathingSpace.starts_on.desc(),
                                                        BreathingSpace.id.desc()).limit(1))


def _check(kind: str, starts_on: date, ends_on: date | None, today: date) -> None:
    problems = []
    if kind not in KINDS:
        problems.append({"field": "kind", "message": f"must be one of {', '.join(KINDS)}"})
    if starts_on > today:
        problems.append({"field": "starts_on", "message": "the start date must be today or in "
                         "the past: a Breathing Space is recorded once it has started"})
    if ends_on is not None and ends_on <= starts_on:
        problems.append({"field": "ends_on", "message": "the end date must be after the start "
                         "date"})
    elif kind == "standard" and ends_on is not None and ends_on < standard_end(starts_on):
        problems.append({"field": "ends_on", "message": _too_short(starts_on)})
    if problems:
        raise ValidationFailed("the Breathing Space notice has problems", problems)


@use_case
def end(bs: BreathingSpace, ends_on: date, actor: User) -> BreathingSpace:
    """A mental-health moratorium ends (crisis treatment over, plus its 30 days), or a standard
    one's end date is confirmed. Recovery resumes on that date (by the daily job if later)."""
    if bs.lifted_at is not None or bs.cancelled_on is not None:
        raise Conflict("this Breathing Space has already ended")
    if ends_on <= bs.starts_on:
        raise ValidationFailed("the end must be after the start", [{
            "field": "ends_on", "message": f"the end date must be after the start date, "
                                          f"{_day(bs.starts_on)}"}])
    if bs.kind == "standard" and ends_on < standard_end(bs.starts_on):
        # Ended early, it was cancelled: record the cancellation, which says so.
        raise ValidationFailed("a standard Breathing Space cannot end early", [{
            "field": "ends_on", "message": _too_short(bs.starts_on) + "; if it ended early, "
                                           "record that it was cancelled"}])
    bs.ends_on = ends_on
    audit.record("breathing_space_end_recorded", actor=actor, person_id=bs.person_id,
                 summary={"breathing_space_id": bs.id, "ends_on": ends_on.isoformat()})
    if ends_on <= clock.today():
        lift(bs, actor)
    return bs


@use_case
def cancel(bs: BreathingSpace, cancelled_on: date | None, actor: User) -> BreathingSpace:
    if bs.lifted_at is not None or bs.cancelled_on is not None:
        raise Conflict("this Breathing Space has already ended")
    cancelled_on = cancelled_on or clock.today()
    if cancelled_on > clock.today() or cancelled_on < bs.starts_on:
        raise ValidationFailed("the cancellation date must fall between the start and today", [{
            "field": "cancelled_on", "message": f"the date it was cancelled must be between the "
                                               f"start date, {_day(bs.starts_on)}, and today"}])
    bs.cancelled_on = cancelled_on
    audit.record("breathing_space_cancelled", actor=actor, person_id=bs.person_id,
                 summary={"breathing_space_id": bs.id})
    lift(bs, actor)
    return bs


def _too_short(starts_on: date) -> str:
    return (f"a standard Breathing Space lasts at least {standard_days()} days: the end date "
            f"must be {_day(standard_end(starts_on))} or later")


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def lift_ended(today: date | None = None) -> int:
    """Daily: lift each Breathing Space whose end date has come. Returns how many."""
    today = today or clock.today()
    ids = list(db.session.scalars(select(BreathingSpace.id).where(
        BreathingSpace.lifted_at.is_(None), BreathingSpace.ends_on.is_not(None),
        BreathingSpace.ends_on <= today)))
    for_each_in_own_transaction(ids, _lift_if_not_lifted, what="lifting Breathing Space")
    return len(ids)


def _lift_if_not_lifted(bs_id: int) -> None:
    bs = db.session.get_one(BreathingSpace, bs_id)
    if bs.lifted_at is None:
        lift(bs, None)


def lift(bs: BreathingSpace, actor: User | None) -> None:
    """Resume the person's paused timers from today with the time they had left."""
    today = clock.today()
    bs.lifted_at = clock.now()
    audit.record("breathing_space_lifted", actor=actor, person_id=bs.person_id,
                 summary={"breathing_space_id": bs.id})
    paused = list(db.session.scalars(select(PausedTimer).where(
        PausedTimer.breathing_space_id == bs.id, PausedTimer.resumed_at.is_(None))))
    by_instance: dict[int, list[PausedTimer]] = {}
    for row in paused:
        by_instance.setdefault(row.instance_id, []).append(row)
    person = db.session.get_one(Person, bs.person_id)
    for debt in open_debts_of(person):
        instance = _ladder(debt)
        if instance is None:
            continue
        waiting = instances.waiting_timers_of(instance)
        for row in by_instance.get(instance.id, []):
            if row.element_id in waiting:
                _resume_timer(instance, row, today, actor)
            else:  # the ladder moved on (a broken plan, a payment) while it was paused
                row.resumed_at = clock.now()
        _close_review_tasks(instance)
        recovery_guards.recheck(debt, actor)


def _close_review_tasks(instance: ProcessInstance) -> None:
    """A review of a moratorium that has ended has nothing left to review."""
    for task in instances.open_tasks(instance):
        if task.source == "guard" and task.name == "breathing_space_review":
            task.status, task.completed_at = TaskStatus.CANCELLED, clock.now()
            audit.record("task_cancelled", actor=None, person_id=instance.person_id,
                         instance_id=instance.id, task_id=task.id, element_id=task.name,
                         summary={"reason": "Breathing Space ended"})


def _ladder(debt) -> ProcessInstance | None:
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    if instance is None or instance.status in (InstanceStatus.COMPLETED, InstanceStatus.INCIDENT):
        return None
    return instance


def _pause(instance: ProcessInstance, bs: BreathingSpace, today: date,
           actor: User | None) -> None:
    timers = runner.waiting_timer_expressions(instances.model_of(instance), instance.state,
                                              context_for(instance))
    for element_id, (due, expression, _) in sorted(timers.items()):
        unit = timer_unit(expression)
        remaining = time_left(unit, today, calendar.to_local_date(due))
        db.session.add(PausedTimer(instance_id=instance.id, breathing_space_id=bs.id,
                                   element_id=element_id, unit=unit, remaining=remaining,
                                   was_due=due))
        audit.record("timer_paused", actor=actor, person_id=instance.person_id,
                     instance_id=instance.id, element_id=element_id,
                     summary={"unit": unit, "remaining": remaining,
                              "breathing_space_id": bs.id})
    instance.status = InstanceStatus.HELD
    instance.next_timer_due = None
    db.session.flush()


def _resume_timer(instance: ProcessInstance, row: PausedTimer, today: date,
                  actor: User | None) -> None:
    due: datetime = calendar.at_local_hour(resume_on(TimerUnit(row.unit), today, row.remaining))
    row.resumed_at = clock.now()
    result = instances.run_engine(lambda ctx: runner.reschedule_timer(
        instances.model_of(instance), instance.state, row.element_id, due, ctx), instance)
    instance.state = result.state
    audit.record("timer_rescheduled", actor=actor, person_id=instance.person_id,
                 instance_id=instance.id, element_id=row.element_id,
                 summary={"due": due.isoformat(), "reason": "Breathing Space ended",
                          "unit": row.unit, "remaining": row.remaining})


def get(bs_id: int) -> BreathingSpace:
    bs = db.session.get(BreathingSpace, bs_id)
    if bs is None:
        raise NotFound(f"no Breathing Space {bs_id}")
    return bs
