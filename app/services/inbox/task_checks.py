"""Checks the law makes on a task's answers before it may complete, whatever the form allows.

Keyed by (process, task); each capability declares its own (e.g. app/services/legal/task_checks.py:
the legal officer's "claim issued" is refused before the earliest issue date of the Pre-Action
Protocol) and create_app installs them all here, so the inbox needs none of them. Every task they
name is declared in its process's contract, so renaming it in the modeler is refused instead of
silently dropping the check.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from app.models import HumanTask

Check = Callable[[HumanTask, Mapping[str, Any]], list[dict]]
CheckTable = Mapping[tuple[str, str], Check]

_checks: dict[tuple[str, str], list[Check]] = {}


def install_checks(tables: Iterable[CheckTable]) -> None:
    """The tables of every capability; several may check one task, in the order given."""
    _checks.clear()
    for table in tables:
        for key, check in table.items():
            _checks.setdefault(key, []).append(check)


def installed() -> Mapping[tuple[str, str], tuple[Check, ...]]:
    return {key: tuple(checks) for key, checks in _checks.items()}


def problems(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    """The first check that objects answers: the most basic problem is the one to fix first."""
    for check in _checks.get((task.process_key, task.name), ()):
        found = check(task, form)
        if found:
            return found
    return []
