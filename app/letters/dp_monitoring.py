"""Default wording and checks for the direct-payment monitoring letters (DOMAIN.md (b) A.2, 7-14).

The review due, the audit request and its reminder, the account reviewed, the surplus notice,
the repayment required and the decision under Care Act s33(5), the termination notice and the
letter to the executor. ``context.py`` applies the defaults (only where the caller gave no
value), the choice and list checks, and ``check_dp_monitoring_figures`` before formatting.

Each text reads right to the person ("your direct payment"), to a nominated or authorised
person, deputy or attorney ("Harold Finch's direct payment") and to the personal
representatives of someone who has died.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from app.letters.errors import LetterError
from app.letters.paths import MISSING, lookup

# app/models/direct_payments.py AccountType and Section33Decision, as the letters know them.
ACCOUNT_TYPES = frozenset({"card", "managed", "bank"})
DECISIONS = frozenset({"continue_with_conditions", "reduce", "suspend", "terminate"})
RECOVERY_METHODS = frozenset({"card", "repay"})
DP_MONITORING_CHOICES: dict[str, frozenset[str]] = {
    "account_type": ACCOUNT_TYPES,
    "decision": DECISIONS,
    "recovery_method": RECOVERY_METHODS,
}
# A card statement's lines: money in or money out, the other cell left blank.
DP_MONITORING_ITEM_KEYS: dict[str, dict[str, Any]] = {
    "transactions": {"date": None, "description": None, "money_in": "", "money_out": ""},
}
DP_MONITORING_TEXT_LISTS = (
    "how_to_prepare", "documents_required", "observations", "liabilities_to_settle",
)


def _their(context: Mapping[str, Any]) -> str:
    return str(context["subject"]["possessive"])


def _review_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"how_to_prepare": [
        "think about how the support is working and anything you would like to change",
        "have the direct payment records to hand: statements, receipts, invoices and any "
        "payslips or timesheets for carers",
        "tell us about anything that has changed, such as health, a stay in hospital or who "
        "helps to manage the money",
    ]}


def _request_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"upload_link": "", "transactions": []}


def _reminder_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    # A.2 step 4: no reply after the reminder means a reg 7(1)(b) review, since a condition of
    # the direct payment (giving the information asked for) is not met; persistent lateness can
    # lead to suspension (Sefton, Haringey [S67][S68]).
    by = lookup(context, "return_by_date")
    if by is MISSING:
        return {}
    their = _their(context)
    return {"consequence_text": (
        f"If we do not receive the information by {by}, the social worker will review "
        f"{their} direct payment. Giving us the information we ask for is a condition of the "
        "direct payment, so the review may decide to suspend or stop the payments, or ask for "
        "money to be repaid. If something is making it hard to send the information, please "
        "contact us before that date and we will help.")}


def _discuss(context: Mapping[str, Any]) -> str:
    return (f"If you think these figures are wrong, or {_their(context)} support will need this "
            f"money soon (for example a bill that has not yet been paid), please contact "
            f"{context['contact_for_help']} before that date. We will look at it again with you "
            "and the social worker.")


def _surplus_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"right_to_discuss": _discuss(context)}


def _reconsideration(context: Mapping[str, Any]) -> str:
    return ("If you think we have got something wrong, or we did not have all the information, "
            "you can ask us to look at the decision again. Please contact "
            f"{context['contact_for_help']} within one month of the date of this letter and tell "
            "us why. We will look at it again and write to you with the outcome.")


def _repayment_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "instalment_offer": "If the full amount cannot be repaid by that date, please contact "
        "us. We can agree to take it in smaller amounts over a few months.",
        "right_to_request_reconsideration": _reconsideration(context),
    }


def _decision_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"new_amount": "", "repayment": "",
            "right_to_request_reconsideration": _reconsideration(context)}


def _termination_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    their = _their(context)
    return {"final_audit_info": (
        f"After the direct payment ends we will check {their} direct payment account for the "
        "last time (a final audit). We will write to ask for the last statements, and receipts "
        "for anything paid since the last check. Bills for support received before the end "
        "date, such as carers' wages, can still be paid from the account.")}


def _executor_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    # A.2 step 7 [S76][S130]: the money is the council's, given for the person's care; the
    # liabilities of the care arrangement are met from it, and what is left comes back.
    return {
        "funds_not_part_of_estate_text": "Money in a direct payment account is not part of "
        "the estate. It was paid by the council only to meet the care and support needs in the "
        "support plan. It should not be shared out with the rest of the estate or used to pay "
        "the estate's other debts.",
        "liabilities_to_settle": [
            "wages owed to personal assistants up to the date of death",
            "notice pay, holiday pay or redundancy pay owed to personal assistants under their "
            "contracts",
            "invoices from care agencies for support given before the date of death",
            "tax and pension contributions owed to HM Revenue and Customs or the pension "
            "provider for the personal assistants",
        ],
        "final_statement_request": "Please send us the final statement of the direct payment "
        "account, and receipts or invoices for anything paid from it since our last check. If "
        "the account is a prepaid card, we can see the transactions, so we only need the "
        "receipts. Once these bills are paid, we will tell you how much is left to be returned "
        "to the council and how to pay it.",
    }


DP_MONITORING_DEFAULTS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "dp_review_due": _review_defaults,
    "dp_audit_request": _request_defaults,
    "dp_audit_reminder": _reminder_defaults,
    "dp_surplus_notice": _surplus_defaults,
    "dp_repayment_required": _repayment_defaults,
    "dp_s33_decision": _decision_defaults,
    "dp_termination": _termination_defaults,
    "dp_executor": _executor_defaults,
}


# ----------------------------------------------------------------------------- figure checks


def check_dp_monitoring_figures(template: str, raw: Mapping[str, Any]) -> None:
    """Refuse a surplus notice whose sum does not add up, and a decision to reduce the payment
    that gives no new amount. ``raw`` holds the caller's Decimals, nested."""
    if template == "dp_surplus_notice":
        _check_surplus(template, raw)
    if template == "dp_s33_decision" and lookup(raw, "decision") == "reduce":
        if not isinstance(lookup(raw, "new_amount"), Decimal):
            raise LetterError(f"{template}: a decision to reduce the payment needs new_amount")


def _check_surplus(template: str, raw: Mapping[str, Any]) -> None:
    weekly, weeks = lookup(raw, "weekly_dp_amount"), lookup(raw, "contingency_weeks")
    contingency = lookup(raw, "contingency_amount")
    if _all_money(weekly, contingency) and type(weeks) is int and weekly * weeks != contingency:
        raise LetterError(f"{template}: contingency_amount is {contingency} but "
                          f"{weeks} weeks of {weekly} is {weekly * weeks}")
    balance, owed = lookup(raw, "balance_at_date"), lookup(raw, "outstanding_commitments")
    surplus = lookup(raw, "surplus_amount")
    if _all_money(balance, owed, contingency, surplus):
        if surplus != balance - owed - contingency or surplus <= 0:
            raise LetterError(f"{template}: surplus_amount is {surplus} but the balance less "
                              f"commitments and contingency is {balance - owed - contingency}")


def _all_money(*values: Any) -> bool:
    return all(isinstance(v, Decimal) for v in values)
