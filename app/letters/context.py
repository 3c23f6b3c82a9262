"""Build the merge context for a letter: the common block of DOMAIN.md (b) plus its own fields.

Pure: the caller passes plain mappings (council settings, the person, the officer, the
template's fields) and gets back a dict of already-formatted values, or ``RepresentationNeeded``
when the addressing rule says no letter may be sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from app.letters.addressing import Recipient, RepresentationNeeded, choose_recipient
from app.letters.catalogue import TemplateInfo, template_info
from app.letters.errors import LetterError
from app.letters.formatting import format_date, to_letter_value

ADVICE_SIGNPOSTS: tuple[dict[str, str], ...] = (
    {"name": "National Debtline", "phone": "0808 808 4000", "website": "nationaldebtline.org"},
    {"name": "StepChange Debt Charity", "phone": "0800 138 1111", "website": "stepchange.org"},
    {"name": "Citizens Advice", "phone": "0800 144 8848", "website": "citizensadvice.org.uk"},
)
DEFAULT_ACCESSIBLE_FORMATS_TEXT = (
    "If you would like this letter in large print, Braille, audio, easy read or another "
    "language, please contact us using the details at the top of this letter."
)
_COUNCIL_KEYS = ("name", "postcode", "phone", "email", "hours", "team_name")
# Filled from the person and the addressing rule only; a template's fields may not override them.
_PROTECTED = frozenset({"letter", "our_ref", "recipient", "salutation", "subject", "advice"})
_CHOICES: dict[str, frozenset[str]] = {
    "dp.variant": frozenset({"standard", "nominated_authorised", "carer"}),
    "dp.gross_or_net": frozenset({"gross", "net"}),
    "dp.account_type": frozenset({"card", "bank"}),
}
# Keys each item of a list field must have; a non-None value is the default when absent.
_ITEM_KEYS: dict[str, dict[str, Any]] = {
    "signatories": {"name": None, "role": None, "signature_date": ""},
    "payment_schedule": {"date": None, "amount": None},
    "advice.signposts": {"name": None, "phone": None, "website": None},
}
MISSING = object()  # what lookup() returns for an absent path


def build_context(
    template: str,
    *,
    letter_date: date,
    council: Mapping[str, Any],
    person: Mapping[str, Any],
    officer: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
) -> dict[str, Any] | RepresentationNeeded:
    """The full merge context for ``template``, or ``RepresentationNeeded``.

    ``fields`` holds the template's own fields, nested ({"dp": {"amount": ...}}) or dotted
    ({"dp.amount": ...}). Decimals become "£1,234.56" and dates "16 March 2026"; floats and
    datetimes raise LetterError. Required fields are checked by ``render_letter``.
    """
    info = template_info(template)
    recipient = choose_recipient(person, info.matter)
    if isinstance(recipient, RepresentationNeeded):
        return recipient
    context = _common_block(info, letter_date, council, person, officer, recipient)
    extra = to_letter_value(dict(fields or {}), "fields")
    clash = sorted({key.split(".")[0] for key in extra} & _PROTECTED)
    if clash:
        raise LetterError(f"{template}: fields may not set {', '.join(clash)}")
    _merge(context, extra)
    for path, value in _DEFAULTS.get(template, _no_defaults)(context).items():
        if lookup(context, path) is MISSING:
            _merge(context, {path: to_letter_value(value, path)})
    _check_choices(template, context)
    _fill_list_items(template, context)
    return context


def lookup(context: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` in ``context``, or the ``MISSING`` sentinel."""
    node: Any = context
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node



