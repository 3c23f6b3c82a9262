"""What every action page shares: reading GOV.UK inputs with GOV.UK error wording, the page's
single-use key and the fingerprint of what the user saw, and the page shown again on a problem.

An action page posts three hidden values besides its fields: the CSRF token, `form_key` (see
app/services/submissions.py: a second post of the same form changes nothing) and `seen`, a
fingerprint of the record as the page showed it. If the record changed since (someone else
recorded a plan, the write-off was decided), the post is refused with 409 and the page shown
again with what is true now, so nobody acts on what they did not see.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping, TypeVar

from flask import render_template
from flask_login import current_user

from app.errors import Conflict, ValidationFailed
from app.services import submissions
from app.web.task_forms import date_from_boxes

R = TypeVar("R")
CHANGED_SINCE = ("This case changed while you were on this page. Check what it shows now and "
                 "submit again if you still need to.")
MONEY_MAX = Decimal("1000000")


def fingerprint(*parts: Any) -> str:
    """A short digest of the values a page showed, to compare when the form comes back."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@dataclass
class Answers:
    """A posted form read field by field: the clean values, what to show again, the errors."""
    form: Mapping[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, *, required: str | None = None, max_length: int = 500,
             too_long: str | None = None) -> str | None:
        value = (self.form.get(name) or "").strip()
        self.shown[name] = value
        if not value:
            if required:
                self.errors[name] = required
            return self._keep(name, None)
        if len(value) > max_length:
            self.errors[name] = too_long or f"Enter {max_length:,} characters or fewer"
        return self._keep(name, value)

    def choice(self, name: str, options: Mapping[str, str] | list[str] | tuple[str, ...],
               *, required: str | None) -> str | None:
        value = self.form.get(name) or ""
        self.shown[name] = value
        if value not in options:
            if required or value:
                self.errors[name] = required or "Select one of the options"
            return self._keep(name, None)
        return self._keep(name, value)

    def yes_no(self, name: str, *, required: str) -> bool | None:
        value = self.form.get(name) or ""
        self.shown[name] = value
        if value not in ("yes", "no"):
            self.errors[name] = required
            return self._keep(name, None)
        return self._keep(name, value == "yes")

    def date(self, name: str, what: str, *, required: bool = True) -> date | None:
        """GOV.UK's three boxes, named name-day, name-month, name-year. `what` is how the error
        names the date in a sentence, for example "the date of death"."""
        parts = [(self.form.get(f"{name}-{p}") or "").strip() for p in ("day", "month", "year")]
        self.shown[name] = parts
        if not any(parts):
            if required:
                self.errors[name] = f"Enter {what}"
            return self._keep(name, None)
        missing = [p for p, v in zip(("a day", "a month", "a year"), parts, strict=True)
                   if not v]
        if missing:
            self.errors[name] = f"{_capital(what)} must include {' and '.join(missing)}"
            return self._keep(name, None)
        try:
            return self._keep(name, date_from_boxes(parts))
        except ValueError:
            self.errors[name] = f"{_capital(what)} must be a real date"
            return self._keep(name, None)

    def money(self, name: str, what: str, *, required: bool = True) -> Decimal | None:
        """An amount in pounds: "1,250.50" or "£40" are fine; more than 2 decimal places or not
        more than zero are errors in GOV.UK words. `what` is for example "the amount"."""
        raw = (self.form.get(name) or "").strip()
        self.shown[name] = raw
        cleaned = raw.replace(",", "").removeprefix("£").strip()
        if not cleaned:
            if required:
                self.errors[name] = f"Enter {what}"
            return self._keep(name, None)
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            self.errors[name] = f"{_capital(what)} must be an amount of money, like 125.50"
        elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
            self.errors[name] = f"{_capital(what)} must not have more than 2 decimal places"
        elif amount <= 0:
            self.errors[name] = f"{_capital(what)} must be more than £0"
        elif amount >= MONEY_MAX:
            self.errors[name] = f"{_capital(what)} must be less than £1,000,000"
        else:
            return self._keep(name, amount.quantize(Decimal("0.01")))
        return self._keep(name, None)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def _keep(self, name: str, value: Any) -> Any:
        self.values[name] = value
        return value


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def errors_by_field(exc: ValidationFailed) -> dict[str, str]:
    """A service's ValidationFailed as field -> message. A message the service wrote for the API
    in lower case is given a capital, as GOV.UK error messages start."""
    return {d.get("field") or "form": _capital(d["message"]) for d in exc.details} or {
        "form": _capital(exc.message)}


def render_action(template: str, *, status: int = 200, errors: dict | None = None,
                  values: dict | None = None, **context: Any):
    """An action page, with a fresh single-use key for its form. 422 with errors."""
    return render_template(template, errors=errors or {}, values=values or {},
                           form_key=submissions.new_key(),
                           **context), (422 if errors and status == 200 else status)


def act_once(form: Mapping[str, str], seen_now: str, action: Callable[[], R]) -> R:
    """Run the page's action once: Conflict if the page was stale (the record changed since it
    was shown) or this form was submitted before; the service's ValidationFailed passes through."""
    key = form.get("form_key") or ""
    # A form already acted on has changed what it showed: say it was submitted, not stale.
    if submissions.was_used(key):
        raise Conflict(submissions.ALREADY_DONE)
    if form.get("seen") != seen_now:
        raise Conflict(CHANGED_SINCE)
    return submissions.once(key, current_user, action)
