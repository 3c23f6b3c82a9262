"""Action pages for debts and what the council is told about a person: record an instalment
plan (with a check of its payments before the confirmation letter goes), a Breathing Space
notice, its end or its cancellation, and a death.

Each calls the service the API calls (app/api/debts_routes.py) and is offered only to the same
role group: RECOVERY_OFFICERS for plans, NOTIFIERS for the rest. The rules (a first payment
today or later, an end after the start, a death not in the future) live in the services, whose
messages are written to read as GOV.UK error messages on these pages too.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable, Mapping

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import clock
from app.domain.instalments import FREQUENCY_ORDER, frequency_text
from app.errors import Conflict, NotFound, ValidationFailed
from app.roles import NOTIFIERS, RECOVERY_OFFICERS
from app.services.debts import breathing_spaces, cases, instalment_plans
from app.services.estates import deaths

from .. import bp
from ..auth import page_requires
from ..case_pages import visible_person
from ..filters import long_date, pounds
from .forms import CHANGED_SINCE, Answers, act_once, fingerprint, render_action

if TYPE_CHECKING:  # the types only: pages never touch a model themselves
    from app.models import BreathingSpace, DebtCase, Person

FREQUENCY_WORDS = {f: frequency_text(f).capitalize() for f in FREQUENCY_ORDER}
METHOD_WORDS = {m: text[:1].upper() + text[1:]
                for m, text in instalment_plans.METHOD_TEXT.items()}
KIND_WORDS = {"standard": "Standard Breathing Space",
              "mental_health": "Mental health crisis Breathing Space"}
KIND_SHORT = {"standard": "standard", "mental_health": "mental health crisis"}
PLAN_IN_FORCE = ("active", "behind")


@bp.app_context_processor
def _debt_action_helpers() -> dict[str, Any]:
    # The partials on the case pages ask who may act by the API's role groups, and what
    # Breathing Space is open, through these (never by a role's name).
    return {"RECOVERY_OFFICERS": RECOVERY_OFFICERS, "NOTIFIERS": NOTIFIERS,
            "PLAN_IN_FORCE": PLAN_IN_FORCE, "open_breathing_space": breathing_space_view,
            "frequency_words": FREQUENCY_WORDS.get}


def breathing_space_view(person: Person) -> dict[str, Any] | None:
    """The person's Breathing Space not yet ended or cancelled, in words, or None."""
    bs = breathing_spaces.open_of(person)
    if bs is None:
        return None
    until = (f"to {long_date(bs.ends_on)}" if bs.ends_on
             else "until its end is recorded")
    return {"id": bs.id, "kind": bs.kind, "words": f"{KIND_WORDS[bs.kind]} from "
            f"{long_date(bs.starts_on)} {until}", "reference": bs.reference}


def _errors(exc: ValidationFailed) -> dict[str, str]:
    """A service's problems by field, the first for each, in GOV.UK form: a capital, no full
    stop at the end."""
    out: dict[str, str] = {}
    for detail in exc.details or [{"message": exc.message}]:
        text = detail["message"].rstrip(".")
        out.setdefault(detail.get("field") or "form", text[:1].upper() + text[1:])
    return out


def _conflict(exc: Conflict) -> dict[str, str]:
    return {"form": exc.message[:1].upper() + exc.message[1:]}


def _to_case(reference: str, message: str):
    flash(message, "success")
    return redirect(url_for("web.case_page", reference=reference))


# --- instalment plan ------------------------------------------------------------------------
def _debt_of(reference: str, debt_id: int) -> tuple[Person, DebtCase]:
    person = visible_person(reference)
    debt = cases.get_debt(debt_id)
    if debt.person_id != person.id:
        raise NotFound(f"no debt {debt_id} for this person")
    return person, debt


def _plan_seen(debt: DebtCase) -> str:
    plan = cases.current_plan(debt)
    return fingerprint(debt.id, debt.status, debt.stage, str(cases.balance(debt)),
                       str(instalment_plans.arrears_covered(debt)), plan.id if plan else None)


