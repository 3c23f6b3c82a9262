"""The checks the legal stage makes on task answers before they complete: its own "claim
issued", and the debt's decision, which must not start again after a judgment."""
from __future__ import annotations

from typing import Any, Mapping

from app.models import HumanTask
from app.services.debts import cases
from app.services.debts.recovery_contract import DECIDE_NEXT_STEP, DECISION_KEY
from app.services.legal import claims
from app.services.legal.legal_contract import ISSUE_CLAIM, LEGAL_KEY


def _issue_claim(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    return claims.check_issue_claim(cases.debt_of_task(task), form)


def _no_new_letter_after_judgment(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    if form.get("decision") != "letter_of_claim":
        return []
    claim = claims.current_claim(cases.debt_of_task(task))
    if claim is not None and claim.judgment_date is not None:
        return [{"field": "decision", "message": "a judgment is entered for this debt: "
                                                 "enforce it, do not start again"}]
    return []


CHECKS = {
    (LEGAL_KEY, ISSUE_CLAIM): _issue_claim,
    (DECISION_KEY, DECIDE_NEXT_STEP): _no_new_letter_after_judgment,
}
