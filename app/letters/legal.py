"""Default wording and figure checks for the legal-stage letters (DOMAIN.md (b) 19, 22-28).

The deferred payment offer, the Letter of Claim and the letters that follow it, the post-judgment
notice, the final account to an estate and the two internal memos. ``context.py`` applies the
defaults (to the formatted context, only where the caller gave no value) and runs the checks
(on the caller's raw Decimals and dates, before they become text).

Each text reads right to the person ("your care"), to a deputy or attorney ("Harold Finch's
care") and to the personal representatives of someone who has died.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.letters.errors import LetterError
from app.letters.paths import MISSING, lookup

# Money Claim Online takes specified sums under £100,000 only, and never a claim against a known
# protected party (PD 7E para 4) [S37][S38]; otherwise the claim goes on paper, form N1.
MCOL = "Money Claim Online"
MCOL_LIMIT = Decimal("100000")
ROUTES = frozenset({MCOL, "Form N1"})
# A deferred amount becomes due 90 days after the death [S18][S20].
DPA_DUE_AFTER_DEATH = timedelta(days=90)
# The statement of account must close at this figure ("" when nothing else states the total).
_STATEMENT_TOTALS = {"letter_of_claim": "debt_amount", "legal_referral": ""}


def _estate(context: Mapping[str, Any]) -> bool:
    return bool(context["recipient"]["role"] == "personal_representative")


def _care_continues(context: Mapping[str, Any]) -> str:
    # Care cannot be withdrawn because charges are unpaid; said to the living only.
    if _estate(context):
        return ""
    their = context["subject"]["possessive"]
    return f" We will not stop or reduce {their} care and support because of unpaid charges."


def _against(context: Mapping[str, Any]) -> str:
    return " against the estate" if _estate(context) else ""


def _dpa_offer_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    defaults = {
        # The equity limit councils publish: 90% of the value less the lower capital limit and
        # anything else secured on the home (South Tyneside [S19]; guidance ch.9).
        "equity_limit_explanation": "The amount that can be deferred, including interest and "
        "charges, is limited by the value of the property. It can be up to 90% of the "
        "property's value, less £14,250 (the lower capital limit) and less any mortgage or "
        "other loan secured on it. We will tell you the limit once the property has been "
        "valued.",
        "how_to_accept": "To accept the offer, or to ask about it, please contact "
        f"{context['contact_for_help']}. We will then send the agreement itself, which sets out "
        "all its terms, to read and sign. Nothing is agreed until the agreement has been signed.",
        "independent_advice_text": "A deferred payment agreement is a legal agreement, and the "
        "amount deferred is secured by a legal charge on the property. We strongly recommend "
        "getting independent advice before deciding. Citizens Advice and the organisations "
        "listed at the end of this letter give free advice. A solicitor, or a financial adviser "
        "who specialises in paying for care, can also advise, but may charge a fee.",
    }
    accept_by = lookup(context, "accept_by_date")
    debt = lookup(context, "debt_amount")
    if accept_by is not MISSING and debt is not MISSING:
        defaults["consequence_of_refusal_text"] = (
            f"If the offer is not accepted by {accept_by}, the debt of {debt} will still be "
            f"owed. We may then take action{_against(context)} to recover it, which can include "
            "a claim in the county court." + _care_continues(context)
        )
    return defaults


def _letter_of_claim_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    council = context["council"]
    address = ", ".join(
        part
        for part in (council["team_name"], council["name"], *council["address_lines"],
                     council["postcode"])
        if part
    )
    if _estate(context):
        discuss = "If the estate cannot pay the full amount yet, for example while probate is "
        discuss += "being sorted out, please contact "
        discuss += f"{context['contact_for_help']} to agree when and how it will be paid."
    else:
        discuss = "If the full amount cannot be paid now, please contact "
        discuss += f"{context['contact_for_help']} to discuss paying it by instalments. So that "
        discuss += "we can agree payments that are affordable, please fill in the enclosed "
        discuss += "Financial Statement and send it back with the Reply Form."
    return {
        "assignment": "The debt has not been assigned to anyone else.",
        "how_to_pay": f"You can pay by debit or credit card by calling {council['phone']}, or "
        "by bank transfer: contact us for the council's bank details. You can also send a "
        f"cheque, made payable to {council['name']}, to {address}. Please quote the reference "
        f"{context['our_ref']} when you pay.",
        "how_to_discuss": discuss,
        # The Reply Form is due "within 30 days of the date at the top of the letter" [S30].
        "reply_by_text": "within 30 days of the date of this letter",
    }


def _pap_documents_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    # No claim less than 30 days after documents the debtor asked for are provided [S28][S29].
    return {
        "advice_period_text": "If you are getting debt advice, or would like time to look at "
        "these documents with an adviser, please tell us. We will not start court proceedings "
        "about this debt until at least 30 days after the date of this letter."
    }


def _offer_refused_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    return {"offer_frequency": ""}


def _enforcement_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    # The Register of Judgments keeps a CCJ for 6 years unless paid within a month [S46].
    return {
        "register_info": "The judgment is recorded on the Register of Judgments, Orders and "
        "Fines, where it stays for six years. If the full amount is paid within one month of "
        "the date of the judgment, the entry is removed from the register. If it is paid in "
        "full later, the entry is marked as satisfied, but it stays on the register until the "
        "six years have passed."
    }


def _estate_defaults(context: Mapping[str, Any]) -> dict[str, Any]:
    name = lookup(context, "deceased_name")
    name = context["subject"]["full_name"] if name is MISSING else name
    return {
        "deceased_name": name,
        "dpa_due_date": "",  # no deferred payment agreement: its paragraph is left out
        "condolence_text": f"We were very sorry to hear of the death of {name}, and we are "
        "sorry to write to you about money at what we know may be a difficult time.",
        # Interest on a deferred amount runs until repayment, whatever ended the agreement [S20].
        "interest_text": "Interest continues to be added to the deferred amount, as the "
        "agreement allows, until it is repaid in full.",
        "request_grant_details": "Please tell us the name and address of each executor or "
        "administrator, and of any solicitor acting for the estate. When a grant of probate or "
        "letters of administration is issued, please send us a copy or tell us its date.",
        # Executors who advertise under s27 and wait 2 months are protected from claims they
        # did not know about [S98]: the council must claim early and in writing.
        "s27_notice_text": "If a notice to the estate's creditors is published (under section "
        "27 of the Trustee Act 1925), please treat this letter as the council's claim against "
        "the estate, and tell us where and when the notice was published.",
    }


LEGAL_DEFAULTS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "dpa_offer": _dpa_offer_defaults,
    "letter_of_claim": _letter_of_claim_defaults,
    "pap_documents": _pap_documents_defaults,
    "pap_offer_refused": _offer_refused_defaults,
    "enforcement_notice": _enforcement_defaults,
    "estate_final_account": _estate_defaults,
}


# ----------------------------------------------------------------------------- figure checks


def check_legal_figures(template: str, raw: Mapping[str, Any]) -> None:
    """Refuse figures a legal letter would contradict: the statement, the route, the DPA date.

    ``raw`` holds the caller's own values (Decimals and dates, nested). Values of the wrong
    kind are left to the other checks, as in ``context._check_figures``.
    """
    if template in _STATEMENT_TOTALS:
        closing = _statement_closing(template, lookup(raw, "statement_of_account"))
        total_path = _STATEMENT_TOTALS[template]
        total = lookup(raw, total_path) if total_path else MISSING
        if closing is not None and isinstance(total, Decimal) and closing != total:
            raise LetterError(
                f"{template}: {total_path} is {total} but statement_of_account closes at {closing}"
            )
        if template == "legal_referral":
            _check_route(template, raw, closing)
    if template == "estate_final_account":
        _check_dpa_due_date(template, raw)


def _statement_closing(template: str, rows: Any) -> Decimal | None:
    """The statement's closing balance, after checking every row's running balance.

    A first row with neither debit nor credit is an opening balance; otherwise the balance
    starts at nothing. None when the rows are not all mappings of Decimals.
    """
    if not isinstance(rows, list) or not rows or not all(isinstance(r, Mapping) for r in rows):
        return None
    running = Decimal(0)
    for index, row in enumerate(rows):
        debit, credit = _entry(row.get("debit")), _entry(row.get("credit"))
        balance = row.get("balance")
        if debit is None or credit is None or not isinstance(balance, Decimal):
            return None
        opening = index == 0 and row.get("debit") in (None, "") and row.get("credit") in (None, "")
        running = balance if opening else running + debit - credit
        if running != balance:
            raise LetterError(
                f"{template}: statement_of_account[{index}] balance is {balance} but the rows "
                f"up to it come to {running}"
            )
    return running


def _entry(value: Any) -> Decimal | None:
    if value is None or value == "":
        return Decimal(0)
    return value if isinstance(value, Decimal) else None


def _check_route(template: str, raw: Mapping[str, Any], claim: Decimal | None) -> None:
    if lookup(raw, "recommended_route") != MCOL:
        return
    if lookup(raw, "litigation_friend_needed") is True:
        raise LetterError(
            f"{template}: {MCOL} cannot be used against a protected party, who needs a "
            "litigation friend (PD 7E para 4); recommend Form N1"
        )
    if claim is not None and claim >= MCOL_LIMIT:
        raise LetterError(
            f"{template}: {MCOL} takes claims under £100,000 only; the statement closes at {claim}"
        )


def _check_dpa_due_date(template: str, raw: Mapping[str, Any]) -> None:
    due, death = lookup(raw, "dpa_due_date"), lookup(raw, "date_of_death")
    # A datetime is refused later, by to_letter_value; comparing it with a date would raise here.
    if not all(isinstance(d, date) and not isinstance(d, datetime) for d in (due, death)):
        return
    if due < death + DPA_DUE_AFTER_DEATH:
        raise LetterError(
            f"{template}: dpa_due_date {due} is less than 90 days after the death on {death}"
        )
