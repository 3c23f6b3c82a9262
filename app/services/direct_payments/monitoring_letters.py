"""The direct-payment monitoring letters (DOMAIN.md A.2 and (b) 7-14): the figures each prints,
read from the records (the agreement, its reviews, audits, s33(5) decisions, card data and
payment instructions). Process data gives only the ids of those records, so a letter always says
what the records say, even when a task's answers were changed afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, TypeVar

from sqlalchemy import select

from app.domain import direct_payments as rules
from app.errors import Conflict, NotFound
from app.extensions import db
from app.letters import format_money
from app.models import Letter, ProcessInstance
from app.models.direct_payments import (
    AccountType,
    CardTransaction,
    DirectPaymentAudit,
    DirectPaymentDecision,
    DirectPaymentReview,
    InstructionKind,
    PaymentInstruction,
    ReviewKind,
    ReviewStatus,
    Section33Decision,
)
from app.models.people import DirectPaymentAgreement
from app.services import settings
from app.services.correspondence.letters import issue_letter, next_letter_date
from app.services.direct_payments.letters import FREQUENCY_TEXT

_Record = TypeVar("_Record")


def send_monitoring_letter(instance: ProcessInstance, template: str, data: Mapping[str, Any]
                           ) -> Letter:
    """Issue one of the monitoring letters for the agreement `data["agreement_id"]` names.

    Audit letters also need `data["audit_id"]`, the review letter `data["review_id"]`, the
    s33(5) and repayment letters `data["decision_id"]`. NotFound when a record is missing;
    Conflict when it is not this case's, or lacks a figure the letter must print.
    """
    if template not in _BUILDERS:
        raise NotFound(f"'{template}' is not a direct-payment monitoring letter")
    agreement = _record(DirectPaymentAgreement, data, "agreement_id",
                        "direct-payment agreement")
    if agreement.person_id != instance.person_id:
        raise Conflict(f"direct-payment agreement {agreement.id} is not this person's")
    letter_date = next_letter_date()
    facts = _Facts(agreement, data, letter_date)
    fields = {"dp.agreement_id": f"DP-{agreement.id}", "dp.amount": Decimal(agreement.amount),
              "dp.frequency": FREQUENCY_TEXT.get(agreement.frequency, agreement.frequency),
              **_BUILDERS[template](facts)}
    return issue_letter(instance, template, fields, letter_date)


@dataclass(frozen=True)
class _Facts:
    agreement: DirectPaymentAgreement
    data: Mapping[str, Any]
    letter_date: date

    def audit(self) -> DirectPaymentAudit:
        audit = _record(DirectPaymentAudit, self.data, "audit_id", "direct-payment audit")
        self._owns(audit.agreement_id, f"audit {audit.reference}")
        return audit

    def review(self) -> DirectPaymentReview:
        review = _record(DirectPaymentReview, self.data, "review_id", "direct-payment review")
        self._owns(review.agreement_id, f"review {review.id}")
        return review

    def decision(self) -> DirectPaymentDecision:
        decision = _record(DirectPaymentDecision, self.data, "decision_id",
                           "direct-payment decision")
        self._owns(decision.agreement_id, f"decision {decision.id}")
        return decision

    def _owns(self, agreement_id: int, what: str) -> None:
        if agreement_id != self.agreement.id:
            raise Conflict(f"{what} is not about direct-payment agreement {self.agreement.id}")


def _record(model: type[_Record], data: Mapping[str, Any], key: str, what: str) -> _Record:
    record_id = data.get(key)
    if record_id is None:
        raise NotFound(f"the letter needs {key}: which {what} it is about")
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(f"no {what} {record_id}")
    return record


def _needed(value: Any, what: str) -> Any:
    if value is None:
        raise Conflict(f"the letter cannot be sent: {what}")
    return value


# ----------------------------------------------------------------------------- reviews


_REVIEW_REASONS: dict[str, str] = {
    ReviewKind.LIGHT_TOUCH: "This is a short check soon after the direct payment started, to "
                            "make sure it is working well.",
    ReviewKind.FIRST: "The law says the council must review a direct payment within 6 months "
                      "of the first payment, and at least every 12 months after that.",
    ReviewKind.ANNUAL: "The law says the council must review a direct payment at least every 12 "
                       "months.",
    ReviewKind.CONCERN: "We need to review it sooner than planned, to talk about a concern about "
                        "how the direct payment is working.",
}


def _review_due(f: _Facts) -> dict[str, Any]:
    review = f.review()
    caseworker = f.agreement.caseworker or f.agreement.person.caseworker
    return {"review_reason": _REVIEW_REASONS.get(review.kind, _REVIEW_REASONS[ReviewKind.ANNUAL]),
            "review_due_date": review.due_on,
            "who_will_contact": (f"{caseworker.full_name}, the social worker,"
                                 if caseworker and caseworker.full_name else "The social worker")}


def next_review_by(agreement: DirectPaymentAgreement) -> date:
    """The next review the law requires: the earliest one due on record, else the date reg 7
    sets from the first payment and the last review."""
    due = db.session.scalar(
        select(DirectPaymentReview.due_on)
        .where(DirectPaymentReview.agreement_id == agreement.id,
               DirectPaymentReview.status == ReviewStatus.DUE,
               DirectPaymentReview.kind != ReviewKind.LIGHT_TOUCH)
        .order_by(DirectPaymentReview.due_on))
    if due is not None:
        return due
    first = _needed(agreement.first_payment_date, "no first payment date is recorded")
    return rules.review_due(first, agreement.last_review_date)


# ----------------------------------------------------------------------------- audits

_CARD_EVIDENCE = (
    "a receipt or invoice for each payment out in the table",
    "payslips and timesheets for any personal assistants paid from the card",
    "the employer's liability insurance certificate, if the direct payment employs a personal "
    "assistant",
)


def _documents(agreement: DirectPaymentAgreement) -> list[str]:
    # Prepaid cards: the council sees the transactions, so evidence of spend, not statements
    # (DOMAIN.md §3.3 [S66][S73][S74]); own and managed accounts: the full list (a setting).
    if agreement.account_type == AccountType.CARD:
        return list(_CARD_EVIDENCE)
    return [str(item) for item in settings.get("dp_audit_documents")]


def card_statement(agreement_id: int, start: date, end: date) -> list[dict[str, Any]]:
    """The card's lines from `start` to `end`, as the audit request's table prints them."""
    rows = db.session.scalars(
        select(CardTransaction)
        .where(CardTransaction.agreement_id == agreement_id,
               CardTransaction.posted_on >= start, CardTransaction.posted_on <= end)
        .order_by(CardTransaction.posted_on, CardTransaction.id))
    return [{"date": row.posted_on,
             "description": row.payee or row.kind.replace("_", " ").capitalize(),
             "money_in": Decimal(row.amount) if row.amount > 0 else "",
             "money_out": -Decimal(row.amount) if row.amount < 0 else ""} for row in rows]


def _audit_request(f: _Facts) -> dict[str, Any]:
    audit = f.audit()
    fields = {"audit_ref": audit.reference, "account_type": f.agreement.account_type,
              "period_from": audit.period_from, "period_to": audit.period_to,
              "documents_required": _documents(f.agreement),
              "return_by_date": _needed(audit.documents_due_on,
                                        f"audit {audit.reference} has no date for its documents")}
    if f.agreement.account_type == AccountType.CARD:
        lines = card_statement(f.agreement.id, audit.period_from, audit.period_to)
        fields["transactions"] = lines
        if not any(line["money_out"] for line in lines):  # no payment out to evidence
            fields["documents_required"] = fields["documents_required"][1:]
    return fields


def _audit_reminder(f: _Facts) -> dict[str, Any]:
    audit = f.audit()
    return {"audit_ref": audit.reference,
            "original_request_date": _needed(audit.requested_on,
                                             f"audit {audit.reference} was never requested"),
            "return_by_date": _needed(audit.reminder_due_on,
                                      f"audit {audit.reference} has no reminder date"),
            "documents_required": _documents(f.agreement)}


def _contingency_weeks(agreement: DirectPaymentAgreement) -> int:
    return agreement.contingency_weeks or settings.integer("dp_contingency_weeks")


def _account_reviewed(f: _Facts) -> dict[str, Any]:
    audit = f.audit()
    observations = ["The money was spent on the support in the support plan, and the records "
                    "we asked for were in order."]
    if audit.balance is not None and audit.contingency is not None:
        observations.append(
            f"The balance of {format_money(Decimal(audit.balance))} is within the "
            f"{format_money(Decimal(audit.contingency))} the account may keep for unexpected "
            "costs.")
    return {"audit_ref": audit.reference, "review_date": audit.closed_on or f.letter_date,
            "balance_at_review": "" if audit.balance is None else Decimal(audit.balance),
            "next_review_by": next_review_by(f.agreement), "observations": observations}


def surplus_figures(agreement: DirectPaymentAgreement, audit: DirectPaymentAudit
                    ) -> dict[str, Any]:
    """DP-SURPLUS's sum, from the audit row: balance - commitments - contingency."""
    weekly = rules.weekly_amount(Decimal(agreement.amount), agreement.frequency)
    weeks = _contingency_weeks(agreement)
    contingency = (rules.contingency(weekly, weeks) if audit.contingency is None
                   else Decimal(audit.contingency))
    if weekly and contingency % weekly == 0:
        weeks = int(contingency / weekly)  # the weeks the audit counted, if the setting moved
    balance = Decimal(_needed(audit.balance, f"audit {audit.reference} has no balance"))
    commitments = Decimal(audit.commitments or 0)
    surplus = (rules.surplus(balance, commitments, weekly, weeks) if audit.surplus is None
               else Decimal(audit.surplus))
    if surplus <= 0:
        raise Conflict(f"audit {audit.reference} found no surplus to ask for")
    return {"weekly_dp_amount": weekly, "contingency_weeks": weeks,
            "contingency_amount": contingency, "balance_date": audit.opened_on,
            "balance_at_date": balance, "outstanding_commitments": commitments,
            "surplus_amount": surplus}


