"""The legal stage: Letter of Claim, the Pre-Action Protocol window, referral and the claim.

The law is checked here, whatever the diagram says: no Letter of Claim (and no claim) while the
deferred payment test blocks court recovery (Care Act s69(2)); statute-barred invoices never
appear; the enclosures must hold the official wording; no claim is issued before the earliest
issue date; Money Claim Online only where all its conditions hold.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import select

from app import calendar, clock
from app.domain import court, deferred_payment, guards, pap
from app.domain.estates import dpa_due_date
from app.domain.limitation import limitation_expiry
from app.engine.types import StepHeld
from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import (
    CourtClaim,
    CourtClaimStatus,
    DebtCase,
    EnforcementAction,
    FinancialAssessment,
    Invoice,
    Letter,
    LetterOfClaim,
    LetterOfClaimStatus,
    LetterStatus,
    PaymentAllocation,
    Payment,
    Person,
    ProcessInstance,
    PropertyCharge,
)

from . import audit, instances, recovery, settings
from .estates import ensure_estate
from .letters import issue_letter

LEGAL_KEY = "legal_recovery"
ESTATE_KEY = "estate_recovery"
ENCLOSURES = ("pap_information_sheet", "pap_reply_form", "pap_financial_statement")
# Postcode areas outside England & Wales (Scotland, Northern Ireland): no Money Claim Online.
NOT_ENGLAND_WALES = frozenset({"AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY",
                               "ML", "PA", "PH", "TD", "ZE", "BT"})


class LegalStepRefused(Exception):
    """A legal step that must not run as things stand (an operator or officer must act)."""


# --- opening the stages -------------------------------------------------------------------------
def open_legal_stage(debt: DebtCase) -> ProcessInstance:
    return _open(debt, LEGAL_KEY, "letter_of_claim")


def open_estate_stage(debt: DebtCase) -> ProcessInstance:
    return _open(debt, ESTATE_KEY, "estate")


def _open(debt: DebtCase, key: str, stage: str) -> ProcessInstance:
    person = db.session.get_one(Person, debt.person_id)
    instance = instances.begin_instance(
        key, person, {"debt_case_id": debt.id}, None,
        on_created=lambda created: setattr(debt, "instance_id", created.id))
    recovery.set_stage(debt, stage)
    return instance


# The steps a diagram's `legal_step` may name (its `step` parameter); the contracts list them.
_STEPS: dict[str, Callable[[DebtCase, ProcessInstance, Mapping[str, Any]], object]] = {
    "prepare_letter_of_claim": lambda debt, instance, data: prepare_letter_of_claim(debt, instance),
    "post_letter_of_claim": lambda debt, instance, data: post_letter_of_claim(debt, instance, data),
    "refer_to_legal": lambda debt, instance, data: refer_to_legal(debt, instance),
    "record_claim": lambda debt, instance, data: record_claim(debt, data),
    "record_judgment": lambda debt, instance, data: record_judgment(debt, instance, data),
    "record_enforcement": lambda debt, instance, data: record_enforcement(debt, data),
    "estate_stage": lambda debt, instance, data: open_estate_stage(debt),
    "final_account": lambda debt, instance, data: send_final_account(debt, instance),
}
LEGAL_STEPS = frozenset(_STEPS)


def run_step(instance: ProcessInstance, step: str, data: Mapping[str, Any]) -> dict | None:
    if step not in _STEPS:
        raise LegalStepRefused(f"unknown legal step '{step}'")
    result = _STEPS[step](recovery.debt_of(instance, data), instance, data)
    return result if isinstance(result, dict) else None  # only dicts become process data


# --- the deferred payment test (s69(2)) ----------------------------------------------------------
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
        recovery.note_guards(debt, guards.GuardDecision({"deferred_payment": reason}))
        audit.record("recovery_held", actor=None, person_id=debt.person_id,
                     instance_id=instance.id,
                     summary={"debt_id": debt.id, "step": step, "guards": ["deferred_payment"]})
        if not _letter_sent(debt, "dpa_offer"):
            issue_letter(instance, "dpa_offer", {}, fields=_dpa_offer_fields(debt))
    raise StepHeld(reason, record)


def _letter_sent(debt: DebtCase, template: str) -> bool:
    return db.session.scalar(select(Letter.id).where(
        Letter.person_id == debt.person_id, Letter.template == template).limit(1)) is not None


def _dpa_offer_fields(debt: DebtCase) -> dict[str, Any]:
    person = db.session.get_one(Person, debt.person_id)
    today = calendar.next_working_day(clock.today())
    return {
        "debt_amount": _balance(debt),
        "property_address": ", ".join([*person.address_lines, person.postcode]),
        "eligibility_summary": "You live in a care home, you own your home and it is not "
                               "disregarded, and your other capital is below the upper limit.",
        "interest_rate_current": settings.get("deferred_payment_interest_text"),
        "rate_period": settings.get("deferred_payment_rate_period_text"),
        "admin_charges": [],
        "accept_by_date": calendar.add_working_days(today, 20),
    }


def _balance(debt: DebtCase) -> Decimal:
    return sum((i.outstanding for i in debt.invoices if i.outstanding > 0), Decimal("0.00"))


# --- the Letter of Claim --------------------------------------------------------------------------
def prepare_letter_of_claim(debt: DebtCase, instance: ProcessInstance) -> dict:
    decision = recovery.decide(debt, guards.LETTER)
    if decision.held:
        raise StepHeld(decision.reason(), recovery.hold_recorder(debt, decision,
                                                                  "letter_of_claim"))
    block = dpa_block(debt)
    if block:
        _hold_for_dpa(debt, instance, block, "letter_of_claim")
    from app.letters import placeholder_enclosures

    placeholders = placeholder_enclosures(ENCLOSURES)
    if placeholders and not settings.get("allow_placeholder_enclosures"):
        raise LegalStepRefused(
            "the Letter of Claim cannot go: its enclosures still hold placeholder text instead "
            "of the official Pre-Action Protocol wording (" + ", ".join(placeholders) + ")")
    letter_date = calendar.next_working_day(clock.today())
    rows, total = statement_of_account(decision.chase)
    loc = LetterOfClaim(debt_case_id=debt.id, status=LetterOfClaimStatus.AWAITING_APPROVAL,
                        amount=total,
                        invoice_ids=[_invoice_id(i.number) for i in decision.chase],
                        created_at=clock.now())
    db.session.add(loc)
    db.session.flush()
    loc.letter_id = _issue_pack(debt, instance, loc, rows, letter_date).id
    recovery.set_stage(debt, "letter_of_claim")
    recovery.note_guards(debt, decision)
    recovery.note_exclusions(debt, decision, "letter_of_claim")
    return {"loc_id": loc.id}


def _issue_pack(debt: DebtCase, instance: ProcessInstance, loc: LetterOfClaim, rows: list,
                letter_date: date) -> Letter:
    letter = issue_letter(instance, "letter_of_claim", {}, fields={
        "debt_amount": loc.amount,
        "interest_continuing": "No interest is being added to this debt.",
        "charges_continuing": "No other charges are being added, but the council may ask the "
                              "court for its costs of recovery (Care Act 2014 s69(5)).",
        "agreement_basis": _agreement_basis(debt),
        "instalment_offer_status": "none",
        "reply_address": ", ".join(_council_address()),
        "statement_of_account": rows,
        "enclosures": ["Statement of account (in this letter)", "Information Sheet",
                       "Reply Form", "Financial Statement"],
    })
    return letter


def _agreement_basis(debt: DebtCase) -> str:
    assessment = db.session.scalar(
        select(FinancialAssessment).where(FinancialAssessment.person_id == debt.person_id)
        .order_by(FinancialAssessment.effective_from.desc()).limit(1))
    if assessment is None:
        return ("The charges follow the council's charging decision for your care and support; "
                "a copy can be requested from us.")
    return (f"The charges follow the financial assessment of {assessment.assessed_on:%d %B %Y} "
            "and your care and support plan; a copy of either can be requested from us.")


def _council_address() -> list[str]:
    council = settings.get("council")
    return [*council.get("address_lines", []), council.get("postcode", "")]


def _invoice_id(number: str) -> int | None:
    return db.session.scalar(select(Invoice.id).where(Invoice.number == number))


def statement_of_account(chase: tuple[guards.InvoiceFact, ...]) -> tuple[list[dict], Decimal]:
    """Every invoice recovery may pursue with the payments on it, oldest first, and the balance.
    Statute-barred and queried invoices are simply not in `chase`. No credit note exists yet:
    invoice queries (DOMAIN.md A.4) will raise them, and they belong here as credit rows."""
    entries = []
    for fact in chase:
        invoice = db.session.scalars(select(Invoice).where(Invoice.number == fact.number)).one()
        entries.append((invoice.invoice_date, 0, f"Invoice {invoice.number}", invoice.total,
                        Decimal("0.00")))
        paid = db.session.execute(
            select(Payment.paid_on, PaymentAllocation.amount)
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .where(PaymentAllocation.invoice_id == invoice.id))
        for paid_on, amount in paid:
            entries.append((paid_on, 1, f"Payment towards {invoice.number}", Decimal("0.00"),
                            amount))
    balance = Decimal("0.00")
    rows = []
    for day, _, description, debit, credit in sorted(entries, key=lambda e: (e[0], e[1])):
        balance += debit - credit
        rows.append({"date": day, "description": description, "debit": debit,
                     "credit": credit, "balance": balance})
    return rows, balance


def post_letter_of_claim(debt: DebtCase, instance: ProcessInstance,
                         data: Mapping[str, Any]) -> dict:
    """Approved: dated and posted today (a working day), so the window counts from today."""
    loc = _loc(data.get("loc_id"))
    decision = _guarded(debt, instance, guards.LETTER, "post_letter_of_claim")
    letter_date = calendar.next_working_day(clock.today())
    letter = db.session.get_one(Letter, loc.letter_id)
    rows, amount = statement_of_account(decision.chase)
    chased = [_invoice_id(i.number) for i in decision.chase]
    if (letter.letter_date, loc.amount, loc.invoice_ids) != (letter_date, amount, chased):
        # Approved on a later day, or the debt changed since (a payment, a query, an invoice
        # now barred): the letter is made again as it stands today, never backdated.
        letter.status = LetterStatus.SUPERSEDED
        loc.amount, loc.invoice_ids = amount, chased
        letter = _issue_pack(debt, instance, loc, rows, letter_date)
        loc.letter_id = letter.id
    letter.status = LetterStatus.PRINT_BATCH  # approved
    for name in ENCLOSURES:  # they go with the approved letter, never before it
        issue_letter(instance, name, {}, fields={})
    loc.status, loc.letter_date = LetterOfClaimStatus.POSTED, letter_date
    loc.deemed_service = calendar.deemed_service_cpr_6_26(letter_date)
    loc.earliest_issue = pap.earliest_issue(letter_date,
                                            days=settings.integer("pap_earliest_issue_days"))
    audit.record("letter_of_claim_posted", actor=None, person_id=debt.person_id,
                 instance_id=instance.id,
                 summary={"loc_id": loc.id, "letter_date": letter_date.isoformat(),
                          "earliest_issue": loc.earliest_issue.isoformat()})
    return {"earliest_issue": loc.earliest_issue.isoformat()}


def _guarded(debt: DebtCase, instance: ProcessInstance, kind: str, step: str
             ) -> guards.GuardDecision:
    """The guards and the s69(2) test again at this step: they may have changed since."""
    decision = recovery.decide(debt, kind)
    if decision.held:
        raise StepHeld(decision.reason(), recovery.hold_recorder(debt, decision, step))
    block = dpa_block(debt)
    if block:
        _hold_for_dpa(debt, instance, block, step)
    return decision


def _loc(loc_id) -> LetterOfClaim:
    loc = db.session.get(LetterOfClaim, loc_id) if loc_id else None
    if loc is None:
        raise NotFound("no Letter of Claim for this step")
    return loc


def current_loc(debt: DebtCase) -> LetterOfClaim | None:
    return db.session.scalar(select(LetterOfClaim).where(
        LetterOfClaim.debt_case_id == debt.id, LetterOfClaim.status == LetterOfClaimStatus.POSTED)
        .order_by(LetterOfClaim.id.desc()).limit(1))


# --- referral and the claim -----------------------------------------------------------------------
def protected_party(person: Person) -> bool:
    return recovery.lacks_capacity(person)


def in_england_wales(postcode: str) -> bool:
    """Whether an address is in England or Wales, by its postcode area (unknown: no)."""
    letters = ""
    for ch in (postcode or "").strip().upper():
        if not ch.isalpha():
            break
        letters += ch
    return bool(letters) and letters not in NOT_ENGLAND_WALES


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
    decision = recovery.decide(debt, guards.COURT, on)
    problems.extend(reason for name, reason in decision.holds.items())
    return problems


def letter_expired(debt: DebtCase, loc: LetterOfClaim, on: date) -> list[str]:
    """Why this Letter of Claim can no longer found a claim (a new one can, §2.2)."""
    assert loc.letter_date is not None  # set when the letter is posted
    reasons = []
    if _plan_broken_since(debt, loc.letter_date):
        reasons.append("an instalment plan broke after this Letter of Claim: send a new one "
                       "before any claim")
    months = settings.integer("letter_of_claim_valid_months")
    if pap.letter_of_claim_stale(loc.letter_date, on, months):
        dated = f"{loc.letter_date.day} {loc.letter_date:%B %Y}"
        reasons.append(f"the Letter of Claim of {dated} is more than {months} months old: "
                       "send a new one before any claim")
    return reasons


def _plan_broken_since(debt: DebtCase, since: date) -> bool:
    from app.models import InstalmentPlan, InstalmentPlanStatus

    return db.session.scalar(select(InstalmentPlan.id).where(
        InstalmentPlan.debt_case_id == debt.id,
        InstalmentPlan.status == InstalmentPlanStatus.BROKEN,
        InstalmentPlan.ended_on >= since).limit(1)) is not None


def claimed(debt: DebtCase, on: date | None = None) -> tuple[guards.InvoiceFact, ...]:
    """What a claim may include: the Letter of Claim's invoices still recoverable today."""
    loc = current_loc(debt)
    ids = set(loc.invoice_ids if loc else [])
    decision = recovery.decide(debt, guards.COURT, on)
    return tuple(i for i in decision.chase if _invoice_id(i.number) in ids)


