"""A published diagram that meets a bomb when a case reaches it: the step stops with an incident
naming the limit, nothing is lost, and the worker goes on answering requests."""
from __future__ import annotations

from app.engine import expressions
from tests.conftest import REPO

from .api_helpers import PROCESS, open_case, task_named

CONDITION = "signatures_complete and dedicated_account and contribution_set_up"
VALID = {"signatures_complete": True, "dedicated_account": True, "contribution_set_up": True,
         "recipient_signed_on": "2026-03-02"}


def publish_condition(fm, condition: str) -> None:
    xml = (REPO / "workflows" / f"{PROCESS}.bpmn").read_bytes()
    assert xml.count(CONDITION.encode()) == 1
    saved = fm.put(f"/processes/{PROCESS}/draft", data=xml.replace(
        CONDITION.encode(), condition.encode()), content_type="application/xml")
    assert saved.status_code == 200 and saved.json["valid"], saved.json  # passes the check
    assert fm.post(f"/processes/{PROCESS}/draft/publish").status_code == 201


def validate(as_user, time_limit: float = expressions.TIME_LIMIT_SECONDS) -> tuple[dict, dict]:
    """A returned agreement validated: the gateway after the task decides what comes next."""
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    fa.post(f"/instances/{instance['id']}/messages/paperwork_received", json={})
    task = task_named(fa, instance["id"], "validate_agreement")
    with expressions.time_limit(time_limit):
        response = fa.post(f"/tasks/{task['id']}/complete", json={"data": VALID})
    return response, fa.get(f"/instances/{instance['id']}").json


def test_a_size_bomb_in_a_condition_becomes_an_incident_and_the_worker_serves_on(as_user):
    # Only the answers make it big, so the check on save cannot see it.
    publish_condition(as_user("fm"), CONDITION + " and len(str(signatures_complete) * "
                                                 "1000000000) > 0")
    completed, instance = validate(as_user)
    assert completed.status_code == 200  # the assistant's completion is kept
    assert instance["status"] == "incident"
    assert instance["incident"]["element_id"] == "agreement_valid"
    assert "larger than the limit" in instance["incident"]["error"]
    assert instance["ready_tasks"] == []
    # The next request is answered as usual.
    assert as_user("fa").get("/processes").status_code == 200


def test_a_step_over_the_time_limit_becomes_an_incident(as_user):
    publish_condition(as_user("fm"), CONDITION + " and len(str(sorted([3, 2, 1]))) > 0")
    completed, instance = validate(as_user, time_limit=0)
    assert completed.status_code == 200
    assert instance["status"] == "incident"
    assert "longer than the limit" in instance["incident"]["error"]
    assert as_user("fa").get("/processes").status_code == 200
