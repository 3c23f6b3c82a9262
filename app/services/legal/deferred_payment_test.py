"""The deferred payment test (Care Act 2014 s69(2)): while a person could have a deferred
payment agreement and has not refused one, the council may not go to court for the debt.

The Letter of Claim and the claim are held while it blocks; the offer letter goes once.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app import calendar, clock
from app.domain import deferred_payment, guards
from app.engine.types import StepHeld
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import (
    DebtCase,
    DebtCaseStatus,
    FinancialAssessment,
    Letter,
    Person,
    ProcessInstance,
    User,
)
from app.services import audit, settings
from app.services.correspondence.letters import issue_letter
from app.services.debts import recovery_guards
from app.services.debts.cases import outstanding
from app.services.transaction import use_case


def dpa_block(debt: DebtCase) -> str | None:
    person = db.session.get_one(Person, debt.person_id)
    assessment = db.session.scalar(
        select(FinancialAssessment).where(FinancialAssessment.person_id == person.id)
        .order_by(FinancialAssessment.effective_from.desc(), FinancialAssessment.id.desc())
        .limit(1))
    return deferred_payment.court_block(deferred_payment.DpaFacts(
        in_care_home=person.in_care_home, owns_property=person.owns_property,
        property_disregarded=person.property_disregarded,
        capital_excluding_home=assessment.capital_excluding_home if assessment else None,
        upper_capital_limit=Decimal(settings.get("deferred_payment_upper_capital_limit")),
        outcome=debt.dpa_outcome))


def _hold_for_dpa(debt: DebtCase, instance: ProcessInstance, reason: str, step: str) -> None:
    """Blocked by s69(2): the offer letter goes (once) and the step waits for the outcome."""
    def record() -> None:
        recovery_guards.note_guards(debt, guards.GuardDecision({"deferred_payment": reason}))
        audit.record("recovery_held", actor=None, person_id=debt.person_id,
                     instance_id=instance.id,
                     summary={"debt_id": debt.id, "step": step, "guards": ["deferred_payment"]})
        if not _letter_sent(debt, "dpa_offer"):
            issue_letter(instance, "dpa_offer", _dpa_offer_fields(debt))
    raise StepHeld(reason, record)


def _letter_sent(debt: DebtCase, template: str) -> bool:
    return db.session.scalar(select(Letter.id).where(
        Letter.person_id == debt.person_id, Letter.template == template).limit(1)) is not None


def _dpa_offer_fields(debt: DebtCase) -> dict[str, Any]:
    person = db.session.get_one(Person, debt.person_id)
    today = calendar.next_working_day(clock.today())
    return {
        "debt_amount": outstanding(debt),
        "property_address": ", ".join([*person.address_lines, person.postcode]),
        "eligibility_summary": "You live in a care home, you own your home and it is not "
                               "disregarded, and your other capital is below the upper limit.",
        "interest_rate_current": settings.get("deferred_payment_interest_text"),
        "rate_period": settings.get("deferred_payment_rate_period_text"),
        "admin_charges": [],
        "accept_by_date": calendar.add_working_days(today, 20),
    }


DPA_OUTCOMES = ("offered_accepted", "offered_refused", "ineligible", "not_eligible")
OFFERED = ("offered_accepted", "offered_refused")
EVIDENCE_MAX = 500  # DebtCase.dpa_evidence


def offer_sent(debt: DebtCase) -> bool:
    """Whether the offer of a deferred payment agreement went to the person: only then can an
    offer's outcome (accepted or refused) be recorded."""
    return _letter_sent(debt, "dpa_offer")


def outcomes_open(debt: DebtCase) -> tuple[str, ...]:
    """The outcomes record_dpa_test would accept for the debt now: none once it is closed."""
    if debt.status != DebtCaseStatus.OPEN:
        return ()
    return DPA_OUTCOMES if offer_sent(debt) else tuple(
        o for o in DPA_OUTCOMES if o not in OFFERED)


@use_case
def record_dpa_test(debt: DebtCase, outcome: str, evidence: str | None, actor: User
                    ) -> DebtCase:
    """Care Act s69(2): an offer accepted or refused, or evidence the person could not enter a
    deferred payment agreement. A refusal or ineligibility needs its evidence."""
    if outcome not in DPA_OUTCOMES:
        raise ValidationFailed("unknown outcome", [{"field": "outcome",
                                                    "message": f"one of {DPA_OUTCOMES}"}])
    if debt.status != DebtCaseStatus.OPEN:
        raise Conflict("this debt is closed")
    if outcome in OFFERED and not offer_sent(debt):
        raise Conflict("no offer of a deferred payment agreement has been sent for this debt")
    if outcome != "offered_accepted" and not (evidence or "").strip():
        raise ValidationFailed("record the evidence", [{"field": "evidence", "message":
                               "enter the evidence of the refusal, or of why no agreement "
                               "could be made"}])
    if len((evidence or "").strip()) > EVIDENCE_MAX:
        raise ValidationFailed("the evidence is too long", [{"field": "evidence", "message":
                               f"the evidence must be {EVIDENCE_MAX} characters or fewer"}])
    debt.dpa_outcome, debt.dpa_evidence = outcome, (evidence or "").strip() or None
    audit.record("dpa_test_recorded", actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id, summary={"debt_id": debt.id, "outcome": outcome})
    guards_now = dict(debt.guards or {})
    guards_now.pop("deferred_payment", None)
    debt.guards = guards_now
    recovery_guards.recheck(debt, actor)
    return debt