def _plan_answers(form: Mapping[str, str]) -> Answers:
    answers = Answers(form)
    answers.money("amount", "the amount of each payment")
    answers.choice("frequency", FREQUENCY_ORDER, required="Select how often they will pay")
    answers.date("first_date", "the first payment date")
    answers.choice("method", METHOD_WORDS, required="Select how they will pay")
    answers.yes_no("full_income_expenditure", required="Select yes if they completed a full "
                   "income and expenditure form")
    return answers


def _plan_context(person: Person, debt: DebtCase) -> dict[str, Any]:
    return {"person": person, "debt": debt, "balance": cases.balance(debt),
            "arrears": instalment_plans.arrears_covered(debt),
            "debt_title": f"Debt from {long_date(debt.opened_on)}",
            "rules": instalment_plans.rules(), "frequencies": FREQUENCY_WORDS,
            "methods": METHOD_WORDS, "seen": _plan_seen(debt),
            "example_date": _boxes(clock.today() + timedelta(days=14)),
            "back_url": url_for("web.case_debts", reference=person.reference)}


def _boxes(day: date) -> str:
    """A date as a hint writes it for the three boxes: "27 3 2026"."""
    return f"{day.day} {day.month} {day.year}"


def _plan_form(person: Person, debt: DebtCase, **shown: Any):
    return render_action("actions/debt_instalment_plan.html", **shown,
                         **_plan_context(person, debt))


@bp.route("/people/<reference>/debts/<int:debt_id>/instalment-plan", methods=["GET", "POST"])
@page_requires(*RECOVERY_OFFICERS)
def instalment_plan_page(reference: str, debt_id: int):
    """Record an instalment plan: the terms, then a check of its payments, then the record and
    its confirmation letter."""
    person, debt = _debt_of(reference, debt_id)
    if request.method == "GET":  # "Change" on the check page brings the answers back
        return _plan_form(person, debt, values=_plan_answers(request.args).shown
                          if request.args else {})
    answers = _plan_answers(request.form)
    if answers.errors:
        return _plan_form(person, debt, errors=answers.errors, values=answers.shown)
    if request.form.get("seen") != _plan_seen(debt):
        return _plan_form(person, debt, errors={"form": CHANGED_SINCE}, values=answers.shown,
                          status=409)
    terms = {name: answers.values[name] for name in (
        "amount", "frequency", "first_date", "method", "full_income_expenditure")}
    try:
        preview = instalment_plans.preview(debt, terms)
        if request.form.get("confirm") != "yes":
            return _plan_check(person, debt, preview, answers)
        act_once(request.form, _plan_seen(debt),
                 lambda: instalment_plans.record_plan(debt, terms, current_user))
    except ValidationFailed as exc:
        return _plan_form(person, debt, errors=_errors(exc), values=answers.shown)
    except Conflict as exc:
        return _plan_form(person, debt, errors=_conflict(exc), values=answers.shown,
                          status=409)
    return _to_case(reference, _plan_recorded(preview, terms))


def _plan_check(person: Person, debt: DebtCase, preview: instalment_plans.PlanPreview,
                answers: Answers):
    steps = preview.schedule
    return render_action(
        "actions/debt_instalment_plan_check.html", values=answers.shown,
        person=person, seen=request.form.get("seen"), preview=preview,
        first=steps[0], last=steps[-1], count=len(steps),
        frequency=FREQUENCY_WORDS[answers.values["frequency"]],
        method=METHOD_WORDS[answers.values["method"]],
        full_form=answers.values["full_income_expenditure"],
        grace_days=instalment_plans.rules()["grace_days"],
        debt_title=f"Debt from {long_date(debt.opened_on)}",
        change_url=url_for("web.instalment_plan_page", **_flat(answers.shown),
                           reference=person.reference, debt_id=debt.id),
        back_url=url_for("web.case_debts", reference=person.reference))


