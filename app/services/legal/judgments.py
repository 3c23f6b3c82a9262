"""After the claim: the judgment, the enforcement letter, and enforcement itself (a charging
order registers a charge on the person's property)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select

from app import clock
from app.domain import court, guards
from app.engine.types import StepHeld
from app.extensions import db
from app.models import (
    CourtClaimStatus,
    DebtCase,
    EnforcementAction,
    Payment,
    PaymentAllocation,
    ProcessInstance,
    PropertyCharge,
)
from app.services import settings
from app.services.correspondence.letters import issue_letter
from app.services.debts import cases, recovery_guards
from app.services.legal.claims import current_claim
from app.services.legal.letter_of_claim import current_loc


def record_judgment(debt: DebtCase, instance: ProcessInstance, data: Mapping[str, Any]) -> None:
    _held_by_moratorium(debt, "record_judgment")
    claim = current_claim(debt)
    assert claim is not None  # the diagram records a judgment only after the claim
    claim.judgment_date = date.fromisoformat(str(data["judgment_date"]))
    claim.judgment_amount = Decimal(str(data["judgment_amount"]))
    claim.judgment_terms = data.get("terms")
    claim.judgment_interest = court.judgment_interest_applies(
        claim.judgment_amount, Decimal(settings.get("post_judgment_interest_threshold")))
    claim.status = CourtClaimStatus.JUDGMENT
    cases.set_stage(debt, "judgment")
    paid = paid_since(debt, claim.judgment_date)
    issue_letter(instance, "enforcement_notice", {
        "claim_no": claim.claim_number, "judgment_date": claim.judgment_date,
        "judgment_amount": claim.judgment_amount,
        "terms": "payable at once" if claim.judgment_terms == "forthwith" else "by instalments",
        "amount_paid": paid, "balance": max(claim.judgment_amount - paid, Decimal("0.00")),
        "enforcement_intended": "We will decide how to enforce the judgment if it is not paid.",
    })


def paid_since(debt: DebtCase, day: date) -> Decimal:
    """Payments on the claimed invoices made on or after `day` (e.g. since the judgment)."""
    loc = current_loc(debt)
    ids = loc.invoice_ids if loc else []
    total = db.session.scalars(
        select(PaymentAllocation.amount).join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(PaymentAllocation.invoice_id.in_(ids), Payment.paid_on >= day))
    return sum(total, Decimal("0.00"))


def _held_by_moratorium(debt: DebtCase, step: str) -> None:
    """A Breathing Space bans enforcement and further steps in court proceedings too."""
    decision = recovery_guards.decide(debt, guards.COURT)
    if "breathing_space" in decision.holds or "deceased" in decision.holds:
        held = guards.GuardDecision({k: v for k, v in decision.holds.items()
                                     if k in ("breathing_space", "deceased")})
        raise StepHeld(held.reason(), recovery_guards.hold_recorder(debt, held, step))


def record_enforcement(debt: DebtCase, data: Mapping[str, Any]) -> None:
    _held_by_moratorium(debt, "record_enforcement")
    claim = current_claim(debt)
    kind = data.get("kind")
    if kind in (None, "none"):
        return None
    assert claim is not None  # the diagram records enforcement only after a judgment
    db.session.add(EnforcementAction(court_claim_id=claim.id, kind=kind,
                                     decided_on=clock.today(), notes=data.get("notes")))
    if kind == "charging_order":
        # The property charge of DOMAIN.md: an interim charging order against the title.
        db.session.add(PropertyCharge(debt_case_id=debt.id, person_id=debt.person_id,
                                      basis="interim_charging_order",
                                      title_number=data.get("title_number") or "",
                                      court_claim_id=claim.id, registered_on=clock.today()))
    cases.set_stage(debt, "enforcement")
    return None