def route_for(debt: DebtCase, amount: Decimal) -> court.RouteDecision:
    person = db.session.get_one(Person, debt.person_id)
    defendant = court.Defendant(name=person.name, protected_party=protected_party(person),
                                address_in_england_wales=in_england_wales(person.postcode))
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
        raise StepHeld("; ".join(problems), recovery.hold_recorder(
            debt, guards.GuardDecision({"court": "; ".join(problems)}), "refer_to_legal"))
    rows, amount = statement_of_account(claimed(debt))
    route = route_for(debt, amount)
    claim = CourtClaim(debt_case_id=debt.id, route=route.route,
                       route_reasons=list(route.reasons),
                       litigation_friend_needed=route.litigation_friend_needed, amount=amount,
                       fee=settings.court_fee(amount, today), created_at=clock.now())
    db.session.add(claim)
    db.session.flush()
    recovery.set_stage(debt, "legal_referral")
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
    issue_letter(instance, "legal_referral", {}, fields={
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
    issued_on, posted = _as_date(form.get("issued_on")), _as_date(form.get("posted_on"))
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


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def check_standing_search(form: Mapping[str, Any]) -> list[dict]:
    """No grant known: the standing search's date is needed for its six-month renewal."""
    if form.get("grant_known") is False and _as_date(form.get("standing_search_lodged_on")) is None:
        return [{"field": "standing_search_lodged_on",
                 "message": "no grant is known: lodge a standing search and give its date"}]
    return []


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
    recovery.set_stage(debt, "claim_issued")
    audit.record("claim_issued", actor=None, person_id=debt.person_id,
                 instance_id=debt.instance_id,
                 summary={"court_claim_id": claim.id, "route": claim.route,
                          "deemed_served_on": claim.deemed_served_on.isoformat()})
    return {"defence_deadline": claim.defence_by.isoformat()}


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
    recovery.set_stage(debt, "judgment")
    paid = paid_since(debt, claim.judgment_date)
    issue_letter(instance, "enforcement_notice", {}, fields={
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
    decision = recovery.decide(debt, guards.COURT)
    if "breathing_space" in decision.holds or "deceased" in decision.holds:
        held = guards.GuardDecision({k: v for k, v in decision.holds.items()
                                     if k in ("breathing_space", "deceased")})
        raise StepHeld(held.reason(), recovery.hold_recorder(debt, held, step))


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
    recovery.set_stage(debt, "enforcement")
    return None


# --- estates --------------------------------------------------------------------------------------
def send_final_account(debt: DebtCase, instance: ProcessInstance) -> None:
    person = db.session.get_one(Person, debt.person_id)
    ensure_estate(person)
    last = max((i for i in debt.invoices), key=lambda i: i.invoice_date, default=None)
    due: date | str = ""
    if debt.dpa_outcome == "offered_accepted":
        # Not checked upstream: a person marked deceased without a date of death fails here.
        assert person.date_of_death is not None
        due = dpa_due_date(person.date_of_death)
    issue_letter(instance, "estate_final_account", {}, fields={
        "deceased_name": person.name, "date_of_death": person.date_of_death,
        "final_invoice_no": last.number if last else "none", "final_balance": _balance(debt),
        "dpa_due_date": due,
    })
    return None


def instance_of(debt: DebtCase) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    if instance is None:
        raise NotFound("this debt has no running process")
    return instance
