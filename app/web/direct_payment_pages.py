"""Direct payments after the agreement (issue 21 part 4): the Summary's "Direct payment" card, the
direct payment's own page (terms, balance, review, audit, what happens next, reviews and audits),
asking for an audit, recording notice that ends it (with a check of when payments stop), starting
payments again after a suspension, and the returns report for managers with its CSV.

Roles as the API's (app/api/direct_payments_routes.py): DP_AUDIT_REQUESTERS ask for an audit,
DP_NOTICE_RECORDERS record notice, DP_RESTARTERS lift a suspension, DP_REPORT_READERS read the
report; anyone who sees the case
reads the direct payment. Another team's case is refused (403) as on every case page.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.errors import Conflict, ValidationFailed
from app.roles import (
    DP_AUDIT_REQUESTERS,
    DP_NOTICE_RECORDERS,
    DP_REPORT_READERS,
    DP_RESTARTERS,
)
from app.services.direct_payments import dp_views, monitoring, returns_report

from . import bp
from .actions.forms import CHANGED_SINCE, Answers, act_once, errors_by_field, fingerprint
from .actions.forms import render_action
from .auth import page_requires
from .case_pages import visible_person
from .filters import long_date

REASONS_MAX = 2000
GIVEN_BY = [("person", "The person, or someone for them"), ("council", "The council")]
AUDIT_TEMPLATE = "direct_payments/audit_request.html"
NOTICE_TEMPLATE = "direct_payments/notice.html"
CHECK_TEMPLATE = "direct_payments/notice_check.html"
RESTART_TEMPLATE = "direct_payments/restart.html"


@bp.app_context_processor
def _direct_payment_globals() -> dict[str, Any]:
    """Who may act on a direct payment, and the Summary card's view of it."""
    return {"DP_AUDIT_REQUESTERS": DP_AUDIT_REQUESTERS,
            "DP_NOTICE_RECORDERS": DP_NOTICE_RECORDERS, "DP_REPORT_READERS": DP_REPORT_READERS,
            "DP_RESTARTERS": DP_RESTARTERS,
            "direct_payment_card": direct_payment_card,
            "direct_payment_of_task": dp_views.context_of_task}


def direct_payment_card(person) -> dict[str, Any] | None:
    """The person's direct payment beyond "proposed", for the Summary, or None."""
    agreement = dp_views.current_of(person)
    return dp_views.summary(agreement) if agreement is not None else None


def _agreement_of(reference: str):
    person = visible_person(reference)
    agreement = dp_views.current_of(person)
    if agreement is None:
        abort(404)
    return person, agreement


@bp.get("/people/<reference>/direct-payment")
@page_requires()
def direct_payment_page(reference):
    person, agreement = _agreement_of(reference)
    return render_template("direct_payments/direct_payment.html", person=person,
                           dp=dp_views.summary(agreement), reviews=dp_views.reviews(agreement),
                           audits=dp_views.audits(agreement), today=clock.today(),
                           current_tab="web.case_direct_payments", active_nav="search",
                           errors={})


def _seen(agreement) -> str:
    return fingerprint(dp_views.fingerprint_of(agreement))


def _back(person) -> str:
    return url_for("web.direct_payment_page", reference=person.reference)


# --- ask for an audit ----------------------------------------------------------------------------
@bp.route("/people/<reference>/direct-payment/audit", methods=["GET", "POST"])
@page_requires(*DP_AUDIT_REQUESTERS)
def request_audit_page(reference):
    person, agreement = _agreement_of(reference)

    def form(status: int = 200, **shown: Any):
        return render_action(AUDIT_TEMPLATE, status=status, person=person,
                             dp=dp_views.summary(agreement), seen=_seen(agreement),
                             back_url=_back(person), **shown)

    if request.method == "GET":
        return form()
    answers = Answers(request.form)
    reasons = answers.text("reasons", required="Enter why an audit is needed",
                           max_length=REASONS_MAX,
                           too_long=f"Why an audit is needed must be {REASONS_MAX:,} "
                                    "characters or fewer")
    if answers.errors:
        return form(errors=answers.errors, values=answers.shown)
    try:
        audit = act_once(request.form, _seen(agreement), lambda: monitoring.request_audit(
            agreement.id, reasons or "", current_user))
    except ValidationFailed as exc:
        return form(errors=errors_by_field(exc), values=answers.shown)
    except Conflict as exc:
        return form(status=409, errors={"form": exc.message}, values=answers.shown)
    due = f" by {long_date(audit.documents_due_on)}" if audit.documents_due_on else ""
    flash(f"Audit {audit.reference} asked for. The letter asking for the documents goes in "
          f"the print batch, and they are due{due}.", "success")
    return redirect(_back(person))


# --- notice that ends the direct payment ---------------------------------------------------------
def _notice_answers(person, agreement, form) -> Answers:
    answers = Answers(form)
    answers.choice("given_by", dict(GIVEN_BY), required="Select who gave notice")
    given_on = answers.date("given_on", "the date notice was given")
    if given_on is not None and given_on > clock.today():
        answers.add_error("given_on", "The date notice was given must be today or in the past")
    first = agreement.first_payment_date
    if given_on is not None and first is not None and given_on < first:
        answers.add_error("given_on", "The date notice was given must be on or after the first "
                                      f"payment, {long_date(first)}")
    answers.text("reasons", required="Enter the reasons for ending the direct payment",
                 max_length=REASONS_MAX,
                 too_long=f"The reasons must be {REASONS_MAX:,} characters or fewer")
    return answers


