"""Through the API, as a manager would: an edit that breaks a process's contract is saved with the
breach on its element, and publishing it is refused (422)."""
from __future__ import annotations

import pytest
from lxml import etree

from app.models import ProcessVersion
from app.services.wiring import CONTRACTS
from tests.conftest import REPO
from tests.unit.test_process_contracts import B, C, rename_id

from .api_helpers import count, error_of

SHIPPED_COUNT = len(list((REPO / "workflows").glob("*.bpmn")))
LOAD_BEARING = [(key, e.id) for key, contract in CONTRACTS.items() for e in contract.elements]
PARAMETERS = [(key, handler, name) for key, contract in CONTRACTS.items()
              for handler, rules in contract.handlers.items() for name in rules]


def shipped(key: str) -> bytes:
    return (REPO / "workflows" / f"{key}.bpmn").read_bytes()


def save_then_publish(api, key: str, xml: bytes) -> tuple[list[dict], dict]:
    saved = api.put(f"/processes/{key}/draft", data=xml, content_type="application/xml")
    assert saved.status_code == 200 and saved.json["valid"] is False
    refused = error_of(api.post(f"/processes/{key}/draft/publish"), 422, "validation_failed")
    assert count(ProcessVersion) == SHIPPED_COUNT  # nothing published
    return saved.json["errors"], refused


@pytest.mark.parametrize("key,element_id", LOAD_BEARING)
def test_renaming_a_load_bearing_element_cannot_be_published(as_user, key, element_id):
    renamed = element_id + "_renamed"
    problems, refused = save_then_publish(as_user("fm"), key,
                                          rename_id(shipped(key), element_id, renamed))
    breach = [p for p in problems if f"must keep its id {element_id}" in p["message"]]
    assert [p["element_id"] for p in breach] == [renamed]
    assert breach[0] in refused["details"]


@pytest.mark.parametrize("key,handler,name", PARAMETERS)
def test_a_parameter_outside_the_contract_cannot_be_published(as_user, key, handler, name):
    rule = CONTRACTS[key].handlers[handler][name]
    bad = "Letter Date" if rule.variable else "no_such_value"
    root = etree.fromstring(shipped(key))
    param = next(p for task in root.iter(f"{B}serviceTask") if task.get(f"{C}topic") == handler
                 for p in task.iter(f"{C}inputParameter") if p.get("name") == name)
    param.text = bad
    task_id = next(t for t in param.iterancestors() if t.tag == f"{B}serviceTask").get("id")
    problems, refused = save_then_publish(as_user("fm"), key, etree.tostring(root))
    breach = [p for p in problems if bad in p["message"]]
    assert [p["element_id"] for p in breach] == [task_id]
    assert breach[0] in refused["details"]


def test_an_unknown_letter_in_a_send_letter_cannot_be_published(as_user):
    xml = shipped("direct_payment_agreement").replace(b">dp_reminder_2<", b">dp_reminder_9<")
    problems, _ = save_then_publish(as_user("fm"), "direct_payment_agreement", xml)
    assert [p["element_id"] for p in problems if "'dp_reminder_9'" in p["message"]] == [
        "send_reminder_2"]


def test_overlapping_conditions_are_a_warning_that_does_not_stop_publishing(as_user):
    fm = as_user("fm")
    xml = shipped("debt_recovery").replace(b") and not deceased</bpmn:conditionExpression>",
                                           b")</bpmn:conditionExpression>")
    saved = fm.put("/processes/debt_recovery/draft", data=xml, content_type="application/xml")
    assert saved.status_code == 200 and saved.json["valid"] is True
    [warning] = saved.json["errors"]
    assert (warning["element_id"], warning["severity"]) == ("checklist_outcome", "warning")
    assert "'Start the estate route" in warning["message"] and "could both be taken" in warning["message"]
    assert fm.post("/processes/debt_recovery/draft/publish").status_code == 201