def _flat(shown: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as the form's own names, for the "Change" links' query string."""
    out: dict[str, Any] = {}
    for name, value in shown.items():
        if isinstance(value, list):
            out.update(zip((f"{name}-day", f"{name}-month", f"{name}-year"), value,
                           strict=True))
        else:
            out[name] = value
    return out


def _plan_recorded(preview: instalment_plans.PlanPreview, terms: Mapping[str, Any]) -> str:
    steps = preview.schedule
    payments = "1 payment" if len(steps) == 1 else f"{len(steps)} payments"
    return (f"Instalment plan recorded: {payments} of {pounds(terms['amount'])} "
            f"{frequency_text(terms['frequency'])} from {long_date(steps[0].due_on)}, the last "
            f"on {long_date(steps[-1].due_on)}. The letter confirming it is in today's print "
            "batch. Recovery letters on this debt stop while the plan is kept.")


# --- Breathing Space ------------------------------------------------------------------------
def _person_seen(person: Person) -> str:
    bs = breathing_spaces.open_of(person)
    return fingerprint(person.id, person.deceased, person.date_of_death,
                       bs.id if bs else None)


@bp.route("/people/<reference>/breathing-space", methods=["GET", "POST"])
@page_requires(*NOTIFIERS)
def breathing_space_page(reference: str):
    """Record a Breathing Space notice from the Insolvency Service."""
    person = visible_person(reference)

    def form(**shown: Any):
        return render_action(
            "actions/breathing_space_start.html", **shown, person=person,
            seen=_person_seen(person), kinds=KIND_WORDS,
            standard_days=breathing_spaces.standard_days(),
            back_url=url_for("web.case_page", reference=reference))

    if request.method == "GET":
        return form()
    answers = Answers(request.form)
    kind = answers.choice("kind", KIND_WORDS, required="Select what kind of Breathing Space "
                          "it is")
    starts_on = answers.date("starts_on", "the start date")
    ends_on = answers.date("ends_on", "the end date", required=False)
    ref = answers.text("reference", max_length=40,
                       too_long="The reference must be 40 characters or fewer")
    if answers.errors:
        return form(errors=answers.errors, values=answers.shown)
    assert kind is not None and starts_on is not None
    return _act(lambda: breathing_spaces.start(person, kind, starts_on, ends_on, ref,
                                               current_user),
                _person_seen(person), form, answers,
                lambda bs: _to_case(reference, _started(person, bs)))


def _started(person: Person, bs: BreathingSpace) -> str:
    until = (f"to {long_date(bs.ends_on)}" if bs.ends_on
             else "until you record its end")
    return (f"Breathing Space recorded: {KIND_SHORT[bs.kind]}, from "
            f"{long_date(bs.starts_on)} {until}. Recovery of {person.name}'s debts is on hold "
            "until it ends: no recovery letters are sent. Invoices are still sent and payable.")


def _open_bs(person: Person, bs_id: int) -> BreathingSpace:
    bs = breathing_spaces.get(bs_id)
    if bs.person_id != person.id:
        raise NotFound(f"no Breathing Space {bs_id} for this person")
    return bs


def _bs_seen(bs: BreathingSpace) -> str:
    return fingerprint(bs.id, bs.ends_on, bs.cancelled_on, bs.lifted_at)


def _bs_words(bs: BreathingSpace) -> dict[str, Any]:
    return {"id": bs.id, "kind": KIND_WORDS[bs.kind], "starts_on": long_date(bs.starts_on),
            "ends_on": long_date(bs.ends_on) if bs.ends_on else None,
            "reference": bs.reference, "is_standard": bs.kind == "standard"}


@bp.route("/people/<reference>/breathing-space/<int:bs_id>/end", methods=["GET", "POST"])
@page_requires(*NOTIFIERS)
def breathing_space_end_page(reference: str, bs_id: int):
    """Record the end of a Breathing Space (a mental health crisis one, usually)."""
    return _bs_date_page(reference, bs_id, "ends_on", "the end date",
                         "actions/breathing_space_end.html",
                         lambda bs, day: breathing_spaces.end(bs, day, current_user),
                         _ended)


@bp.route("/people/<reference>/breathing-space/<int:bs_id>/cancel", methods=["GET", "POST"])
@page_requires(*NOTIFIERS)
def breathing_space_cancel_page(reference: str, bs_id: int):
    """Record that a Breathing Space was cancelled: recovery starts again at once."""
    return _bs_date_page(reference, bs_id, "cancelled_on", "the date it was cancelled",
                         "actions/breathing_space_cancel.html",
                         lambda bs, day: breathing_spaces.cancel(bs, day, current_user),
                         _cancelled)


def _bs_date_page(reference: str, bs_id: int, name: str, what: str, template: str,
                  service: Callable[[BreathingSpace, date], BreathingSpace],
                  said: Callable[[BreathingSpace], str]):
    person = visible_person(reference)
    bs = _open_bs(person, bs_id)

    def form(**shown: Any):
        return render_action(template, **shown, person=person, seen=_bs_seen(bs),
                             bs=_bs_words(bs),
                             back_url=url_for("web.case_page", reference=reference))

    if request.method == "GET":
        return form()
    answers = Answers(request.form)
    day = answers.date(name, what)
    if answers.errors or day is None:
        return form(errors=answers.errors, values=answers.shown)
    return _act(lambda: service(bs, day), _bs_seen(bs), form, answers,
                lambda done: _to_case(reference, said(done)))


def _ended(bs: BreathingSpace) -> str:
    assert bs.ends_on is not None
    if bs.ends_on <= clock.today():
        return (f"Breathing Space ended on {long_date(bs.ends_on)}. Recovery has started "
                "again: each paused step runs with the time it had left.")
    return (f"Breathing Space ends on {long_date(bs.ends_on)}. Recovery starts again that day, "
            "each paused step with the time it had left.")


def _cancelled(bs: BreathingSpace) -> str:
    return (f"Breathing Space recorded as cancelled on {long_date(bs.cancelled_on)}. Recovery "
            "has started again: each paused step runs with the time it had left.")


# --- death ----------------------------------------------------------------------------------
@bp.route("/people/<reference>/death", methods=["GET", "POST"])
@page_requires(*NOTIFIERS)
def death_page(reference: str):
    """Record a death: the warning says what it does, and the user confirms it."""
    person = visible_person(reference)

    def form(**shown: Any):
        return render_action("actions/death.html", **shown, person=person,
                             seen=_person_seen(person),
                             back_url=url_for("web.case_page", reference=reference))

    if request.method == "GET":
        return form()
    answers = Answers(request.form)
    day = answers.date("date_of_death", "the date of death")
    sure = answers.yes_no("sure", required="Select yes if you want to record the death")
    if sure is False:
        flash("Nothing was recorded.", "info")
        return redirect(url_for("web.case_page", reference=reference))
    if answers.errors or day is None:
        return form(errors=answers.errors, values=answers.shown)
    return _act(lambda: deaths.record_death(person, day, current_user), _person_seen(person),
                form, answers, lambda _: _to_case(reference, _died(person)))


def _died(person: Person) -> str:
    return (f"Death recorded: {person.name} died on {long_date(person.date_of_death)}. "
            "Recovery letters to them have stopped, and each open debt now goes to recovery "
            "from the estate.")


def _act(action: Callable[[], Any], seen_now: str, form: Callable[..., Any], answers: Answers,
         done: Callable[[Any], Any]):
    """Run the page's service once; on a problem show its form again with what was typed."""
    try:
        result = act_once(request.form, seen_now, action)
    except ValidationFailed as exc:
        return form(errors=_errors(exc), values=answers.shown)
    except Conflict as exc:
        return form(errors=_conflict(exc), values=answers.shown, status=409)
    return done(result)
