"""What officers record during the legal stage, each one transaction: the deferred payment test,
the Reply Form, documents sent, an offer decided."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app import calendar, clock
from app.domain import court, pap
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import (
    CourtClaim,
    CourtClaimStatus,
    DebtCase,
    Estate,
    LetterOfClaim,
    Person,
    ProcessInstance,
    User,
)
from app.roles import Role

from . import audit, instances, legal, legal_contract, recovery, settings
from .debt_cases import open_debts_of
from .estates import ensure_estate
from .letters import issue_letter
from .transaction import use_case

DPA_OUTCOMES = ("offered_accepted", "offered_refused", "ineligible", "not_eligible")
REPLY_BOXES = ("A", "B", "C", "D")


@use_case
def record_dpa_test(debt: DebtCase, outcome: str, evidence: str | None, actor: User
                    ) -> DebtCase:
    """Care Act s69(2): an offer accepted or refused, or evidence the person could not enter a
    deferred payment agreement. A refusal or ineligibility needs its evidence."""
    if outcome not in DPA_OUTCOMES:
        raise ValidationFailed("unknown outcome", [{"field": "outcome",
                                                    "message": f"one of {DPA_OUTCOMES}"}])
    if outcome.startswith("offered_") and not legal._letter_sent(debt, "dpa_offer"):
        raise Conflict("no deferred payment offer (DR-DPA-OFFER) has been sent for this debt")
    if outcome != "offered_accepted" and not (evidence or "").strip():
        raise ValidationFailed("record the evidence", [{"field": "evidence", "message":
                               "a refusal or ineligibility needs its evidence"}])
    debt.dpa_outcome, debt.dpa_evidence = outcome, (evidence or "").strip() or None
    audit.record("dpa_test_recorded", actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id, summary={"debt_id": debt.id, "outcome": outcome})
    guards_now = dict(debt.guards or {})
    guards_now.pop("deferred_payment", None)
    debt.guards = guards_now
    recovery.recheck(debt, actor)
    return debt


def _posted_loc(debt: DebtCase) -> LetterOfClaim:
    loc = legal.current_loc(debt)
    if loc is None:
        raise Conflict("no Letter of Claim has been posted for this debt")
    return loc


@use_case
def record_reply(debt: DebtCase, *, received_on: date, box: str | None,
                 offer_amount: Decimal | None, offer_frequency: str | None,
                 documents_requested: bool, seeking_advice: bool, actor: User) -> LetterOfClaim:
    """A Reply Form arrived: the earliest issue date moves (never earlier) and the timer with it."""
    loc = _posted_loc(debt)
    assert loc.letter_date is not None  # legal.post_letter_of_claim dates what it posts
    if received_on > clock.today() or received_on < loc.letter_date:
        raise ValidationFailed("the reply date must fall between the letter and today",
                               [{"field": "received_on", "message": "out of range"}])
    loc.reply_received_on, loc.reply_box = received_on, box
    loc.offer_amount, loc.offer_frequency = offer_amount, offer_frequency
    loc.documents_requested, loc.seeking_advice = documents_requested, seeking_advice
    _recompute(debt, loc, actor, "Reply Form received")
    instance = legal.instance_of(debt)
    if box is None:
        recovery.raise_task(instance, "contact_debtor_incomplete_reply",
                            "Incomplete Reply Form: contact the person for what is missing",
                            Role.FINANCE_OFFICER, recovery.NOTES_FORM)
    if box == "D":
        recovery.raise_task(instance, "review_dispute",
                            "Reply Form disputes the debt: review (a query or Legal)",
                            Role.FINANCE_MANAGER, recovery.NOTES_FORM)
    return loc


@use_case
def documents_provided(debt: DebtCase, provided_on: date, documents: list[str],
                       actor: User) -> LetterOfClaim:
    loc = _posted_loc(debt)
    # legal.post_letter_of_claim sets both when it posts the letter.
    assert loc.letter_date is not None and loc.earliest_issue is not None
    if not loc.documents_requested:
        raise Conflict("the Reply Form asked for no documents")
    if provided_on > clock.today() or provided_on < (loc.reply_received_on or loc.letter_date):
        raise ValidationFailed("the date must fall between the Reply Form and today",
                               [{"field": "provided_on", "message": "out of range"}])
    loc.documents_provided_on = provided_on
    before = loc.earliest_issue
    _recompute(debt, loc, actor, "documents provided")
    issue_letter(legal.instance_of(debt), "pap_documents", {}, fields={
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
                               [{"field": "reasons", "message": "give at least one reason"}])
    loc.offer_decision, loc.refusal_reasons = ("accepted", []) if accept else ("refused", reasons)
    audit.record("pap_offer_" + loc.offer_decision, actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id, summary={"loc_id": loc.id})
    if not accept:
        issue_letter(legal.instance_of(debt), "pap_offer_refused", {}, fields={
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
    instance = legal.instance_of(debt)
    timer = legal_contract.EARLIEST_ISSUE_TIMER
    if timer in instances.waiting_timers_of(instance):
        instances.move_timer(instance, timer, calendar.at_local_hour(earliest), actor,
                             reason)


RESPONSE_TIMER = "response_deadline_passed"


@use_case
def record_acknowledgment(debt: DebtCase, filed_on: date, actor: User) -> CourtClaim:
    """An acknowledgment of service gives the defendant 28 days from service to defend
    (CPR 15.4(1)(b)): the default-judgment timer moves with the deadline."""
    claim = legal.current_claim(debt)
    if claim is None or claim.status != CourtClaimStatus.ISSUED:
        raise Conflict("no issued claim is waiting for a response")
    # Recording the issue (legal.record_claim) sets both dates with the ISSUED status.
    assert claim.issued_on is not None and claim.deemed_served_on is not None
    if claim.aos_filed_on is not None:
        raise Conflict("an acknowledgment is already recorded")
    if filed_on > clock.today() or filed_on < claim.issued_on:
        raise ValidationFailed("the date must fall between the issue date and today",
                               [{"field": "filed_on", "message": "out of range"}])
    claim.aos_filed_on = filed_on
    claim.defence_by = court.claim_deadlines(claim.deemed_served_on).defence_by_with_aos
    instance = legal.instance_of(debt)
    if RESPONSE_TIMER in instances.waiting_timers_of(instance):
        due = calendar.next_working_day(calendar.add_calendar_days(
            claim.defence_by, settings.integer("default_judgment_grace_days")))
        instances.move_timer(instance, RESPONSE_TIMER, calendar.at_local_hour(due), actor,
                             "acknowledgment of service filed")
    audit.record("claim_acknowledged", actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id,
                 summary={"court_claim_id": claim.id, "defence_by": claim.defence_by.isoformat()})
    return claim


@use_case
def record_grant(person: Person, grant_type: str, grant_date: date, actor: User) -> Estate:
    """A grant of probate or letters of administration: the estate route claims against it."""
    if not person.deceased:
        raise Conflict("no death is recorded for this person")
    if grant_date > clock.today() or (person.date_of_death and grant_date < person.date_of_death):
        raise ValidationFailed("the grant date must fall between the death and today",
                               [{"field": "grant_date", "message": "out of range"}])
    estate = ensure_estate(person)
    estate.grant_type, estate.grant_date = grant_type, grant_date
    audit.record("grant_recorded", actor=actor, person_id=person.id,
                 summary={"grant_type": grant_type})
    for debt in open_debts_of(person):
        instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
        if instance is None or instance.version.definition.key != legal.ESTATE_KEY:
            continue
        try:
            instances.send_message_to(instance, "grant_recorded", {}, actor)
        except Conflict:
            pass  # past the point where a grant changes anything
    return estate
