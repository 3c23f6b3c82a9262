"""A direct payment after its agreement (DOMAIN.md A.2): monitoring starts from the first payment,
plans the reviews the law requires, checks the account, opens audits, and ends with notice or a
death. Two processes carry it: direct_payment_monitoring (one per direct payment) and
direct_payment_audit (one per audit, so a final audit after notice or a death runs the same
diagram as any other). The steps their service tasks name are STEPS below; each runs inside the
engine's transaction and returns what the diagram reads next.

The dates the law sets are worked out here (app/domain/direct_payments.py), whatever a diagram
says; the diagrams wait for them by name (review_due_on, documents_due_on, …).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import func, select

from app import calendar, clock
from app.domain import direct_payments as rules
from app.errors import Conflict, NotFound, ValidationFailed
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
    ProcessInstance,
    ReviewKind,
    ReviewStatus,
    Section33Decision,
    User,
    can_move,
)
from app.models.direct_payments import (
    AUDIT_TRANSITIONS,
    DIRECT_PAYMENT_TRANSITIONS,
    REVIEW_TRANSITIONS,
)
from app.models.workflow import InstanceStatus
from app.services import audit as audit_log
from app.services import settings
from app.services.correspondence.letters import next_letter_date
from app.services.direct_payments import card_sweep, instructions, surplus_invoices
from app.services.direct_payments.monitoring_contract import AUDIT_KEY, MONITORING_KEY
from app.services.processes import engine_context, instances
from app.services.records.people import current_agreement
from app.services.transaction import use_case

AUDIT_PREFIX = "AUD-"  # "DPA" is a deferred payment agreement (docs/content.md)
# Who gave notice: the person (4 weeks, their agreement) or the council.
NOTICE_FROM = ("person", "council")
RUNNING = frozenset({DirectPaymentStatus.ACTIVE, DirectPaymentStatus.SUSPENDED,
                     DirectPaymentStatus.ENDING})


# --- reading ------------------------------------------------------------------------------------
def get_agreement(agreement_id: int) -> DirectPaymentAgreement:
    agreement = db.session.get(DirectPaymentAgreement, agreement_id)
    if agreement is None:
        raise NotFound(f"no direct payment {agreement_id}")
    return agreement


def next_review_of(agreement: DirectPaymentAgreement) -> DirectPaymentReview | None:
    return db.session.scalar(select(DirectPaymentReview).where(
        DirectPaymentReview.agreement_id == agreement.id,
        DirectPaymentReview.status == ReviewStatus.DUE,
        DirectPaymentReview.kind != ReviewKind.CONCERN)
        .order_by(DirectPaymentReview.due_on).limit(1))


def open_audit_of(agreement: DirectPaymentAgreement) -> DirectPaymentAudit | None:
    return db.session.scalar(select(DirectPaymentAudit).where(
        DirectPaymentAudit.agreement_id == agreement.id,
        DirectPaymentAudit.status != AuditStatus.CLOSED)
        .order_by(DirectPaymentAudit.id).limit(1))


def _agreement_for(data: Mapping[str, Any]) -> DirectPaymentAgreement:
    return get_agreement(int(data["agreement_id"]))


def _audit_for(data: Mapping[str, Any]) -> DirectPaymentAudit:
    row = db.session.get(DirectPaymentAudit, int(data["audit_id"]))
    if row is None:
        raise NotFound(f"no direct-payment audit {data['audit_id']}")
    return row


def _may_move(agreement: DirectPaymentAgreement, status: DirectPaymentStatus) -> None:
    if not can_move(DIRECT_PAYMENT_TRANSITIONS, agreement.status, status):
        raise Conflict(f"the direct payment is {agreement.status} and cannot become {status}")


# --- starting -----------------------------------------------------------------------------------
def start_monitoring(agreement: DirectPaymentAgreement, first_payment_date: date,
                     actor: User | None, *, last_review_date: date | None = None
                     ) -> ProcessInstance:
    """Inside the caller's transaction: the direct payment becomes active and its monitoring
    starts, its timers counted from the first payment and any review already done."""
    if agreement.monitoring_id is not None:
        raise Conflict("this direct payment is already being monitored")
    if last_review_date is not None and last_review_date < first_payment_date:
        raise ValidationFailed("the last review is before the first payment", [{
            "field": "last_review_date",
            "message": "The date of the last review must be on or after the first payment"}])
    _may_move(agreement, DirectPaymentStatus.ACTIVE)
    agreement.status = DirectPaymentStatus.ACTIVE
    agreement.first_payment_date = first_payment_date
    agreement.last_review_date = last_review_date
    instance = instances.begin_instance(MONITORING_KEY, agreement.person, {
        "agreement_id": agreement.id, "first_payment_date": first_payment_date.isoformat(),
        "account_type": agreement.account_type}, actor)
    agreement.monitoring_id = instance.id
    audit_log.record("dp_monitoring_started", actor=actor, person_id=agreement.person_id,
                     instance_id=instance.id, summary={"agreement_id": agreement.id})
    return instance


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


def open_audit(agreement: DirectPaymentAgreement, reason: AuditReason, actor: User | None, *,
               findings: list[str] | tuple[str, ...] = (), period_from: date | None = None,
               period_to: date | None = None, requested_on: date | None = None
               ) -> DirectPaymentAudit:
    """Inside the caller's transaction: record an audit and start its process. One audit at a
    time: while one is open, what another would have found is added to it."""
    current = open_audit_of(agreement)
    if current is not None:
        current.findings = [*current.findings, *findings]
        return current
    today = clock.today()
    period_to = period_to or today
    period_from = period_from or _last_audited_to(agreement) or agreement.first_payment_date \
        or period_to
    row = DirectPaymentAudit(reference="", agreement_id=agreement.id, reason=reason,
                             status=AuditStatus.REQUESTED, period_from=period_from,
                             period_to=period_to, opened_on=today, findings=list(findings),
                             created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    row.reference = f"{AUDIT_PREFIX}{row.id:06d}"
    data: dict[str, Any] = {"agreement_id": agreement.id, "audit_id": row.id,
                            "audit_reference": row.reference, "reason": str(reason),
                            "account_type": agreement.account_type,
                            "imported": requested_on is not None,
                            "requested_on": requested_on.isoformat() if requested_on else None}
    instance = instances.begin_instance(AUDIT_KEY, agreement.person, data, actor)
    row.instance_id = instance.id
    audit_log.record("dp_audit_opened", actor=actor, person_id=agreement.person_id,
                     instance_id=instance.id, summary={"audit": row.reference,
                                                       "reason": str(reason)})
    return row


def _last_audited_to(agreement: DirectPaymentAgreement) -> date | None:
    last = db.session.scalar(select(func.max(DirectPaymentAudit.period_to)).where(
        DirectPaymentAudit.agreement_id == agreement.id))
    return last + timedelta(days=1) if last else None


@use_case
def request_audit(agreement_id: int, reasons: str, actor: User) -> DirectPaymentAudit:
    """Staff ask for an audit (a concern about how the money is used)."""
    agreement = get_agreement(agreement_id)
    if agreement.status not in RUNNING:
        raise Conflict("only a direct payment being paid can be audited")
    if not reasons.strip():
        raise ValidationFailed("no reasons", [{"field": "reasons",
                                               "message": "Enter why an audit is needed"}])
    if open_audit_of(agreement) is not None:
        raise Conflict("an audit of this direct payment is already open")
    return open_audit(agreement, AuditReason.CONCERN, actor, findings=[reasons.strip()])


@use_case
def give_notice(agreement_id: int, *, given_on: date, given_by: str, reasons: str,
                actor: User) -> DirectPaymentAgreement:
    """Notice to end the direct payment: the monitoring's ending path records it, writes to the
    person, and starts the final audit when the notice ends."""
    agreement = get_agreement(agreement_id)
    problems = []
    if given_by not in NOTICE_FROM:
        problems.append({"field": "given_by", "message": "Select who gave notice"})
    if given_on > clock.today():
        problems.append({"field": "given_on",
                         "message": "The date notice was given must be today or in the past"})
    if agreement.first_payment_date and given_on < agreement.first_payment_date:
        problems.append({"field": "given_on", "message": "The date notice was given must be on "
                                                         "or after the first payment"})
    if not reasons.strip():
        problems.append({"field": "reasons", "message": "Enter why the direct payment is ending"})
    if problems:
        raise ValidationFailed("the notice cannot be recorded", problems)
    if agreement.status not in (DirectPaymentStatus.ACTIVE, DirectPaymentStatus.SUSPENDED):
        raise Conflict("notice can only be given on a direct payment being paid")
    _signal(agreement, "notice_given", {"notice_given_on": given_on.isoformat(),
                                        "notice_given_by": given_by,
                                        "ending_reasons": reasons.strip()}, actor)
    return agreement


@use_case
def restart_payments(agreement_id: int, *, restart_on: date, reasons: str,
                     actor: User) -> DirectPaymentAgreement:
    """Lift a s33(5) suspension: payments start again from `restart_on` (an instruction for
    whoever pays); monitoring, which kept running, checks the account again from then."""
    agreement = get_agreement(agreement_id)
    problems = []
    today = clock.today()
    if restart_on < today:
        problems.append({"field": "restart_on",
                         "message": "The date payments start again must be today or in the "
                                    "future"})
    elif restart_on > calendar.add_months(today, 3):
        problems.append({"field": "restart_on",
                         "message": "The date payments start again must be within the next "
                                    "3 months"})
    if not reasons.strip():
        problems.append({"field": "reasons",
                         "message": "Enter why the direct payment can start again"})
    if problems:
        raise ValidationFailed("the restart cannot be recorded", problems)
    _may_move(agreement, DirectPaymentStatus.ACTIVE)
    agreement.status = DirectPaymentStatus.ACTIVE
    instructions.instruct(agreement, InstructionKind.RESTART, restart_on, None,
                          reasons.strip(), actor)
    audit_log.record("dp_restarted", actor=actor, person_id=agreement.person_id,
                     summary={"agreement_id": agreement.id, "restart_on": restart_on.isoformat()})
    return agreement


def after_death(person, date_of_death: date, actor: User | None) -> None:
    """A death recorded: each direct payment still paid stops (inside the caller's
    transaction), through its monitoring's death path."""
    rows = db.session.scalars(select(DirectPaymentAgreement).where(
        DirectPaymentAgreement.person_id == person.id,
        DirectPaymentAgreement.status.in_([str(s) for s in RUNNING])))
    for agreement in rows:
        _signal(agreement, "death_recorded", {"date_of_death": date_of_death.isoformat()}, actor)


