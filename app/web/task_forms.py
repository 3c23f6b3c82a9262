"""The diagram's task forms in a browser: how each field type is shown, the answers read back
from the posted form (a date from its three boxes), and a draft's answers shown again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.forms import error_name, validate_form

_PARTS = ("day", "month", "year")


def field_kind(field) -> str:
    """How a form field is shown: the types the diagrams use (app/domain/forms.py)."""
    if field.type == "enum":
        return "radios" if len(field.options) <= 8 else "select"
    return {"boolean": "yesno", "date": "date", "money": "money", "long": "number",
            "note": "textarea"}.get(field.type, "text")


@dataclass(frozen=True)
class Section:
    """Fields shown together: under a heading (a fieldset's legend) when the diagram gives
    them a `group`, else one by one."""
    heading: str | None
    fields: tuple


def sections(fields) -> list[Section]:
    """The form's fields in order, fields in a row with the same `group` property together
    (and fields in a row with none)."""
    found: list[Section] = []
    for field in fields:
        heading = (field.properties.get("group") or "").strip() or None
        if found and found[-1].heading == heading:
            found[-1] = Section(heading, (*found[-1].fields, field))
        else:
            found.append(Section(heading, (field,)))
    return found


def hint_of(field) -> str | None:
    """The field's hint from the diagram (the `hint` property), if it has one."""
    return (field.properties.get("hint") or "").strip() or None


def date_problem(field, parts: list[str]) -> str | None:
    """GOV.UK's message for date boxes that do not make a real date; None when they do."""
    name = error_name(field)
    missing = [part for part, value in zip(_PARTS, parts, strict=True) if not value]
    if missing:
        return f"{name} must include a {' and a '.join(missing)}"
    try:
        date_from_boxes(parts)
    except ValueError:
        return f"{name} must be a real date"
    return None


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
            parts = [form.get(f"{field.id}-{p}", "").strip() for p in _PARTS]
            raw[field.id] = parts
            if not any(parts):
                data[field.id] = None
                continue
            problem = date_problem(field, parts)
            if problem:
                errors[field.id] = problem
            else:
                data[field.id] = date_from_boxes(parts).isoformat()
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
