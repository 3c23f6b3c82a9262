"""The checks the direct-payment agreement's tasks make on their answers before completing."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from app import clock
from app.models import HumanTask
from app.services.direct_payments.direct_payment_contract import KEY, VALIDATE_AGREEMENT


# The shipped form says the same (not_in_future, in the diagram); this check stays because a
# manager may edit the form, and a signature dated after today must never reach a letter.
def _signed_on(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    signed = form.get("recipient_signed_on")
    if signed and date.fromisoformat(signed) > clock.today():
        return [{"field": "recipient_signed_on",
                 "message": "The date the recipient signed cannot be in the future"}]
    return []


CHECKS = {(KEY, VALIDATE_AGREEMENT): _signed_on}
