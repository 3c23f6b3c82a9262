"""What officers record during the legal stage, each one transaction: the deferred payment test,
the Reply Form, documents sent, an offer decided."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable

from app import calendar, clock
from app.domain import pap
from app.domain.queries import TYPE_WORDS, WHAT_WAS_SAID_MAX
from app.errors import Conflict, ValidationFailed
from app.letters.formatting import format_date
from app.models import (
    DebtCase,
    DebtCaseStatus,
    LetterOfClaim,
    QueryType,
    User,
)
from app.roles import Role
from app.services import audit, settings
from app.services.correspondence.letters import issue_letter
from app.services.debts import cases, recovery_guards
from app.services.legal import legal_contract, letter_of_claim
from app.services.processes import instances
from app.services.transaction import use_case

REPLY_BOXES = ("A", "B", "C", "D")
DOCUMENTS_MAX = 20
DOCUMENT_NAME_MAX = 200
# A Reply Form's dispute about the invoices is queried as this unless the form says otherwise.
DISPUTE_TYPE = QueryType.RATE_WRONG
# Who opens the invoice query for a Reply Form disputing the invoices (debt, received on, what
# they dispute, the query's type, actor), inside its transaction: the queries capability, after
# this one, installs it (app/services/wiring.py).
InvoiceDispute = Callable[[DebtCase, date, str, str, User], object]
INVOICE_DISPUTE_LISTENERS: list[InvoiceDispute] = []


def on_invoice_dispute(listener: InvoiceDispute) -> None:
    if listener not in INVOICE_DISPUTE_LISTENERS:
        INVOICE_DISPUTE_LISTENERS.append(listener)


@dataclass(frozen=True)
class PapRecords:
    """What may be recorded on the debt's posted Letter of Claim now (the rules below)."""
    loc: LetterOfClaim | None
    reply: bool
    documents: bool
    offer: bool


def what_can_be_recorded(debt: DebtCase) -> PapRecords:
    """The Reply Form once a Letter of Claim is posted for an open debt; documents when the
    Reply Form asked for them; a decision on an offer made and not yet decided."""
    loc = letter_of_claim.current_loc(debt) if debt.status == DebtCaseStatus.OPEN else None
    if loc is None:
        return PapRecords(None, False, False, False)
    return PapRecords(loc, True, loc.documents_requested,
                      loc.offer_amount is not None and loc.offer_decision is None)


def _posted_loc(debt: DebtCase) -> LetterOfClaim:
    if debt.status != DebtCaseStatus.OPEN:
        raise Conflict("this debt is closed")
    loc = letter_of_claim.current_loc(debt)
    if loc is None:
        raise Conflict("no Letter of Claim has been posted for this debt")
    return loc


def _not_future_nor_before(field: str, what: str, day: date, earliest: date,
                           earliest_what: str) -> None:
    """A date staff record must have happened, and not before what it answers."""
    if day > clock.today():
        raise ValidationFailed(f"{what} is in the future", [
            {"field": field, "message": f"{what} must be today or in the past"}])
    if day < earliest:
        raise ValidationFailed(f"{what} is before {earliest_what}", [
            {"field": field, "message": f"{what} must be on or after {earliest_what}, "
                                        f"{format_date(earliest)}"}])


def _offer_problems(offer_amount: Decimal | None, offer_frequency: str | None) -> list[dict]:
    if offer_amount is not None and not (offer_frequency or "").strip():
        return [{"field": "offer_frequency", "message": "select how often they offer to pay"}]
    if offer_amount is None and (offer_frequency or "").strip():
        return [{"field": "offer_amount", "message": "enter the amount they offer to pay"}]
    return []


@use_case
def record_reply(debt: DebtCase, *, received_on: date, box: str | None,
                 offer_amount: Decimal | None, offer_frequency: str | None,
                 documents_requested: bool, seeking_advice: bool, actor: User,
                 disputes_invoices: bool | None = None, dispute: str | None = None,
                 dispute_type: str | None = None) -> LetterOfClaim:
    """A Reply Form arrived: the earliest issue date moves (never earlier) and the timer with it.

    Box D (a dispute) says whether the dispute is about whether the invoices are right
    (`disputes_invoices`, required then; DOMAIN.md A.3 step 8): if it is, an invoice query is
    opened in this transaction on the debt's outstanding invoices (by letter, from the person,
    of `dispute_type`, "rate or charge wrong" unless given, what was said being `dispute`), and
    its holds keep recovery back; if not, a finance manager reviews it (Legal review)."""
    loc = _posted_loc(debt)
    assert loc.letter_date is not None  # letter_of_claim.post_letter_of_claim dates what it posts
    _not_future_nor_before("received_on", "the date the Reply Form was received", received_on,
                           loc.letter_date, "the date of the Letter of Claim")
    problems = _offer_problems(offer_amount, offer_frequency)
    if box == "D":
        problems += _dispute_problems(disputes_invoices, dispute, dispute_type)
    if problems:
        raise ValidationFailed("the Reply Form has problems", problems)
    if (offer_amount, offer_frequency) != (loc.offer_amount, loc.offer_frequency):
        # A different offer (or none) is not the one decided: the new one must be considered.
        loc.offer_decision, loc.refusal_reasons = None, []
    loc.reply_received_on, loc.reply_box = received_on, box
    loc.offer_amount, loc.offer_frequency = offer_amount, offer_frequency
    loc.documents_requested, loc.seeking_advice = documents_requested, seeking_advice
    _recompute(debt, loc, actor, "Reply Form received")
    instance = cases.process_of(debt)
    if box is None:
        recovery_guards.raise_task(instance, "contact_debtor_incomplete_reply",
                                   "Incomplete Reply Form: contact the person for what is missing",
                                   Role.FINANCE_OFFICER, recovery_guards.NOTES_FORM)
    if box == "D" and disputes_invoices and INVOICE_DISPUTE_LISTENERS:
        for listener in INVOICE_DISPUTE_LISTENERS:
            listener(debt, received_on, (dispute or "").strip(), dispute_type or DISPUTE_TYPE,
                     actor)
    elif box == "D":
        recovery_guards.raise_task(instance, "review_dispute",
                                   "Reply Form disputes the debt: review (a query or Legal)",
                                   Role.FINANCE_MANAGER, recovery_guards.NOTES_FORM)
    return loc


