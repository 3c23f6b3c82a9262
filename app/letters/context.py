"""Build the merge context for a letter: the common block of DOMAIN.md (b) plus its own fields.

Pure: the caller passes plain mappings (council settings, the person, the officer, the
template's fields) and gets back a dict of already-formatted values, or ``RepresentationNeeded``
when the addressing rule says no letter may be sent.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from app.letters.addressing import Recipient, RepresentationNeeded, choose_recipient
from app.letters.dp_monitoring import (
    DP_MONITORING_CHOICES,
    DP_MONITORING_DEFAULTS,
    DP_MONITORING_ITEM_KEYS,
    DP_MONITORING_TEXT_LISTS,
    check_dp_monitoring_figures,
)
from app.letters.catalogue import TemplateInfo, template_info
from app.letters.errors import LetterError
from app.letters.formatting import format_date, to_letter_value
from app.letters.legal import LEGAL_DEFAULTS, ROUTES, check_legal_figures
from app.letters.paths import MISSING, lookup
from app.letters.queries import FINDINGS, QUERY_DEFAULTS, QUERY_ITEM_KEYS

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
    "recommended_route": ROUTES,
    "finding": FINDINGS,
    **DP_MONITORING_CHOICES,
}
# Keys each item of a list field must have; a non-None value is the default when the key is
# absent or None (None would print as "None"), and with no default the item is refused.
_ITEM_KEYS: dict[str, dict[str, Any]] = {
    "signatories": {"name": None, "role": None, "signature_date": ""},
    "payment_schedule": {"date": None, "amount": None},
    "advice.signposts": {"name": None, "phone": None, "website": None},
    "invoices_overdue": {
        "number": None, "date": None, "amount": None, "due_date": None, "balance": None
    },
    "aged_breakdown": {"band": None, "amount": None},
    "admin_charges": {"item": None, "amount": None},
    # An invoice has no credit and a payment no debit: those cells are left blank.
    "statement_of_account": {
        "date": None, "description": None, "debit": "", "credit": "", "balance": None
    },
    "pap_dates": {"label": None, "date": None},
    **QUERY_ITEM_KEYS,
    **DP_MONITORING_ITEM_KEYS,
}
# Lists of sentences: each item must be text (a mapping or None would print as Python).
_TEXT_LISTS = (
    "enclosures", "documents_enclosed", "reasons", "route_reasons", "actions_taken",
    *DP_MONITORING_TEXT_LISTS,
)
# Yes/no answers a letter prints as "Yes" or "No": a real bool, so the string "no" cannot read
# as Yes.
_FLAGS = ("litigation_friend_needed",)
# Whole numbers a letter prints or builds wording from; each must be at least 1 when present.
_COUNTS = ("number_of_payments", "dd_advance_notice_days")
# (list, item key, total): a letter must not print a total that its own table contradicts.
_SUMS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "debt_reminder_1": (("invoices_overdue", "balance", "total_overdue"),),
    "debt_final_demand": (("invoices_overdue", "balance", "total_overdue"),),
    "debt_recovery_contact": (("aged_breakdown", "amount", "total_arrears"),),
    "instalment_confirmation": (("payment_schedule", "amount", "arrears_total"),),
    "credit_note_notice": (("lines", "amount", "credit_amount"),),
}


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
    recipient = choose_recipient(person, info.matter, council)
    if isinstance(recipient, RepresentationNeeded):
        return recipient
    _check_figures(template, fields or {})
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
    _check_counts(template, context)
    _check_kinds(template, context)
    _fill_list_items(template, context)
    return context


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
            "deceased": bool(person.get("deceased")),
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


def _check_counts(template: str, context: Mapping[str, Any]) -> None:
    for path in _COUNTS:
        value = lookup(context, path)
        if value is MISSING:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise LetterError(f"{template}: {path} must be a whole number, at least 1: {value!r}")


def _check_kinds(template: str, context: Mapping[str, Any]) -> None:
    for path in _FLAGS:
        value = lookup(context, path)
        if value is not MISSING and not isinstance(value, bool):
            raise LetterError(f"{template}: {path} must be True or False: {value!r}")
    for path in _TEXT_LISTS:
        items = lookup(context, path)
        if items is MISSING:
            continue
        if not isinstance(items, list):
            raise LetterError(f"{template}: {path} must be a list of texts")
        for index, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise LetterError(f"{template}: {path}[{index}] must be a non-empty text")


def _check_figures(template: str, fields: Mapping[str, Any]) -> None:
    # Runs on the caller's Decimals and dates, before they become text. Lists that are not
    # all Decimals are left to the other checks (a float is refused by to_letter_value).
    raw: dict[str, Any] = {}
    _merge(raw, copy.deepcopy(dict(fields)))
    for items_path, key, total_path in _SUMS.get(template, ()):
        amounts = _amounts(lookup(raw, items_path), key)
        total = lookup(raw, total_path)
        if amounts is not None and isinstance(total, Decimal) and sum(amounts) != total:
            raise LetterError(
                f"{template}: {total_path} is {total} but {items_path} adds up to {sum(amounts)}"
            )
    if template == "instalment_confirmation":
        _check_schedule(template, raw)
    check_legal_figures(template, raw)
    check_dp_monitoring_figures(template, raw)


def _check_schedule(template: str, raw: Mapping[str, Any]) -> None:
    schedule = lookup(raw, "payment_schedule")
    if not isinstance(schedule, list) or not all(isinstance(i, Mapping) for i in schedule):
        return
    count = lookup(raw, "number_of_payments")
    # A count that is not a whole number >= 1 is reported by _check_counts instead.
    if type(count) is int and count >= 1 and len(schedule) != count:
        raise LetterError(
            f"{template}: number_of_payments is {count} but payment_schedule has {len(schedule)}"
        )
    ends = {
        "first_date": (schedule[0].get("date") if schedule else None),
        "final_payment_amount": (schedule[-1].get("amount") if schedule else None),
    }
    for path, scheduled in ends.items():
        value = lookup(raw, path)
        if value is not MISSING and scheduled is not None and value != scheduled:
            raise LetterError(
                f"{template}: {path} is {value} but payment_schedule says {scheduled}"
            )


def _amounts(items: Any, key: str) -> list[Decimal] | None:
    if not isinstance(items, list):
        return None
    amounts = [item.get(key) if isinstance(item, Mapping) else None for item in items]
    decimals = [a for a in amounts if isinstance(a, Decimal)]
    return decimals if len(decimals) == len(amounts) else None


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
                if item.get(key) is not None:
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


# ----------------------------------------------------------------------------- debt letters
# Each text reads right to the person ("your care"), to a deputy or attorney ("Harold Finch's
# care") and to the personal representatives of someone who has died, who get no promise about
# care continuing and no Breathing Space (it protects living debtors only).


def _for_estate(context: Mapping[str, Any]) -> bool:
    # Only the estate's personal representatives are written to after a death (addressing.py).
    return bool(context["recipient"]["role"] == "personal_representative")


def _care_continues(context: Mapping[str, Any]) -> str:
    # Care cannot be withdrawn because charges are unpaid (Annex D practice, Gloucestershire [S7]).
    their = context["subject"]["possessive"]
    return f" We will not stop or reduce {their} care and support because of unpaid charges."


def _overdue_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    their = context["subject"]["possessive"]
    card = f"by debit or credit card by calling {context['council']['phone']}"
    quote = f"Please quote the reference {context['our_ref']} when you pay."
    if _for_estate(context):
        return {
            "payment_methods": f"You can pay {card}. {quote} Contact us for other ways to pay, "
            "such as bank transfer.",
            "arrangement_offer_text": "If the estate cannot pay the full amount yet, for example "
            "while probate is being sorted out, please contact us. We can agree when and how "
            "it will be paid.",
            "hardship_text": "If there is a problem paying from the estate, or you need more "
            "time, please tell us as soon as you can.",
            "query_contact": _query_contact(context),
        }
    return {
        "payment_methods": "The easiest way to pay is by Direct Debit. Contact us and we will "
        f"set one up. You can also pay {card}. {quote}",
        "arrangement_offer_text": "If the full amount cannot be paid now, please contact us. "
        "We can agree a plan to pay it in smaller amounts that are affordable.",
        "hardship_text": "If paying is causing hardship, please tell us. We can check that "
        f"{their} financial assessment is correct and up to date, and look at what can be "
        "afforded.",
        "query_contact": _query_contact(context),
    }


def _query_contact(context: Mapping[str, Any]) -> str:
    return (
        "If you think any of these charges are wrong, please contact "
        f"{context['contact_for_help']}. We will not take recovery action on an amount you have "
        "queried while we look into it."
    )


def _final_demand_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    estate = _for_estate(context)
    defaults = _overdue_defaults(context) | {
        "income_expenditure_form": "Income and expenditure form",
        "breathing_space_text": _BREATHING_SPACE_ESTATE if estate else _BREATHING_SPACE,
    }
    deadline = lookup(context, "deadline_date")
    if deadline is not MISSING:
        against = "against the estate " if estate else ""
        defaults["consequence_text"] = (
            f"If, by {deadline}, the full amount has not been paid and no payment plan has been "
            "agreed, we will pass the debt to our debt recovery team. They may take legal action "
            f"{against}in the county court to recover it. The law allows us to recover our costs "
            "of doing this as well as the debt (Care Act 2014, section 69(5))."
            + ("" if estate else _care_continues(context))
        )
    return defaults


_BREATHING_SPACE = (
    "Breathing Space (the Debt Respite Scheme) is a government scheme for people in problem "
    "debt. It gives legal protection from most creditors for 60 days, or for as long as someone "
    "is receiving mental health crisis treatment and 30 days after. During a Breathing Space we "
    "cannot take action to recover this debt, but charges for care received during it must "
    "still be paid. Only a debt adviser can apply, so please contact one of the free advice "
    "services listed in this letter."
)
_BREATHING_SPACE_ESTATE = (
    "Breathing Space (the Debt Respite Scheme) protects living people in problem debt while they "
    "get advice. It does not apply to the estate of someone who has died. If the estate may not "
    "be able to pay all its debts, please get advice from a solicitor or an advice service "
    "before paying any of them."
)


def _recovery_contact_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    # Unannounced home visits have drawn Ombudsman criticism [S148]: always by arrangement.
    if _for_estate(context):
        visit = "If it would help to meet face to face, we can arrange a meeting at a time that "
        visit += "suits you."
    elif context["recipient"]["role"] == "self":
        visit = "If you would find it easier to talk face to face, we can visit you at home at a "
        visit += "time that suits you. We will never visit without arranging it with you first."
    else:
        visit = "If it would help to meet face to face, we can arrange a meeting or a visit at a "
        visit += "time that suits you. We will never visit without arranging it first."
    return {"home_visit_option": visit}


def _instalment_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    days = lookup(context, "dd_advance_notice_days")
    days = 10 if days is MISSING else days  # the Direct Debit notice councils give [S88]
    method = lookup(context, "method")
    change = f"we will write to you at least {days} days before the change."
    if isinstance(method, str) and "direct debit" in method.lower():
        notice = "We will collect the payments by Direct Debit. If we need to change the date "
        notice += f"or amount of a collection, {change} The Direct Debit Guarantee protects you "
        notice += "if a payment is taken in error."
    else:
        notice = f"If we need to change the date or amount of a payment, {change}"
    arrears = lookup(context, "arrears_total")
    covers = "the overdue amount" if arrears is MISSING else f"the overdue amount of {arrears}"
    if _for_estate(context):
        name = context["subject"]["full_name"]
        ongoing = f"If we send a further invoice for care provided before {name} died, it "
        ongoing += "must be paid in full by its due date."
    else:
        ongoing = f"New invoices for {context['subject']['possessive']} care and support must "
        ongoing += "still be paid in full by their due dates."
    return {
        "dd_advance_notice_days": days,
        "dd_advance_notice_text": notice,
        "ongoing_charges_text": f"This arrangement covers only {covers}. {ongoing}",
        "default_consequence_text": "If an instalment is missed, we will write to you. If the "
        "payments are not then brought up to date, the arrangement may end and we may take "
        "action to recover the whole amount still owed.",
    }


def _missed_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    by = lookup(context, "bring_up_to_date_by")
    if by is MISSING:
        return {}
    estate = _for_estate(context)
    against = " against the estate" if estate else ""
    return {
        "consequence_text": f"If the payments are not brought up to date by {by}, the "
        "arrangement may end. We may then take action to recover the whole amount still owed. "
        f"This can include legal action{against} in the county court."
        + ("" if estate else _care_continues(context))
    }


_DEFAULTS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "dp_agreement": _agreement_defaults,
    "dp_reminder_1": _reminder_defaults,
    "dp_reminder_2": _second_reminder_defaults,
    "dp_confirmation": _confirmation_defaults,
    "debt_reminder_1": _overdue_defaults,
    "debt_final_demand": _final_demand_defaults,
    "debt_recovery_contact": _recovery_contact_defaults,
    "instalment_confirmation": _instalment_defaults,
    "instalment_missed": _missed_defaults,
    **LEGAL_DEFAULTS,
    **QUERY_DEFAULTS,
    **DP_MONITORING_DEFAULTS,
}
