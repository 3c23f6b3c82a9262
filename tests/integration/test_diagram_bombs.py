"""A published diagram that meets a bomb when a case reaches it: the step stops with an incident
naming the limit, nothing is lost, and the worker goes on answering requests."""
from __future__ import annotations

from lxml import etree

from app.engine import expressions
from tests.conftest import REPO

from .api_helpers import PROCESS, audit_count, error_of, instance_row, open_case, task_named

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

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



def publish_xml(fm, xml: bytes) -> dict:
    """Save the DP diagram as given and publish it if the check passes; returns the check."""
    saved = fm.put(f"/processes/{PROCESS}/draft", data=xml, content_type="application/xml")
    assert saved.status_code == 200, saved.json
    if saved.json["valid"]:
        assert fm.post(f"/processes/{PROCESS}/draft/publish").status_code == 201
    return saved.json


def test_a_due_date_that_cannot_be_worked_out_refuses_the_step_and_writes_nothing(as_user):
    xml = (REPO / "workflows" / f"{PROCESS}.bpmn").read_bytes()
    old = (b'camunda:dueDate="add_working_days(today(), '
           b'setting(&quot;dp_countersign_due_working_days&quot;))"')
    assert xml.count(old) == 1
    saved = publish_xml(as_user("fm"), xml.replace(old, (
        b'camunda:dueDate="add_working_days(today(), '
        b'len(str(recipient_signed_on) * 1000000000))"')))
    assert saved["valid"], saved  # only the answers make it big
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    fa.post(f"/instances/{instance['id']}/messages/paperwork_received", json={})
    task = task_named(fa, instance["id"], "validate_agreement")
    before = (instance_row(instance["id"]), audit_count(instance["id"]))

    response = fa.post(f"/tasks/{task['id']}/complete", json={"data": VALID})

    error = error_of(response, 422, "validation_failed")
    assert "due date of 'Countersign and schedule first payment'" in error["message"]
    assert "larger than the limit" in error["message"]
    assert error["details"][0]["element_id"] == "countersign_agreement"
    assert (instance_row(instance["id"]), audit_count(instance["id"])) == before
    assert task_named(fa, instance["id"], "validate_agreement")["id"] == task["id"]


def test_a_task_that_repeats_is_refused_on_save(as_user):
    root = etree.fromstring((REPO / "workflows" / f"{PROCESS}.bpmn").read_bytes())
    task = root.find(f".//{BPMN}userTask[@id='countersign_agreement']")
    loop = etree.SubElement(task, f"{BPMN}multiInstanceLoopCharacteristics", isSequential="true")
    etree.SubElement(loop, f"{BPMN}loopCardinality").text = "100000000"
    saved = publish_xml(as_user("fm"), etree.tostring(root))
    assert not saved["valid"]
    assert {"element_id": "countersign_agreement",
            "message": "repeating a task is not supported: draw the loop with a gateway and a "
                       "task for a person or a timer in it"} in saved["errors"]
