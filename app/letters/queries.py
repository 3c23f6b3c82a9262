"""Default wording and checks for the invoice-query letters (DOMAIN.md (b) 29-32).

The acknowledgement, the holding letter at 20 working days, the outcome (upheld, partly upheld,
not upheld), the credit note notice and the complaint acknowledgement. ``context.py`` applies the
defaults (only where the caller gave no value) and the choice and list checks.

Each text reads right to the person ("your care"), to a deputy or attorney ("Harold Finch's
care") and to the personal representatives of someone who has died.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# The outcome of a query (app/models/queries.py QueryOutcome), as the outcome letter knows it.
FINDINGS = frozenset({"upheld", "partly_upheld", "not_upheld"})
# Each item of the lists these letters print, and the keys it must have (context._ITEM_KEYS).
QUERY_ITEM_KEYS: dict[str, dict[str, Any]] = {
    "invoices": {"number": None, "date": None, "amount": None},
    "lines": {"description": None, "amount": None},
}


def _estate(context: Mapping[str, Any]) -> bool:
    return bool(context["recipient"]["role"] == "personal_representative")


def _recovery_hold(context: Mapping[str, Any]) -> str:
    return ("We will not take recovery action on the amount you have queried while we look into "
            "it. We will not send reminders about it, and it will not be passed to our debt "
            "recovery team.")


def _complaints_route(context: Mapping[str, Any]) -> str:
    # A.4 step 6: the council's complaints procedure first (Local Authority Social Services and
    # NHS Complaints (England) Regulations 2009), then the Ombudsman, who normally expects a
    # complaint within 12 months of the person knowing about the problem [S101][S115].
    return (
        "If you are unhappy with this decision, you can make a formal complaint. Contact "
        f"{context['contact_for_help']} and say that you want to make a complaint, or use the "
        "complaints form on our website. If you are still unhappy after we have answered your "
        "complaint, you can ask the Local Government and Social Care Ombudsman to look into it. "
        "The Ombudsman is free and independent: call 0300 061 0614 or visit lgo.org.uk. You "
        "should normally contact the Ombudsman within 12 months of finding out about the problem."
    )


def _acknowledgement_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    their = "the estate's" if _estate(context) else context["subject"]["possessive"]
    return {
        "recovery_hold_text": _recovery_hold(context),
        "pay_undisputed_text": "Please keep paying any charges you have not queried, including "
        f"new invoices for {their} care, by their due dates. This stops arrears building up "
        "while we look into your query.",
    }


def _holding_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "recovery_hold_text": _recovery_hold(context),
        "reason_for_delay": "We need more time to check the information about your query, and "
        "we are still waiting for some of it from others.",
    }


def _outcome_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {
        # Empty: the paragraph is left out (no contribution rule, no credit, no new invoice).
        "contribution_rule_explanation": "",
        "credit_note_no": "",
        "credit_amount": "",
        "reissued_invoice_no": "",
        "new_due_date": "",
        "reissue_promised": False,
        "correction_pending": False,  # a credit note waiting for approval: nothing corrected yet
        "complaints_route": _complaints_route(context),
        "reconsideration_text": "If you have information we have not seen, or you think we "
        "have misunderstood something, please contact "
        f"{context['contact_for_help']} within one month of the date of this letter. We will "
        "look at the decision again.",
    }


def _complaint_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    # The 2009 Regulations: acknowledge within 3 working days, respond within 6 months unless a
    # longer period is agreed (DOMAIN.md A.4 (f): the commonly cited values, not verified).
    return {
        "recovery_hold_text": _recovery_hold(context),
        "response_period_text": "We will look into your complaint and send you a full response "
        "within 6 months. If we need longer, we will tell you why and agree a new date with you. "
        "We will keep you up to date.",
        "ombudsman_text": "If you are not satisfied with our response, you can ask the Local "
        "Government and Social Care Ombudsman to look into your complaint. The Ombudsman is free "
        "and independent: call 0300 061 0614 or visit lgo.org.uk.",
    }


def _credit_note_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    # Empty: no corrected invoice replaces the one credited, and the paragraph says so.
    return {"reissued_invoice_no": "", "new_due_date": ""}


QUERY_DEFAULTS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "query_acknowledgement": _acknowledgement_defaults,
    "query_holding": _holding_defaults,
    "query_outcome": _outcome_defaults,
    "complaint_acknowledgement": _complaint_defaults,
    "credit_note_notice": _credit_note_defaults,
}

