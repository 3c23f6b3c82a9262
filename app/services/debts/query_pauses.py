"""A debt's ladder paused because every unpaid invoice of it is under an open invoice query
(app/services/queries/recovery_pause.py pauses it and says why): when that stops being so, it
resumes with the time each timer had left. Here, in debts, so that the recheck of a held ladder
(recovery_holds: the daily job and the manual recheck) resumes it too, whatever cleared the hold.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import calendar, clock
from app.domain.breathing_space import TimerUnit, resume_on
from app.engine import runner
from app.extensions import db
from app.models import DebtCase, DebtCaseStatus, Invoice, PausedTimer, ProcessInstance, User
from app.models.workflow import InstanceStatus
from app.services import audit
from app.services.debts import recovery_guards
from app.services.debts.cases import CLOSED_INVOICE
from app.services.debts.recovery_contract import LADDER_KEY
from app.services.processes import instances


def unpaid_invoices(debt: DebtCase) -> list[Invoice]:
    return [i for i in debt.invoices if i.status not in CLOSED_INVOICE and i.outstanding > 0]


def fully_queried(debt: DebtCase) -> bool:
    """Whether every unpaid invoice of the debt is under an open query (and there is one)."""
    unpaid = unpaid_invoices(debt)
    return bool(unpaid) and all(i.query_hold for i in unpaid)


def ladder_of(debt: DebtCase) -> ProcessInstance | None:
    """The debt's ladder while it may wait: not a later stage, not ended."""
    if debt.status != DebtCaseStatus.OPEN or debt.instance_id is None:
        return None
    instance = db.session.get(ProcessInstance, debt.instance_id)
    if instance is None or instance.version.definition.key != LADDER_KEY \
            or instance.status in (InstanceStatus.COMPLETED, InstanceStatus.INCIDENT):
        return None
    return instance


def paused_by_query(instance: ProcessInstance) -> list[PausedTimer]:
    return list(db.session.scalars(select(PausedTimer).where(
        PausedTimer.instance_id == instance.id, PausedTimer.invoice_query_id.is_not(None),
        PausedTimer.resumed_at.is_(None)).order_by(PausedTimer.id)))


def resume_if_unheld(debt: DebtCase, on: date, reason: str, actor: User | None) -> None:
    """Resume the ladder's query-paused timers from `on` if the debt is no longer wholly under
    query, then run the held ladder on (recovery_guards.recheck)."""
    instance = ladder_of(debt)
    if instance is None:
        return
    rows = paused_by_query(instance)
    if not rows or fully_queried(debt):
        return
    waiting = instances.waiting_timers_of(instance)
    for row in rows:
        row.resumed_at = clock.now()
        if row.element_id not in waiting:
            continue  # the ladder moved on meanwhile
        due = calendar.at_local_hour(resume_on(TimerUnit(row.unit), on, row.remaining))
        result = instances.run_engine(lambda ctx, row=row, due=due: runner.reschedule_timer(
            instances.model_of(instance), instance.state, row.element_id, due, ctx), instance)
        instance.state = result.state
        audit.record("timer_rescheduled", actor=actor, person_id=instance.person_id,
                     instance_id=instance.id, element_id=row.element_id,
                     summary={"due": due.isoformat(), "reason": reason, "unit": row.unit,
                              "remaining": row.remaining})
    db.session.flush()
    recovery_guards.recheck(debt, actor)  # runs the held ladder on; a due timer fires
