"""Checking and normalising one setting's value (the cleaners of the settings catalogue).

Each cleaner takes (value, spec, path, problems), appends a {field, message} for every problem
and returns the value as stored: money as a string of pence-exact Decimal, never a float.
"""
from __future__ import annotations

import base64
import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Iterable

from app.roles import WRITE_OFF_LEVEL_ROLES

if TYPE_CHECKING:
    from .settings_catalogue import SettingSpec

UNITS = {"working_days": "working days", "calendar_days": "days", "weeks": "weeks",
         "months": "months", "seconds": "seconds", "timers": "timers"}
PENNY = Decimal("0.01")
# Who may approve a write-off (DOMAIN.md A.3-WO "configurable thresholds by role"): finance roles
# only; the finance officer proposes, so the service must still ask a different person.
WRITE_OFF_ROLES = tuple(str(role) for role in WRITE_OFF_LEVEL_ROLES)
Problems = list[dict[str, str]]


def _whole(value: Any, entry: SettingSpec, path: str, problems: Problems) -> int | None:
    unit = UNITS[entry.type]
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append({"field": path, "message": f"must be a whole number of {unit}"})
        return None
    if not entry.minimum <= value <= entry.maximum:  # type: ignore[operator]
        problems.append({"field": path, "message":
                         f"must be between {entry.minimum} and {entry.maximum} {unit}"})
    return value


_MONEY = re.compile(r"\d{1,9}(\.\d{1,2})?")
_PERCENT = re.compile(r"\d{1,3}(\.\d{1,4})?")


def _money(value: Any, path: str, problems: Problems, *, positive: bool = False
           ) -> Decimal | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        problems.append({"field": path, "message": 'money must be a string such as "1234.56", '
                                                   "not a number"})
        return None
    if not isinstance(value, str) or not _MONEY.fullmatch(value):
        problems.append({"field": path, "message": 'must be an amount in pounds such as '
                                                   '"1234.56" (no £ sign or commas)'})
        return None
    amount = Decimal(value).quantize(PENNY)
    if positive and amount <= 0:
        problems.append({"field": path, "message": "must be more than 0.00"})
    return amount


def _money_setting(value: Any, entry: SettingSpec, path: str, problems: Problems) -> str | None:
    amount = _money(value, path, problems)
    return None if amount is None else str(amount)


def _percentage(value: Any, entry: SettingSpec, path: str, problems: Problems) -> str | None:
    if not isinstance(value, str) or not _PERCENT.fullmatch(value) or Decimal(value) > 100:
        problems.append({"field": path, "message": 'must be a percentage from "0" to "100" as a '
                                                   'string, such as "8" or "4.65"'})
        return None
    return value


def _text(value: Any, entry: SettingSpec | None, path: str, problems: Problems, *,
          max_length: int = 2000, required: bool = True) -> str | None:
    if not isinstance(value, str):
        problems.append({"field": path, "message": "must be text"})
        return None
    value = value.strip()
    if required and not value:
        problems.append({"field": path, "message": "must not be empty"})
    elif len(value) > max_length:
        problems.append({"field": path, "message": f"must be at most {max_length} characters"})
    return value


def _text_list(value: Any, entry: SettingSpec | None, path: str, problems: Problems, *,
               max_items: int = 20, max_length: int = 300) -> list[str] | None:
    if not isinstance(value, list) or not 1 <= len(value) <= max_items:
        problems.append({"field": path, "message": f"must be a list of 1 to {max_items} texts"})
        return None
    return [_text(item, None, f"{path}[{i}]", problems, max_length=max_length)  # type: ignore[misc]
            for i, item in enumerate(value)]


def _objects(value: Any, path: str, problems: Problems, what: str) -> list[dict] | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        problems.append({"field": path, "message": f"must be a non-empty list of {what}"})
        return None
    return value


def _unknown(item: dict, allowed: Iterable[str], path: str, problems: Problems) -> None:
    for name in sorted(set(item) - set(allowed)):
        problems.append({"field": f"{path}.{name}", "message": "not a known field"})


def _pattern(value: Any, pattern: re.Pattern, path: str, problems: Problems, message: str, *,
             upper: bool = False) -> str | None:
    text = _text(value, None, path, problems, max_length=200)
    if text and not pattern.fullmatch(text):
        problems.append({"field": path, "message": message})
    return text.upper() if text and upper else text