def _common_block(
    info: TemplateInfo,
    letter_date: date,
    council: Mapping[str, Any],
    person: Mapping[str, Any],
    officer: Mapping[str, Any] | None,
    recipient: Recipient,
) -> dict[str, Any]:
    council_block = {key: "" for key in _COUNCIL_KEYS} | {"address_lines": []} | dict(council)
    name = str(person["name"]).strip()
    block = {
        "council": council_block,
        # DOMAIN.md (b) spells the team contacts team.*; the same values as council.*.
        "team": {
            "name": council_block["team_name"],
            "phone": council_block["phone"],
            "email": council_block["email"],
            "hours": council_block["hours"],
        },
        "letter": {"ref": info.ref_and_version, "date": format_date(letter_date)},
        "our_ref": str(person.get("reference") or ""),
        "your_ref": "",
        "recipient": {
            "full_name": recipient.full_name,
            "address_lines": list(recipient.address_lines),
            "postcode": recipient.postcode,
            "role": recipient.role,
            "on_behalf_of": recipient.on_behalf_of,
            "salutation": recipient.salutation,
        },
        "salutation": recipient.salutation,
        "subject": {
            "full_name": name,
            "person_id": str(person.get("reference") or ""),
            "possessive": _possessive(recipient, name, bool(person.get("deceased"))),
        },
        "officer": _officer(officer, council_block),
        "advice": {"signposts": [dict(s) for s in ADVICE_SIGNPOSTS]},
        "accessible_formats_text": council.get("accessible_formats_text")
        or DEFAULT_ACCESSIBLE_FORMATS_TEXT,
        "contact_for_help": _contact_for_help(council_block),
    }
    return to_letter_value(block, "context")


def _possessive(recipient: Recipient, name: str, deceased: bool) -> str:
    # Lets one sentence read right to the person ("your care") and to anyone writing for them
    # ("Jane Smith's care").
    if deceased:
        return f"the late {name}'s"
    return "your" if recipient.role == "self" else f"{name}'s"


def _officer(officer: Mapping[str, Any] | None, council: Mapping[str, Any]) -> dict[str, Any]:
    base = {"name": council["team_name"], "job_title": "", "direct_line": ""}
    return base | dict(officer or {})


def _contact_for_help(council: Mapping[str, Any]) -> str:
    hours = f" ({council['hours']})" if council["hours"] else ""
    return (
        f"the {council['team_name']} on {council['phone']}{hours} "
        f"or by email at {council['email']}"
    )


def _merge(target: dict[str, Any], values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        *parents, leaf = key.split(".")
        node = target
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise LetterError(f"field {key!r} goes inside {part!r}, which is not a group")
        if isinstance(value, dict) and isinstance(node.get(leaf), dict):
            _merge(node[leaf], value)
        else:
            node[leaf] = value


def _check_choices(template: str, context: Mapping[str, Any]) -> None:
    for path, allowed in _CHOICES.items():
        value = lookup(context, path)
        if value is not MISSING and value not in allowed:
            raise LetterError(f"{template}: {path} is {value!r}; expected one of {sorted(allowed)}")


def _fill_list_items(template: str, context: Mapping[str, Any]) -> None:
    # A loop variable's attributes are not visible to the placeholder check, so every item is
    # checked here; with StrictUndefined a missing key would otherwise fail mid-render.
    for path, keys in _ITEM_KEYS.items():
        items = lookup(context, path)
        if items is MISSING:
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise LetterError(f"{template}: {path}[{index}] must be a mapping")
            for key, default in keys.items():
                if key in item:
                    continue
                if default is None:
                    raise LetterError(f"{template}: {path}[{index}] has no {key!r}")
                item[key] = default


def _no_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {}


def _agreement_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    council = context["council"]
    return {
        "dp.records_retention_years": 7,  # [S74]
        "dp.notice_period_weeks": 4,
        "dp.decrease_notice_weeks": 4,  # [S134]
        "return_address": [
            council["team_name"],
            council["name"],
            *council["address_lines"],
            council["postcode"],
        ],
    }


def _reminder_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"support_org_details": ""}


def _second_reminder_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    defaults = _reminder_defaults(context)
    return_by = lookup(context, "return_by_date")
    if return_by is not MISSING:
        their = context["subject"]["possessive"]
        defaults["consequence_text"] = (
            f"If we do not receive the signed agreement by {return_by}, we will contact {their} "
            f"social worker to discuss other ways to meet {their} care and support needs."
        )
    return defaults


def _confirmation_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"card_activation_info": ""}


_DEFAULTS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "dp_agreement": _agreement_defaults,
    "dp_reminder_1": _reminder_defaults,
    "dp_reminder_2": _second_reminder_defaults,
    "dp_confirmation": _confirmation_defaults,
}
