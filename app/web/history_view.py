"""What the History page hands its partial (app/templates/case_history_body.html).

The History route calls `history_context(person, request.args)` and passes the result to
render_template; the partial needs nothing else."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from app.services.records import history

if TYPE_CHECKING:  # the type only: pages never touch a model themselves
    from app.models import Person

PAGE = 200  # the newest entries shown; "Show all" lifts the limit
SHOW_SYSTEM = "show_system"  # the GET parameter of the "Show system steps" switch


def history_context(person: Person, args: Mapping[str, str]) -> dict:
    """The partial's variables: `history_entries`, `history_total`, `show_system`,
    `history_all` (the whole history asked for) and `person`."""
    show_system = args.get(SHOW_SYSTEM) == "1"
    show_all = args.get("history") == "all"
    entries, total = history.entries_of(person, show_system=show_system,
                                        limit=None if show_all else PAGE)
    return {"history_entries": entries, "history_total": total, "show_system": show_system,
            "history_all": show_all, "person": person}