def _recoup_date(agreement: DirectPaymentAgreement, audit: DirectPaymentAudit) -> date | None:
    return db.session.scalar(
        select(PaymentInstruction.effective_on)
        .where(PaymentInstruction.agreement_id == agreement.id,
               PaymentInstruction.kind == InstructionKind.RECOUP,
               PaymentInstruction.effective_on >= audit.opened_on)
        .order_by(PaymentInstruction.id.desc()))


def _surplus_notice(f: _Facts) -> dict[str, Any]:
    audit = f.audit()
    card = f.agreement.account_type == AccountType.CARD
    when = (_recoup_date(f.agreement, audit) if card else None) or audit.repay_by
    return {"audit_ref": audit.reference, **surplus_figures(f.agreement, audit),
            "recovery_method": "card" if card else "repay",
            "recovery_date": _needed(when, f"audit {audit.reference} has no repay-by date"),
            "payment_details": settings.get("dp_repayment_methods_text")}


# ----------------------------------------------------------------------------- decisions


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()] or ["No reasons were given."]


def _decided(decision: DirectPaymentDecision) -> dict[str, Any]:
    maker = decision.decided_by
    return {"decision_date": decision.decided_on,
            "decision_maker": maker.full_name or maker.username,
            "reasons": _paragraphs(decision.reasons),
            "complaints_route": settings.get("complaints_route_text")}


