"""The steps of a direct payment's monitoring (workflows/direct_payment_monitoring.bpmn): each runs
inside the engine's transaction, is named by the diagram's `dp_step`, and returns what the diagram
reads next (the dates its timers wait for). STEPS lists them; the contract allows only these."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import select

from app import calendar, clock
from app.domain import direct_payments as rules
from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import (
    AccountType,
    AuditReason,
    DirectPaymentAgreement,
    DirectPaymentReview,
    DirectPaymentStatus,
    InstructionKind,
    ProcessInstance,
    ReviewKind,
    ReviewStatus,
    can_move,
)
from app.models.direct_payments import REVIEW_TRANSITIONS
from app.services import audit as audit_log
from app.services import settings
from app.services.direct_payments import card_sweep, instructions
from app.services.direct_payments.monitoring import (
    acting_id,
    may_move,
    next_review_of,
    open_audit,
    start_monitoring,
)
from app.services.processes import engine_context
from app.services.records.people import current_agreement


def start_from_agreement(instance: ProcessInstance, data: Mapping[str, Any]) -> dict:
    """The agreement's last step (DOMAIN.md A.1 step 8): monitoring starts from the first
    payment date the countersigning recorded."""
    agreement = current_agreement(instance.person)
    if agreement is None:
        raise NotFound("the person has no direct-payment agreement on file")
    first = date.fromisoformat(str(data["first_payment_date"]))
    actor = engine_context.acting_user()
    monitoring = start_monitoring(agreement, first, actor)
    # "Schedules the first payment": whoever pays learns of it from the export.
    instructions.instruct(agreement, InstructionKind.START, first, Decimal(agreement.amount),
                          "The direct payment agreement is countersigned", actor)
    return {"monitoring_id": monitoring.id}


def plan_monitoring(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    light_touch = None
    if settings.get("dp_light_touch_check") and agreement.last_review_date is None \
            and agreement.first_payment_date:
        due = rules.light_touch_due(agreement.first_payment_date,
                                    settings.integer("dp_light_touch_weeks"))
        light_touch = due.isoformat() if due >= clock.today() else None
    return {"light_touch_on": light_touch}


def record_light_touch(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    checked = date.fromisoformat(str(data["checked_on"]))
    db.session.add(DirectPaymentReview(
        agreement_id=agreement.id, kind=ReviewKind.LIGHT_TOUCH, status=ReviewStatus.DONE,
        due_on=date.fromisoformat(str(data["light_touch_on"])), completed_on=checked,
        completed_by_id=acting_id(), notes=data.get("check_notes") or None))
    if data.get("spending_as_planned") is False:
        open_audit(agreement, AuditReason.CONCERN, engine_context.acting_user(),
                   findings=[str(data.get("check_notes") or
                                 "The light-touch check found the money not spent as planned")])
    return {}


def plan_review(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    """The next statutory review: the one already due, or a new one by reg 7(1)(a)."""
    review = next_review_of(agreement)
    if review is None:
        assert agreement.first_payment_date is not None
        due = rules.review_due(agreement.first_payment_date, agreement.last_review_date)
        kind = ReviewKind.ANNUAL if agreement.last_review_date else ReviewKind.FIRST
        review = DirectPaymentReview(agreement_id=agreement.id, kind=kind, due_on=due,
                                     status=ReviewStatus.DUE)
        db.session.add(review)
    review.warn_on = max(rules.review_warning(review.due_on,
                                              settings.integer("dp_review_warning_days")),
                         clock.today())
    db.session.flush()
    return {"review_id": review.id, "review_due_on": review.due_on.isoformat(),
            "review_warn_on": review.warn_on.isoformat()}


def flag_review_breach(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    review = _review_for(data)
    if review.status == ReviewStatus.DUE and review.breached_on is None:
        review.breached_on = clock.today()
        audit_log.record("dp_review_breached", actor=None, person_id=agreement.person_id,
                         summary={"review_id": review.id, "due_on": review.due_on.isoformat()})
    return {}


def record_review(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    review = _review_for(data)
    if not can_move(REVIEW_TRANSITIONS, review.status, ReviewStatus.DONE):
        raise Conflict("this review is already recorded")
    reviewed = date.fromisoformat(str(data["reviewed_on"]))
    review.status = ReviewStatus.DONE
    review.completed_on = reviewed
    review.completed_by_id = acting_id()
    review.notes = data.get("review_notes") or None
    agreement.last_review_date = reviewed
    if data.get("review_outcome") == "concern":
        open_audit(agreement, AuditReason.CONCERN, engine_context.acting_user(),
                   findings=[str(data.get("review_notes") or "The review found a concern")])
    return {}


def _review_for(data: Mapping[str, Any]) -> DirectPaymentReview:
    review = db.session.get(DirectPaymentReview, int(data["review_id"]))
    if review is None:
        raise NotFound(f"no direct-payment review {data['review_id']}")
    return review


def plan_check(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    """The next account check: the card each month, an own account's quarterly return where
    the council uses them, otherwise a yearly audit."""
    today = clock.today()
    if agreement.account_type == AccountType.CARD and settings.get("dp_card_sweep"):
        on = rules.next_sweep(today, settings.integer("dp_sweep_day_of_month"))
        since = data.get("last_check_on") or agreement.first_payment_date or today
        return {"check_kind": "sweep", "check_on": on.isoformat(),
                "period_from": str(since), "period_to": on.isoformat()}
    if settings.get("dp_quarterly_returns"):
        days = settings.integer("dp_quarterly_return_days")
        first = agreement.first_payment_date or today
        # No return for a quarter that ended before the first payment.
        start, end, on = rules.next_quarterly_return(max(today, first + timedelta(days=days)),
                                                     days)
        return {"check_kind": "quarterly_return", "check_on": on.isoformat(),
                "period_from": max(start, first).isoformat(), "period_to": end.isoformat()}
    base = date.fromisoformat(str(data.get("check_on") or agreement.first_payment_date or today))
    on = calendar.add_months(base, 12)
    while on <= today:
        on = calendar.add_months(on, 12)
    return {"check_kind": "annual", "check_on": on.isoformat(),
            "period_from": base.isoformat(), "period_to": on.isoformat()}


def run_check(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    today = clock.today()
    kind = data.get("check_kind")
    period_from = date.fromisoformat(str(data["period_from"]))
    period_to = min(date.fromisoformat(str(data["period_to"])), today)
    if agreement.status != DirectPaymentStatus.ACTIVE:
        return {"last_check_on": today.isoformat()}  # suspended: nothing is being paid
    if kind == "sweep":
        since = date.fromisoformat(str(data["last_check_on"])) if data.get("last_check_on") \
            else None
        result = card_sweep.sweep(agreement, today, since)
        if result is not None and result.findings:
            row = open_audit(agreement, AuditReason.SWEEP, None, findings=result.findings,
                             period_from=since or agreement.first_payment_date,
                             period_to=today)
            if row.balance is None:
                row.balance, row.commitments = result.balance, result.commitments
                row.contingency, row.surplus = result.contingency, result.surplus
    else:
        reason = AuditReason.QUARTERLY_RETURN if kind == "quarterly_return" \
            else AuditReason.ANNUAL
        open_audit(agreement, reason, None, period_from=period_from, period_to=period_to)
    return {"last_check_on": today.isoformat()}


def _message(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    # The engine keeps a message's fields under the message's name.
    return data.get(name) or {}


def record_ending(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    data = _message(data, "notice_given")
    given = date.fromisoformat(str(data["notice_given_on"]))
    ends = max(rules.notice_ends(given, settings.integer("dp_notice_weeks")), clock.today())
    may_move(agreement, DirectPaymentStatus.ENDING)
    agreement.status = DirectPaymentStatus.ENDING
    agreement.ended_on = ends
    agreement.end_reason = "notice" if data.get("notice_given_by") == "person" else "council"
    cancel_reviews(agreement)
    instructions.instruct(agreement, InstructionKind.STOP, ends, None,
                          f"Notice given on {given.isoformat()}: "
                          f"{data.get('ending_reasons') or 'the direct payment ends'}",
                          engine_context.acting_user())
    return {"notice_ends_on": ends.isoformat(),
            "surplus_return_by": rules.surplus_return_by(
                ends, settings.integer("dp_surplus_return_weeks")).isoformat()}


def final_audit(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    reason = AuditReason.DEATH if agreement.end_reason == "death" else AuditReason.ENDING
    row = open_audit(agreement, reason, engine_context.acting_user(),
                     period_to=agreement.ended_on or clock.today())
    return {"final_audit_id": row.id}


def end_direct_payment(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    may_move(agreement, DirectPaymentStatus.ENDED)
    agreement.status = DirectPaymentStatus.ENDED
    return {}


def record_death(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    died = date.fromisoformat(str(_message(data, "death_recorded")["date_of_death"]))
    may_move(agreement, DirectPaymentStatus.ENDED)
    agreement.status = DirectPaymentStatus.ENDED
    agreement.ended_on, agreement.end_reason = died, "death"
    cancel_reviews(agreement)
    instructions.instruct(agreement, InstructionKind.STOP, died, None,
                          "The person has died: stop the payments",
                          engine_context.acting_user())
    return {}


def cancel_reviews(agreement: DirectPaymentAgreement) -> None:
    for review in db.session.scalars(select(DirectPaymentReview).where(
            DirectPaymentReview.agreement_id == agreement.id,
            DirectPaymentReview.status == ReviewStatus.DUE)):
        review.status = ReviewStatus.CANCELLED

Step = Callable[[DirectPaymentAgreement, Mapping[str, Any]], dict]
STEPS: dict[str, Step] = {
    "plan_monitoring": plan_monitoring, "record_light_touch": record_light_touch,
    "plan_review": plan_review, "flag_review_breach": flag_review_breach,
    "record_review": record_review, "plan_check": plan_check, "run_check": run_check,
    "record_ending": record_ending, "final_audit": final_audit,
    "end_direct_payment": end_direct_payment, "record_death": record_death,
}