def _signal(agreement: DirectPaymentAgreement, message: str, data: dict[str, Any],
            actor: User | None) -> None:
    instance = db.session.get(ProcessInstance, agreement.monitoring_id) \
        if agreement.monitoring_id else None
    if instance is None or instance.status == InstanceStatus.COMPLETED:
        raise Conflict("this direct payment is not being monitored")
    instances.send_message_to(instance, message, data, actor)


# --- the monitoring's steps -----------------------------------------------------------------------
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
        completed_by_id=_actor_id(), notes=data.get("check_notes") or None))
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
    review.completed_by_id = _actor_id()
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
        return {"check_kind": "sweep", "check_on": on.isoformat(),
                "period_from": (data.get("last_check_on") or agreement.first_payment_date
                                or today).__str__(), "period_to": on.isoformat()}
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
    _may_move(agreement, DirectPaymentStatus.ENDING)
    agreement.status = DirectPaymentStatus.ENDING
    agreement.ended_on = ends
    agreement.end_reason = "notice" if data.get("notice_given_by") == "person" else "council"
    _cancel_reviews(agreement)
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
    _may_move(agreement, DirectPaymentStatus.ENDED)
    agreement.status = DirectPaymentStatus.ENDED
    return {}


def record_death(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    died = date.fromisoformat(str(_message(data, "death_recorded")["date_of_death"]))
    _may_move(agreement, DirectPaymentStatus.ENDED)
    agreement.status = DirectPaymentStatus.ENDED
    agreement.ended_on, agreement.end_reason = died, "death"
    _cancel_reviews(agreement)
    instructions.instruct(agreement, InstructionKind.STOP, died, None,
                          "The person has died: stop the payments",
                          engine_context.acting_user())
    return {}


def _cancel_reviews(agreement: DirectPaymentAgreement) -> None:
    for review in db.session.scalars(select(DirectPaymentReview).where(
            DirectPaymentReview.agreement_id == agreement.id,
            DirectPaymentReview.status == ReviewStatus.DUE)):
        review.status = ReviewStatus.CANCELLED


# --- the audit's steps ----------------------------------------------------------------------------
def _may_move_audit(audit: DirectPaymentAudit, status: AuditStatus) -> None:
    if not can_move(AUDIT_TRANSITIONS, audit.status, status):
        raise Conflict(f"the audit is {audit.status} and cannot become {status}")


def audit_requested(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    """The request goes today (on the next working day), or went on the date an imported audit
    gives; the documents are due 28 days after it, the reminder's date 14 days after that."""
    audit = _audit_for(data)
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
    audit = _audit_for(data)
    _may_move_audit(audit, AuditStatus.REMINDED)
    audit.status = AuditStatus.REMINDED
    audit.reminded_on = date.fromisoformat(str(data["reminded_on"]))
    return {}


def audit_escalated(agreement: DirectPaymentAgreement, data: Mapping[str, Any]) -> dict:
    """Nothing came back after the reminder: a condition is breached (information not
    provided), so the caseworker reviews under reg 7(1)(b)."""
    audit = _audit_for(data)
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
    audit = _audit_for(data)
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
    audit = _audit_for(data)
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
    audit = _audit_for(data)
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
        _may_move(agreement, DirectPaymentStatus.SUSPENDED)
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
        _signal(agreement, "notice_given", {"notice_given_on": today.isoformat(),
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
    audit = _audit_for(data)
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
    audit = _audit_for(data)
    if audit.outcome is None:
        audit.outcome = str(AuditOutcome.SATISFACTORY)
    if audit.outcome == AuditOutcome.SURPLUS and data.get("recovery") == "recoup":
        audit.recovered = audit.repayment_due or Decimal("0.00")
    _may_move_audit(audit, AuditStatus.CLOSED)
    audit.status = AuditStatus.CLOSED
    audit.closed_on = clock.today()
    return {}


def _actor_id() -> int | None:
    actor = engine_context.acting_user()
    return actor.id if actor else None


def _decided_by(actor: User | None) -> int:
    # The decision is the care manager's task: the user completing it is always known there.
    if actor is None:
        raise Conflict("a decision must be recorded by the care manager who made it")
    return actor.id


Step = Callable[[DirectPaymentAgreement, Mapping[str, Any]], dict]
STEPS: dict[str, Step] = {
    "plan_monitoring": plan_monitoring, "record_light_touch": record_light_touch,
    "plan_review": plan_review, "flag_review_breach": flag_review_breach,
    "record_review": record_review, "plan_check": plan_check, "run_check": run_check,
    "record_ending": record_ending, "final_audit": final_audit,
    "end_direct_payment": end_direct_payment, "record_death": record_death,
    "audit_requested": audit_requested, "audit_reminded": audit_reminded,
    "audit_escalated": audit_escalated, "record_findings": record_findings,
    "surplus_agreed": surplus_agreed, "record_decision": record_decision,
    "after_repayment": after_repayment, "close_audit": close_audit,
}


def run_step(step: str, data: Mapping[str, Any]) -> dict:
    if step not in STEPS:
        raise NotFound(f"unknown direct-payment step '{step}'")
    return STEPS[step](_agreement_for(data), data)
