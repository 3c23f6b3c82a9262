"""What the legal stage needs before a person or an API client starts it: the debt it claims,
from a person who is alive, and a Letter of Claim that can go (its first step prepares it)."""
from __future__ import annotations

from typing import Any, Mapping

from app.models import Person
from app.services.debts.start_checks import check_debt, link_debt
from app.services.legal.legal_contract import LEGAL_KEY
from app.services.legal.letter_of_claim import enclosures_still_placeholders


def check_legal_start(person: Person, data: Mapping[str, Any]) -> list[dict]:
    problems = check_debt(person, data)
    if person.deceased:
        # As the debt's decision says: after a death the estate is claimed from instead.
        problems.append({"field": "person_reference",
                         "message": "The person has died: start the estate stage instead"})
    if enclosures_still_placeholders():
        # prepare_letter_of_claim refuses the same; here the start says so before it is made.
        problems.append({"field": "process",
                         "message": "Add the official Pre-Action Protocol wording to the Letter "
                                    "of Claim's enclosures before starting the legal stage"})
    return problems


CHECKS = {LEGAL_KEY: check_legal_start}
LINKS = {LEGAL_KEY: link_debt}
