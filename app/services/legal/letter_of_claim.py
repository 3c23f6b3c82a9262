"""The legal stage: Letter of Claim, the Pre-Action Protocol window, referral and the claim.

The law is checked here, whatever the diagram says: no Letter of Claim (and no claim) while the
deferred payment test blocks court recovery (Care Act s69(2)); statute-barred invoices never
appear; the enclosures must hold the official wording; no claim is issued before the earliest
issue date; Money Claim Online only where all its conditions hold.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select

from app import calendar, clock
from app.domain import guards, pap
from app.engine.types import StepHeld
from app.errors import NotFound
from app.extensions import db
from app.letters import placeholder_enclosures
from app.models import (
    CreditNote,
    CreditNoteStatus,
    DebtCase,
    FinancialAssessment,
    InstalmentPlan,
    InstalmentPlanStatus,
    Invoice,
    Letter,
    LetterOfClaim,
    LetterOfClaimStatus,
    LetterStatus,
    Payment,
    PaymentAllocation,
    ProcessInstance,
)
from app.services import audit, settings
from app.services.correspondence.letters import issue_letter
from app.services.debts import cases, recovery_guards
from app.services.legal.deferred_payment_test import _hold_for_dpa, dpa_block
from app.services.legal.legal_stage import LegalStepRefused

ENCLOSURES = ("pap_information_sheet", "pap_reply_form", "pap_financial_statement")


# --- the Letter of Claim --------------------------------------------------------------------------
def prepare_letter_of_claim(debt: DebtCase, instance: ProcessInstance) -> dict:
    decision = _guarded(debt, instance, guards.LETTER, "letter_of_claim")
    placeholders = enclosures_still_placeholders()
    if placeholders:
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
    cases.set_stage(debt, "letter_of_claim")
    recovery_guards.note_guards(debt, decision)
    recovery_guards.note_exclusions(debt, decision, "letter_of_claim")
    return {"loc_id": loc.id}


def enclosures_still_placeholders() -> list[str]:
    """The enclosures that still hold placeholder text, unless the demo switch allows them."""
    if settings.get("allow_placeholder_enclosures"):
        return []
    return placeholder_enclosures(ENCLOSURES)


def _issue_pack(debt: DebtCase, instance: ProcessInstance, loc: LetterOfClaim, rows: list,
                letter_date: date) -> Letter:
    letter = issue_letter(instance, "letter_of_claim", {
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
    """Every invoice recovery may pursue with the payments and issued credit notes on it,
    oldest first, and the balance. Statute-barred and queried invoices are simply not in
    `chase`."""
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
        credited = db.session.execute(
            select(CreditNote.issued_on, CreditNote.number, CreditNote.amount)
            .where(CreditNote.invoice_id == invoice.id,
                   CreditNote.status == CreditNoteStatus.ISSUED))
        for issued_on, number, amount in credited:
            entries.append((issued_on or clock.today(), 1,
                            f"Credit note {number} on {invoice.number}", Decimal("0.00"), amount))
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
        issue_letter(instance, name, {})
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
    """The guards and the s69(2) test, before the letter and again when it is posted: they may
    have changed since. The letter is about capital or property (an appointee may not get it)."""
    decision = recovery_guards.decide(debt, kind, matter=recovery_guards.PROPERTY)
    if decision.held:
        raise StepHeld(decision.reason(), recovery_guards.hold_recorder(
            debt, decision, step, recovery_guards.PROPERTY))
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


# --- whether a letter can still found a claim -----------------------------------------------------
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
    return db.session.scalar(select(InstalmentPlan.id).where(
        InstalmentPlan.debt_case_id == debt.id,
        InstalmentPlan.status == InstalmentPlanStatus.BROKEN,
        InstalmentPlan.ended_on >= since).limit(1)) is not None
