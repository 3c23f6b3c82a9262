"""Service-task handlers that send letters."""
from __future__ import annotations

from app.services.engine_context import HandlerCase
from app.services.letters import issue_letter


def send_letter(case: HandlerCase, template: str, date_var: str | None = None) -> dict | None:
    """Issue `template` for the case; with `date_var`, put the letter's date in that variable.

    Later timers count from the real letter date (a working day), not from when the step ran.
    """
    letter = issue_letter(case.instance, template, case.data)
    return {date_var: letter.letter_date.isoformat()} if date_var else None
