"""The policy settings for managers (SETTINGS_EDITORS, the group the settings API uses): each
grouped, in words, with its value, its default, and whether a change reaches cases already
running (app/domain/settings_guide.py); a change page per setting, audited as the API is
(settings.change), with a banner that says when the change takes effect.

Settings with several parts (the council's details, the write-off levels, the court fee tables,
the letters that need approval) are shown here and changed through the API for now.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.domain import settings_catalogue as catalogue
from app.domain.settings_guide import GROUPS, guide
from app.errors import Conflict, ValidationFailed
from app.letters.catalogue import TEMPLATES
from app.roles import SETTINGS_EDITORS
from app.services import settings

from .. import bp
from ..auth import page_requires
from ..filters import long_date
from ..header import role_words
from . import forms
from .forms import Answers, act_once, errors_by_field, fingerprint, render_action

WHOLE_UNITS = {"working_days": ("working day", "working days"),
               "calendar_days": ("day", "days"), "weeks": ("week", "weeks"),
               "months": ("month", "months"), "seconds": ("second", "seconds"),
               "timers": ("timer", "timers")}
EDITABLE = frozenset({*WHOLE_UNITS, "money", "percentage", "text", "text_list", "boolean"})
_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,3}: ")
_PERCENT = re.compile(r"^\d{1,3}(\.\d{1,4})?$")
TEXT_LIST_MAX = 20
CHANGED_SINCE = ("Someone changed this setting while you were on this page. Check its value "
                 "now and save again if you still need to.")


@bp.app_context_processor
def _settings_globals() -> dict:
    return {"SETTINGS_EDITORS": SETTINGS_EDITORS}


@bp.get("/settings")
@page_requires(*SETTINGS_EDITORS)
def settings_list():
    """Every setting, grouped, in words."""
    views = settings.list_settings()
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in GROUPS}
    for view in views:
        groups[guide(view.key).group].append(_row(view))
    return render_template("settings.html", groups=groups, title="Policy settings",
                           active_nav="settings")


@bp.route("/settings/<key>", methods=["GET", "POST"])
@page_requires(*SETTINGS_EDITORS)
def change_setting(key):
    view = _editable(key)
    if request.method == "GET":
        return _form(view, values={"value": _as_typed(view)})
    answers = Answers(request.form)
    value = _read(view, answers)
    if answers.errors:
        return _form(view, errors=answers.errors, values=answers.shown)
    try:
        act_once(request.form, _seen(view),
                 lambda: settings.change(key, value, current_user))
    except ValidationFailed as exc:
        # The catalogue checks one value: its problems are all about the one box.
        message = " ".join(errors_by_field(exc).values())
        return _form(view, errors={"value": message}, values=answers.shown)
    except Conflict as exc:
        message = CHANGED_SINCE if exc.message == forms.CHANGED_SINCE else exc.message
        return _form(_editable(key), status=409, errors={"form": message},
                     values=answers.shown)
    words = guide(key)
    flash(f"{words.title} changed to {in_words(settings.describe(key))}. {words.takes_effect}",
          "success")
    return redirect(url_for("web.settings_list", _anchor=key))


def _editable(key: str) -> settings.SettingView:
    try:
        view = settings.describe(key)
    except Exception:  # noqa: BLE001 - NotFound for an unknown or internal key
        abort(404)
    if view.type not in EDITABLE:
        abort(404)
    return view


def _seen(view: settings.SettingView) -> str:
    return fingerprint(view.key, view.value, view.updated_at)


def _form(view: settings.SettingView, status: int = 200, **context):
    return render_action("settings_change.html", status=status, setting=_row(view),
                         seen=_seen(view), title=guide(view.key).title, active_nav="settings",
                         **context)


def _row(view: settings.SettingView) -> dict[str, Any]:
    words = guide(view.key)
    return {"key": view.key, "type": view.type, "title": words.title,
            "meaning": meaning(view.key), "value": in_words(view),
            "default": in_words(view, view.default), "is_default": view.is_default,
            "running": words.running, "takes_effect": words.takes_effect,
            "unit": WHOLE_UNITS.get(view.type, ("", ""))[1],
            "minimum": view.minimum, "maximum": view.maximum,
            "editable": view.type in EDITABLE}


def meaning(key: str) -> str:
    """The catalogue's summary without the diagram's shorthand ("T1: ") or API notation."""
    text = _CODE.sub("", catalogue.spec(key).summary)
    text = text.replace(" (null = any amount)", "")
    return text[:1].upper() + text[1:]


# -- values in words ---------------------------------------------------------------------

def in_words(view: settings.SettingView, value: Any = None) -> str:
    """A value as a manager reads it: "10 working days", "£23,250.00", "Yes"."""
    value = view.value if value is None else value
    kind = view.type
    if kind in WHOLE_UNITS:
        one, many = WHOLE_UNITS[kind]
        return f"{value} {one if value == 1 else many}"
    if kind == "money":
        return f"£{Decimal(value):,.2f}"
    if kind == "percentage":
        return f"{value}%"
    if kind == "boolean":
        return "Yes" if value else "No"
    if kind == "text_list":
        return "; ".join(value)
    if kind == "template_names":
        return "; ".join(TEMPLATES[v].display_name if v in TEMPLATES else v
                         for v in value) or "None besides the legal letters"
    if kind == "write_off_levels":
        return "; ".join(_level_words(level) for level in value)
    if kind == "court_fee_tables":
        return "; ".join(f"the table in force from {long_date(_iso(t['effective_from']))}, "
                         f"{len(t['bands'])} bands" for t in value)
    if kind == "letter_header":
        return ", ".join(part for part in (value.get("name"), value.get("team_name"),
                                           value.get("phone"), value.get("email")) if part)
    return str(value)


def _level_words(level: dict) -> str:
    who = role_words(level["role"])
    if level["up_to"] is None:
        return f"any amount: {who}"
    return f"up to £{Decimal(level['up_to']):,.2f}: {who}"


def _iso(text: str) -> date:
    return date.fromisoformat(text)


def _as_typed(view: settings.SettingView) -> Any:
    """The value in force as the form shows it."""
    if view.type == "boolean":
        return "yes" if view.value else "no"
    if view.type == "text_list":
        return "\n".join(view.value)
    return str(view.value)


# -- reading the answer ------------------------------------------------------------------

def _read(view: settings.SettingView, answers: Answers) -> Any:
    kind = view.type
    if kind in WHOLE_UNITS:
        return _whole(view, answers)
    if kind == "money":
        return _money(answers)
    if kind == "percentage":
        return _percentage(answers)
    if kind == "boolean":
        return answers.yes_no("value", required="Select yes or no")
    if kind == "text_list":
        return _text_list(answers)
    return answers.text("value", required="Enter the text", max_length=2000,
                        too_long="The text must be 2,000 characters or fewer")


def _whole(view: settings.SettingView, answers: Answers) -> int | None:
    unit = WHOLE_UNITS[view.type][1]
    raw = (answers.form.get("value") or "").strip()
    answers.shown["value"] = raw
    if not raw:
        answers.add_error("value", f"Enter the number of {unit}")
        return None
    if not raw.isdigit() or len(raw) > 6:
        answers.add_error("value", f"Enter the number of {unit} as a whole number, like "
                                   f"{catalogue.spec(view.key).default}")
        return None
    number = int(raw)
    if not view.minimum <= number <= view.maximum:  # type: ignore[operator]
        answers.add_error("value", f"The number of {unit} must be between {view.minimum} and "
                                   f"{view.maximum}")
        return None
    problem = _order_problem(view, number)
    if problem:
        answers.add_error("value", problem)
    return number


def _order_problem(view: settings.SettingView, number: int) -> str | None:
    """The catalogue's ordered pairs (a second warning before the first, ...) in words."""
    unit = WHOLE_UNITS[view.type][1]
    for smaller, larger in catalogue.ORDERED_PAIRS:
        if view.key == smaller and not number < settings.get(larger):
            return (f"The number of {unit} must be fewer than “{guide(larger).title}” "
                    f"({settings.get(larger)} {unit})")
        if view.key == larger and not number > settings.get(smaller):
            return (f"The number of {unit} must be more than “{guide(smaller).title}” "
                    f"({settings.get(smaller)} {unit})")
    return None


