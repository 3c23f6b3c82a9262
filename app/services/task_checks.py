"""Checks the law makes on a task's answers before it may complete, whatever the form allows.

Keyed by (process, task): e.g. the legal officer's "claim issued" is refused on a date before the
earliest issue date of the Pre-Action Protocol, or while the deferred payment test blocks court.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Mapping

from app import clock

from app.models import HumanTask

from . import direct_payment_contract as dp
from . import legal_contract as legal_ids
from . import recovery_contract as recovery_ids

Check = Callable[[HumanTask, Mapping[str, Any]], list[dict]]


def _issue_claim(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    from . import legal, recovery

    return legal.check_issue_claim(recovery.debt_of(task.instance), form)


def _standing_search(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    from . import legal

    return legal.check_standing_search(form)


def _signed_on(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    signed = form.get("recipient_signed_on")
    if signed and date.fromisoformat(signed) > clock.today():
        return [{"field": "recipient_signed_on",
                 "message": "The date the recipient signed cannot be in the future"}]
    return []


def _debt_decision(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    from . import debt_decisions, recovery

    return debt_decisions.check_decision(recovery.debt_of(task.instance), form)


# Each task is declared in its process's contract, so renaming it in the modeler is refused
# instead of silently dropping the check.
CHECKS: dict[tuple[str, str], Check] = {
    (dp.KEY, dp.VALIDATE_AGREEMENT): _signed_on,
    (legal_ids.LEGAL_KEY, legal_ids.ISSUE_CLAIM): _issue_claim,
    (legal_ids.ESTATE_KEY, legal_ids.RECORD_GRANT_OR_SEARCH): _standing_search,
    (recovery_ids.DECISION_KEY, recovery_ids.DECIDE_NEXT_STEP): _debt_decision,
}


def problems(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    check = CHECKS.get((task.process_key, task.name))
    return check(task, form) if check else []
