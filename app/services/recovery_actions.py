"""Use cases that lift or set a recovery hold by hand, each one transaction."""
from __future__ import annotations

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import DebtCase, Invoice, User

from . import audit, recovery
from .instances import get_person_by_id, require_visible
from .transaction import use_case


@use_case
def recheck(debt: DebtCase, actor: User) -> DebtCase:
    recovery.recheck(debt, actor)
    return debt


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
        recovery.recheck(db.session.get(DebtCase, invoice.debt_case_id), actor)
    return invoice