def _repayment_required(f: _Facts) -> dict[str, Any]:
    decision = f.decision()
    total = _needed(decision.repayment, f"decision {decision.id} requires no repayment")
    audit = db.session.get(DirectPaymentAudit, decision.audit_id) if decision.audit_id else None
    # The audit's date when the decision follows one (its recovery counts from it); otherwise
    # the repayment period from the letter.
    repay_by = (audit.repay_by if audit and audit.repay_by else
                rules.person_due_date(f.letter_date, settings.integer("dp_repayment_days")))
    return {**_decided(decision), "total_repayable": Decimal(total), "repay_by_date": repay_by,
            "payment_options": settings.get("dp_repayment_methods_text")}


_DECISION_INSTRUCTION = {Section33Decision.REDUCE: InstructionKind.CHANGE,
                         Section33Decision.SUSPEND: InstructionKind.SUSPEND,
                         Section33Decision.TERMINATE: InstructionKind.STOP}


def effective_date(agreement: DirectPaymentAgreement, decision: DirectPaymentDecision) -> date:
    """When a decision takes effect: the date on the instruction it gave whoever pays (or the
    agreement's end), else the day it was made."""
    if decision.decision == Section33Decision.TERMINATE and agreement.ended_on:
        return agreement.ended_on
    kind = _DECISION_INSTRUCTION.get(Section33Decision(decision.decision))
    on = kind and db.session.scalar(
        select(PaymentInstruction.effective_on)
        .where(PaymentInstruction.agreement_id == agreement.id, PaymentInstruction.kind == kind,
               PaymentInstruction.effective_on >= decision.decided_on)
        .order_by(PaymentInstruction.id.desc()))
    return on or decision.decided_on


