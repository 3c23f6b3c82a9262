"""The change view's list: what a manager altered between two versions, in words."""
from __future__ import annotations

import re
from pathlib import Path

from app.services.processes.version_changes import changes

DP = (Path(__file__).resolve().parents[2] / "workflows" / "direct_payment_agreement.bpmn"
      ).read_bytes()


def edited(*replacements: tuple[bytes, bytes]) -> bytes:
    xml = DP
    for old, new in replacements:
        assert old in xml, old
        xml = xml.replace(old, new, 1)
    return xml


def test_the_same_diagram_has_no_changes():
    assert changes(DP, DP) == []


def test_a_timer_and_a_task_name():
    new = edited(
        (b'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">add_working_days(sent_date, '
         b'setting("dp_reminder_1_working_days"))</bpmn:timeDate>',
         b'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P5D</bpmn:timeDuration>'),
        (b'name="Validate the returned agreement"', b'name="Check the returned agreement"'))
    found = {c.element_id: c for c in changes(DP, new)}
    assert set(found) == {"reminder_1_due", "validate_agreement"}
    assert found["reminder_1_due"].kind == "changed"
    assert found["reminder_1_due"].details == (
        "timer “on add_working_days(sent_date, setting(\"dp_reminder_1_working_days\"))” → "
        "“after P5D”",)
    assert found["validate_agreement"].text() == (
        "Task “Check the returned agreement” changed: name “Validate the returned agreement” "
        "→ “Check the returned agreement”")


def test_a_role_removed_and_layout_moves_ignored():
    new = edited((b'id="validate_agreement" name="Validate the returned agreement" '
                  b'camunda:candidateGroups="finance_assistant"',
                  b'id="validate_agreement" name="Validate the returned agreement"'),
                 (b'<dc:Bounds x="1720" y="560"', b'<dc:Bounds x="1730" y="580"'))
    (change,) = changes(DP, new)
    assert change.details == ("role “finance_assistant” → (none)",)


def test_added_and_removed_elements():
    new = edited((b'<bpmn:sequenceFlow id="flow_c1" ', b'<bpmn:sequenceFlow id="flow_c1b" '))
    kinds = sorted((c.kind, c.element_id) for c in changes(DP, new))
    assert kinds == [("added", "flow_c1b"), ("removed", "flow_c1")]


def test_a_subprocess_does_not_repeat_its_tasks_changes():
    new = edited((b'<camunda:inputParameter name="template">dp_reminder_1',
                  b'<camunda:inputParameter name="template">dp_reminder_2'))
    (change,) = changes(DP, new)
    assert change.element_id == "send_reminder_1"
    assert change.details == ("parameter template “dp_reminder_1” → “dp_reminder_2”",)


def test_form_choices_requirements_and_defaults_are_compared():
    new = edited((b'<camunda:value id="no_answer" name="No answer" />', b""))
    (change,) = changes(DP, new)
    assert change.element_id == "phone_call" and change.details[0].startswith("form ")
    assert "no_answer" in change.details[0].split("→")[0]
    assert "no_answer" not in change.details[0].split("→")[1]


def test_an_element_changing_type_and_a_gateways_default():
    lines = DP.decode().splitlines()
    at = next(i for i, line in enumerate(lines)
              if line.startswith('<bpmn:userTask id="phone_call"'))
    lines[at] = lines[at].replace("bpmn:userTask", "bpmn:manualTask")
    retyped = "\n".join(lines).encode()
    (change,) = changes(DP, retyped)
    assert change.element_id == "phone_call"
    assert change.details[0] == "type “userTask” → “manualTask”"
    gateway = re.search(rb'<bpmn:exclusiveGateway id="(\w+)"[^>]* default="(\w+)"', DP)
    assert gateway, "the shipped diagram has a gateway with a default flow"
    no_default = DP.replace(b' default="' + gateway.group(2) + b'"', b"", 1)
    (change,) = changes(DP, no_default)
    assert change.details == (f"default flow “{gateway.group(2).decode()}” → (none)",)
