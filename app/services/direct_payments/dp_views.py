"""What the direct-payment pages and API show of a direct payment after its agreement (DOMAIN.md
A.2), read-only: its terms in words, its status, the card's latest balance, the last payment the
finance system made, the review due next and whether it is breached, the open audit and its next
date, what the monitoring process does next, and the history of payments, reviews and audits.
Nothing here changes a record.

Money stays Decimal; dates stay dates (the pages and the API format them). The words are staff
words (docs/content.md): no engine id, no template code.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app import clock
from app.domain import direct_payments as rules
from app.extensions import db
from app.models import (
    AuditStatus,
    CardBalance,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    DirectPaymentPayment,
    DirectPaymentReview,
    DirectPaymentStatus,
    Invoice,
    Person,
    ProcessInstance,
    ReviewKind,
    ReviewStatus,
)
from app.services import settings
from app.services.processes import next_steps

STATUS_WORDS: dict[str, str] = {DirectPaymentStatus.PROPOSED: "Agreement being arranged",
                DirectPaymentStatus.ACTIVE: "Being paid",
                DirectPaymentStatus.SUSPENDED: "Suspended",
                DirectPaymentStatus.ENDING: "Ending",
                DirectPaymentStatus.ENDED: "Ended"}
END_WORDS = {"notice": "after notice", "council": "by the council", "death": "after a death"}
ACCOUNT_WORDS = {"card": "prepaid card", "managed": "managed account", "bank": "own bank account"}
FREQUENCY_WORDS = {"weekly": "a week", "four_weekly": "every 4 weeks", "monthly": "a month"}
REVIEW_KIND_WORDS = {"light_touch": "Light-touch check", "first": "First review",
                     "annual": "Yearly review", "concern": "Review after a concern"}
REVIEW_STATUS_WORDS = {"due": "Due", "done": "Done", "cancelled": "Cancelled"}
AUDIT_REASON_WORDS = {"sweep": "The monthly card check", "quarterly_return": "Quarterly return",
                      "annual": "Yearly audit", "concern": "Asked for by staff",
                      "ending": "Final audit: the direct payment is ending",
                      "death": "Final audit after a death",
                      "imported": "In progress before this service"}
AUDIT_STATUS_WORDS = {"requested": "Documents asked for", "reminded": "Reminder sent",
                      "escalated": "Passed to the caseworker for a review",
                      "deciding": "Documents in: outcome being decided", "closed": "Closed"}
OUTCOME_WORDS = {"satisfactory": "Satisfactory", "surplus": "Surplus above the contingency",
                 "misuse": "Spend not evidenced or outside the care plan",
                 "contributions_unpaid": "Contributions not paid in"}
# A direct payment is "the person's direct payment" from the moment it is paid: while the
# agreement is only proposed, its chase shows on the Direct payments tab instead.
AFTER_AGREEMENT = (DirectPaymentStatus.ACTIVE, DirectPaymentStatus.SUSPENDED,
                   DirectPaymentStatus.ENDING, DirectPaymentStatus.ENDED)
STILL_PAID = (DirectPaymentStatus.ACTIVE, DirectPaymentStatus.SUSPENDED)


def words(value: str | None, table: dict[str, str]) -> str:
    if not value:
        return ""
    return table.get(value, value.replace("_", " ").capitalize())


def current_of(person: Person) -> DirectPaymentAgreement | None:
    """The person's direct payment beyond "proposed": one still running before one ended, the
    newest of each."""
    found = list(db.session.scalars(
        select(DirectPaymentAgreement).where(
            DirectPaymentAgreement.person_id == person.id,
            DirectPaymentAgreement.status.in_([s.value for s in AFTER_AGREEMENT]))
        .order_by(DirectPaymentAgreement.id.desc())))
    running = [a for a in found if a.status != DirectPaymentStatus.ENDED]
    return (running or found)[0] if found else None


def contingency_weeks(agreement: DirectPaymentAgreement) -> int:
    return agreement.contingency_weeks or settings.integer("dp_contingency_weeks")


def notice_weeks() -> int:
    return settings.integer("dp_notice_weeks")


def notice_end(given_on: date) -> date:
    """The day payments stop after notice given on `given_on` (A.2 step 6); notice recorded
    after it has run out stops them today, as the monitoring's ending step does."""
    return max(rules.notice_ends(given_on, notice_weeks()), clock.today())


def surplus_return_by(given_on: date) -> date:
    return rules.surplus_return_by(notice_end(given_on),
                                   settings.integer("dp_surplus_return_weeks"))


def amount_words(agreement: DirectPaymentAgreement) -> str:
    return f"£{agreement.amount:,.2f} {words(agreement.frequency, FREQUENCY_WORDS)}"


def latest_balance(agreement: DirectPaymentAgreement) -> CardBalance | None:
    return db.session.scalar(select(CardBalance).where(
        CardBalance.agreement_id == agreement.id).order_by(CardBalance.as_of.desc()).limit(1))


