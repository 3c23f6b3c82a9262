"""Use cases that lift a recovery hold by hand, each one transaction. (An invoice query's hold
is set and lifted by the query: app/services/queries/records.py.)"""
from __future__ import annotations

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import DebtCase, ProcessInstance, User
from app.models.workflow import InstanceStatus
from app.services.debts import query_pauses, recovery_guards
from app.services.transaction import for_each_in_own_transaction, use_case


@use_case
def recheck(debt: DebtCase, actor: User) -> DebtCase:
    _resume_unqueried(debt, actor)
    recovery_guards.recheck(debt, actor)
    return debt


def _resume_unqueried(debt: DebtCase, actor: User | None) -> None:
    """A ladder paused by invoice queries whose invoices are no longer all queried (the hold
    cleared some other way than by the query's outcome) resumes from today."""
    query_pauses.resume_if_unheld(debt, clock.today(), "the invoices are no longer all under "
                                  "query", actor)


def recheck_held() -> int:
    """Daily: a held ladder whose guard has lifted on its own (a date reached, a plan ended, a
    representative recorded) runs on. One transaction per debt; returns how many moved."""
    ids = list(db.session.scalars(
        select(DebtCase.id).join(ProcessInstance, ProcessInstance.id == DebtCase.instance_id)
        .where(DebtCase.status == "open", ProcessInstance.status == InstanceStatus.HELD)))
    return sum(for_each_in_own_transaction(ids, _recheck_one, what="recheck of debt").results)


def _recheck_one(debt_id: int) -> bool:
    """Whether the debt's ladder moved on."""
    debt = db.session.get_one(DebtCase, debt_id)
    _resume_unqueried(debt, None)
    recovery_guards.recheck(debt, None)
    return db.session.get_one(ProcessInstance, debt.instance_id).status != InstanceStatus.HELD

