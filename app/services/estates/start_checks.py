"""What the estate stage needs before a person or an API client starts it: the debt it claims,
and a death recorded with its date (its first step sends the final account, which prints it)."""
from __future__ import annotations

from typing import Any, Mapping

from app.models import Person
from app.services.debts.start_checks import check_debt, link_debt
from app.services.estates.estate_contract import ESTATE_KEY


def check_estate_start(person: Person, data: Mapping[str, Any]) -> list[dict]:
    problems = check_debt(person, data)
    if not person.deceased:
        problems.append({"field": "person_reference",
                         "message": "Record the person's death before starting the estate stage"})
    elif person.date_of_death is None:
        problems.append({"field": "person_reference",
                         "message": "Record the date of the person's death before starting "
                                    "the estate stage"})
    return problems


CHECKS = {ESTATE_KEY: check_estate_start}
LINKS = {ESTATE_KEY: link_debt}