def _dispute_problems(disputes_invoices: bool | None, dispute: str | None,
                      dispute_type: str | None) -> list[dict]:
    if disputes_invoices is None:
        return [{"field": "disputes_invoices",
                 "message": "say whether the dispute is about whether the invoices are right"}]
    if not disputes_invoices:
        return []
    problems = []
    said = (dispute or "").strip()
    if not said:
        problems.append({"field": "dispute", "message": "say what they dispute, in their words "
                                                        "or yours"})
    elif len(said) > WHAT_WAS_SAID_MAX:
        problems.append({"field": "dispute", "message": "what they dispute must be "
                                                        f"{WHAT_WAS_SAID_MAX:,} characters or "
                                                        "fewer"})
    if dispute_type is not None and dispute_type not in TYPE_WORDS:
        problems.append({"field": "dispute_type",
                         "message": f"must be one of {', '.join(TYPE_WORDS)}"})
    return problems


@use_case
def documents_provided(debt: DebtCase, provided_on: date, documents: list[str],
                       actor: User) -> LetterOfClaim:
    loc = _posted_loc(debt)
    # letter_of_claim.post_letter_of_claim sets both when it posts the letter.
    assert loc.letter_date is not None and loc.earliest_issue is not None
    if not loc.documents_requested:
        raise Conflict("the Reply Form asked for no documents")
    if loc.reply_received_on is not None:
        _not_future_nor_before("provided_on", "the date the documents were sent", provided_on,
                               loc.reply_received_on, "the date the Reply Form was received")
    else:
        _not_future_nor_before("provided_on", "the date the documents were sent", provided_on,
                               loc.letter_date, "the date of the Letter of Claim")
    documents = [d.strip() for d in documents if d and d.strip()]
    if not documents or len(documents) > DOCUMENTS_MAX or any(
            len(d) > DOCUMENT_NAME_MAX for d in documents):
        raise ValidationFailed("list the documents sent", [{
            "field": "documents",
            "message": f"list between 1 and {DOCUMENTS_MAX} documents sent, one a line, each "
                       f"{DOCUMENT_NAME_MAX} characters or fewer"}])
    loc.documents_provided_on = provided_on
    before = loc.earliest_issue
    _recompute(debt, loc, actor, "documents provided")
    issue_letter(cases.process_of(debt), "pap_documents", {
        "documents_enclosed": documents,
        "response_to_offer": "We will reply to your offer separately."
        if loc.offer_amount and not loc.offer_decision else "No offer was made.",
    })
    audit.record("pap_documents_sent", actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id,
                 summary={"earliest_before": before.isoformat(),
                          "earliest_now": loc.earliest_issue.isoformat()})
    return loc


@use_case
def decide_offer(debt: DebtCase, accept: bool, reasons: list[str], counter_proposal: str | None,
                 income_expenditure_summary: str | None, actor: User) -> LetterOfClaim:
    """An offer may be refused only with written reasons (letter PAP-REFUSE)."""
    loc = _posted_loc(debt)
    if loc.offer_amount is None:
        raise Conflict("no offer has been recorded on the Reply Form")
    if loc.offer_decision is not None:
        raise Conflict(f"the offer was already {loc.offer_decision}")
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not accept and not reasons:
        raise ValidationFailed("an offer can be refused only with written reasons",
                               [{"field": "reasons",
                                 "message": "enter the reasons for refusing the offer"}])
    loc.offer_decision, loc.refusal_reasons = ("accepted", []) if accept else ("refused", reasons)
    audit.record("pap_offer_" + loc.offer_decision, actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id, summary={"loc_id": loc.id})
    if not accept:
        issue_letter(cases.process_of(debt), "pap_offer_refused", {
            "offer_amount": loc.offer_amount,
            "income_expenditure_summary": income_expenditure_summary or "not provided",
            "reasons": reasons, "counter_proposal": counter_proposal or "none"})
    return loc


def _recompute(debt: DebtCase, loc: LetterOfClaim, actor: User, reason: str) -> None:
    assert loc.letter_date is not None  # only posted letters are recomputed
    earliest = pap.earliest_issue(loc.letter_date,
                                  days=settings.integer("pap_earliest_issue_days"),
                                  reply_received=loc.reply_received_on,
                                  documents_provided=loc.documents_provided_on,
                                  prior=loc.earliest_issue)
    if earliest == loc.earliest_issue:
        return
    loc.earliest_issue = earliest
    instance = cases.process_of(debt)
    timer = legal_contract.EARLIEST_ISSUE_TIMER
    if timer in instances.waiting_timers_of(instance):
        instances.move_timer(instance, timer, calendar.at_local_hour(earliest), actor,
                             reason)
