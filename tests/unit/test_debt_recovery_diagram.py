"""The shipped debt-recovery diagram (DOMAIN.md A.3 steps 2-6, and the step 7 decision that opens the
legal stage): it lints clean against the app's own roles, handlers, functions and settings, has the
element ids the service depends on, and a complete, left-to-right layout for the modeler. Parsing
only: the engine is not run here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from app.domain import settings_catalogue
from app.engine import diagrams, gateway_check
from app.models import ROLES
from app.services.processes.engine_context import diagram_function_names
from app.tasks import HANDLERS

XML = (Path(__file__).resolve().parents[2] / "workflows/debt_recovery.bpmn").read_bytes()
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
CAMUNDA = "{%s}" % NS["camunda"]
FLOW_NODE_KINDS = {"startEvent", "endEvent", "intermediateCatchEvent", "boundaryEvent",
                   "userTask", "serviceTask", "exclusiveGateway", "parallelGateway", "subProcess"}

# id -> (kind, parent: "process" or "ladder")
ELEMENTS = {
    "debt_opened": ("startEvent", "process"),
    "ladder": ("subProcess", "process"),
    "ladder_started": ("startEvent", "ladder"),
    "reminder_1_due": ("intermediateCatchEvent", "ladder"),
    "send_reminder_1": ("serviceTask", "ladder"),
    "final_demand_due": ("intermediateCatchEvent", "ladder"),
    "send_final_demand": ("serviceTask", "ladder"),
    "after_final_demand": ("parallelGateway", "ladder"),
    "phone_contact_due": ("intermediateCatchEvent", "ladder"),
    "phone_contact": ("userTask", "ladder"),
    "phone_contact_done": ("endEvent", "ladder"),
    "referral_due": ("intermediateCatchEvent", "ladder"),
    "refer_to_officer": ("serviceTask", "ladder"),
    "pre_legal_checklist": ("userTask", "ladder"),
    "checklist_outcome": ("exclusiveGateway", "ladder"),
    "estate_route": ("userTask", "ladder"),
    "ladder_stopped_estate": ("endEvent", "ladder"),
    "find_representative": ("userTask", "ladder"),
    "review_before_recovery": ("userTask", "ladder"),
    "review_decision": ("exclusiveGateway", "ladder"),
    "recovery_stopped": ("endEvent", "ladder"),
    "send_contact_letter": ("serviceTask", "ladder"),
    "engagement_merge": ("exclusiveGateway", "ladder"),
    "engagement": ("userTask", "ladder"),
    "engagement_outcome": ("exclusiveGateway", "ladder"),
    "plan_ended_waiting": ("intermediateCatchEvent", "ladder"),
    "escalate_letter_of_claim": ("serviceTask", "ladder"),
    "letter_of_claim_next": ("userTask", "ladder"),
    "letter_of_claim_decision": ("exclusiveGateway", "ladder"),
    "open_legal_stage": ("serviceTask", "ladder"),
    "legal_stage_opened": ("endEvent", "ladder"),
    "ladder_done": ("endEvent", "ladder"),
    "paid_in_full_received": ("boundaryEvent", "process"),
    "debt_paid": ("endEvent", "process"),
    "death_recorded": ("boundaryEvent", "process"),
    "estate_after_death": ("userTask", "process"),
    "estate_route_started": ("endEvent", "process"),
    "plan_broken_received": ("boundaryEvent", "process"),
    "escalate_after_broken_plan": ("serviceTask", "process"),
    "letter_of_claim_after_plan": ("userTask", "process"),
    "after_plan_decision": ("exclusiveGateway", "process"),
    "plan_broken_end": ("endEvent", "process"),
    "open_legal_stage_after_plan": ("serviceTask", "process"),
    "legal_stage_opened_after_plan": ("endEvent", "process"),
    "debt_recovery_done": ("endEvent", "process"),
}
TIMERS = {
    "reminder_1_due":
        'next_working_day(add_calendar_days(invoice_date, setting("debt_reminder_1_days")))',
    "final_demand_due":
        'next_working_day(add_calendar_days(r1_date, setting("debt_final_demand_days")))',
    "phone_contact_due": 'add_working_days(fd_date, setting("debt_phone_contact_working_days"))',
    "referral_due":
        'next_working_day(add_calendar_days(invoice_date, setting("debt_referral_days")))',
}
SERVICE_TASKS = {
    "send_reminder_1": ("send_debt_letter", {"template": "debt_reminder_1", "date_var": "r1_date"}),
    "send_final_demand": ("send_debt_letter",
                          {"template": "debt_final_demand", "date_var": "fd_date"}),
    "refer_to_officer": ("debt_step", {"step": "referral"}),
    "send_contact_letter": ("send_debt_letter",
                            {"template": "debt_recovery_contact", "date_var": "contact_date"}),
    "escalate_letter_of_claim": ("debt_step", {"step": "letter_of_claim"}),
    "escalate_after_broken_plan": ("debt_step", {"step": "letter_of_claim"}),
    "open_legal_stage": ("debt_step", {"step": "legal_stage"}),
    "open_legal_stage_after_plan": ("debt_step", {"step": "legal_stage"}),
}
GUARD_DUE = 'add_working_days(today(), setting("debt_guard_task_due_working_days"))'
USER_TASKS = {
    "phone_contact": ("finance_assistant",
                      'add_working_days(today(), setting("debt_phone_contact_due_working_days"))'),
    "pre_legal_checklist": ("finance_officer",
                            'add_working_days(today(), setting("debt_checklist_due_working_days"))'),
    "estate_route": ("finance_officer", GUARD_DUE),
    "find_representative": ("finance_officer", GUARD_DUE),
    "review_before_recovery": ("finance_manager", GUARD_DUE),
    "engagement": ("finance_officer",
                   'add_working_days(today(), setting("debt_engagement_due_working_days"))'),
    "letter_of_claim_next": ("finance_officer", GUARD_DUE),
    "estate_after_death": ("finance_officer", GUARD_DUE),
    "letter_of_claim_after_plan": ("finance_officer", GUARD_DUE),
}
BOUNDARY_MESSAGES = {"paid_in_full_received": "paid_in_full", "death_recorded": "person_died",
                     "plan_broken_received": "plan_broken"}
CHECKLIST_BOOLEANS = [
    "charge_correct", "assessment_current", "open_query_or_complaint", "correspondent_verified",
    "lacks_capacity_without_representative", "safeguarding_concern", "vulnerability_or_hardship",
    "social_worker_informed", "breathing_space_checked", "limitation_checked", "proportionate",
    "third_party_issues", "deceased"]


@pytest.fixture(scope="module")
def root():
    return diagrams.parse_xml(XML).getroot()


def by_id(root, element_id):
    found = root.xpath(f"//*[@id='{element_id}']")
    assert len(found) == 1, element_id
    return found[0]


def local(element) -> str:
    return etree.QName(element).localname


def form_fields(task) -> dict[str, dict]:
    fields = {}
    for f in task.iter(f"{CAMUNDA}formField"):
        fields[f.get("id")] = {
            "label": f.get("label"), "type": f.get("type"),
            "required": f.find("camunda:validation/camunda:constraint[@name='required']",
                               NS) is not None,
            "note": f.find("camunda:properties/camunda:property[@id='type'][@value='note']",
                           NS) is not None,
            "values": [v.get("id") for v in f.iterfind("camunda:value", NS)],
        }
    return fields


# --- lint and parse ------------------------------------------------------------------------------

def test_lints_clean_with_the_apps_roles_handlers_and_functions():
    assert diagrams.lint(XML, roles=ROLES, handlers=HANDLERS,
                         functions=diagram_function_names()) == []


def test_parses_to_a_runnable_spec():
    model = diagrams.load_model(XML)
    assert (model.key, model.name) == ("debt_recovery", "Debt recovery")
    assert "ladder" in model.subprocess_specs


def test_every_setting_named_in_the_diagram_exists():
    used = set(re.findall(r'setting\(\s*(?:"|&quot;)(\w+)(?:"|&quot;)\s*\)', XML.decode()))
    assert used and used <= set(settings_catalogue.keys())


def test_the_checklist_gateway_routes_exclude_each_other_whatever_the_layout():
    # The conditions exclude each other by construction (deceased first, then review, then the
    # representative), so the check finds no overlap and no box's height can matter.
    warnings = gateway_check.exclusivity_warnings(etree.fromstring(XML))
    assert warnings == []


# --- elements ------------------------------------------------------------------------------------

def test_element_ids_kinds_and_parents(root):
    for element_id, (kind, parent) in ELEMENTS.items():
        element = by_id(root, element_id)
        assert local(element) == kind, element_id
        assert local(element.getparent()) == ("subProcess" if parent == "ladder" else "process")
        if parent == "ladder":
            assert element.getparent().get("id") == "ladder"
    process = root.find("bpmn:process", NS)
    assert (process.get("id"), process.get("name")) == ("debt_recovery", "Debt recovery")
    assert by_id(root, "ladder").get("name") == "Recovery ladder"
    assert by_id(root, "debt_opened").get("name") == "Invoice unpaid after its due date"


def test_messages_and_message_events(root):
    messages = {m.get("id"): m.get("name") for m in root.iterfind("bpmn:message", NS)}
    assert messages == {f"msg_{n}": n for n in
                        ("paid_in_full", "person_died", "plan_broken", "plan_ended")}
    for event_id, name in BOUNDARY_MESSAGES.items():
        event = by_id(root, event_id)
        assert event.get("attachedToRef") == "ladder"
        assert event.get("cancelActivity") in (None, "true")  # interrupting
        assert event.find("bpmn:messageEventDefinition", NS).get("messageRef") == f"msg_{name}"
    waiting = by_id(root, "plan_ended_waiting")
    assert waiting.get("name") == "Plan ended by agreement"
    assert waiting.find("bpmn:messageEventDefinition", NS).get("messageRef") == "msg_plan_ended"


def test_timers(root):
    for event_id, expression in TIMERS.items():
        node = by_id(root, event_id).find("bpmn:timerEventDefinition/bpmn:timeDate", NS)
        assert node.text == expression, event_id
    assert len(list(root.iter("{%s}timerEventDefinition" % NS["bpmn"]))) == len(TIMERS)


def test_service_tasks_name_handlers_and_parameters(root):
    tasks = {t.get("id"): t for t in root.iter("{%s}serviceTask" % NS["bpmn"])}
    assert set(tasks) == set(SERVICE_TASKS)
    for task_id, (topic, params) in SERVICE_TASKS.items():
        task = tasks[task_id]
        assert (task.get(CAMUNDA + "type"), task.get(CAMUNDA + "topic")) == ("external", topic)
        given = {p.get("name"): p.text for p in task.iter(CAMUNDA + "inputParameter")}
        assert given == params, task_id


def test_every_user_task_has_one_known_role_and_a_due_date(root):
    tasks = {t.get("id"): t for t in root.iter("{%s}userTask" % NS["bpmn"])}
    assert set(tasks) == set(USER_TASKS)
    for task_id, (role, due) in USER_TASKS.items():
        task = tasks[task_id]
        assert task.get(CAMUNDA + "candidateGroups") == role, task_id
        assert role in ROLES
        assert task.get(CAMUNDA + "dueDate") == due, task_id
        assert form_fields(task), f"{task_id} has no form"


def test_phone_contact_form(root):
    fields = form_fields(by_id(root, "phone_contact"))
    assert list(fields) == ["outcome", "promised_payment_date", "call_notes"]
    assert fields["outcome"]["required"] and fields["outcome"]["values"] == [
        "spoke_will_pay", "spoke_wants_arrangement", "spoke_disputes", "spoke_hardship",
        "representative_contacted", "no_answer_message_left", "no_answer", "wrong_number"]
    assert fields["promised_payment_date"]["type"] == "date"
    assert not fields["promised_payment_date"]["required"]
    assert fields["call_notes"]["note"] and not fields["call_notes"]["required"]


def test_pre_legal_checklist_records_every_item(root):
    fields = form_fields(by_id(root, "pre_legal_checklist"))
    for name in CHECKLIST_BOOLEANS:
        assert fields[name]["type"] == "boolean" and fields[name]["required"], name
    assert fields["dpa_test"]["type"] == "enum" and fields["dpa_test"]["required"]
    assert fields["dpa_test"]["values"] == [
        "not_eligible", "eligible_not_offered", "offered_accepted", "offered_refused"]
    for optional_note in ("dpa_evidence", "checklist_notes"):
        assert fields[optional_note]["note"] and not fields[optional_note]["required"]
    # DOMAIN.md A.3 step 5 (a)-(j): every lettered item has its questions on the form (the
    # letters themselves are left out of the labels: staff read questions, not a checklist's
    # numbering).
    items = {"a": ("charge_correct", "assessment_current", "open_query_or_complaint"),
             "b": ("correspondent_verified", "lacks_capacity_without_representative"),
             "c": ("dpa_test", "dpa_evidence"), "d": ("safeguarding_concern",),
             "e": ("vulnerability_or_hardship", "social_worker_informed"),
             "f": ("breathing_space_checked",), "g": ("limitation_checked",),
             "h": ("proportionate",), "i": ("third_party_issues",), "j": ("deceased",)}
    assert set(items) == set("abcdefghij")
    assert all(name in fields for names in items.values() for name in names)


def test_decision_forms(root):
    review = form_fields(by_id(root, "review_before_recovery"))
    assert review["decision"]["values"] == ["continue", "stop"]
    assert review["reasons"]["required"] and review["reasons"]["note"]
    assert form_fields(by_id(root, "find_representative"))["action"]["values"] == [
        "support_family_deputyship", "council_applies_deputy", "panel_deputy",
        "capacity_confirmed"]
    engagement = form_fields(by_id(root, "engagement"))
    assert engagement["outcome"]["values"] == [
        "plan_agreed", "will_pay_in_full", "no_engagement", "refuses", "dispute"]
    for task_id in ("letter_of_claim_next", "letter_of_claim_after_plan"):
        assert form_fields(by_id(root, task_id))["decision"]["values"] == [
            "prepare_letter_of_claim", "propose_write_off", "keep_engaging"]
    for task_id in ("estate_route", "estate_after_death"):
        notes = form_fields(by_id(root, task_id))["notes"]
        assert notes["required"] and notes["note"]


def outgoing(root, source) -> dict[str, str | None]:
    result = {}
    for flow in root.iter("{%s}sequenceFlow" % NS["bpmn"]):
        if flow.get("sourceRef") == source:
            condition = flow.find("bpmn:conditionExpression", NS)
            result[flow.get("targetRef")] = None if condition is None else condition.text
    return result


def default_target(root, gateway_id) -> str:
    default = by_id(root, gateway_id).get("default")
    return by_id(root, default).get("targetRef")


REVIEW = ("safeguarding_concern or open_query_or_complaint or not charge_correct or not "
          "proportionate or vulnerability_or_hardship")


def test_gateways_defaults_and_conditions(root):
    assert default_target(root, "checklist_outcome") == "send_contact_letter"
    assert outgoing(root, "checklist_outcome") == {
        "send_contact_letter": None,
        "estate_route": "deceased",
        # Someone to review as well goes to the review; the contact letter's guard then holds
        # it until a representative is found. A death goes to the estate whatever else holds.
        "find_representative": "lacks_capacity_without_representative and not deceased and "
                               "not (" + REVIEW + ")",
        "review_before_recovery": "(" + REVIEW + ") and not deceased",
    }
    for end in ("recovery_stopped", "ladder_stopped_estate"):
        assert by_id(root, end).find("bpmn:terminateEventDefinition", NS) is not None
    assert default_target(root, "review_decision") == "send_contact_letter"
    assert outgoing(root, "review_decision") == {"send_contact_letter": None,
                                                 "recovery_stopped": "decision == 'stop'"}
    assert default_target(root, "engagement_outcome") == "escalate_letter_of_claim"
    assert outgoing(root, "engagement_outcome") == {
        "escalate_letter_of_claim": None, "plan_ended_waiting": "outcome == 'plan_agreed'"}
    assert set(outgoing(root, "after_final_demand")) == {"phone_contact_due", "referral_due"}


def test_only_a_letter_of_claim_opens_the_legal_stage(root):
    # A.3 step 7: on the ladder and after a broken plan alike. On the ladder "keep engaging"
    # goes round the engagement again; any other decision ends (the app then asks for the next
    # step, app/services/debt_decisions.py).
    assert default_target(root, "letter_of_claim_decision") == "ladder_done"
    assert outgoing(root, "letter_of_claim_decision") == {
        "ladder_done": None, "open_legal_stage": "decision == 'prepare_letter_of_claim'",
        "engagement_merge": "decision == 'keep_engaging'"}
    assert outgoing(root, "engagement_merge") == {"engagement": None}
    assert outgoing(root, "send_contact_letter") == {"engagement_merge": None}
    assert default_target(root, "after_plan_decision") == "plan_broken_end"
    assert outgoing(root, "after_plan_decision") == {
        "plan_broken_end": None,
        "open_legal_stage_after_plan": "decision == 'prepare_letter_of_claim'"}
    assert outgoing(root, "letter_of_claim_next") == {"letter_of_claim_decision": None}
    assert outgoing(root, "letter_of_claim_after_plan") == {"after_plan_decision": None}
    assert outgoing(root, "open_legal_stage") == {"legal_stage_opened": None}
    assert outgoing(root, "open_legal_stage_after_plan") == {
        "legal_stage_opened_after_plan": None}
    # Inside the ladder these end it whole (an open phone task too); outside it, plain ends.
    for end in ("legal_stage_opened", "ladder_done"):
        assert by_id(root, end).find("bpmn:terminateEventDefinition", NS) is not None
    for end in ("legal_stage_opened_after_plan", "plan_broken_end"):
        assert by_id(root, end).find("bpmn:terminateEventDefinition", NS) is None
    # The condition tests a value the decision form can give.
    assert "prepare_letter_of_claim" in form_fields(
        by_id(root, "letter_of_claim_next"))["decision"]["values"]


def test_the_main_paths_are_connected(root):
    chain = ["ladder_started", "reminder_1_due", "send_reminder_1", "final_demand_due",
             "send_final_demand", "after_final_demand", "referral_due", "refer_to_officer",
             "pre_legal_checklist", "checklist_outcome", "send_contact_letter",
             "engagement_merge", "engagement",
             "engagement_outcome", "escalate_letter_of_claim", "letter_of_claim_next",
             "letter_of_claim_decision", "ladder_done"]
    for source, target in zip(chain, chain[1:], strict=False):
        assert target in outgoing(root, source), (source, target)
    for source, target in [
            ("debt_opened", "ladder"), ("ladder", "debt_recovery_done"),
            ("phone_contact_due", "phone_contact"),
            ("phone_contact", "phone_contact_done"), ("estate_route", "ladder_stopped_estate"),
            ("find_representative", "send_contact_letter"),
            ("review_before_recovery", "review_decision"),
            ("plan_ended_waiting", "escalate_letter_of_claim"),
            ("paid_in_full_received", "debt_paid"), ("death_recorded", "estate_after_death"),
            ("estate_after_death", "estate_route_started"),
            ("plan_broken_received", "escalate_after_broken_plan"),
            ("escalate_after_broken_plan", "letter_of_claim_after_plan")]:
        assert outgoing(root, source) == {target: None}, source


def test_documentation_names_the_domain_steps(root):
    text = " ".join(d.text or "" for d in root.iter("{%s}documentation" % NS["bpmn"]))
    for step in ("A.3 step 2", "A.3 step 3", "A.3 step 4", "A.3 step 5", "A.3 step 6",
                 "A.3-IP"):
        assert step in text, step
    for task_id in ("letter_of_claim_next", "letter_of_claim_after_plan", "open_legal_stage",
                    "open_legal_stage_after_plan"):
        assert "legal_recovery" in by_id(root, task_id).find("bpmn:documentation", NS).text
    assert "next issue" in by_id(root, "estate_after_death").find(
        "bpmn:documentation", NS).text


# --- diagram interchange (what bpmn-js draws) -----------------------------------------------------

def shapes(root) -> dict[str, tuple[float, float, float, float]]:
    result = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        result[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in
                                                 ("x", "y", "width", "height"))
    return result


def edges(root) -> dict[str, list[tuple[float, float]]]:
    return {edge.get("bpmnElement"): [(float(p.get("x")), float(p.get("y")))
                                      for p in edge.iterfind("di:waypoint", NS)]
            for edge in root.iterfind(".//bpmndi:BPMNEdge", NS)}


def flow_nodes(root):
    return [e for e in root.iter() if isinstance(e.tag, str) and local(e) in FLOW_NODE_KINDS]


def test_every_node_and_flow_has_diagram_interchange(root):
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == "debt_recovery"
    node_ids = {e.get("id") for e in flow_nodes(root)}
    flow_ids = {f.get("id") for f in root.iter("{%s}sequenceFlow" % NS["bpmn"])}
    assert set(shapes(root)) == node_ids
    assert set(edges(root)) == flow_ids
    ladder = root.find(".//bpmndi:BPMNShape[@bpmnElement='ladder']", NS)
    assert ladder.get("isExpanded") == "true"


def on_border(point, box) -> bool:
    (px, py), (x, y, w, h) = point, box
    inside_x, inside_y = x - 0.5 <= px <= x + w + 0.5, y - 0.5 <= py <= y + h + 0.5
    return (inside_x and (abs(py - y) < 1 or abs(py - y - h) < 1)) or (
        inside_y and (abs(px - x) < 1 or abs(px - x - w) < 1))


def test_edges_are_orthogonal_and_touch_their_shapes(root):
    boxes = shapes(root)
    for flow in root.iter("{%s}sequenceFlow" % NS["bpmn"]):
        points = edges(root)[flow.get("id")]
        assert len(points) >= 2
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, flow.get("id")
        assert on_border(points[0], boxes[flow.get("sourceRef")]), flow.get("id")
        assert on_border(points[-1], boxes[flow.get("targetRef")]), flow.get("id")


def overlaps(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def centre_x(box) -> float:
    return box[0] + box[2] / 2


def test_layout_has_no_overlaps_and_reads_left_to_right(root):
    boxes = shapes(root)
    ladder = boxes["ladder"]
    inner = [e.get("id") for e in by_id(root, "ladder") if local(e) in FLOW_NODE_KINDS]
    for node_id in inner:
        x, y, w, h = boxes[node_id]
        assert ladder[0] < x and x + w < ladder[0] + ladder[2], node_id
        assert ladder[1] < y and y + h < ladder[1] + ladder[3], node_id
    for event_id in BOUNDARY_MESSAGES:  # sits on the ladder's bottom edge
        x, y, w, h = boxes[event_id]
        assert y + h / 2 == ladder[1] + ladder[3] and ladder[0] < x < ladder[0] + ladder[2]
    others = [i for i in boxes if i != "ladder"]
    for i, a in enumerate(others):
        for b in others[i + 1:]:
            assert not overlaps(boxes[a], boxes[b]), (a, b)
    outside = [i for i in others if i not in inner and i not in BOUNDARY_MESSAGES]
    for node_id in outside:
        assert not overlaps(boxes[node_id], ladder), node_id
    back = set()
    for flow in root.iter("{%s}sequenceFlow" % NS["bpmn"]):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if centre_x(boxes[target]) <= centre_x(boxes[source]):
            back.add(flow.get("id"))
    assert back == {"flow_keep_engaging"}  # the one loop
