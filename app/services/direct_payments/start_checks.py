"""What the direct-payment agreement needs before a person or an API client starts it: its first
step sends the agreement pack, which prints the person's direct-payment details."""
from __future__ import annotations

from typing import Any, Mapping

from app.models import Person
from app.services.direct_payments.direct_payment_contract import KEY
from app.services.records.people import current_agreement


def check_agreement_start(person: Person, data: Mapping[str, Any]) -> list[dict]:
    if current_agreement(person) is None:
        return [{"field": "person_reference",
                 "message": "Record the person's direct-payment details before starting "
                            "the agreement"}]
    return []


CHECKS = {KEY: check_agreement_start}
