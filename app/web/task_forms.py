"""The diagram's task forms in a browser: how each field type is shown, the answers read back
from the posted form (a date from its three boxes), and a draft's answers shown again."""
from __future__ import annotations

from datetime import date

from app.domain.forms import validate_form


def field_kind(field) -> str:
    """How a form field is shown: the types the diagrams use (app/domain/forms.py)."""
    if field.type == "enum":
        return "radios" if len(field.options) <= 8 else "select"
    return {"boolean": "yesno", "date": "date", "money": "money", "long": "number",
            "note": "textarea"}.get(field.type, "text")


def date_from_boxes(parts: list[str]) -> date:
    """GOV.UK's date input: day, month and a four-digit year; ValueError if not a real date."""
    day, month, year = parts
    if len(year) != 4 or not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise ValueError("not a date")
    return date(int(year), int(month), int(day))


def posted_data(fields, form) -> tuple[dict[str, str | None], dict[str, list[str] | str | None],
                                      dict[str, str]]:
    """The answers to hand to the service, and the raw values to show again on an error.
    A date comes as day, month and year boxes; a date that is not real is an error here."""
    data: dict[str, str | None] = {}
    raw: dict[str, list[str] | str | None] = {}
    errors: dict[str, str] = {}
    for field in fields:
        if field.type == "date":
            parts = [form.get(f"{field.id}-{p}", "").strip() for p in ("day", "month", "year")]
            raw[field.id] = parts
            if not any(parts):
                data[field.id] = None
                continue
            try:
                data[field.id] = date_from_boxes(parts).isoformat()
            except ValueError:
                errors[field.id] = f"{field.label} must be a real date, for example 27 3 2026"
        else:
            value = form.get(field.id)
            raw[field.id] = value
            data[field.id] = value if value not in ("",) else None
    return data, raw, errors


def shown_values(fields, saved: dict) -> dict:
    """A saved draft's answers as the form shows them (a date in its three boxes)."""
    shown: dict[str, list[str] | str] = {}
    for field in fields:
        value = saved.get(field.id)
        if value is None:
            continue
        if field.type == "date":
            day = date.fromisoformat(value)
            shown[field.id] = [str(day.day), str(day.month), str(day.year)]
        elif field.type == "boolean":
            shown[field.id] = "true" if value else "false"
        else:
            shown[field.id] = str(value)
    return shown


def read_answers(fields, form, *, draft: bool) -> tuple[dict, dict, dict]:
    """The answers to hand to the service, the raw values to show again, and the problems
    found here. With a date that is not real, the other fields are checked too, so every
    problem is shown at once."""
    data, raw, errors = posted_data(fields, form)
    answers = {k: v for k, v in data.items() if v is not None}
    if errors:
        others = [f for f in fields if f.id not in errors]
        _, more = validate_form(others, {k: v for k, v in answers.items() if k not in errors},
                                partial=draft)
        errors.update({e.field: e.message for e in more})
    return answers, raw, errors
