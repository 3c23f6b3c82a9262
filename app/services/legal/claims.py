"""Referral to Legal and the County Court claim: the checks before issue, the route (Money Claim
Online or Form N1), the claim's dates and the acknowledgment of service."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select

from app import calendar, clock
from app.domain import court, guards, pap, postcodes
from app.domain.forms import as_date
from app.domain.limitation import limitation_expiry
from app.engine.types import StepHeld
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import (
    CourtClaim,
    CourtClaimStatus,
    DebtCase,
    Person,
    ProcessInstance,
    User,
)
from app.services import audit, settings
from app.services.correspondence.letters import issue_letter
from app.services.debts import cases, recovery_guards
from app.services.legal.deferred_payment_test import dpa_block
from app.services.legal.letter_of_claim import (
    _invoice_id,
    current_loc,
    letter_expired,
    statement_of_account,
)
from app.services.processes import instances
from app.services.transaction import use_case


def protected_party(person: Person) -> bool:
    return recovery_guards.lacks_capacity(person)


def claim_checks(debt: DebtCase, on: date) -> list[str]:
    """Every reason no claim may be issued on `on`; empty when one may."""
    problems = []
    loc = current_loc(debt)
    if loc is None or loc.earliest_issue is None:
        problems.append("no Letter of Claim has been posted (Pre-Action Protocol)")
    else:
        check = pap.may_issue(on, loc.earliest_issue)
        if not check.allowed:
            assert check.reason is not None  # given whenever the check fails
            problems.append(check.reason)
        if loc.documents_requested and loc.documents_provided_on is None:
            problems.append("the documents asked for on the Reply Form have not been sent")
        if loc.offer_amount is not None and loc.offer_decision is None:
            problems.append("the offer on the Reply Form has not been answered (a refusal "
                            "needs written reasons)")
        problems.extend(letter_expired(debt, loc, on))
    block = dpa_block(debt)
    if block:
        problems.append(block)
    decision = recovery_guards.decide(debt, guards.COURT, on)
    problems.extend(reason for name, reason in decision.holds.items())
    return problems


def claimed(debt: DebtCase, on: date | None = None) -> tuple[guards.InvoiceFact, ...]:
    """What a claim may include: the Letter of Claim's invoices still recoverable today."""
    loc = current_loc(debt)
    ids = set(loc.invoice_ids if loc else [])
    decision = recovery_guards.decide(debt, guards.COURT, on)
    return tuple(i for i in decision.chase if _invoice_id(i.number) in ids)


def route_for(debt: DebtCase, amount: Decimal) -> court.RouteDecision:
    person = db.session.get_one(Person, debt.person_id)
    place = postcodes.jurisdiction(person.postcode)
    defendant = court.Defendant(name=person.name, protected_party=protected_party(person),
                                address_in_england_wales=place.in_england_wales,
                                address_reason=place.reason)
    return court.choose_route(amount, [defendant],
                              mcol_limit=Decimal(settings.get("mcol_claim_limit")))


def refer_to_legal(debt: DebtCase, instance: ProcessInstance) -> dict:
    today = clock.today()
    problems = claim_checks(debt, today)
    loc = current_loc(debt)
    expired = letter_expired(debt, loc, today) if loc is not None else []
    if loc is not None and expired and set(problems) <= set(expired):
        # Waiting would never help: the stage ends and a new letter is the officer's decision.
        audit.record("letter_of_claim_expired", actor=None, person_id=debt.person_id,
                     instance_id=instance.id,
                     summary={"debt_id": debt.id, "letter_of_claim_id": loc.id,
                              "reasons": expired})
        return {"new_letter_of_claim_needed": True}
    if problems:
        raise StepHeld("; ".join(problems), recovery_guards.hold_recorder(
            debt, guards.GuardDecision({"court": "; ".join(problems)}), "refer_to_legal"))
    rows, amount = statement_of_account(claimed(debt))
    route = route_for(debt, amount)
    claim = CourtClaim(debt_case_id=debt.id, route=route.route,
                       route_reasons=list(route.reasons),
                       litigation_friend_needed=route.litigation_friend_needed, amount=amount,
                       fee=settings.court_fee(amount, today), created_at=clock.now())
    db.session.add(claim)
    db.session.flush()
    cases.set_stage(debt, "legal_referral")
    _issue_referral_memo(debt, instance, claim, rows)
    return {"court_claim_id": claim.id, "route": claim.route,
            "new_letter_of_claim_needed": False}


