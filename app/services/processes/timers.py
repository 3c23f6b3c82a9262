"""Firing due timers: the database is the truth, the scheduler only the metronome.

Several schedulers share the work by claiming batches. A claim moves each instance's
`next_timer_due` on to a lease (now plus a few seconds a timer) in one short transaction, so the
other schedulers pass it by, and remembers when it was really due. Each claimed instance is then
fired in its own transaction and its own session, if it still reads the lease (no one has moved it
since). A scheduler killed mid-batch leaves its leases behind: they lapse, the instances fall due
again and another scheduler fires them. A lease needs no column of its own: the engine decides
which timers are due from the instance's state, so `next_timer_due` is only the index that finds
the instance, and every engine step writes it afresh.

Exactly once rests on `lock_version`, whatever the claims do: two firings that loaded the same
state cannot both commit (the second is a StaleDataError and rolls back).
"""
from __future__ import annotations

import contextlib
import logging
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Iterator, cast

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.engine import runner
from app.errors import AppError
from app.extensions import db
from app.models import Incident, InstanceStatus, ProcessInstance
from app.services import audit, settings
from app.services.processes.instances import apply_result, model_of, run_engine
from app.services.transaction import for_each_in_own_transaction

log = logging.getLogger(__name__)

# How long a claim holds each of its timers. A timer takes about a tenth of a second to fire;
# the margin covers a slow letter or a busy database. A batch that overruns its lease may be
# claimed by another scheduler too: then the later firing finds the instance moved on (or loses
# on lock_version) and only the work is wasted, never a second fire. Leases are on the app clock,
# so on a frozen demo clock a dead scheduler's claims lapse when the clock is moved on. (The
# timer_batch_size setting's description quotes this figure.)
CLAIM_SECONDS_A_TIMER = 3
# A sweep claims batch after batch until nothing is due, but hands back to the scheduler after
# this long, so its heartbeat, the daily jobs and a changed interval are not held up by a backlog.
SWEEP_BUDGET_SECONDS = 20.0


@dataclass(frozen=True)
class FiredTimer:
    instance_id: int
    steps: tuple[str, ...]
    incident: bool  # stopped by a failure an operator must look at
    held: str | None = None  # or held by a guard, in its words: it runs on when the hold lifts


@dataclass(frozen=True)
class Claim:
    """An instance this scheduler claimed: ours while its next_timer_due still reads `lease`."""
    instance_id: int
    due: datetime | None  # when it was due before the claim, put back if it is not fired
    lease: datetime

    def __str__(self) -> str:
        return str(self.instance_id)  # logged as its id only


def any_due() -> bool:
    """Whether any instance has a timer due now that no scheduler has claimed."""
    return db.session.scalar(select(ProcessInstance.id).where(_due(clock.now())).limit(1)
                             ) is not None


def fire_due_timers(batch_size: int | None = None,
                    budget_seconds: float = SWEEP_BUDGET_SECONDS) -> list[FiredTimer]:
    """Fire every instance's due timers, each instance in its own transaction and session.

    Claims `batch_size` instances at a time (the `timer_batch_size` setting by default) until
    none is due, a batch moves nothing on, or the budget is spent (the batch in hand is finished
    first). `_fire_one` ends each instance's transaction itself, as its failures need different
    endings (skipped, released for the next sweep, or stopped with an incident in a fresh
    transaction); the batch loop's own guard is then a second net.
    """
    size = batch_size or settings.integer("timer_batch_size")
    deadline = time.monotonic() + budget_seconds
    fired: list[FiredTimer] = []
    while True:
        db.session.rollback()  # the caller's transaction ends here, as in the batch loop
        with _own_session():
            claims = claim_due(size)
        batch = for_each_in_own_transaction(claims, _fire_alone, what="timer sweep for instance")
        moved = [outcome for outcome in batch.results if outcome is not None]
        fired.extend(moved)
        # An instance due by its stored time whose engine fires nothing yet (a frozen clock on
        # the very minute) is claimed again at once: stop when a batch moves no step on.
        progressed = [o for o in moved if o.steps or o.incident or o.held]
        if not progressed or time.monotonic() >= deadline:
            return fired


@contextlib.contextmanager
def _own_session() -> Iterator[None]:
    """Run the block on a session of its own, closed after it, then give the caller's back.

    One instance's objects (its state, letters, tasks) never outlive it, whatever else refers
    to them, so nothing builds up over a sweep through thousands; and objects the caller holds
    stay attached to the caller's session (closing that one would detach them).
    """
    registry = db.session.registry
    callers = registry()
    registry.set(db.session.session_factory())
    try:
        yield
    finally:
        db.session.close()
        registry.set(callers)


def _due(now: datetime) -> ColumnElement[bool]:
    return (ProcessInstance.status == InstanceStatus.ACTIVE) & (ProcessInstance.next_timer_due
                                                                <= now)


def claim_due(size: int) -> list[Claim]:
    """Claim up to `size` due instances no one else has claimed, longest due first, and commit
    at once. Empty when none is due, or when the database fails (the next sweep tries again)."""
    try:
        now = clock.now()
        lease = now + timedelta(seconds=CLAIM_SECONDS_A_TIMER * size)
        if db.session.get_bind().dialect.name == "postgresql":
            rows = _claim_skipping_locked(size, now, lease)
        else:
            rows = _claim_by_compare_and_set(size, now, lease)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()  # the database is busy or away: the next sweep tries again
        log.error("claiming due timers failed: %s", type(exc).__name__)
        return []
    return [Claim(instance_id, due, lease) for instance_id, due in rows]


