"""What the modeler offers a manager setting a timer in words: the dates the process declares
(its contract) and the settings that hold a number of days, each in words, never a key alone."""
from __future__ import annotations

from typing import Any

from app.domain import settings_catalogue
from app.services import settings
from app.services.processes.definitions import contract_for

# The settings a timer counts with, and the calendar function each unit counts in.
DAY_UNITS = {"working_days": "add_working_days", "calendar_days": "add_calendar_days"}


def timer_choices(key: str) -> dict[str, list[dict[str, Any]]]:
    """{"dates": [{name, words}], "settings": [{key, words, unit, value}]} for process `key`."""
    contract = contract_for(key)
    return {
        "dates": contract.dates() if contract else [],
        "settings": [
            {"key": view.key, "words": settings_catalogue.spec(view.key).summary,
             "unit": view.type, "value": view.value}
            for view in settings.list_settings() if view.type in DAY_UNITS],
    }
