"""A direct payment after its agreement (DOMAIN.md A.2): what starts and changes it from outside
its processes. Monitoring starts from the first payment (start_monitoring); an audit is recorded
and its own process started (open_audit, one at a time); staff ask for an audit, record notice,
lift a suspension; a death stops it. Two processes carry the rest: direct_payment_monitoring (one
per direct payment; its steps in monitoring_steps.py) and direct_payment_audit (one per audit, so
a final audit after notice or a death runs the same diagram as any other; audit_steps.py).

The dates the law sets are worked out in code (app/domain/direct_payments.py), whatever a diagram
says; the diagrams wait for them by name (review_due_on, documents_due_on, ...).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

from sqlalchemy import func, select

from app import calendar, clock
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    AuditReason,
    AuditStatus,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    DirectPaymentReview,
    DirectPaymentStatus,
    InstructionKind,
    ProcessInstance,
    ReviewKind,
    ReviewStatus,
    User,
    can_move,
)
from app.models.direct_payments import (
    DIRECT_PAYMENT_TRANSITIONS,
)
from app.models.workflow import InstanceStatus
from app.services import audit as audit_log
from app.services.direct_payments import instructions
from app.services.direct_payments.monitoring_contract import AUDIT_KEY, MONITORING_KEY
from app.services.processes import engine_context, instances
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


def agreement_for(data: Mapping[str, Any]) -> DirectPaymentAgreement:
    return get_agreement(int(data["agreement_id"]))


def audit_for(data: Mapping[str, Any]) -> DirectPaymentAudit:
    row = db.session.get(DirectPaymentAudit, int(data["audit_id"]))
    if row is None:
        raise NotFound(f"no direct-payment audit {data['audit_id']}")
    return row


def may_move(agreement: DirectPaymentAgreement, status: DirectPaymentStatus) -> None:
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
    may_move(agreement, DirectPaymentStatus.ACTIVE)
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
    signal(agreement, "notice_given", {"notice_given_on": given_on.isoformat(),
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
    may_move(agreement, DirectPaymentStatus.ACTIVE)
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
        signal(agreement, "death_recorded", {"date_of_death": date_of_death.isoformat()}, actor)


def signal(agreement: DirectPaymentAgreement, message: str, data: dict[str, Any],
            actor: User | None) -> None:
    instance = db.session.get(ProcessInstance, agreement.monitoring_id) \
        if agreement.monitoring_id else None
    if instance is None or instance.status == InstanceStatus.COMPLETED:
        raise Conflict("this direct payment is not being monitored")
    instances.send_message_to(instance, message, data, actor)


def acting_id() -> int | None:
    actor = engine_context.acting_user()
    return actor.id if actor else None
