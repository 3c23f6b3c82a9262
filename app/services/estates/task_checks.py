"""The checks the estate stage's tasks make on their answers before completing."""
from __future__ import annotations

from typing import Any, Mapping

from app.models import HumanTask
from app.services.estates.estate_contract import ESTATE_KEY, RECORD_GRANT_OR_SEARCH
from app.services.estates.estate_stage import check_standing_search


def _standing_search(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    return check_standing_search(form)


CHECKS = {(ESTATE_KEY, RECORD_GRANT_OR_SEARCH): _standing_search}
