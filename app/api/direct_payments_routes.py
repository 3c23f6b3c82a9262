"""Direct payments after the agreement over HTTP (issue 21 part 4): read a person's direct
payment with its reviews and audits, ask for an audit, record notice that ends it, start it again
after a suspension, and the returns report for managers as JSON or CSV."""
from __future__ import annotations

from typing import Any

from flask import Response, request
from marshmallow import Schema, fields, validate

from app import clock
from app.errors import NotFound, ValidationFailed
from app.roles import (
    DP_AUDIT_REQUESTERS,
    DP_NOTICE_RECORDERS,
    DP_REPORT_READERS,
    DP_RESTARTERS,
)
from app.services.direct_payments import dp_views, monitoring, returns_report
from app.services.records import people

from . import bp
from .auth import current_user, requires
from .schemas import StrictSchema, load_json

_MONEY: dict[str, Any] = {"as_string": True, "places": 2}
REASONS_MAX = 2000
FORMATS = ("json", "csv")


class AuditRequestIn(StrictSchema):
    reasons = fields.String(required=True, validate=validate.Length(min=1, max=REASONS_MAX),
                            metadata={"description": "Why an audit is needed (kept on the case)"})


class NoticeIn(StrictSchema):
    given_on = fields.Date(required=True)
    given_by = fields.String(required=True, validate=validate.OneOf(monitoring.NOTICE_FROM))
    reasons = fields.String(required=True, validate=validate.Length(min=1, max=REASONS_MAX))


class RestartIn(StrictSchema):
    restart_on = fields.Date(required=True)
    reasons = fields.String(required=True, validate=validate.Length(min=1, max=REASONS_MAX))


class CardBalanceOut(Schema):
    balance = fields.Decimal(**_MONEY)
    as_of = fields.Date()
    commitments = fields.Decimal(**_MONEY)


class PaymentMadeOut(Schema):
    paid_on = fields.Date()
    amount = fields.Decimal(**_MONEY)
    reference = fields.String()


class ReviewOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_words = fields.String()
    status = fields.String()
    due_on = fields.Date()
    warn_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    breached = fields.Boolean()
    breached_on = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)


class AuditOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    reason = fields.String()
    status = fields.String()
    period_from = fields.Date()
    period_to = fields.Date()
    opened_on = fields.Date()
    requested_on = fields.Date(allow_none=True)
    documents_due_on = fields.Date(allow_none=True)
    reminded_on = fields.Date(allow_none=True)
    reminder_due_on = fields.Date(allow_none=True)
    escalated_on = fields.Date(allow_none=True)
    findings = fields.List(fields.String())
    balance = fields.Decimal(allow_none=True, **_MONEY)
    contingency = fields.Decimal(allow_none=True, **_MONEY)
    surplus = fields.Decimal(allow_none=True, **_MONEY)
    outcome = fields.String(allow_none=True)
    repayment_due = fields.Decimal(allow_none=True, **_MONEY)
    repay_by = fields.Date(allow_none=True)
    recovered = fields.Decimal(**_MONEY)
    invoice_number = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    next_what = fields.String(allow_none=True)
    next_on = fields.Date(allow_none=True)


class DirectPaymentOut(Schema):
    id = fields.Integer()
    status = fields.String()
    status_words = fields.String()
    amount = fields.Decimal(**_MONEY)
    frequency = fields.String()
    weekly_amount = fields.Decimal(**_MONEY)
    contribution = fields.Decimal(**_MONEY)
    gross_or_net = fields.String()
    account_type = fields.String()
    account_words = fields.String()
    contingency_weeks = fields.Integer()
    contingency_amount = fields.Decimal(**_MONEY)
    first_payment_date = fields.Date(allow_none=True)
    last_review_date = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)
    card_balance = fields.Nested(CardBalanceOut, allow_none=True)
    last_payment = fields.Nested(PaymentMadeOut, allow_none=True, metadata={
        "description": "The latest payment the finance system made (read in by import)"})
    payments = fields.List(fields.Nested(PaymentMadeOut), metadata={
        "description": "The last 12 payments made, newest first"})
    next_review = fields.Nested(ReviewOut, allow_none=True)
    open_audit = fields.Nested(AuditOut, allow_none=True)
    next_steps = fields.List(fields.String(), metadata={
        "description": "What the monitoring does next, a sentence each"})
    reviews = fields.List(fields.Nested(ReviewOut))
    audits = fields.List(fields.Nested(AuditOut))