def _issue_referral_memo(debt: DebtCase, instance: ProcessInstance, claim: CourtClaim,
                         rows: list) -> None:
    person = db.session.get_one(Person, debt.person_id)
    rep = person.representative
    loc = current_loc(debt)
    assert loc is not None  # claim_checks refused the referral without a posted letter
    expiry = min((i.due_date for i in debt.invoices if i.outstanding > 0), default=None)
    issue_letter(instance, "legal_referral", {
        "debtor_details": f"{person.name}, {', '.join(person.address_lines)} {person.postcode}",
        "representative_details": "none recorded" if rep is None else
        f"{rep.name} ({rep.type.replace('_', ' ')}, {rep.scope.replace('_', ' ')})",
        "capacity_status": "lacks capacity to conduct proceedings (protected party)"
        if claim.litigation_friend_needed else "no lack of capacity recorded",
        "litigation_friend_needed": claim.litigation_friend_needed,
        "dpa_test_outcome": debt.dpa_outcome or "not eligible for a deferred payment agreement",
        "dpa_evidence": debt.dpa_evidence or "none needed",
        "limitation_expiry": limitation_expiry(expiry) if expiry else clock.today(),
        "pap_dates": [{"label": "Letter of Claim posted", "date": loc.letter_date},
                      {"label": "Deemed served (CPR 6.26)", "date": loc.deemed_service},
                      {"label": "Earliest claim date", "date": loc.earliest_issue}],
        "statement_of_account": rows,
        "recommended_route": "Money Claim Online" if claim.route == "mcol" else "Form N1",
        "route_reasons": list(claim.route_reasons) or ["all Money Claim Online conditions hold"],
        "fee_band": claim.fee,
        "interest_claimed": "none",
    })


def current_claim(debt: DebtCase) -> CourtClaim | None:
    return db.session.scalar(select(CourtClaim).where(CourtClaim.debt_case_id == debt.id)
                             .order_by(CourtClaim.id.desc()).limit(1))


def check_issue_claim(debt: DebtCase, form: Mapping[str, Any]) -> list[dict]:
    """Before the legal officer's "claim issued" is accepted: the law's checks, per field."""
    issued_on, posted = as_date(form.get("issued_on")), as_date(form.get("posted_on"))
    if issued_on is None:
        return []
    problems = [{"field": "issued_on", "message": p} for p in claim_checks(debt, issued_on)]
    if issued_on > clock.today():
        problems.append({"field": "issued_on", "message": "a claim cannot be recorded as "
                         "issued on a future date"})
    claim = current_claim(debt)
    _, amount = statement_of_account(claimed(debt, issued_on))
    if claim is not None and amount != claim.amount:
        problems.append({"field": "issued_on", "message": f"the debt to claim is now {amount} "
                         f"(referred as {claim.amount}): refer it again"})
    if posted is not None and posted < issued_on:
        problems.append({"field": "posted_on", "message": "the claim form cannot be posted "
                         "before it is issued"})
    return problems


def record_claim(debt: DebtCase, data: Mapping[str, Any]) -> dict:
    claim = current_claim(debt)
    if claim is None:
        raise Conflict("no claim has been referred for this debt")
    claim.claim_number = data["claim_number"]
    claim.issued_on = date.fromisoformat(str(data["issued_on"]))
    posted = date.fromisoformat(str(data["posted_on"]))
    claim.deemed_served_on = calendar.deemed_service_cpr_6_14(posted)
    deadlines = court.claim_deadlines(claim.deemed_served_on)
    claim.acknowledgment_by = deadlines.acknowledgment_by
    claim.defence_by = deadlines.defence_by_without_aos
    claim.status = CourtClaimStatus.ISSUED
    cases.set_stage(debt, "claim_issued")
    audit.record("claim_issued", actor=None, person_id=debt.person_id,
                 instance_id=debt.instance_id,
                 summary={"court_claim_id": claim.id, "route": claim.route,
                          "deemed_served_on": claim.deemed_served_on.isoformat()})
    return {"defence_deadline": claim.defence_by.isoformat()}


RESPONSE_TIMER = "response_deadline_passed"


@use_case
def record_acknowledgment(debt: DebtCase, filed_on: date, actor: User) -> CourtClaim:
    """An acknowledgment of service gives the defendant 28 days from service to defend
    (CPR 15.4(1)(b)): the default-judgment timer moves with the deadline."""
    claim = current_claim(debt)
    if claim is None or claim.status != CourtClaimStatus.ISSUED:
        raise Conflict("no issued claim is waiting for a response")
    # Recording the issue (record_claim) sets both dates with the ISSUED status.
    assert claim.issued_on is not None and claim.deemed_served_on is not None
    if claim.aos_filed_on is not None:
        raise Conflict("an acknowledgment is already recorded")
    if filed_on > clock.today() or filed_on < claim.issued_on:
        raise ValidationFailed("the date must fall between the issue date and today",
                               [{"field": "filed_on", "message": "out of range"}])
    claim.aos_filed_on = filed_on
    claim.defence_by = court.claim_deadlines(claim.deemed_served_on).defence_by_with_aos
    instance = cases.process_of(debt)
    if RESPONSE_TIMER in instances.waiting_timers_of(instance):
        due = calendar.next_working_day(calendar.add_calendar_days(
            claim.defence_by, settings.integer("default_judgment_grace_days")))
        instances.move_timer(instance, RESPONSE_TIMER, calendar.at_local_hour(due), actor,
                             "acknowledgment of service filed")
    audit.record("claim_acknowledged", actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id,
                 summary={"court_claim_id": claim.id, "defence_by": claim.defence_by.isoformat()})
    return claim
