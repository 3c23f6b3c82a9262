"""What the debt's processes need before a person or an API client starts one: the debt they
work on, and for the ladder the date its first reminder counts from. The legal and estate stages
build on `check_debt` (app/services/legal/start_checks.py, app/services/estates/start_checks.py).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from app.extensions import db
from app.models import DebtCase, DebtCaseStatus, Person, ProcessInstance
from app.services import audit
from app.services.debts.recovery_contract import DECISION_KEY, LADDER_KEY

# The id column is a 32-bit integer: a larger number must not reach PostgreSQL (a crash, not 422).
_MAX_ID = 2**31 - 1
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _debt_problem(message: str) -> list[dict]:
    return [{"field": "debt_case_id", "message": message}]


def check_debt(person: Person, data: Mapping[str, Any]) -> list[dict]:
    """`debt_case_id` names an open debt of this person that no process works on yet: the steps
    find their debt as cases.debt_of does, and it refuses a debt another process holds."""
    debt_id = data.get("debt_case_id")
    if debt_id is None:
        return _debt_problem("Enter the debt_case_id of the person's debt")
    # bool is an int to Python, and a float or a string would be kept as the process's variable.
    if isinstance(debt_id, bool) or not isinstance(debt_id, int) or not 0 < debt_id <= _MAX_ID:
        return _debt_problem("Enter the id of an open debt of this person")
    debt = db.session.get(DebtCase, debt_id)
    # One answer for a debt of someone else and no debt at all: the first is not disclosed.
    if debt is None or debt.person_id != person.id or debt.status != DebtCaseStatus.OPEN:
        return _debt_problem("Enter the id of an open debt of this person")
    if debt.instance_id is not None:
        return _debt_problem(f"Debt {debt.id} already has a process working on it "
                             f"(instance {debt.instance_id}): carry on with that one")
    return []


def link_debt(instance: ProcessInstance, data: Mapping[str, Any]) -> None:
    """The debt named at the start (check_debt vouched for it) is worked on by this process."""
    debt = db.session.get_one(DebtCase, data["debt_case_id"])
    debt.instance_id = instance.id
    audit.record("debt_process_started", actor=None, person_id=debt.person_id,
                 instance_id=instance.id, summary={"debt_id": debt.id})


def _check_invoice_date(data: Mapping[str, Any]) -> list[dict]:
    """The ladder's first timer counts from the first overdue invoice's date."""
    value = data.get("invoice_date")
    try:
        # fromisoformat alone also takes 20260302 and week dates, which the diagram does not.
        valid = isinstance(value, str) and bool(_ISO_DATE.fullmatch(value)) and bool(
            date.fromisoformat(value))
    except ValueError:
        valid = False
    if valid:
        return []
    return [{"field": "invoice_date", "message": "Enter the date of the debt's first overdue "
                                                "invoice, for example 2026-03-02"}]


def check_ladder_start(person: Person, data: Mapping[str, Any]) -> list[dict]:
    return check_debt(person, data) + _check_invoice_date(data)


CHECKS = {LADDER_KEY: check_ladder_start, DECISION_KEY: check_debt}
LINKS = {LADDER_KEY: link_debt, DECISION_KEY: link_debt}