def _iso_date(value: Any, path: str, problems: Problems) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    problems.append({"field": path, "message": "must be a date such as 2026-04-01"})
    return None


# The letter header. A logo is embedded in every letter, so only a small PNG or JPEG, checked by
# its first bytes as well as its declared type.
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,23}")
_LOGO = re.compile(r"data:image/(png|jpeg);base64,([A-Za-z0-9+/]+={0,2})")
_IMAGE_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
LOGO_MAX_BYTES = 100_000


def _logo(value: Any, path: str, problems: Problems) -> str | None:
    if value is None or value == "":
        return ""
    match = _LOGO.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        problems.append({"field": path, "message": "must be empty or a data: URI of a PNG or JPEG "
                                                   "image (data:image/png;base64,...)"})
        return None
    try:
        raw = base64.b64decode(match.group(2), validate=True)
    except ValueError:  # binascii.Error is a ValueError
        problems.append({"field": path, "message": "the image data is not valid base64"})
        return None
    if len(raw) > LOGO_MAX_BYTES:
        problems.append({"field": path, "message": f"must be at most {LOGO_MAX_BYTES // 1000} KB"})
    if not raw.startswith(_IMAGE_MAGIC[match.group(1)]):
        problems.append({"field": path, "message": f"is not a {match.group(1).upper()} image"})
    return value


_HEADER_FIELDS: dict[str, tuple[bool, Callable[[Any, str, Problems], Any]]] = {
    "name": (True, lambda v, at, pr: _text(v, None, at, pr, max_length=200)),
    "address_lines": (True, lambda v, at, pr: _text_list(v, None, at, pr, max_items=6,
                                                         max_length=200)),
    "postcode": (True, lambda v, at, pr: _pattern(v, _POSTCODE, at, pr, "must be a UK postcode "
                                                  "such as EX1 1AA", upper=True)),
    "team_name": (True, lambda v, at, pr: _text(v, None, at, pr, max_length=200)),
    "phone": (True, lambda v, at, pr: _pattern(v, _PHONE, at, pr, "must be a phone number such "
                                               "as 01234 567890")),
    "email": (True, lambda v, at, pr: _pattern(v, _EMAIL, at, pr, "must be an email address")),
    "hours": (False, lambda v, at, pr: _text(v, None, at, pr, max_length=100, required=False)),
    "logo": (False, _logo),
    # Read by app/letters/context.py when present; the letters' own wording otherwise.
    "accessible_formats_text": (False, lambda v, at, pr: _text(v, None, at, pr, required=False)),
    "legal_team_name": (False, lambda v, at, pr: _text(v, None, at, pr, max_length=200,
                                                       required=False)),
}


def _letter_header(value: Any, entry: SettingSpec, path: str, problems: Problems
                   ) -> dict | None:
    if not isinstance(value, dict):
        problems.append({"field": path, "message": "must be an object with "
                                                   + ", ".join(_HEADER_FIELDS)})
        return None
    _unknown(value, _HEADER_FIELDS, path, problems)
    out: dict[str, Any] = {"hours": "", "logo": ""}
    for name, (required, cleaner) in _HEADER_FIELDS.items():
        if name in value:
            out[name] = cleaner(value[name], f"{path}.{name}", problems)
        elif required:
            problems.append({"field": f"{path}.{name}", "message": "is required"})
    return out


def _write_off_levels(value: Any, entry: SettingSpec, path: str, problems: Problems
                      ) -> list[dict] | None:
    levels = _objects(value, path, problems, "levels {up_to, role}")
    if levels is None:
        return None
    out, previous = [], None
    for i, level in enumerate(levels):
        at, last = f"{path}[{i}]", i == len(levels) - 1
        _unknown(level, ("up_to", "role"), at, problems)
        if level.get("role") not in WRITE_OFF_ROLES:
            problems.append({"field": f"{at}.role",
                             "message": "must be one of: " + ", ".join(WRITE_OFF_ROLES)})
        amount = None
        if level.get("up_to") is None:
            if not last:
                problems.append({"field": f"{at}.up_to", "message": "only the last level may be "
                                                                    "open-ended (null)"})
        else:
            amount = _money(level["up_to"], f"{at}.up_to", problems, positive=True)
            if last:
                problems.append({"field": f"{at}.up_to", "message": "the last level must be "
                                                                    "null, so every amount has an "
                                                                    "approver"})
            if amount is not None and previous is not None and amount <= previous:
                problems.append({"field": f"{at}.up_to", "message": "must be more than the level "
                                                                    "before"})
            previous = amount if amount is not None else previous
        out.append({"up_to": None if amount is None else str(amount), "role": level.get("role")})
    return out