def _money(answers: Answers) -> str | None:
    raw = (answers.form.get("value") or "").strip()
    answers.shown["value"] = raw
    cleaned = raw.replace(",", "").removeprefix("£").strip()
    if not cleaned:
        answers.add_error("value", "Enter the amount")
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        answers.add_error("value", "The amount must be an amount of money, like 23,250.00")
    elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
        answers.add_error("value", "The amount must not have more than 2 decimal places")
    elif amount < 0:
        answers.add_error("value", "The amount must be £0 or more")
    elif amount >= Decimal("1000000000"):
        answers.add_error("value", "The amount must be less than £1,000,000,000")
    else:
        return str(amount.quantize(Decimal("0.01")))
    return None


def _percentage(answers: Answers) -> str | None:
    raw = (answers.form.get("value") or "").strip().removesuffix("%").strip()
    answers.shown["value"] = answers.form.get("value") or ""
    if not raw:
        answers.add_error("value", "Enter the percentage")
        return None
    if not _PERCENT.match(raw) or Decimal(raw) > 100:
        answers.add_error("value", "The percentage must be a number from 0 to 100, like 8 or "
                                   "4.65")
        return None
    return raw


def _text_list(answers: Answers) -> list[str] | None:
    raw = answers.form.get("value") or ""
    answers.shown["value"] = raw
    items = [line.strip() for line in raw.splitlines() if line.strip()]
    if not items:
        answers.add_error("value", "Enter at least one item, one on each line")
    elif len(items) > TEXT_LIST_MAX:
        answers.add_error("value", f"Enter {TEXT_LIST_MAX} items or fewer")
    elif any(len(item) > 300 for item in items):
        answers.add_error("value", "Each item must be 300 characters or fewer")
    else:
        return items
    return None

