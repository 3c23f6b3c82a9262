"""The direct-payment agreement's letters: the figures each one prints, from the person's
agreement and what the process recorded."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping

from dateutil.relativedelta import relativedelta

from app import calendar
from app.errors import NotFound
from app.models import Letter, Person, ProcessInstance
from app.services import settings
from app.services.correspondence.letters import issue_letter, next_letter_date
from app.services.records.people import current_agreement


def send_dp_letter(instance: ProcessInstance, template: str, data: Mapping[str, Any]) -> Letter:
    """Issue one of the agreement's letters with the figures it prints."""
    letter_date = next_letter_date()
    return issue_letter(instance, template, _fields_for(template, instance.person, data,
                                                        letter_date), letter_date)


FREQUENCY_STEP = {"weekly": relativedelta(weeks=1), "four_weekly": relativedelta(weeks=4),
                  "monthly": relativedelta(months=1)}


FREQUENCY_TEXT = {"weekly": "every week", "four_weekly": "every four weeks",
                  "monthly": "every month"}


def _return_by(letter_date: date, setting_key: str) -> date:
    # One working day before the next chase step, so the letter asks for a date that can be met.
    return calendar.add_working_days(letter_date, max(settings.integer(setting_key) - 1, 1))


@dataclass(frozen=True)
class _DpFacts:
    agreement: Any
    person: Person
    data: Mapping[str, Any]
    letter_date: date

    @property
    def sent_on(self) -> date:
        return date.fromisoformat(self.data["sent_date"])


def _reminder_2(f: _DpFacts) -> dict[str, Any]:
    caseworker = f.agreement.caseworker or f.person.caseworker
    return {"agreement.sent_date": f.sent_on,
            "return_by_date": _return_by(f.letter_date, "dp_decision_working_days"),
            "social_worker.name": caseworker.full_name if caseworker else "your social worker"}


# The letters the direct-payment diagram's `send_letter` may name; its contract lists them.
_DP_BUILDERS: dict[str, Callable[[_DpFacts], dict[str, Any]]] = {
    "dp_agreement": lambda f: _agreement_fields(f.agreement, f.person, f.letter_date),
    "dp_reminder_1": lambda f: {
        "agreement.sent_date": f.sent_on,
        "return_by_date": _return_by(f.letter_date, "dp_reminder_2_working_days")},
    "dp_reminder_2": _reminder_2,
    "dp_missing_information": lambda f: {
        "missing_items": _missing_items(f.data),
        "return_by_date": _return_by(f.letter_date, "dp_reminder_1_working_days")},
    "dp_confirmation": lambda f: _confirmation_fields(f.agreement, f.data),
    "dp_not_proceeding": lambda f: {
        "reason": f.data.get("reason") or "the signed agreement was not returned",
        "alternative_arrangements": settings.get("dp_alternative_arrangements_text"),
        "complaints_route": settings.get("complaints_route_text")},
}


DP_LETTERS = frozenset(_DP_BUILDERS)


def _fields_for(template: str, person: Person, data: Mapping[str, Any],
                letter_date: date) -> dict[str, Any]:
    if template not in _DP_BUILDERS:
        raise NotFound(f"'{template}' is not a direct-payment letter")
    agreement = current_agreement(person)
    if agreement is None:
        raise NotFound("the person has no direct-payment agreement on file")
    common = {"dp.amount": agreement.amount, "dp.frequency": FREQUENCY_TEXT.get(
        agreement.frequency, agreement.frequency)}
    return {**common, **_DP_BUILDERS[template](_DpFacts(agreement, person, data, letter_date))}


def _missing_items(data: Mapping[str, Any]) -> list[str]:
    labels = {"signatures_complete": "all the required signatures",
              "dedicated_account": "details of a dedicated account or payment card",
              "contribution_set_up": "a standing order or Direct Debit for your contribution"}
    items = [text for key, text in labels.items() if data.get(key) is False]
    if data.get("missing_items"):
        items.append(str(data["missing_items"]))
    return items or ["the information we asked for"]


def _agreement_fields(agreement, person: Person, letter_date: date) -> dict[str, Any]:
    start = agreement.start_date or letter_date
    return {
        "dp.agreement_id": f"DP-{agreement.id}", "dp.variant": agreement.variant,
        "dp.start_date": start, "dp.gross_or_net": agreement.gross_or_net,
        "client.contribution_amount": agreement.client_contribution,
        "client.contribution_frequency": FREQUENCY_TEXT.get(agreement.frequency,
                                                            agreement.frequency),
        "dp.account_type": agreement.account_type,
        "dp.support_plan_ref": agreement.support_plan_ref or person.reference,
        "dp.permitted_uses_summary": settings.get("dp_permitted_uses_text"),
        "dp.prohibited_uses": settings.get("dp_prohibited_uses_text"),
        "dp.contingency_weeks": settings.integer("dp_contingency_weeks"),
        "dp.monitoring_requirements": settings.get("dp_monitoring_requirements"),
        "dp.records_to_keep": settings.get("dp_records_to_keep"),
        # Reg 7(1)(a): first review within 6 months of the first payment.
        "dp.first_review_by": start + relativedelta(months=6),
        "signatories": [{"name": person.name, "role": "Direct payment recipient"}],
        "council.signatory": settings.get("council")["team_name"],
        "return_by_date": _return_by(letter_date, "dp_reminder_1_working_days"),
    }


def _confirmation_fields(agreement, data: Mapping[str, Any]) -> dict[str, Any]:
    first = date.fromisoformat(data["first_payment_date"])
    step = FREQUENCY_STEP.get(agreement.frequency, relativedelta(weeks=1))
    schedule = [{"date": first + step * i, "amount": Decimal(agreement.amount)}
                for i in range(4)]
    return {"first_payment_date": first, "payment_schedule": schedule,
            "first_review_by": first + relativedelta(months=6)}