def _claim_skipping_locked(size: int, now: datetime, lease: datetime
                           ) -> list[tuple[int, datetime | None]]:
    """PostgreSQL: one statement. Rows another scheduler is claiming are skipped, not waited
    for, so each claims a distinct batch."""
    due = (select(ProcessInstance.id, ProcessInstance.next_timer_due).where(_due(now))
           .order_by(ProcessInstance.next_timer_due).limit(size)
           .with_for_update(skip_locked=True).cte("due"))
    claimed = db.session.connection().execute(
        update(ProcessInstance).where(ProcessInstance.id == due.c.id)
        .values(next_timer_due=lease).returning(ProcessInstance.id, due.c.next_timer_due))
    return [(instance_id, due_at) for instance_id, due_at in cast(
        Iterable[tuple[int, datetime | None]], claimed)]


def _claim_by_compare_and_set(size: int, now: datetime, lease: datetime
                              ) -> list[tuple[int, datetime | None]]:
    """SQLite (one writer at a time): read the due rows, then move each only if it still reads
    what was read; another scheduler that moved it first wins it."""
    found = db.session.execute(
        select(ProcessInstance.id, ProcessInstance.next_timer_due).where(_due(now))
        .order_by(ProcessInstance.next_timer_due).limit(size)).all()
    connection = db.session.connection()
    return [(instance_id, due_at) for instance_id, due_at in found if connection.execute(
        update(ProcessInstance).where(ProcessInstance.id == instance_id,
                                      ProcessInstance.status == InstanceStatus.ACTIVE,
                                      ProcessInstance.next_timer_due == due_at)
        .values(next_timer_due=lease)).rowcount == 1]


def _ours(claim: Claim) -> ProcessInstance | None:
    stmt = select(ProcessInstance).where(
        ProcessInstance.id == claim.instance_id, ProcessInstance.status == InstanceStatus.ACTIVE,
        ProcessInstance.next_timer_due == claim.lease)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=ProcessInstance)
    return db.session.scalar(stmt)


def _fire_alone(claim: Claim) -> FiredTimer | None:
    with _own_session():
        return _fire_one(claim)


def _fire_one(claim: Claim) -> FiredTimer | None:
    instance_id = claim.instance_id
    try:
        instance = _ours(claim)
        if instance is None:
            db.session.rollback()
            return None  # moved on since the claim (a user's step, or another scheduler)
        try:
            result = run_engine(lambda ctx: runner.fire_timers(
                model_of(instance), instance.state, ctx), instance)
        except AppError as exc:
            # An expression that fails at run time: keep the state, raise an incident, and do
            # not try again on every sweep. What ran before the failure (a letter a handler
            # wrote) is undone with it, so a retry does not send it twice.
            db.session.rollback()
            element = next((d["element_id"] for d in exc.details if d.get("element_id")), "")
            return _stop_with_incident(claim, exc.message, element)
        apply_result(instance, result, None)  # writes the real next_timer_due over the lease
        db.session.commit()
        stopped = result.incident
        return FiredTimer(instance_id, tuple(s.element_id for s in result.steps),
                          incident=stopped is not None and not stopped.held,
                          held=stopped.error if stopped is not None and stopped.held else None)
    except StaleDataError:
        db.session.rollback()  # another process moved the instance on: it is no longer ours
        _release(claim)
        return None
    except SQLAlchemyError as exc:
        # The database may be busy or away: nothing was written, and the next sweep tries again.
        db.session.rollback()
        log.error("timer sweep failed for instance %s: %s", instance_id, type(exc).__name__)
        _release(claim)
        return None
    except Exception as exc:  # noqa: BLE001 - one bad instance must not stop the sweep
        # Anything else would fail the same way on every sweep: stop the instance with an
        # incident an operator can see and retry once the cause is fixed.
        db.session.rollback()
        # The type and place only: an exception's message may carry personal data.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        log.error("timer sweep failed for instance %s: %s at %s:%s", instance_id,
                  type(exc).__name__, frame.filename, frame.lineno)
        return _stop_with_incident(claim, (
            f"the timer could not be fired: an unexpected error ({type(exc).__name__}); "
            "the scheduler's log says where"), "")


def _release(claim: Claim) -> None:
    """Give an unfired claim back (its due time again, if it still reads our lease), so the next
    sweep tries it rather than waiting for the lease to lapse. If this fails too, it lapses."""
    try:
        db.session.connection().execute(
            update(ProcessInstance).where(ProcessInstance.id == claim.instance_id,
                                          ProcessInstance.next_timer_due == claim.lease)
            .values(next_timer_due=claim.due))
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("releasing the claim on instance %s failed: %s", claim.instance_id,
                  type(exc).__name__)


def _stop_with_incident(claim: Claim, error: str, element: str) -> FiredTimer | None:
    """Take the claimed instance again in a fresh transaction and record the incident on it."""
    try:
        instance = _ours(claim)
        if instance is None:
            db.session.rollback()
            return None
        _raise_incident(instance, error, element)
        instance.next_timer_due = claim.due  # when it was due, not our lease, for the operator
        db.session.commit()
        return FiredTimer(claim.instance_id, (), True)
    except Exception as exc:  # noqa: BLE001 - the next sweep tries the instance again
        db.session.rollback()
        log.error("recording an incident failed for instance %s: %s", claim.instance_id,
                  type(exc).__name__)
        return None


def _raise_incident(instance: ProcessInstance, error: str, element: str) -> None:
    instance.status = InstanceStatus.INCIDENT
    instance.updated_at = clock.now()
    db.session.add(Incident(instance_id=instance.id, element_id=element, handler="",
                            error=error, created_at=clock.now()))
    audit.record("incident_raised", actor=None, person_id=instance.person_id,
                 instance_id=instance.id, element_id=element or None)
