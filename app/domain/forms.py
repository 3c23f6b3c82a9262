"""Validating task form data against the form defined in the diagram (pure, no Flask)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from app.engine.types import FormField


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def to_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


def validate_form(fields: Iterable[FormField], data: Mapping[str, Any], *, partial: bool = False
                  ) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean values by field type; every problem is reported, not just the first.

    Values stay JSON-friendly for the engine: dates as ISO strings, money as a string of a Decimal.
    With `partial` (a saved draft) required fields may be missing.
    """
    fields = list(fields)
    known = {f.id for f in fields}
    errors = [FieldError(name, "not a field of this form") for name in data if name not in known]
    clean: dict[str, Any] = {}
    for field in fields:
        value = data.get(field.id)
        if _is_empty(value):
            if field.required and not partial:
                errors.append(FieldError(field.id, f"{field.label} is required"))
            continue
        try:
            clean[field.id] = _check_constraints(field, _convert(field, value))
        except ValueError as exc:
            errors.append(FieldError(field.id, str(exc)))
    return clean, errors


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(field: FormField, value: Any) -> Any:
    kind = field.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            return value.lower() in ("true", "yes")
        raise ValueError(f"{field.label} must be yes or no")
    if kind == "long":
        if isinstance(value, bool) or not (isinstance(value, int) or str(value).lstrip("-").isdigit()):
            raise ValueError(f"{field.label} must be a whole number")
        return int(value)
    if kind == "money":
        return str(_money(field, value))
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(f"{field.label} must be a date (YYYY-MM-DD)") from None
    if kind == "enum":
        options = {option_id for option_id, _ in field.options}
        if str(value) not in options:
            raise ValueError(f"{field.label} must be one of: {', '.join(sorted(options))}")
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{field.label} must be text")
    return value.strip()


def _money(field: FormField, value: Any) -> Decimal:
    if isinstance(value, float) or isinstance(value, bool):
        raise ValueError(f"{field.label} must be an amount written as text, e.g. \"123.45\"")
    try:
        amount = Decimal(str(value).replace(",", "").lstrip("£"))
    except InvalidOperation:
        raise ValueError(f"{field.label} must be an amount in pounds and pence") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{field.label} must be an amount in pounds and pence")
    return amount.quantize(Decimal("0.01"))


def _check_constraints(field: FormField, value: Any) -> Any:
    rules = field.validation
    length = len(value) if isinstance(value, str) else None
    if length is not None and "maxlength" in rules and length > int(_config(field, "maxlength")):
        raise ValueError(f"{field.label} must be at most {rules['maxlength']} characters")
    if length is not None and "minlength" in rules and length < int(_config(field, "minlength")):
        raise ValueError(f"{field.label} must be at least {rules['minlength']} characters")
    number = Decimal(value) if field.type in ("long", "money") else None
    if number is not None and "min" in rules and number < Decimal(_config(field, "min")):
        raise ValueError(f"{field.label} must be at least {rules['min']}")
    if number is not None and "max" in rules and number > Decimal(_config(field, "max")):
        raise ValueError(f"{field.label} must be at most {rules['max']}")
    return value


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
