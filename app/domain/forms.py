"""Validating task form data against the form defined in the diagram (pure, no Flask).

Besides the limits (min, max, minlength, maxlength) a field may carry rules a manager sets in the
modeler (docs/modelling.md): dates relative to today or to another field of the form, and
`required_when`, which makes a field required only when another field has a given answer.
"Today" is the UK local date from app.clock, so a frozen clock moves every rule with it.

A field's wording is the manager's too (GOV.UK content design, docs/modelling.md), as form-field
properties: `hint` (shown under the question), `error` (the message when the question is not
answered: "Select yes if all the required signatures are present"), `error_name` (what other
messages call the answer: "First payment date must be a real date") and `group` (a heading:
fields in a row with the same group are shown together under it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from dateutil.relativedelta import relativedelta

from app import clock
from app.engine.types import FormField

LIMIT_RULES = frozenset({"min", "max", "minlength", "maxlength"})
# Rules on a date field: today's date or another field's date is the other side.
DATE_RULES = frozenset({"not_in_past", "not_in_future", "within", "within_last",
                        "not_before", "not_after"})
# Rules whose config names another field of the same form.
FIELD_RULES = frozenset({"not_before", "not_after"})
# A yes/no question that must be answered yes before the task can be completed: its config is
# the message for a "no", saying what to do first ("Countersign the agreement before ...").
YES_ONLY = "yes_only"
MAX_YES_ONLY_MESSAGE = 200
KNOWN_RULES = frozenset({"required", "required_when", YES_ONLY}) | LIMIT_RULES | DATE_RULES
# Form-field properties the service reads; `type` says "money" or "note" for a string field.
WORDING_PROPERTIES = frozenset({"hint", "error", "error_name", "group"})
KNOWN_PROPERTIES = frozenset({"type"}) | WORDING_PROPERTIES
MAX_PERIOD = 999
_PERIOD = re.compile(r"(\d{1,3}) (day|days|month|months)")
_CONDITION = re.compile(r"([a-z][a-z0-9_]*)\s*=\s*(\S+)")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def to_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


def validate_form(fields: Iterable[FormField], data: Mapping[str, Any], *, partial: bool = False,
                  today: date | None = None) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean values by field type; every problem is reported, not just the first.

    Values stay JSON-friendly for the engine: dates as ISO strings, money as a string of a Decimal.
    With `partial` (a saved draft) required fields may be missing. `today` defaults to the UK
    date of app.clock.
    """
    fields = list(fields)
    today = today or clock.today()
    known = {f.id for f in fields}
    errors = [FieldError(name, "not a field of this form") for name in data if name not in known]
    clean: dict[str, Any] = {}
    for field in fields:
        value = data.get(field.id)
        if _is_empty(value):
            if not partial and (field.required or _required_now(field, data)):
                errors.append(FieldError(field.id, missing_message(field)))
            continue
        try:
            clean[field.id] = _check_constraints(field, _convert(field, value), today)
        except ValueError as exc:
            errors.append(FieldError(field.id, str(exc)))
    refused = {e.field for e in errors}
    for field in fields:
        if field.id in clean and field.id not in refused:
            message = _compare_with_fields(field, clean, {f.id: f for f in fields})
            if message:
                errors.append(FieldError(field.id, message))
    return clean, errors


def parse_period(config: str | None) -> tuple[int, str] | None:
    """A rule's period, such as "3 months" or "30 days": (3, "months"), or None if it is not one."""
    match = _PERIOD.fullmatch(" ".join((config or "").lower().split()))
    if not match or not 1 <= int(match.group(1)) <= MAX_PERIOD:
        return None
    return int(match.group(1)), "months" if match.group(2).startswith("month") else "days"


def period_and_field(config: str | None) -> tuple[tuple[int, str] | None, str | None]:
    """A `within` / `within_last` config: its period, and the other field it counts from when it
    says so ("3 months of start_date"), else None for today."""
    period, of, other = " ".join((config or "").split()).partition(" of ")
    return parse_period(period), (other or None) if of else None


def parse_condition(config: str | None) -> tuple[str, str] | None:
    """A `required_when` condition, "outcome=spoke_will_pay": (field id, answer), or None."""
    match = _CONDITION.fullmatch((config or "").strip())
    return (match.group(1), match.group(2)) if match else None


def in_words(label: str) -> str:
    """A label inside a sentence: lowercase, except a leading acronym such as "NHS number"."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def error_name(field: FormField) -> str:
    """What error messages call the answer ("First payment date"): the `error_name` property,
    else a label that is not a question, else the field id in words."""
    named = (field.properties.get("error_name") or "").strip()
    if named:
        return named
    label = field.label.strip()
    if label and not label.endswith("?"):
        return label
    words = field.id.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def missing_message(field: FormField) -> str:
    """The message when a question is not answered: the `error` property, else one in GOV.UK
    form from the field's type and name ("Select the outcome", "Enter the claim number")."""
    given = (field.properties.get("error") or "").strip()
    if given:
        return given
    if field.type == "boolean":
        return f"Select yes or no for {in_words(error_name(field))}"
    verb = "Select" if field.type == "enum" else "Enter"
    return f"{verb} the {in_words(error_name(field))}"


