"""The steps of a direct-payment audit (workflows/direct_payment_audit.bpmn): the dates the person
must meet, the surplus, the care manager's s33(5) decision and money not repaid. Each runs inside
the engine's transaction, is named by the diagram's `dp_step`, and returns what the diagram reads
next. STEPS lists them; the contract allows only these."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import select

from app import calendar, clock
from app.domain import direct_payments as rules
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import (
    AccountType,
    AuditOutcome,
    AuditReason,
    AuditStatus,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    DirectPaymentDecision,
    DirectPaymentReview,
    DirectPaymentStatus,
    InstructionKind,
    ReviewKind,
    ReviewStatus,
    Section33Decision,
    User,
    can_move,
)
from app.models.direct_payments import AUDIT_TRANSITIONS
from app.services import audit as audit_log
from app.services import settings
from app.services.correspondence.letters import next_letter_date
from app.services.direct_payments import card_sweep, instructions, surplus_invoices
from app.services.direct_payments.monitoring import (
    audit_for,
    may_move,
    signal,
)
from app.services.processes import engine_context


def _may_move_audit(audit: DirectPaymentAudit, status: AuditStatus) -> None:
    if not can_move(AUDIT_TRANSITIONS, audit.status, status):
        raise Conflict(f"the audit is {audit.status} and cannot become {status}")


def audit_requested(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    """The request goes today (on the next working day), or went on the date an imported audit
    gives; the documents are due 28 days after it, the reminder's date 14 days after that."""
    audit = audit_for(data)
    requested = date.fromisoformat(str(data["requested_on"])) if data.get("requested_on") \
        else next_letter_date()
    audit.requested_on = requested
    audit.documents_due_on = rules.person_due_date(
        requested, settings.integer("dp_audit_response_days"))
    # The reminder goes on the day the documents were due and gives 14 days more.
    audit.reminder_due_on = rules.person_due_date(
        audit.documents_due_on, settings.integer("dp_audit_reminder_days"))
    return {"requested_on": requested.isoformat(),
            "documents_due_on": audit.documents_due_on.isoformat(),
            "reminder_due_on": audit.reminder_due_on.isoformat()}


