"""Use cases that lift or set a recovery hold by hand, each one transaction."""
from __future__ import annotations

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import DebtCase, Invoice, ProcessInstance, User
from app.models.workflow import InstanceStatus
from app.services import audit
from app.services.debts import recovery_guards
from app.services.records.people import get_person_by_id, require_visible
from app.services.transaction import for_each_in_own_transaction, use_case


@use_case
def recheck(debt: DebtCase, actor: User) -> DebtCase:
    recovery_guards.recheck(debt, actor)
    return debt


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
    recovery_guards.recheck(debt, None)
    return db.session.get_one(ProcessInstance, debt.instance_id).status != InstanceStatus.HELD


@use_case
def set_query_hold(number: str, held: bool, actor: User) -> Invoice:
    """The seam for invoice queries: an open query holds recovery of that invoice only."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        raise NotFound(f"no invoice {number}")
    require_visible(get_person_by_id(invoice.account.person_id), actor)
    if invoice.query_hold == held:
        return invoice
    invoice.query_hold = held
    audit.record("query_hold_set" if held else "query_hold_released", actor=actor,
                 person_id=invoice.account.person_id, summary={"invoice": invoice.number})
    if not held and invoice.debt_case_id is not None:
        recovery_guards.recheck(db.session.get_one(DebtCase, invoice.debt_case_id), actor)
    return invoice