def _required_now(field: FormField, data: Mapping[str, Any]) -> bool:
    condition = parse_condition(field.validation.get("required_when"))
    if "required_when" not in field.validation or condition is None:
        return False
    other, answer = condition
    value = data.get(other)
    if isinstance(value, bool):
        return str(value).lower() == answer.lower()
    return value is not None and str(value).strip() == answer


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(field: FormField, value: Any) -> Any:
    kind, name = field.type, error_name(field)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            return value.lower() in ("true", "yes")
        raise ValueError(missing_message(field))
    if kind == "long":
        if isinstance(value, bool) or not (isinstance(value, int) or str(value).lstrip("-").isdigit()):
            raise ValueError(f"{name} must be a whole number, like 12")
        return int(value)
    if kind == "money":
        return str(_money(name, value))
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(f"{name} must be a real date, written like 2026-03-27") from None
    if kind == "enum":
        options = {option_id for option_id, _ in field.options}
        if str(value) not in options:
            raise ValueError(f"{name} must be one of: {', '.join(sorted(options))}")
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    return value.strip()


def _money(name: str, value: Any) -> Decimal:
    if isinstance(value, float) or isinstance(value, bool):
        raise ValueError(f"{name} must be an amount of money written as text, like \"125.50\"")
    try:
        amount = Decimal(str(value).replace(",", "").lstrip("£"))
    except InvalidOperation:
        raise ValueError(f"{name} must be an amount of money, like 125.50") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{name} must be an amount of money, like 125.50")
    return amount.quantize(Decimal("0.01"))


def _check_constraints(field: FormField, value: Any, today: date) -> Any:
    rules, name = field.validation, error_name(field)
    if YES_ONLY in rules and value is False:
        raise ValueError(rules[YES_ONLY] or f"{name} must be yes to complete this task")
    if field.type == "date":
        message = _date_problem(field, date.fromisoformat(value), today)
        if message:
            raise ValueError(message)
    length = len(value) if isinstance(value, str) else None
    if length is not None and "maxlength" in rules and length > int(_config(field, "maxlength")):
        raise ValueError(f"{name} must be {rules['maxlength']} characters or less")
    if length is not None and "minlength" in rules and length < int(_config(field, "minlength")):
        raise ValueError(f"{name} must be {rules['minlength']} characters or more")
    number = Decimal(value) if field.type in ("long", "money") else None
    if number is not None and "min" in rules and number < Decimal(_config(field, "min")):
        raise ValueError(f"{name} must be {_number_words(field, rules['min'])} or more")
    if number is not None and "max" in rules and number > Decimal(_config(field, "max")):
        raise ValueError(f"{name} must be {_number_words(field, rules['max'])} or less")
    return value


def _number_words(field: FormField, limit: str | None) -> str:
    return f"£{Decimal(str(limit)):,.2f}" if field.type == "money" else str(limit)


def _date_problem(field: FormField, value: date, today: date) -> str | None:
    """What is wrong with a date against today, by the field's rules; None when nothing is."""
    rules, label = field.validation, error_name(field)
    if "not_in_past" in rules and value < today:
        return f"{label} must be today or in the future"
    if "not_in_future" in rules and value > today:
        return f"{label} must be today or in the past"
    ahead, from_field = period_and_field(rules.get("within"))
    if ahead and from_field is None and not today <= value <= _moved(today, ahead, forwards=True):
        return f"{label} must be within the next {_period_words(ahead)}"
    back, from_field = period_and_field(rules.get("within_last"))
    if back and from_field is None and not _moved(today, back, forwards=False) <= value <= today:
        return f"{label} must be within the last {_period_words(back)}"
    return None


def _moved(day: date, period: tuple[int, str], *, forwards: bool) -> date:
    count, unit = period
    step = relativedelta(months=count) if unit == "months" else timedelta(days=count)
    return day + step if forwards else day - step


def _period_words(period: tuple[int, str]) -> str:
    count, unit = period
    return f"{count} {unit[:-1] if count == 1 else unit}"


def _compare_with_fields(field: FormField, clean: Mapping[str, Any],
                         fields: Mapping[str, FormField]) -> str | None:
    """Rules against another date of the same form (`not_before`, `not_after`, and `within` /
    `within_last` "of" a field), checked when both dates are answered."""
    if field.type != "date":
        return None
    mine = date.fromisoformat(clean[field.id])
    for rule in ("not_before", "not_after", "within", "within_last"):
        if rule not in field.validation:
            continue
        period, other_id = (None, field.validation[rule]) if rule in FIELD_RULES else (
            period_and_field(field.validation[rule]))
        other = fields.get((other_id or "").strip())
        if other is None or other.type != "date" or other.id not in clean:
            continue
        message = _against(error_name(field), mine, rule, period, error_name(other),
                           date.fromisoformat(clean[other.id]))
        if message:
            return message
    return None


def _against(label: str, mine: date, rule: str, period: tuple[int, str] | None,
             other_label: str, theirs: date) -> str | None:
    other = in_words(other_label)
    if rule == "not_before" and mine < theirs:
        return f"{label} must be the same as or after the {other}"
    if rule == "not_after" and mine > theirs:
        return f"{label} must be the same as or before the {other}"
    if rule == "within" and period and not theirs <= mine <= _moved(theirs, period, forwards=True):
        return f"{label} must be within {_period_words(period)} after the {other}"
    if rule == "within_last" and period and not (
            _moved(theirs, period, forwards=False) <= mine <= theirs):
        return f"{label} must be within {_period_words(period)} before the {other}"
    return None


def _config(field: FormField, constraint: str) -> str:
    """A constraint's limit. Only `required` goes without one (and is not in `validation`);
    a diagram that leaves the limit out fails here rather than on int(None) or Decimal(None)."""
    config = field.validation[constraint]
    assert config is not None, f"{field.id}: the {constraint} constraint has no config"
    return config


def as_date(value: Any) -> date | None:
    """An answer read back as a date: a date, an ISO string, or None when blank or not a date."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
