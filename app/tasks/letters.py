"""Service-task handlers that send the direct-payment agreement's letters."""
from __future__ import annotations

from app.services.direct_payments.letters import send_dp_letter
from app.services.processes.engine_context import HandlerCase


def send_letter(case: HandlerCase, template: str, date_var: str | None = None) -> dict | None:
    """Issue `template` for the case; with `date_var`, put the letter's date in that variable.

    Later timers count from the real letter date (a working day), not from when the step ran.
    """
    letter = send_dp_letter(case.instance, template, case.data)
    return {date_var: letter.letter_date.isoformat()} if date_var else None
