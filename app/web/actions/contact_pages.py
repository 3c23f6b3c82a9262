"""Log a call or contact on a case without a task: when, how, who, what they said, a promise to
pay when they will pay, and notes (issue 19).

Finance staff only (FINANCE_STAFF, the group the contacts API uses): the log is the finance
team's record of recovery contact (DOMAIN.md A.3: "a letter, which will be followed by a phone
call"), and a promise to pay steers recovery. Social workers keep their own contact notes in the
social-care system; here they read the Summary's "Last contact" like everyone who sees the case.
"""
from __future__ import annotations

import re
from datetime import time

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import clock
from app.errors import Conflict, ValidationFailed
from app.roles import FINANCE_STAFF
from app.services.records import contacts

from .. import bp
from ..auth import page_requires
from ..case_pages import visible_person
from ..filters import long_date
from .forms import Answers, act_once, errors_by_field, fingerprint, render_action

With, Outcome = contacts.ContactWith, contacts.ContactOutcome
TEMPLATE = "actions/contact_log.html"
DATE_FIELDS = ("contacted_on", "promised_on")
# The "who" choices that need a name in the name box, and its error when it is empty. (No
# conditional reveals: GOV.UK Frontend puts aria-expanded on the radio, which axe refuses.)
NAME_ERRORS = {"representative": "Enter the representative's name",
               "provider": "Enter the name of the provider",
               With.SOMEONE_ELSE.value: "Enter the name of who you were in contact with"}
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


@bp.app_context_processor
def _contact_globals() -> dict:
    """Who may log a contact, and what the Summary shows of the log."""
    return {"CONTACT_LOGGERS": FINANCE_STAFF, "contact_summary": contact_summary}


def contact_summary(person) -> dict:
    """The Summary's "Last contact" and a promise to pay still ahead, in words."""
    last = contacts.last_contact(person)
    promise = contacts.promise_ahead(person, clock.today())
    return {
        "last": last and {"sentence": contacts.sentence(last, person),
                          "when": contacts.when_in_words(last),
                          "by": last.recorded_by.full_name or "A member of staff"},
        "promise": promise and {"on": promise.promised_on, "amount": promise.promised_amount}}


@bp.route("/people/<reference>/contacts/new", methods=["GET", "POST"])
@page_requires(*FINANCE_STAFF)
def log_contact(reference):
    person = visible_person(reference)
    if request.method == "GET":
        today = clock.today()
        return _form(person, values={"contacted_on": [str(today.day), str(today.month),
                                                      str(today.year)]})
    answers = Answers(request.form)
    contact = _read(person, answers)
    if answers.errors:
        return _form(person, errors=answers.errors, values=answers.shown)
    try:
        act_once(request.form, _seen(person),
                 lambda: contacts.log_contact(person, contact, current_user))
    except ValidationFailed as exc:
        return _form(person, errors=_on_page(errors_by_field(exc)), values=answers.shown)
    except Conflict as exc:
        return _form(person, status=409, errors={"form": exc.message}, values=answers.shown)
    flash(_done(person, contact), "success")
    return redirect(url_for("web.case_page", reference=reference))


def _seen(person) -> str:
    return fingerprint(contacts.fingerprint_of(person))


def _form(person, status: int = 200, **context):
    return render_action(TEMPLATE, status=status, person=person, seen=_seen(person),
                         who=_who_options(person), methods=list(contacts.METHODS.items()),
                         outcomes=list(contacts.OUTCOMES.items()),
                         latest=contacts.promise_latest(clock.today()),
                         date_fields=DATE_FIELDS, **context)


def _who_options(person) -> list[tuple[str, str]]:
    """The person, each representative on record by name, or the kinds that need a name."""
    options = [(With.PERSON.value, person.name)]
    reps = [r for r in person.representatives if r.end_date is None]
    options += [(f"representative-{r.id}", contacts.representative_words(r)) for r in reps]
    if not reps:
        options.append(("representative", "Their representative (not recorded on the case)"))
    options += [("provider", "A care provider"), (With.SOMEONE_ELSE.value, "Someone else")]
    return options