def _notice_form(person, agreement, status: int = 200, **shown: Any):
    return render_action(NOTICE_TEMPLATE, status=status, person=person,
                         dp=dp_views.summary(agreement), seen=_seen(agreement),
                         given_by=GIVEN_BY, weeks=dp_views.notice_weeks(),
                         date_fields=("given_on",), back_url=_back(person), **shown)


@bp.route("/people/<reference>/direct-payment/notice", methods=["GET", "POST"])
@page_requires(*DP_NOTICE_RECORDERS)
def notice_page(reference):
    """Record notice: who gave it, when and why; then a check saying when payments stop; then
    the record, which starts the final audit."""
    person, agreement = _agreement_of(reference)
    if request.method == "GET":  # "Change" on the check page brings the answers back
        shown = _notice_answers(person, agreement, request.args).shown if request.args else {}
        return _notice_form(person, agreement, values=shown)
    answers = _notice_answers(person, agreement, request.form)
    if answers.errors:
        return _notice_form(person, agreement, errors=answers.errors, values=answers.shown)
    if request.form.get("seen") != _seen(agreement):
        return _notice_form(person, agreement, status=409, errors={"form": CHANGED_SINCE},
                            values=answers.shown)
    given_on = answers.values["given_on"]
    if request.form.get("confirm") != "yes":
        return _notice_check(person, agreement, answers)
    try:
        act_once(request.form, _seen(agreement), lambda: monitoring.give_notice(
            agreement.id, given_on=given_on, given_by=answers.values["given_by"],
            reasons=answers.values["reasons"], actor=current_user))
    except ValidationFailed as exc:
        return _notice_form(person, agreement, errors=errors_by_field(exc),
                            values=answers.shown)
    except Conflict as exc:
        return _notice_form(person, agreement, status=409, errors={"form": exc.message},
                            values=answers.shown)
    flash(f"Notice recorded. Payments stop on {long_date(dp_views.notice_end(given_on))}. "
          "The final audit of the account follows, and any surplus is due back by "
          f"{long_date(dp_views.surplus_return_by(given_on))}.", "success")
    return redirect(_back(person))


def _notice_check(person, agreement, answers: Answers):
    given_on = answers.values["given_on"]
    return render_action(
        CHECK_TEMPLATE, person=person, seen=request.form.get("seen"), values=answers.shown,
        given_by=dict(GIVEN_BY)[answers.values["given_by"]], given_on=given_on,
        reasons=answers.values["reasons"], stops_on=dp_views.notice_end(given_on),
        weeks=dp_views.notice_weeks(), return_by=dp_views.surplus_return_by(given_on),
        change_url=url_for("web.notice_page", reference=person.reference,
                           **_flat(answers.shown)),
        back_url=_back(person))


def _flat(shown: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in shown.items():
        if isinstance(value, list):
            out.update(zip((f"{name}-day", f"{name}-month", f"{name}-year"), value,
                           strict=True))
        else:
            out[name] = value
    return out


# --- start again after a suspension ----------------------------------------------------------------
@bp.route("/people/<reference>/direct-payment/restart", methods=["GET", "POST"])
@page_requires(*DP_RESTARTERS)
def restart_page(reference):
    person, agreement = _agreement_of(reference)
    example = clock.today() + timedelta(days=7)

    def form(status: int = 200, **shown: Any):
        return render_action(RESTART_TEMPLATE, status=status, person=person,
                             dp=dp_views.summary(agreement), seen=_seen(agreement),
                             date_fields=("restart_on",), back_url=_back(person),
                             example=f"{example.day} {example.month} {example.year}", **shown)

    if request.method == "GET":
        return form()
    answers = Answers(request.form)
    restart_on = answers.date("restart_on", "the date payments start again")
    reasons = answers.text("reasons", required="Enter why the direct payment can start again",
                           max_length=REASONS_MAX,
                           too_long=f"The reasons must be {REASONS_MAX:,} characters or fewer")
    if answers.errors:
        return form(errors=answers.errors, values=answers.shown)
    try:
        act_once(request.form, _seen(agreement), lambda: monitoring.restart_payments(
            agreement.id, restart_on=restart_on, reasons=reasons or "", actor=current_user))
    except ValidationFailed as exc:
        return form(errors=errors_by_field(exc), values=answers.shown)
    except Conflict as exc:
        return form(status=409, errors={"form": exc.message}, values=answers.shown)
    flash(f"The direct payment starts again on {long_date(restart_on)}. Whoever pays it is told "
          "in the next payment instructions export.", "success")
    return redirect(_back(person))


# --- the returns report --------------------------------------------------------------------------
@bp.get("/reports/direct-payments")
@page_requires(*DP_REPORT_READERS)
def direct_payment_report():
    today = clock.today()
    return render_template("direct_payments/report.html", active_nav="reports",
                           report=returns_report.report(current_user, today),
                           within=returns_report.DUE_WITHIN_DAYS)


@bp.get("/reports/direct-payments.csv")
@page_requires(*DP_REPORT_READERS)
def direct_payment_report_csv():
    today = clock.today()
    text = returns_report.to_csv(returns_report.report(current_user, today))
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition":
            f'attachment; filename="direct-payment-returns-{today.isoformat()}.csv"'})
