"""Settings: policy intervals and letter header details, with their defaults."""
from __future__ import annotations

from typing import Any

from app import clock
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Setting, User

from . import audit
from .transaction import use_case

# DOMAIN.md A.1: the chase intervals are DESIGN ASSUMPTIONS (no published procedure), so settings.
DEFAULTS: dict[str, Any] = {
    "dp_reminder_1_working_days": 10,
    "dp_reminder_2_working_days": 10,
    "dp_decision_working_days": 10,
    "dp_contingency_weeks": 8,
    "dp_permitted_uses_text": "the care and support needs set out in your support plan",
    "dp_prohibited_uses_text": (
        "anything not in your support plan, including household bills, alcohol or tobacco, "
        "gambling, and paying a close relative who lives with you without our written agreement"),
    "dp_monitoring_requirements": [
        "keep the direct payment in its own account or on the payment card",
        "send us bank statements or evidence of spending when we ask",
        "pay your assessed contribution into the account"],
    "dp_records_to_keep": [
        "bank statements", "receipts and invoices", "payslips and timesheets for any carers",
        "employer's liability insurance"],
    "dp_alternative_arrangements_text": (
        "Your social worker will contact you to arrange the care and support you need in another "
        "way, for example services arranged by the council."),
    "complaints_route_text": (
        "If you are unhappy with this decision you can complain to the council's Adult Social "
        "Care complaints team, and then to the Local Government and Social Care Ombudsman."),
    "council": {
        "name": "Example County Council",
        "address_lines": ["Adult Social Care Finance", "County Hall", "Example Town"],
        "postcode": "EX1 1AA",
        "team_name": "Adult Social Care Finance Team",
        "phone": "01234 567890",
        "email": "ascfinance@example.gov.uk",
        "hours": "Monday to Friday, 9am to 5pm",
    },
}
CLOCK_KEY = "clock.frozen_at"


def get(key: str) -> Any:
    row = db.session.get(Setting, key)
    if row is not None:
        return row.value
    if key in DEFAULTS:
        return DEFAULTS[key]
    raise NotFound(f"no setting named '{key}'")


def integer(key: str) -> int:
    """A whole-number setting, for diagrams' `setting(name)` in working-day arithmetic."""
    value = get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"setting '{key}' is not a whole number")
    return value


def put(key: str, value: Any, actor: User | None) -> None:
    """Change a setting inside the caller's transaction, audited."""
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        db.session.add(row)
    row.value = value
    row.updated_at = clock.now()
    row.updated_by_id = actor.id if actor else None
    audit.record("setting_changed", actor=actor, summary={"key": key})


@use_case
def change(key: str, value: Any, actor: User) -> None:
    if key not in DEFAULTS:
        raise NotFound(f"no setting named '{key}'")
    put(key, value, actor)
