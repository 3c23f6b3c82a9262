"""Firing due timers: the database is the truth, the scheduler only the metronome."""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.engine import runner
from app.errors import AppError
from app.extensions import db
from app.models import Incident, InstanceStatus, ProcessInstance
from app.services import audit
from app.services.processes.instances import apply_result, model_of, run_engine
from app.services.transaction import for_each_in_own_transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FiredTimer:
    instance_id: int
    steps: tuple[str, ...]
    incident: bool  # stopped by a failure an operator must look at
    held: str | None = None  # or held by a guard, in its words: it runs on when the hold lifts


def due_instance_ids(limit: int = 100) -> list[int]:
    return list(db.session.scalars(
        select(ProcessInstance.id)
        .where(ProcessInstance.status == InstanceStatus.ACTIVE,
               ProcessInstance.next_timer_due <= clock.now())
        .order_by(ProcessInstance.next_timer_due).limit(limit)))


def fire_due_timers(limit: int = 100) -> list[FiredTimer]:
    """Fire every instance's due timers, each instance in its own transaction.

    On PostgreSQL a row lock with SKIP LOCKED keeps two schedulers off the same instance; on
    SQLite (and as a second guard) the instance's compare-and-set lock_version does.
    `_fire_one` ends each instance's transaction itself, as its failures need different endings
    (skipped, retried next sweep, or stopped with an incident in a fresh transaction); the batch
    loop's own guard is then a second net.
    """
    batch = for_each_in_own_transaction(due_instance_ids(limit), _fire_one,
                                        what="timer sweep for instance")
    return [outcome for outcome in batch.results if outcome is not None]


def _claim(instance_id: int) -> ProcessInstance | None:
    stmt = select(ProcessInstance).where(
        ProcessInstance.id == instance_id, ProcessInstance.status == InstanceStatus.ACTIVE,
        ProcessInstance.next_timer_due <= clock.now())
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=ProcessInstance)
    return db.session.scalar(stmt)


def _fire_one(instance_id: int) -> FiredTimer | None:
    try:
        instance = _claim(instance_id)
        if instance is None:
            db.session.rollback()
            return None  # another scheduler had it, or it is no longer due
        try:
            result = run_engine(lambda ctx: runner.fire_timers(
                model_of(instance), instance.state, ctx), instance)
        except AppError as exc:
            # An expression that fails at run time: keep the state, raise an incident, and do
            # not try again on every sweep. What ran before the failure (a letter a handler
            # wrote) is undone with it, so a retry does not send it twice.
            db.session.rollback()
            element = next((d["element_id"] for d in exc.details if d.get("element_id")), "")
            return _stop_with_incident(instance_id, exc.message, element)
        apply_result(instance, result, None)
        db.session.commit()
        stopped = result.incident
        return FiredTimer(instance_id, tuple(s.element_id for s in result.steps),
                          incident=stopped is not None and not stopped.held,
                          held=stopped.error if stopped is not None and stopped.held else None)
    except StaleDataError:
        db.session.rollback()  # another process moved the instance on: it is no longer ours
        return None
    except SQLAlchemyError as exc:
        # The database may be busy or away: nothing was written, and the next sweep tries again.
        db.session.rollback()
        log.error("timer sweep failed for instance %s: %s", instance_id, type(exc).__name__)
        return None
    except Exception as exc:  # noqa: BLE001 - one bad instance must not stop the sweep
        # Anything else would fail the same way on every sweep: stop the instance with an
        # incident an operator can see and retry once the cause is fixed.
        db.session.rollback()
        # The type and place only: an exception's message may carry personal data.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        log.error("timer sweep failed for instance %s: %s at %s:%s", instance_id,
                  type(exc).__name__, frame.filename, frame.lineno)
        return _stop_with_incident(instance_id, (
            f"the timer could not be fired: an unexpected error ({type(exc).__name__}); "
            "the scheduler's log says where"), "")


def _stop_with_incident(instance_id: int, error: str, element: str) -> FiredTimer | None:
    """Claim the instance again in a fresh transaction and record the incident on it."""
    try:
        instance = _claim(instance_id)
        if instance is None:
            db.session.rollback()
            return None
        _raise_incident(instance, error, element)
        db.session.commit()
        return FiredTimer(instance_id, (), True)
    except Exception as exc:  # noqa: BLE001 - the next sweep tries the instance again
        db.session.rollback()
        log.error("recording an incident failed for instance %s: %s", instance_id,
                  type(exc).__name__)
        return None


def _raise_incident(instance: ProcessInstance, error: str, element: str) -> None:
    instance.status = InstanceStatus.INCIDENT
    instance.updated_at = clock.now()
    db.session.add(Incident(instance_id=instance.id, element_id=element, handler="",
                            error=error, created_at=clock.now()))
    audit.record("incident_raised", actor=None, person_id=instance.person_id,
                 instance_id=instance.id, element_id=element or None)