def _court_fee_tables(value: Any, entry: SettingSpec, path: str, problems: Problems
                      ) -> list[dict] | None:
    tables = _objects(value, path, problems, "tables {effective_from, bands}")
    if tables is None:
        return None
    out, seen = [], set()
    for i, table in enumerate(tables):
        at = f"{path}[{i}]"
        _unknown(table, ("effective_from", "bands"), at, problems)
        start = _iso_date(table.get("effective_from"), f"{at}.effective_from", problems)
        if start is not None and start in seen:
            problems.append({"field": f"{at}.effective_from",
                             "message": "another table starts on the same date"})
        seen.add(start)
        out.append({"effective_from": start,
                    "bands": _fee_bands(table.get("bands"), f"{at}.bands", problems)})
    # Stored oldest first, so the list reads as the history of the fees.
    return sorted(out, key=lambda t: t["effective_from"] or "")


def _fee_bands(value: Any, path: str, problems: Problems) -> list[dict] | None:
    bands = _objects(value, path, problems, "bands {from, to, fee or percent}")
    if bands is None:
        return None
    out: list[dict] = []
    expected: Decimal | None = PENNY
    for i, band in enumerate(bands):
        at, last = f"{path}[{i}]", i == len(bands) - 1
        _unknown(band, ("from", "to", "fee", "percent"), at, problems)
        low = _money(band.get("from"), f"{at}.from", problems)
        high = None
        if band.get("to") is None:
            if not last:
                problems.append({"field": f"{at}.to", "message": "only the last band may be "
                                                                 "open-ended (null)"})
        else:
            high = _money(band["to"], f"{at}.to", problems)
            if last:
                problems.append({"field": f"{at}.to", "message": "the last band must be null, so "
                                                                 "every amount has a fee"})
        # Bands meet a penny apart (£300.00 / £300.01), so no amount falls between two bands.
        starts_at_zero = i == 0 and low == 0
        if low is not None and expected is not None and low != expected and not starts_at_zero:
            problems.append({"field": f"{at}.from", "message": f"must be {expected}, a penny above "
                                                               "the band before"})
        if low is not None and high is not None and high < low:
            problems.append({"field": f"{at}.to", "message": "must not be below from"})
        expected = None if high is None else high + PENNY
        out.append({"from": None if low is None else str(low),
                    "to": None if high is None else str(high), **_band_charge(band, at, problems)})
    return out


def _band_charge(band: dict, at: str, problems: Problems) -> dict[str, str]:
    if ("fee" in band) == ("percent" in band):
        problems.append({"field": at, "message": "give exactly one of fee (an amount) or percent"})
        return {}
    if "fee" in band:
        fee = _money(band["fee"], f"{at}.fee", problems)
        return {} if fee is None else {"fee": str(fee)}
    percent = _percentage(band["percent"], None, f"{at}.percent",  # type: ignore[arg-type]
                          problems)
    return {} if percent is None else {"percent": percent}


def _boolean(value: Any, entry: Any, path: str, problems: Problems) -> bool | None:
    if not isinstance(value, bool):
        problems.append({"field": path, "message": "must be true or false"})
        return None
    return value


def _template_names(value: Any, entry: Any, path: str, problems: Problems) -> list[str] | None:
    from app.letters.catalogue import TEMPLATES

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append({"field": path, "message": "must be a list of letter template names"})
        return None
    unknown = sorted(set(value) - set(TEMPLATES))
    if unknown:
        problems.append({"field": path, "message": "unknown letter templates: "
                         + ", ".join(unknown)})
        return None
    return sorted(set(value))


CLEANERS: dict[str, Callable[[Any, "SettingSpec", str, Problems], Any]] = {
    **{unit: _whole for unit in UNITS},
    "money": _money_setting,
    "percentage": _percentage,
    "text": _text,
    "text_list": _text_list,
    "template_names": _template_names,
    "boolean": _boolean,
    "letter_header": _letter_header,
    "write_off_levels": _write_off_levels,
    "court_fee_tables": _court_fee_tables,
}
