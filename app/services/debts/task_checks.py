"""The checks the debt's own tasks make on their answers before completing."""
from __future__ import annotations

from typing import Any, Mapping

from app.models import HumanTask
from app.services.debts import cases, decisions
from app.services.debts.recovery_contract import DECIDE_NEXT_STEP, DECISION_KEY


def _debt_decision(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    return decisions.check_decision(cases.debt_of_task(task), form)


CHECKS = {(DECISION_KEY, DECIDE_NEXT_STEP): _debt_decision}