def _read(person, answers: Answers) -> contacts.ContactIn:
    """The answers as the service takes them; the service's own checks are shown with ours."""
    on = answers.date("contacted_on", "the date of the contact")
    at = _time(answers)
    method = answers.choice("method", contacts.METHODS, required="Select how you were in contact")
    who = answers.choice("with_whom", dict(_who_options(person)),
                         required="Select who you were in contact with")
    outcome = answers.choice("outcome", contacts.OUTCOMES,
                             required="Select what the outcome was")
    with_whom, rep_id, name = _who(who, answers)
    promised_on = promised_amount = None
    if outcome == Outcome.WILL_PAY or _any_given(answers, "promised_on", "promised_amount"):
        # Given with another outcome, the service says a promise goes with "will pay" only.
        promised_on = answers.date("promised_on", "the date they promised to pay by",
                                   required=outcome == Outcome.WILL_PAY)
        promised_amount = answers.money("promised_amount", "the amount", required=False)
    notes = answers.text("notes", max_length=contacts.NOTES_MAX_CHARS,
                         too_long=f"Notes must be {contacts.NOTES_MAX_CHARS:,} characters "
                                  "or fewer") or ""
    contact = contacts.ContactIn(
        contacted_on=on, contacted_time=at, method=method or "", with_whom=with_whom,
        outcome=outcome or "", representative_id=rep_id, other_name=name,
        promised_on=promised_on, promised_amount=promised_amount, notes=notes)
    # The service's date and promise rules, shown with the page's own problems at once.
    shared = {"contacted_on", "contacted_time", "notes"} | (
        {"promised_on", "promised_amount"} if outcome else set())
    if on is not None:
        for problem in contacts.problems_with(person, contact, clock.now()):
            if problem["field"] in shared:
                answers.add_error(problem["field"], problem["message"])
    return contact


def _any_given(answers: Answers, *names: str) -> bool:
    return any((value or "").strip() for key, value in answers.form.items()
               if key.split("-")[0] in names)


def _time(answers: Answers) -> time | None:
    raw = (answers.form.get("contacted_time") or "").strip().lower().replace(" ", "")
    answers.shown["contacted_time"] = answers.form.get("contacted_time") or ""
    if not raw:
        return None
    found = _TIME.match(raw)
    hour, minute = (int(found.group(1)), int(found.group(2) or 0)) if found else (99, 0)
    if found and found.group(3):  # 12-hour clock: 12am is midnight, 12pm is noon
        hour = (hour % 12) + (12 if found.group(3) == "pm" else 0) if 1 <= hour <= 12 else 99
    if hour > 23 or minute > 59:
        answers.add_error("contacted_time",
                          "Time of the contact must be a real time, like 14:30 or 2:30pm")
        return None
    return time(hour, minute)


def _who(who: str | None, answers: Answers) -> tuple[str, int | None, str | None]:
    """The service's (with_whom, representative_id, other_name) for the chosen "who"."""
    if who is None:
        return "", None, None
    if who.startswith("representative-"):
        return With.REPRESENTATIVE.value, int(who.removeprefix("representative-")), None
    if who not in NAME_ERRORS:
        answers.text("other_name")  # shown again as typed, but it names no one
        return who, None, None
    name = answers.text("other_name", required=NAME_ERRORS[who],
                        max_length=contacts.NAME_MAX_CHARS,
                        too_long=f"The name must be {contacts.NAME_MAX_CHARS} characters or "
                                 "fewer")
    return (With.REPRESENTATIVE.value if who == "representative" else who), None, name


def _on_page(errors: dict[str, str]) -> dict[str, str]:
    """The service's field names as this page's (a representative is a "who" choice)."""
    return {("with_whom" if name == "representative_id" else name): message
            for name, message in errors.items()}


def _done(person, contact: contacts.ContactIn) -> str:
    logged = "Call" if contact.method.startswith("phone") else "Contact"
    message = f"{logged} logged. It is in {person.name}'s history"
    if contact.promised_on is not None:
        return (f"{message}, and the promise to pay by {long_date(contact.promised_on)} "
                "shows on the Summary until that date. Recovery letters and tasks go on as "
                "planned.")
    return f"{message} and on the Summary as the last contact."
