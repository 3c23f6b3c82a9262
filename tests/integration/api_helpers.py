"""Small helpers shared by the API tests: open a case, start the direct-payment process, move the
frozen clock and read the database behind the API when a test must prove nothing was written."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Letter, ProcessInstance

PROCESS = "direct_payment_agreement"


def person_body(reference: str = "P100234", team: str = "North", **overrides) -> dict:
    """A valid POST /people body with a direct-payment agreement."""
    return {
        "reference": reference, "name": "Alice Example", "team": team, "caseworker": "cw",
        "address": {"lines": ["1 High Street", "Example Town"], "postcode": "EX1 2AB"},
        "direct_payment": {"variant": "standard", "amount": "350.00", "frequency": "weekly",
                           "client_contribution": "85.00"},
    } | overrides


def create_person(api, reference: str = "P100234", team: str = "North") -> dict:
    response = api.post("/people", json=person_body(reference, team))
    assert response.status_code == 201, response.json
    return response.json


def start_dp(api, reference: str) -> dict:
    """Start the direct-payment agreement for a person; returns the instance view."""
    response = api.post("/instances", json={"process": PROCESS, "person_reference": reference})
    assert response.status_code == 201, response.json
    return response.json


def open_case(api, reference: str = "P100234", team: str = "North") -> dict:
    create_person(api, reference, team)
    return start_dp(api, reference)


def set_clock(admin, instant: str) -> None:
    response = admin.post("/clock", json={"set": instant})
    assert response.status_code == 200, response.json


def sweep_at(admin, instant: str) -> list[dict]:
    """Move the frozen clock and fire what is due, as the scheduler would."""
    set_clock(admin, instant)
    response = admin.post("/timers/run-due")
    assert response.status_code == 200, response.json
    return response.json["items"]


def task_named(api, instance_id: int, name: str) -> dict:
    instance = api.get(f"/instances/{instance_id}").json
    matches = [t for t in instance["ready_tasks"] if t["name"] == name]
    assert len(matches) == 1, [t["name"] for t in instance["ready_tasks"]]
    return matches[0]


def error_of(response, status: int, code: str) -> dict:
    """Assert the error envelope and return its body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    error = response.json["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error


def fields_of(error: dict) -> list[str]:
    return sorted(d["field"] for d in error["details"])


# --- the database behind the API, read in the test's own session --------------------------------
def fresh() -> None:
    """End the test session's read transaction so the next query sees what requests committed."""
    db.session.rollback()
    db.session.expire_all()


def instance_row(instance_id: int) -> tuple[int, str, str]:
    fresh()
    row = db.session.get(ProcessInstance, instance_id)
    return row.lock_version, row.status, row.state


def count(model, **where) -> int:
    fresh()
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def audit_count(instance_id: int) -> int:
    return count(AuditEvent, instance_id=instance_id)


def letter_count(instance_id: int) -> int:
    return count(Letter, instance_id=instance_id)