def payments(agreement: DirectPaymentAgreement, limit: int = 12) -> list[dict[str, Any]]:
    """The payments the finance system made (read in, docs/imports.md), the newest first: the
    day, the amount and the finance system's reference."""
    return [{"paid_on": p.paid_on, "amount": p.amount, "reference": p.reference}
            for p in db.session.scalars(select(DirectPaymentPayment).where(
                DirectPaymentPayment.agreement_id == agreement.id)
                .order_by(DirectPaymentPayment.paid_on.desc(), DirectPaymentPayment.id.desc())
                .limit(limit))]


def next_review(agreement: DirectPaymentAgreement) -> DirectPaymentReview | None:
    """The statutory review still due soonest (a review after a concern is in the history)."""
    return db.session.scalar(select(DirectPaymentReview).where(
        DirectPaymentReview.agreement_id == agreement.id,
        DirectPaymentReview.status == ReviewStatus.DUE,
        DirectPaymentReview.kind != ReviewKind.CONCERN)
        .order_by(DirectPaymentReview.due_on, DirectPaymentReview.id).limit(1))


def open_audit(agreement: DirectPaymentAgreement) -> DirectPaymentAudit | None:
    return db.session.scalar(select(DirectPaymentAudit).where(
        DirectPaymentAudit.agreement_id == agreement.id,
        DirectPaymentAudit.status != AuditStatus.CLOSED)
        .order_by(DirectPaymentAudit.id.desc()).limit(1))


def summary(agreement: DirectPaymentAgreement, today: date | None = None) -> dict[str, Any]:
    """The direct payment on one page: terms, status, balance, the payments made (the last 12,
    newest first, and the last on its own), review, audit, what next."""
    today = today or clock.today()
    made = payments(agreement)
    weekly = rules.weekly_amount(agreement.amount, agreement.frequency)
    weeks = contingency_weeks(agreement)
    balance = latest_balance(agreement)
    review = next_review(agreement)
    audit = open_audit(agreement)
    return {
        "id": agreement.id, "status": agreement.status,
        "status_words": status_words(agreement),
        "amount": agreement.amount, "frequency": agreement.frequency,
        "amount_words": amount_words(agreement), "weekly_amount": weekly,
        "contribution": agreement.client_contribution, "gross_or_net": agreement.gross_or_net,
        "gross_or_net_words": _gross_net_words(agreement),
        "account_type": agreement.account_type,
        "account_words": words(agreement.account_type, ACCOUNT_WORDS),
        "contingency_weeks": weeks, "contingency_amount": rules.contingency(weekly, weeks),
        "first_payment_date": agreement.first_payment_date,
        "last_review_date": agreement.last_review_date,
        "ended_on": agreement.ended_on, "end_reason": agreement.end_reason,
        "card_balance": balance and {"balance": balance.balance, "as_of": balance.as_of,
                                     "commitments": balance.commitments},
        "last_payment": made[0] if made else None, "payments": made,
        "next_review": review and review_row(review, today),
        "open_audit": audit and audit_row(audit),
        "next_steps": what_happens_next(agreement),
        "may_end": agreement.status in STILL_PAID,
        "may_restart": agreement.status == DirectPaymentStatus.SUSPENDED,
        "may_audit": agreement.status != DirectPaymentStatus.ENDED and audit is None,
    }


def status_words(agreement: DirectPaymentAgreement) -> str:
    said = words(agreement.status, STATUS_WORDS)
    if agreement.status == DirectPaymentStatus.ENDING and agreement.ended_on:
        return f"{said}: payments stop on {_day(agreement.ended_on)}"
    if agreement.status == DirectPaymentStatus.ENDED:
        how = END_WORDS.get(agreement.end_reason or "")
        when = f" on {_day(agreement.ended_on)}" if agreement.ended_on else ""
        return f"{said}{when}{' ' + how if how else ''}"
    return said


def _gross_net_words(agreement: DirectPaymentAgreement) -> str:
    contribution = f"£{agreement.client_contribution:,.2f}"
    if not agreement.client_contribution:
        return "No contribution: the person pays nothing towards it"
    if agreement.gross_or_net == "gross":
        return f"Gross: paid in full, and the person's contribution of {contribution} is invoiced"
    return (f"Net: the person pays their contribution of {contribution} into the account "
            "themselves")


def what_happens_next(agreement: DirectPaymentAgreement) -> list[str]:
    """The monitoring process's and any open audit's waiting timers and open tasks, a sentence
    each (the audit's under its reference)."""
    if agreement.monitoring_id is None:
        return []
    instance = db.session.get(ProcessInstance, agreement.monitoring_id)
    said = next_steps.what_happens_next(instance) if instance is not None else []
    audit = open_audit(agreement)
    audit_instance = db.session.get(ProcessInstance, audit.instance_id) \
        if audit is not None and audit.instance_id else None
    if audit is not None and audit_instance is not None:
        said += [f"Audit {audit.reference}: {_lower_first(s)}"
                 for s in next_steps.what_happens_next(audit_instance)]
    return said


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def review_row(review: DirectPaymentReview, today: date | None = None) -> dict[str, Any]:
    today = today or clock.today()
    # Breached is the flag the monitoring process raises when the due date passes (it stays
    # once the review is done late); overdue is what today says, before the flag is raised.
    overdue = review.status == ReviewStatus.DUE and review.due_on < today
    return {"id": review.id, "kind": review.kind,
            "kind_words": words(review.kind, REVIEW_KIND_WORDS),
            "status": review.status, "status_words": words(review.status, REVIEW_STATUS_WORDS),
            "due_on": review.due_on, "warn_on": review.warn_on,
            "overdue": overdue, "breached": review.breached_on is not None,
            "breached_on": review.breached_on,
            "completed_on": review.completed_on}