class ReviewLineOut(Schema):
    person_reference = fields.String()
    kind_words = fields.String()
    due_on = fields.Date()
    breached_on = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)


class AgeBandOut(Schema):
    label = fields.String()
    count = fields.Integer()
    audits = fields.List(fields.String())


class MonthOut(Schema):
    month = fields.Function(lambda m: m.month.strftime("%Y-%m"))
    audits = fields.Integer()
    surplus = fields.Decimal(**_MONEY)
    recovered = fields.Decimal(**_MONEY)


class ReturnsReportOut(Schema):
    on = fields.Date()
    due_within_days = fields.Constant(returns_report.DUE_WITHIN_DAYS)
    due = fields.List(fields.Nested(ReviewLineOut))
    overdue = fields.List(fields.Nested(ReviewLineOut))
    breached = fields.List(fields.Nested(ReviewLineOut))
    audits_open = fields.List(fields.Nested(AgeBandOut), attribute="bands")
    months = fields.List(fields.Nested(MonthOut))
    surplus_total = fields.Decimal(**_MONEY)
    recovered_total = fields.Decimal(**_MONEY)


def _agreement_of(reference: str):
    """The person's direct payment beyond "proposed" (another team's case is not disclosed)."""
    person = people.get_person(reference)
    people.require_visible(person, current_user())
    agreement = dp_views.current_of(person)
    if agreement is None:
        raise NotFound("this person has no direct payment being paid or ended")
    return agreement


def _view(agreement) -> dict:
    return DirectPaymentOut().dump({**dp_views.summary(agreement),
                                    "reviews": dp_views.reviews(agreement),
                                    "audits": dp_views.audits(agreement)})


@bp.get("/people/<reference>/direct-payment")
@requires()
def get_direct_payment(reference):
    """The person's direct payment: terms, balance, payments made, next review, open audit,
    reviews, audits."""
    return _view(_agreement_of(reference))


get_direct_payment.openapi = {"response": DirectPaymentOut}


@bp.post("/people/<reference>/direct-payment/audits")
@requires(*DP_AUDIT_REQUESTERS)
def request_audit(reference):
    """Ask for an audit of the direct payment's account (a concern); the letter goes out."""
    agreement = _agreement_of(reference)
    body = load_json(AuditRequestIn())
    audit = monitoring.request_audit(agreement.id, body["reasons"], current_user())
    return AuditOut().dump(dp_views.audit_row(audit)), 201


request_audit.openapi = {"body": AuditRequestIn, "response": AuditOut}


@bp.post("/people/<reference>/direct-payment/notice")
@requires(*DP_NOTICE_RECORDERS)
def give_notice(reference):
    """Record notice that ends the direct payment: payments stop when it ends."""
    agreement = _agreement_of(reference)
    body = load_json(NoticeIn())
    monitoring.give_notice(agreement.id, given_on=body["given_on"], given_by=body["given_by"],
                           reasons=body["reasons"], actor=current_user())
    return _view(monitoring.get_agreement(agreement.id))


give_notice.openapi = {"body": NoticeIn, "response": DirectPaymentOut}


@bp.post("/people/<reference>/direct-payment/restart")
@requires(*DP_RESTARTERS)
def restart_payments(reference):
    """Lift a s33(5) suspension: payments start again from `restart_on`."""
    agreement = _agreement_of(reference)
    body = load_json(RestartIn())
    monitoring.restart_payments(agreement.id, restart_on=body["restart_on"],
                                reasons=body["reasons"], actor=current_user())
    return _view(monitoring.get_agreement(agreement.id))


restart_payments.openapi = {"body": RestartIn, "response": DirectPaymentOut}


@bp.get("/reports/direct-payments")
@requires(*DP_REPORT_READERS)
def direct_payment_report():
    """The direct-payment returns report; ?format=csv for the figures as CSV."""
    fmt = request.args.get("format", "json")
    if fmt not in FORMATS:
        raise ValidationFailed("'format' must be json or csv",
                               [{"field": "format", "message": "use json or csv"}])
    today = clock.today()
    rep = returns_report.report(current_user(), today)
    if fmt == "csv":
        return Response(returns_report.to_csv(rep), mimetype="text/csv", headers={
            "Content-Disposition":
                f'attachment; filename="direct-payment-returns-{today.isoformat()}.csv"'})
    return ReturnsReportOut().dump(rep)


direct_payment_report.openapi = {"response": ReturnsReportOut}