def _s33_decision(f: _Facts) -> dict[str, Any]:
    decision = f.decision()
    fields = {**_decided(decision), "decision": decision.decision,
              "effective_date": effective_date(f.agreement, decision)}
    if decision.new_amount is not None:
        fields["new_amount"] = Decimal(decision.new_amount)
    if decision.repayment is not None:
        fields["repayment"] = Decimal(decision.repayment)
    return fields


# ----------------------------------------------------------------------------- the end


def _end_reasons(agreement: DirectPaymentAgreement) -> list[str]:
    if agreement.end_reason == "council":
        decision = db.session.scalar(
            select(DirectPaymentDecision)
            .where(DirectPaymentDecision.agreement_id == agreement.id,
                   DirectPaymentDecision.decision == Section33Decision.TERMINATE)
            .order_by(DirectPaymentDecision.id.desc()))
        if decision is not None:
            return _paragraphs(decision.reasons)
        return ["The council has given notice to end the direct payment."]
    if agreement.end_reason == "notice":
        return ["We received notice that the direct payment should end."]
    return ["The direct payment is ending."]


def _termination(f: _Facts) -> dict[str, Any]:
    given = f.data.get("notice_ends_on")
    ends = f.agreement.ended_on or (date.fromisoformat(str(given)) if given else None)
    ends = _needed(ends, "the direct payment has no end date yet")
    return {"effective_date": ends, "notice_period_weeks": settings.integer("dp_notice_weeks"),
            "reasons": _end_reasons(f.agreement),
            "alternative_support": settings.get("dp_alternative_arrangements_text"),
            "surplus_return_deadline": rules.surplus_return_by(
                ends, settings.integer("dp_surplus_return_weeks"))}


def account_details(agreement: DirectPaymentAgreement) -> str:
    """The account in words, with its card number when there is one."""
    if agreement.account_type == AccountType.CARD:
        card = f" number {agreement.card_id}" if agreement.card_id else ""
        return f"direct payment DP-{agreement.id}, paid onto prepaid card{card}"
    if agreement.account_type == AccountType.MANAGED:
        return f"direct payment DP-{agreement.id}, paid into a managed account"
    return f"direct payment DP-{agreement.id}, paid into a bank account used only for it"


def _executor(f: _Facts) -> dict[str, Any]:
    person = f.agreement.person
    if not person.deceased:
        raise Conflict(f"no death is recorded for {person.name}")
    died = _needed(person.date_of_death, f"no date of death is recorded for {person.name}")
    return {"deceased.name": person.name, "date_of_death": died,
            "account_details": account_details(f.agreement),
            "return_by_date": rules.person_due_date(
                f.letter_date, settings.integer("dp_audit_response_days"))}


_BUILDERS: dict[str, Callable[[_Facts], dict[str, Any]]] = {
    "dp_review_due": _review_due,
    "dp_audit_request": _audit_request,
    "dp_audit_reminder": _audit_reminder,
    "dp_account_reviewed": _account_reviewed,
    "dp_surplus_notice": _surplus_notice,
    "dp_repayment_required": _repayment_required,
    "dp_s33_decision": _s33_decision,
    "dp_termination": _termination,
    "dp_executor": _executor,
}
# The letters the monitoring and audit diagrams may name (their contracts list them).
MONITORING_LETTERS: frozenset[str] = frozenset(_BUILDERS)