def reviews(agreement: DirectPaymentAgreement) -> list[dict[str, Any]]:
    """Every review, the latest due first."""
    today = clock.today()
    return [review_row(r, today) for r in db.session.scalars(
        select(DirectPaymentReview).where(DirectPaymentReview.agreement_id == agreement.id)
        .order_by(DirectPaymentReview.due_on.desc(), DirectPaymentReview.id.desc()))]


def audit_row(audit: DirectPaymentAudit) -> dict[str, Any]:
    invoice = db.session.get(Invoice, audit.invoice_id) if audit.invoice_id else None
    next_what, next_on = _audit_next(audit)
    return {"id": audit.id, "reference": audit.reference, "reason": audit.reason,
            "reason_words": words(audit.reason, AUDIT_REASON_WORDS),
            "status": audit.status, "status_words": words(audit.status, AUDIT_STATUS_WORDS),
            "period_from": audit.period_from, "period_to": audit.period_to,
            "opened_on": audit.opened_on, "requested_on": audit.requested_on,
            "documents_due_on": audit.documents_due_on, "reminded_on": audit.reminded_on,
            "reminder_due_on": audit.reminder_due_on, "escalated_on": audit.escalated_on,
            "findings": [finding_words(f) for f in audit.findings or []],
            "balance": audit.balance, "contingency": audit.contingency,
            "surplus": audit.surplus, "outcome": audit.outcome,
            "outcome_words": words(audit.outcome, OUTCOME_WORDS),
            "repayment_due": audit.repayment_due, "repay_by": audit.repay_by,
            "recovered": audit.recovered if audit.recovered is not None else Decimal("0.00"),
            "invoice_number": invoice.number if invoice is not None else None,
            "closed_on": audit.closed_on, "next_what": next_what, "next_on": next_on}


def _audit_next(audit: DirectPaymentAudit) -> tuple[str | None, date | None]:
    """What the open audit waits for next, and by when."""
    if audit.status == AuditStatus.CLOSED:
        return None, None
    if audit.repay_by is not None:
        return "Repayment due by", audit.repay_by
    if audit.status == AuditStatus.REMINDED:
        return "Documents due by, after the reminder", audit.reminder_due_on
    if audit.status == AuditStatus.REQUESTED:
        return "Documents due by", audit.documents_due_on
    if audit.status == AuditStatus.ESCALATED:
        return "Passed to the caseworker on", audit.escalated_on
    return "Outcome being decided since", audit.requested_on or audit.opened_on


def finding_words(finding: Any) -> str:
    """One finding as stored (a sentence, or a record with its words) in words."""
    if isinstance(finding, dict):
        for key in ("words", "text", "message", "what"):
            if finding.get(key):
                return str(finding[key])
        return "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in finding.items())
    return str(finding)


def audits(agreement: DirectPaymentAgreement) -> list[dict[str, Any]]:
    """Every audit, the newest first."""
    return [audit_row(a) for a in db.session.scalars(
        select(DirectPaymentAudit).where(DirectPaymentAudit.agreement_id == agreement.id)
        .order_by(DirectPaymentAudit.opened_on.desc(), DirectPaymentAudit.id.desc()))]


def fingerprint_of(agreement: DirectPaymentAgreement) -> tuple:
    """What an action page about the direct payment showed: a change to any refuses its post."""
    audit = open_audit(agreement)
    # str(): a status just set in this session is still the enum, one read back is its value.
    return (agreement.id, str(agreement.status), agreement.ended_on, agreement.end_reason,
            audit.id if audit else None, str(audit.status) if audit else None)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def context_of_task(task) -> dict[str, Any] | None:
    """What a monitoring or audit task is about, shown above its form: the audit with what it
    found and its money, or the direct payment with the review due. None for any other task."""
    key = task.process_key if task.instance_id is not None else None
    if key == "direct_payment_audit":
        audit = db.session.scalar(select(DirectPaymentAudit).where(
            DirectPaymentAudit.instance_id == task.instance_id))
        if audit is None:
            return None
        return {"kind": "audit", "audit": audit_row(audit),
                "dp": summary(audit.agreement)}
    if key == "direct_payment_monitoring":
        agreement = db.session.scalar(select(DirectPaymentAgreement).where(
            DirectPaymentAgreement.monitoring_id == task.instance_id))
        if agreement is None:
            return None
        return {"kind": "monitoring", "dp": summary(agreement)}
    return None
