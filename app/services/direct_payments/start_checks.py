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


def _started_by_the_service(person: Person, data: Mapping[str, Any]) -> list[dict]:
    # Monitoring starts when the agreement is countersigned or a direct payment is imported,
    # and an audit from monitoring or the page that asks for one: never from a bare start.
    return [{"field": "process_key",
             "message": "This starts from the direct payment itself: countersign the agreement, "
                        "import the direct payment, or ask for an audit on its page"}]


MONITORING_CHECKS = {"direct_payment_monitoring": _started_by_the_service,
                     "direct_payment_audit": _started_by_the_service}