def audit_reminded(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    audit = audit_for(data)
    _may_move_audit(audit, AuditStatus.REMINDED)
    audit.status = AuditStatus.REMINDED
    audit.reminded_on = date.fromisoformat(str(data["reminded_on"]))
    return {}


def audit_escalated(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    """Nothing came back after the reminder: a condition is breached (information not
    provided), so the caseworker reviews under reg 7(1)(b)."""
    audit = audit_for(data)
    _may_move_audit(audit, AuditStatus.ESCALATED)
    audit.status = AuditStatus.ESCALATED
    audit.escalated_on = clock.today()
    audit.findings = [*audit.findings, "The documents asked for were not sent after a reminder"]
    review = DirectPaymentReview(agreement_id=agreement.id, kind=ReviewKind.CONCERN,
                                 status=ReviewStatus.DUE,
                                 due_on=calendar.add_working_days(clock.today(), 10))
    db.session.add(review)
    db.session.flush()
    return {"concern_review_id": review.id, "outcome": str(AuditOutcome.MISUSE)}


def record_findings(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    audit = audit_for(data)
    _may_move_audit(audit, AuditStatus.DECIDING)
    audit.status = AuditStatus.DECIDING
    balance = Decimal(str(data["balance"]))
    commitments = Decimal(str(data.get("commitments") or "0"))
    per_week = card_sweep.weekly(agreement)
    weeks = card_sweep.contingency_weeks(agreement)
    audit.balance, audit.commitments = balance, commitments
    audit.contingency = rules.contingency(per_week, weeks)
    audit.surplus = rules.surplus(balance, commitments, per_week, weeks)
    audit.outcome = str(data["outcome"])
    if data.get("audit_findings"):
        audit.findings = [*audit.findings, str(data["audit_findings"])]
    if audit.outcome == AuditOutcome.SURPLUS and audit.surplus == 0:
        raise ValidationFailed("no surplus", [{
            "field": "outcome", "message": f"The balance is not more than the contingency of "
                                           f"£{audit.contingency:,.2f} and money already owed: "
                                           f"there is no surplus"}])
    return {"surplus": str(audit.surplus)}


def surplus_agreed(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    audit = audit_for(data)
    amount = Decimal(str(data["surplus_to_recover"]))
    if audit.surplus is not None and amount > audit.surplus:
        raise ValidationFailed("more than the surplus", [{
            "field": "surplus_to_recover",
            "message": f"The amount to recover must be £{audit.surplus:,.2f} or less"}])
    audit.repayment_due = amount
    audit.repay_by = rules.person_due_date(clock.today(), settings.integer("dp_repayment_days"))
    if audit.reason == AuditReason.ENDING and agreement.ended_on:
        # Worcestershire [S70]: a surplus at the end goes back within 4 weeks after the notice.
        audit.repay_by = max(audit.repay_by, rules.surplus_return_by(
            agreement.ended_on, settings.integer("dp_surplus_return_weeks")))
    recoup = agreement.account_type == AccountType.CARD
    if recoup:
        instructions.instruct(agreement, InstructionKind.RECOUP, audit.repay_by, amount,
                              f"Surplus found by audit {audit.reference}",
                              engine_context.acting_user())
    return {"recovery": "recoup" if recoup else "repay", "repay_by": audit.repay_by.isoformat(),
            "repayment_due": str(amount)}


def record_decision(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    """The care manager's s33(5) decision: recorded with its reasons; a reduction, suspension
    or ending becomes an instruction for whoever pays; a repayment is asked for."""
    audit = audit_for(data)
    actor = engine_context.acting_user()
    decision = Section33Decision(str(data["decision"]))
    repayment = Decimal(str(data["repayment"])) if data.get("repayment") else None
    new_amount = Decimal(str(data["new_amount"])) if data.get("new_amount") else None
    row = DirectPaymentDecision(
        agreement_id=agreement.id, audit_id=audit.id, decision=decision, new_amount=new_amount,
        repayment=repayment, reasons=str(data["reasons"]),
        fraud_referral=data.get("fraud_suspected") is True, decided_on=clock.today(),
        decided_by_id=_decided_by(actor))
    db.session.add(row)
    db.session.flush()
    _close_concern_reviews(agreement, data)
    today = clock.today()
    if decision == Section33Decision.REDUCE and new_amount is not None:
        # Suffolk's clause [S134]: at least four weeks' notice of a decrease.
        effective = today + timedelta(weeks=settings.integer("dp_notice_weeks"))
        instructions.instruct(agreement, InstructionKind.CHANGE, effective, new_amount,
                              row.reasons, actor)
    elif decision == Section33Decision.SUSPEND:
        may_move(agreement, DirectPaymentStatus.SUSPENDED)
        agreement.status = DirectPaymentStatus.SUSPENDED
        instructions.instruct(agreement, InstructionKind.SUSPEND, today, None, row.reasons,
                              actor)
    if row.fraud_referral:
        audit_log.record("dp_counter_fraud_referral", actor=actor,
                         person_id=agreement.person_id, summary={"audit": audit.reference})
    result: dict[str, Any] = {"decision_id": row.id, "repayment_due": None}
    if repayment is not None:
        audit.repayment_due = repayment
        audit.repay_by = rules.person_due_date(today, settings.integer("dp_repayment_days"))
        result |= {"repayment_due": str(repayment), "repay_by": audit.repay_by.isoformat()}
    if decision == Section33Decision.TERMINATE and agreement.status in (
            DirectPaymentStatus.ACTIVE, DirectPaymentStatus.SUSPENDED):
        signal(agreement, "notice_given", {"notice_given_on": today.isoformat(),
                                            "notice_given_by": "council",
                                            "ending_reasons": row.reasons}, actor)
    return result


def _close_concern_reviews(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> None:
    reviewed = data.get("reviewed_on")
    for review in db.session.scalars(select(DirectPaymentReview).where(
            DirectPaymentReview.agreement_id == agreement.id,
            DirectPaymentReview.kind == ReviewKind.CONCERN,
            DirectPaymentReview.status == ReviewStatus.DUE)):
        review.status = ReviewStatus.DONE
        review.completed_on = date.fromisoformat(str(reviewed)) if reviewed else clock.today()
        review.notes = data.get("review_findings") or None


def after_repayment(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    """What was not repaid by the date becomes an invoice, which joins the debt ladder."""
    audit = audit_for(data)
    repaid = Decimal(str(data["amount_repaid"]))
    due = audit.repayment_due or Decimal("0.00")
    if repaid > due:
        raise ValidationFailed("more than was due", [{
            "field": "amount_repaid",
            "message": f"The amount repaid must be £{due:,.2f} or less"}])
    audit.recovered = repaid
    unpaid = due - repaid
    if unpaid > 0:
        invoice = surplus_invoices.raise_invoice(agreement, audit, unpaid)
        audit.invoice_id = invoice.id
        return {"invoice_no": invoice.number}
    return {}


def close_audit(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    audit = audit_for(data)
    if audit.outcome is None:
        audit.outcome = str(AuditOutcome.SATISFACTORY)
    if audit.outcome == AuditOutcome.SURPLUS and data.get("recovery") == "recoup":
        audit.recovered = audit.repayment_due or Decimal("0.00")
    _may_move_audit(audit, AuditStatus.CLOSED)
    audit.status = AuditStatus.CLOSED
    audit.closed_on = clock.today()
    return {}


def _decided_by(actor: User | None) -> int:
    # The decision is the care manager's task: the user completing it is always known there.
    if actor is None:
        raise Conflict("a decision must be recorded by the care manager who made it")
    return actor.id

Step = Callable[[DirectPaymentAgreement, Mapping[str, Any]], dict]
STEPS: dict[str, Step] = {
    "audit_requested": audit_requested, "audit_reminded": audit_reminded,
    "audit_escalated": audit_escalated, "record_findings": record_findings,
    "surplus_agreed": surplus_agreed, "record_decision": record_decision,
    "after_repayment": after_repayment, "close_audit": close_audit,
}
