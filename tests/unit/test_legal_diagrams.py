"""The shipped legal-stage diagrams: legal_recovery (DOMAIN.md A.3 steps 7-12, §2.2-2.4) and
estate_recovery (A.3-D, §5). Each lints clean against the app's own roles, handlers, functions
and settings, has the element ids, forms, conditions and defaults the services depend on, and a
complete, left-to-right layout for the modeler. A few walks through the engine (with a fake
handler registry, no database) check the loops, the terminate ends and the interrupting messages.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app import calendar, clock
from app.domain import settings_catalogue
from app.engine import diagrams, runner
from app.models import ROLES
from app.services.processes.engine_context import diagram_function_names
from app.tasks import HANDLERS

from .test_debt_recovery_diagram import (
    CAMUNDA,
    FLOW_NODE_KINDS,
    NS,
    centre_x,
    edges,
    flow_nodes,
    form_fields,
    local,
    on_border,
    outgoing,
    overlaps,
    shapes,
)

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
LEGAL_XML = (WORKFLOWS / "legal_recovery.bpmn").read_bytes()
ESTATE_XML = (WORKFLOWS / "estate_recovery.bpmn").read_bytes()
LEGAL_DUE = 'add_working_days(today(), setting("legal_task_due_working_days"))'
REFERRAL_DUE = 'add_working_days(today(), setting("legal_referral_due_working_days"))'


class Expected:
    """What one diagram must hold."""

    def __init__(self, xml, key, name, subprocess, subprocess_name, messages, elements, timers,
                 service_tasks, user_tasks, boundary, terminate_ends, loops):
        self.xml, self.key, self.name = xml, key, name
        self.subprocess, self.subprocess_name = subprocess, subprocess_name
        self.messages, self.elements, self.timers = messages, elements, timers
        self.service_tasks, self.user_tasks, self.boundary = service_tasks, user_tasks, boundary
        self.terminate_ends, self.loops = terminate_ends, loops
        self.topic = "legal_step"  # the handler every service task names

    def __repr__(self) -> str:
        return self.key


LEGAL = Expected(
    LEGAL_XML, "legal_recovery", "Legal recovery", "legal", "Pre-Action Protocol and court",
    ("paid_in_full", "person_died"),
    # id -> (kind, parent: "process" or the subprocess)
    {
        "legal_opened": ("startEvent", "process"),
        "legal": ("subProcess", "process"),
        "legal_started": ("startEvent", "legal"),
        "prepare_letter_of_claim": ("serviceTask", "legal"),
        "approve_letter_of_claim": ("userTask", "legal"),
        "loc_approved": ("exclusiveGateway", "legal"),
        "letter_of_claim_withdrawn": ("endEvent", "legal"),
        "post_letter_of_claim": ("serviceTask", "legal"),
        "earliest_issue_reached": ("intermediateCatchEvent", "legal"),
        "approve_legal_referral": ("userTask", "legal"),
        "referral_decision": ("exclusiveGateway", "legal"),
        "more_time_ends": ("intermediateCatchEvent", "legal"),
        "legal_stopped": ("endEvent", "legal"),
        "refer_to_legal": ("serviceTask", "legal"),
        "letter_still_valid": ("exclusiveGateway", "legal"),
        "letter_of_claim_expired": ("endEvent", "legal"),
        "issue_claim": ("userTask", "legal"),
        "record_claim": ("serviceTask", "legal"),
        "response_deadline_passed": ("intermediateCatchEvent", "legal"),
        "claim_response": ("userTask", "legal"),
        "record_judgment": ("userTask", "legal"),
        "after_judgment": ("serviceTask", "legal"),
        "enforcement_decision": ("userTask", "legal"),
        "record_enforcement": ("serviceTask", "legal"),
        "legal_done": ("endEvent", "legal"),
        "legal_paid_in_full": ("boundaryEvent", "process"),
        "legal_paid": ("endEvent", "process"),
        "legal_death_recorded": ("boundaryEvent", "process"),
        "open_estate_stage": ("serviceTask", "process"),
        "estate_stage_opened": ("endEvent", "process"),
        "legal_recovery_done": ("endEvent", "process"),
    },
    {
        "earliest_issue_reached": "next_working_day(earliest_issue)",
        "more_time_ends": "add_working_days(today(), 10)",
        "response_deadline_passed": "next_working_day(add_calendar_days(defence_deadline, "
                                    'setting("default_judgment_grace_days")))',
    },
    {
        "prepare_letter_of_claim": "prepare_letter_of_claim",
        "post_letter_of_claim": "post_letter_of_claim",
        "refer_to_legal": "refer_to_legal",
        "record_claim": "record_claim",
        "after_judgment": "record_judgment",
        "record_enforcement": "record_enforcement",
        "open_estate_stage": "estate_stage",
    },
    {
        "approve_letter_of_claim": ("finance_officer", LEGAL_DUE),
        "approve_legal_referral": ("finance_manager", REFERRAL_DUE),
        "issue_claim": ("legal", LEGAL_DUE),
        "claim_response": ("legal", LEGAL_DUE),
        "record_judgment": ("legal", LEGAL_DUE),
        "enforcement_decision": ("legal", LEGAL_DUE),
    },
    {"legal_paid_in_full": "paid_in_full", "legal_death_recorded": "person_died"},
    {"letter_of_claim_withdrawn", "legal_stopped", "letter_of_claim_expired"},
    # Flows that run back (right to left, or straight up) to close a loop.
    {"flow_more_time", "flow_more_time_over"},
)

ESTATE = Expected(
    ESTATE_XML, "estate_recovery", "Estate recovery", "estate", "Deceased person's estate",
    ("paid_in_full", "grant_recorded"),
    {
        "estate_opened": ("startEvent", "process"),
        "estate": ("subProcess", "process"),
        "estate_started": ("startEvent", "estate"),
        "send_final_account": ("serviceTask", "estate"),
        "record_grant_or_search": ("userTask", "estate"),
        "grant_known_gateway": ("exclusiveGateway", "estate"),
        "standing_search_merge": ("exclusiveGateway", "estate"),
        "standing_search_renewal_due": ("intermediateCatchEvent", "estate"),
        "renew_standing_search": ("userTask", "estate"),
        "pursue_estate": ("userTask", "estate"),
        "estate_done": ("endEvent", "estate"),
        "estate_paid": ("boundaryEvent", "process"),
        "estate_paid_end": ("endEvent", "process"),
        "estate_grant_recorded": ("boundaryEvent", "process"),
        "pursue_estate_after_grant": ("userTask", "process"),
        "estate_done_after_grant": ("endEvent", "process"),
        "estate_recovery_done": ("endEvent", "process"),
    },
    {"standing_search_renewal_due": "add_months(standing_search_lodged_on, 5)"},
    {"send_final_account": "final_account"},
    {
        "record_grant_or_search": ("finance_officer", LEGAL_DUE),
        "renew_standing_search": ("finance_officer", LEGAL_DUE),
        "pursue_estate": ("finance_officer", LEGAL_DUE),
        "pursue_estate_after_grant": ("finance_officer", LEGAL_DUE),
    },
    {"estate_paid": "paid_in_full", "estate_grant_recorded": "grant_recorded"},
    set(),
    {"flow_renewed"},
)
DECISION_XML = (WORKFLOWS / "debt_decision.bpmn").read_bytes()
GUARD_DUE = 'add_working_days(today(), setting("debt_guard_task_due_working_days"))'
DECISION = Expected(
    DECISION_XML, "debt_decision", "Debt awaiting a decision", "decide", "Decide the next step",
    ("paid_in_full", "write_off_decided"),
    {
        "decision_needed": ("startEvent", "process"),
        "decide": ("subProcess", "process"),
        "decision_started": ("startEvent", "decide"),
        "decide_merge": ("exclusiveGateway", "decide"),
        "decide_next_step": ("userTask", "decide"),
        "next_step": ("exclusiveGateway", "decide"),
        "open_legal_stage": ("serviceTask", "decide"),
        "legal_stage_opened": ("endEvent", "decide"),
        "write_off_decided": ("intermediateCatchEvent", "decide"),
        "review_date_reached": ("intermediateCatchEvent", "decide"),
        "decision_paid_in_full": ("boundaryEvent", "process"),
        "decision_paid": ("endEvent", "process"),
        "debt_decision_done": ("endEvent", "process"),
    },
    {"review_date_reached": "next_working_day(review_on)"},
    {"open_legal_stage": "legal_stage"},
    {"decide_next_step": ("finance_officer", GUARD_DUE)},
    {"decision_paid_in_full": "paid_in_full"},
    set(),
    {"flow_write_off_decided", "flow_review_due"},
)
DECISION.topic = "debt_step"
DIAGRAMS = [LEGAL, ESTATE, DECISION]


@pytest.fixture(params=DIAGRAMS, ids=repr)
def expected(request) -> Expected:
    return request.param


def root_of(xml: bytes):
    return diagrams.parse_xml(xml).getroot()


def by_id(root, element_id):
    # BPMN elements only: an enum option may share its code with an element (refer_to_legal).
    found = root.xpath(f"//bpmn:*[@id='{element_id}']", namespaces={"bpmn": NS["bpmn"]})
    assert len(found) == 1, element_id
    return found[0]


def default_target(root, gateway_id) -> str:
    return by_id(root, by_id(root, gateway_id).get("default")).get("targetRef")


@pytest.fixture(scope="module")
def legal():
    return root_of(LEGAL_XML)


@pytest.fixture(scope="module")
def estate():
    return root_of(ESTATE_XML)


# --- lint and parse ------------------------------------------------------------------------------

def test_lints_clean_with_the_apps_roles_handlers_and_functions(expected):
    assert "legal_step" in HANDLERS
    assert diagrams.lint(expected.xml, roles=ROLES, handlers=HANDLERS,
                         functions=diagram_function_names()) == []


def test_parses_to_a_runnable_spec(expected):
    model = diagrams.load_model(expected.xml)
    assert (model.key, model.name) == (expected.key, expected.name)
    assert expected.subprocess in model.subprocess_specs


def test_every_setting_named_in_the_diagram_exists(expected):
    used = set(re.findall(r'setting\(\s*(?:"|&quot;)(\w+)(?:"|&quot;)\s*\)',
                          expected.xml.decode()))
    assert used and used <= set(settings_catalogue.keys())


# --- elements ------------------------------------------------------------------------------------

def test_element_ids_kinds_and_parents(expected):
    root = root_of(expected.xml)
    for element_id, (kind, parent) in expected.elements.items():
        element = by_id(root, element_id)
        assert local(element) == kind, element_id
        if parent == "process":
            assert local(element.getparent()) == "process", element_id
        else:
            assert element.getparent().get("id") == parent, element_id
    # Nothing else: every flow node is listed.
    assert {e.get("id") for e in flow_nodes(root)} == set(expected.elements)
    process = root.find("bpmn:process", NS)
    assert (process.get("id"), process.get("name")) == (expected.key, expected.name)
    assert by_id(root, expected.subprocess).get("name") == expected.subprocess_name


def test_messages_and_interrupting_boundary_events(expected):
    root = root_of(expected.xml)
    messages = {m.get("id"): m.get("name") for m in root.iterfind("bpmn:message", NS)}
    assert messages == {f"msg_{n}": n for n in expected.messages}
    for event_id, name in expected.boundary.items():
        event = by_id(root, event_id)
        assert event.get("attachedToRef") == expected.subprocess
        assert event.get("cancelActivity") in (None, "true")  # interrupting
        assert event.find("bpmn:messageEventDefinition", NS).get("messageRef") == f"msg_{name}"


def test_timers(expected):
    root = root_of(expected.xml)
    for event_id, expression in expected.timers.items():
        node = by_id(root, event_id).find("bpmn:timerEventDefinition/bpmn:timeDate", NS)
        assert node.text == expression, event_id
    assert len(list(root.iter("{%s}timerEventDefinition" % NS["bpmn"]))) == len(expected.timers)


def test_service_tasks_name_handlers_and_parameters(expected):
    root = root_of(expected.xml)
    tasks = {t.get("id"): t for t in root.iter("{%s}serviceTask" % NS["bpmn"])}
    assert set(tasks) == set(expected.service_tasks)
    for task_id, step in expected.service_tasks.items():
        task = tasks[task_id]
        assert (task.get(CAMUNDA + "type"), task.get(CAMUNDA + "topic")) == (
            "external", expected.topic), task_id
        given = {p.get("name"): p.text for p in task.iter(CAMUNDA + "inputParameter")}
        assert given == {"step": step}, task_id


def test_every_user_task_has_one_known_role_a_due_date_and_a_form(expected):
    root = root_of(expected.xml)
    tasks = {t.get("id"): t for t in root.iter("{%s}userTask" % NS["bpmn"])}
    assert set(tasks) == set(expected.user_tasks)
    for task_id, (role, due) in expected.user_tasks.items():
        task = tasks[task_id]
        assert task.get(CAMUNDA + "candidateGroups") == role, task_id
        assert role in ROLES
        assert task.get(CAMUNDA + "dueDate") == due, task_id
        assert form_fields(task), f"{task_id} has no form"


def test_terminate_ends(expected):
    root = root_of(expected.xml)
    terminating = {e.get("id") for e in root.iter("{%s}endEvent" % NS["bpmn"])
                   if e.find("bpmn:terminateEventDefinition", NS) is not None}
    assert terminating == expected.terminate_ends
    for end in terminating:  # inside the subprocess: it ends the stage, not more
        assert by_id(root, end).getparent().get("id") == expected.subprocess


# --- legal_recovery: forms, conditions, paths ----------------------------------------------------

def money(field) -> bool:
    return field["type"] == "string" and field["property_type"] == "money"


def with_property_type(task) -> dict[str, dict]:
    fields = form_fields(task)
    for f in task.iter(f"{CAMUNDA}formField"):
        prop = f.find("camunda:properties/camunda:property[@id='type']", NS)
        fields[f.get("id")]["property_type"] = None if prop is None else prop.get("value")
    return fields


def test_letter_of_claim_and_referral_forms(legal):
    approve = form_fields(by_id(legal, "approve_letter_of_claim"))
    assert list(approve) == ["approved", "notes"]
    assert approve["approved"] == {"label": "Do you approve the Letter of Claim for posting?",
                                   "type": "boolean",
                                   "required": True, "note": False, "values": []}
    assert approve["notes"]["note"] and not approve["notes"]["required"]
    referral = form_fields(by_id(legal, "approve_legal_referral"))
    assert list(referral) == ["decision", "reasons"]
    assert referral["decision"]["required"] and referral["decision"]["type"] == "enum"
    assert referral["decision"]["values"] == ["refer_to_legal", "more_time", "stop"]
    assert referral["reasons"]["required"] and referral["reasons"]["note"]


def test_court_forms(legal):
    issue = form_fields(by_id(legal, "issue_claim"))
    assert {k: (v["label"], v["type"], v["required"]) for k, v in issue.items()} == {
        "claim_number": ("What is the claim number?", "string", True),
        "issued_on": ("When was the claim issued?", "date", True),
        "posted_on": ("When was the claim form posted?", "date", True),
    }
    response = form_fields(by_id(legal, "claim_response"))
    assert list(response) == ["response", "notes"]
    assert response["response"]["required"]
    assert response["response"]["values"] == ["none", "admitted", "defended"]
    assert response["notes"]["note"] and not response["notes"]["required"]

    judgment = with_property_type(by_id(legal, "record_judgment"))
    assert list(judgment) == ["judgment_date", "judgment_amount", "terms", "instalment_amount"]
    assert judgment["judgment_date"]["type"] == "date" and judgment["judgment_date"]["required"]
    # Money is a string field shown and checked as money (app/domain/forms.py).
    assert money(judgment["judgment_amount"]) and judgment["judgment_amount"]["required"]
    assert money(judgment["instalment_amount"]) and not judgment["instalment_amount"]["required"]
    assert judgment["terms"]["required"] and judgment["terms"]["values"] == [
        "forthwith", "instalments"]

    enforcement = form_fields(by_id(legal, "enforcement_decision"))
    assert list(enforcement) == ["kind", "title_number", "notes"]
    assert enforcement["kind"]["required"] and enforcement["kind"]["values"] == [
        "none", "warrant_of_control", "attachment_of_earnings", "charging_order",
        "third_party_debt_order", "order_to_obtain_information"]
    assert enforcement["title_number"]["label"] == (
        "What is the Land Registry title number of the property?")
    assert not enforcement["title_number"]["required"]
    # Every option has a human label, not its code.
    labels = [v.get("name") for v in by_id(legal, "enforcement_decision").iter(
        CAMUNDA + "value")]
    assert all(label and "_" not in label for label in labels)


def test_money_fields_are_read_as_money_by_the_engine():
    model = diagrams.load_model(LEGAL_XML)
    spec = model.subprocess_specs["legal"].task_specs["record_judgment"]
    raw = {f["id"]: f for f in spec.extensions["form_fields"]}
    assert runner._form_field(raw["judgment_amount"]).type == "money"
    assert runner._form_field(raw["instalment_amount"]).type == "money"


def test_legal_gateways_defaults_and_conditions(legal):
    assert default_target(legal, "loc_approved") == "letter_of_claim_withdrawn"
    assert outgoing(legal, "loc_approved") == {"letter_of_claim_withdrawn": None,
                                               "post_letter_of_claim": "approved"}
    assert default_target(legal, "referral_decision") == "refer_to_legal"
    assert outgoing(legal, "referral_decision") == {
        "refer_to_legal": None,
        "more_time_ends": "decision == 'more_time'",
        "legal_stopped": "decision == 'stop'",
    }
    assert outgoing(legal, "more_time_ends") == {"approve_legal_referral": None}
    assert default_target(legal, "letter_still_valid") == "issue_claim"
    assert outgoing(legal, "letter_still_valid") == {
        "issue_claim": None, "letter_of_claim_expired": "new_letter_of_claim_needed"}


def test_legal_paths_are_connected(legal):
    chain = ["legal_started", "prepare_letter_of_claim", "approve_letter_of_claim",
             "loc_approved", "post_letter_of_claim", "earliest_issue_reached",
             "approve_legal_referral", "referral_decision", "refer_to_legal",
             "letter_still_valid", "issue_claim",
             "record_claim", "response_deadline_passed", "claim_response", "record_judgment",
             "after_judgment", "enforcement_decision", "record_enforcement", "legal_done"]
    for source, target in zip(chain, chain[1:], strict=False):
        assert target in outgoing(legal, source), (source, target)
    for source, target in [
            ("legal_opened", "legal"), ("legal", "legal_recovery_done"),
            ("legal_paid_in_full", "legal_paid"), ("legal_death_recorded", "open_estate_stage"),
            ("open_estate_stage", "estate_stage_opened")]:
        assert outgoing(legal, source) == {target: None}, source


def test_legal_documentation_cites_the_domain(legal):
    text = " ".join(d.text or "" for d in legal.iter("{%s}documentation" % NS["bpmn"]))
    for cited in ("A.3 step 7", "A.3 step 8", "A.3 step 9", "A.3 step 10", "A.3 step 11",
                  "step 12", "§2.3", "§2.4", "CPR 6.14", "CPR 12", "A.3-D"):
        assert cited in text, cited


# --- estate_recovery: forms, conditions, paths ---------------------------------------------------

def test_estate_forms(estate):
    record = form_fields(by_id(estate, "record_grant_or_search"))
    assert list(record) == ["grant_known", "standing_search_lodged_on", "notes"]
    assert record["grant_known"]["type"] == "boolean" and record["grant_known"]["required"]
    lodged = record["standing_search_lodged_on"]
    assert lodged["type"] == "date" and not lodged["required"]
    renew = form_fields(by_id(estate, "renew_standing_search"))
    assert list(renew) == ["standing_search_lodged_on", "notes"]
    assert renew["standing_search_lodged_on"]["label"] == "When was the standing search renewed?"
    assert renew["standing_search_lodged_on"]["required"]
    for task_id in ("pursue_estate", "pursue_estate_after_grant"):
        pursue = form_fields(by_id(estate, task_id))
        assert list(pursue) == ["action", "notes"]
        assert pursue["action"]["required"] and pursue["action"]["values"] == [
            "paid_by_estate", "claim_with_court_representatives", "insolvent_estate",
            "write_off"]
        assert pursue["notes"]["note"]


def test_estate_gateways_and_the_standing_search_loop(estate):
    assert default_target(estate, "grant_known_gateway") == "standing_search_merge"
    assert outgoing(estate, "grant_known_gateway") == {"standing_search_merge": None,
                                                       "pursue_estate": "grant_known"}
    # Each renewal waits again for the next six months, through the merging gateway.
    assert outgoing(estate, "standing_search_merge") == {"standing_search_renewal_due": None}
    assert outgoing(estate, "standing_search_renewal_due") == {"renew_standing_search": None}
    assert outgoing(estate, "renew_standing_search") == {"standing_search_merge": None}


def test_estate_paths_are_connected(estate):
    for source, target in [
            ("estate_opened", "estate"), ("estate", "estate_recovery_done"),
            ("estate_started", "send_final_account"),
            ("send_final_account", "record_grant_or_search"),
            ("record_grant_or_search", "grant_known_gateway"), ("pursue_estate", "estate_done"),
            ("estate_paid", "estate_paid_end"),
            ("estate_grant_recorded", "pursue_estate_after_grant"),
            ("pursue_estate_after_grant", "estate_done_after_grant")]:
        assert outgoing(estate, source) == {target: None}, source


def test_estate_documentation_cites_the_domain(estate):
    text = " ".join(d.text or "" for d in estate.iter("{%s}documentation" % NS["bpmn"]))
    for cited in ("A.3-D", "§5", "6 months", "90 days after death"):
        assert cited in text, cited


# --- diagram interchange (what bpmn-js draws) -----------------------------------------------------

def test_every_node_and_flow_has_diagram_interchange(expected):
    root = root_of(expected.xml)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == expected.key
    node_ids = {e.get("id") for e in flow_nodes(root)}
    flow_ids = {f.get("id") for f in root.iter("{%s}sequenceFlow" % NS["bpmn"])}
    assert set(shapes(root)) == node_ids
    assert set(edges(root)) == flow_ids
    sub = root.find(f".//bpmndi:BPMNShape[@bpmnElement='{expected.subprocess}']", NS)
    assert sub.get("isExpanded") == "true"


def test_edges_are_orthogonal_and_touch_their_shapes(expected):
    root = root_of(expected.xml)
    boxes, lines = shapes(root), edges(root)
    for flow in root.iter("{%s}sequenceFlow" % NS["bpmn"]):
        points = lines[flow.get("id")]
        assert len(points) >= 2
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, flow.get("id")
        assert on_border(points[0], boxes[flow.get("sourceRef")]), flow.get("id")
        assert on_border(points[-1], boxes[flow.get("targetRef")]), flow.get("id")


def test_layout_has_no_overlaps_and_reads_left_to_right(expected):
    root = root_of(expected.xml)
    boxes = shapes(root)
    sub = boxes[expected.subprocess]
    inner = [e.get("id") for e in by_id(root, expected.subprocess)
             if local(e) in FLOW_NODE_KINDS]
    for node_id in inner:
        x, y, w, h = boxes[node_id]
        assert sub[0] < x and x + w < sub[0] + sub[2], node_id
        assert sub[1] < y and y + h < sub[1] + sub[3], node_id
    for event_id in expected.boundary:  # sits on the subprocess's bottom edge
        x, y, w, h = boxes[event_id]
        assert y + h / 2 == sub[1] + sub[3] and sub[0] < x < sub[0] + sub[2], event_id
    others = [i for i in boxes if i != expected.subprocess]
    for i, a in enumerate(others):
        for b in others[i + 1:]:
            assert not overlaps(boxes[a], boxes[b]), (a, b)
    for node_id in others:
        if node_id not in inner and node_id not in expected.boundary:
            assert not overlaps(boxes[node_id], sub), node_id
    for flow in root.iter("{%s}sequenceFlow" % NS["bpmn"]):
        if flow.get("id") in expected.loops:
            continue
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        assert centre_x(boxes[target]) > centre_x(boxes[source]), flow.get("id")


def test_only_the_loops_run_back(expected):
    # The flows exempted from left to right above are exactly the loops, and each comes back.
    root = root_of(expected.xml)
    boxes = shapes(root)
    back = {f.get("id") for f in root.iter("{%s}sequenceFlow" % NS["bpmn"])
            if centre_x(boxes[f.get("targetRef")]) <= centre_x(boxes[f.get("sourceRef")])}
    assert back == expected.loops


# --- walks through the engine (fake handlers, no database) ----------------------------------------

START = {"debt_case_id": 1, "person_reference": "P-1", "instance_id": 7}


class Walk:
    """Drives one diagram with the catalogue's default settings and a recording fake registry."""

    def __init__(self, xml: bytes, clock_):
        self.model, self.clock, self.calls = diagrams.load_model(xml), clock_, []
        self.letter_expired = False
        defaults = settings_catalogue.defaults()
        functions = calendar.diagram_functions(lambda name: int(defaults[name]))
        functions["today"] = lambda: clock.today().isoformat()
        self.ctx = runner.EngineContext(functions, self.dispatch)

    def dispatch(self, call):
        step = call.params["step"]
        self.calls.append(step)
        if step == "post_letter_of_claim":
            return {"earliest_issue": (clock.today() + timedelta(days=33)).isoformat()}
        if step == "refer_to_legal":
            return {"new_letter_of_claim_needed": self.letter_expired}
        if step == "record_claim":
            return {"defence_deadline": (clock.today() + timedelta(days=16)).isoformat()}
        return None

    def start(self):
        return runner.start(self.model, START, self.ctx)

    def complete(self, result, **form):
        (task,) = result.ready_tasks
        return runner.complete_task(self.model, result.state, task.engine_task_id, form,
                                    self.ctx)

    def wait(self, result):
        assert not result.ready_tasks and result.next_timer_due is not None
        self.clock.set(result.next_timer_due + timedelta(minutes=1))
        return runner.fire_timers(self.model, result.state, self.ctx)

    def message(self, result, name):
        return runner.send_message(self.model, result.state, name, {}, self.ctx)


def ready(result) -> list[str]:
    return [t.name for t in result.ready_tasks]


@pytest.fixture
def fixed_clock():
    fixed = clock.FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    clock.install(fixed)
    yield fixed
    clock.install(clock.RealClock())


def test_legal_walk_from_letter_of_claim_to_enforcement(fixed_clock):
    walk = Walk(LEGAL_XML, fixed_clock)
    result = walk.start()
    assert walk.calls == ["prepare_letter_of_claim"] and ready(result) == [
        "approve_letter_of_claim"]
    result = walk.wait(walk.complete(result, approved=True))
    assert ready(result) == ["approve_legal_referral"]
    assert result.ready_tasks[0].role == "finance_manager"
    # More time: ten working days, then the manager is asked again.
    more_time = walk.complete(result, decision="more_time", reasons="debt advice")
    assert not more_time.ready_tasks
    result = walk.wait(more_time)
    assert ready(result) == ["approve_legal_referral"]
    result = walk.complete(result, decision="refer_to_legal", reasons="no reply")
    assert ready(result) == ["issue_claim"]
    result = walk.complete(result, claim_number="K1QZ1234", issued_on="2026-06-01",
                           posted_on="2026-06-01")
    result = walk.wait(result)
    assert ready(result) == ["claim_response"]
    result = walk.complete(result, response="none")
    result = walk.complete(result, judgment_date="2026-07-20", judgment_amount="412.50",
                           terms="forthwith")
    assert ready(result) == ["enforcement_decision"]
    result = walk.complete(result, kind="none")
    assert result.completed
    assert walk.calls == ["prepare_letter_of_claim", "post_letter_of_claim", "refer_to_legal",
                          "record_claim", "record_judgment", "record_enforcement"]


def test_an_unapproved_letter_of_claim_ends_the_stage(fixed_clock):
    walk = Walk(LEGAL_XML, fixed_clock)
    result = walk.complete(walk.start(), approved=False)
    assert result.completed and not result.ready_tasks and result.next_timer_due is None
    assert walk.calls == ["prepare_letter_of_claim"]


def test_stopping_at_the_referral_ends_the_stage(fixed_clock):
    walk = Walk(LEGAL_XML, fixed_clock)
    result = walk.wait(walk.complete(walk.start(), approved=True))
    result = walk.complete(result, decision="stop", reasons="uneconomic")
    assert result.completed and result.next_timer_due is None
    assert "refer_to_legal" not in walk.calls


def test_paid_in_full_and_death_interrupt_the_legal_stage(fixed_clock):
    walk = Walk(LEGAL_XML, fixed_clock)
    waiting = walk.complete(walk.start(), approved=True)  # waiting for the earliest claim date
    paid = walk.message(waiting, "paid_in_full")
    assert paid.completed and paid.next_timer_due is None
    died = walk.message(waiting, "person_died")
    assert died.completed and walk.calls[-1] == "estate_stage"


def test_estate_walk_standing_search_renewals_then_a_grant(fixed_clock):
    walk = Walk(ESTATE_XML, fixed_clock)
    result = walk.start()
    assert walk.calls == ["final_account"] and ready(result) == ["record_grant_or_search"]
    result = walk.complete(result, grant_known=False, standing_search_lodged_on="2026-03-02")
    # A month before the six months lapse.
    assert result.next_timer_due.date().isoformat() == "2026-08-02"
    result = walk.wait(result)
    assert ready(result) == ["renew_standing_search"]
    result = walk.complete(result, standing_search_lodged_on="2026-09-01")
    assert result.next_timer_due.date().isoformat() == "2027-02-01"
    result = walk.wait(result)
    assert ready(result) == ["renew_standing_search"]  # and again, every six months
    result = walk.message(result, "grant_recorded")
    assert ready(result) == ["pursue_estate_after_grant"] and result.next_timer_due is None
    assert walk.complete(result, action="claim_with_court_representatives").completed


def test_estate_walk_with_a_known_grant_and_paid_in_full(fixed_clock):
    walk = Walk(ESTATE_XML, fixed_clock)
    started = walk.start()
    result = walk.complete(started, grant_known=True)
    assert ready(result) == ["pursue_estate"]
    assert walk.complete(result, action="paid_by_estate").completed
    paid = walk.message(started, "paid_in_full")
    assert paid.completed and not paid.ready_tasks


def test_an_expired_letter_of_claim_ends_the_stage_at_the_referral(fixed_clock):
    walk = Walk(LEGAL_XML, fixed_clock)
    walk.letter_expired = True
    result = walk.wait(walk.complete(walk.start(), approved=True))
    result = walk.complete(result, decision="refer_to_legal", reasons="no reply")
    assert result.completed and not result.ready_tasks and result.next_timer_due is None
    assert walk.calls[-1] == "refer_to_legal"


# --- debt_decision: the next step for a debt no stage is chasing ----------------------------------

def test_decision_form_gateway_and_loops(decision):
    form = form_fields(by_id(decision, "decide_next_step"))
    assert list(form) == ["decision", "review_on", "reasons"]
    assert form["decision"]["required"] and form["decision"]["values"] == [
        "letter_of_claim", "write_off", "review_later"]
    assert form["review_on"]["type"] == "date" and not form["review_on"]["required"]
    assert form["reasons"]["required"] and form["reasons"]["note"]
    assert default_target(decision, "next_step") == "review_date_reached"
    assert outgoing(decision, "next_step") == {
        "open_legal_stage": "decision == 'letter_of_claim'",
        "write_off_decided": "decision == 'write_off'",
        "review_date_reached": None}
    # Both waits come back through the merging gateway to the decision.
    assert outgoing(decision, "write_off_decided") == {"decide_merge": None}
    assert outgoing(decision, "review_date_reached") == {"decide_merge": None}
    assert outgoing(decision, "decision_started") == {"decide_merge": None}
    assert outgoing(decision, "decide_merge") == {"decide_next_step": None}
    assert by_id(decision, "open_legal_stage").get(CAMUNDA + "topic") == "debt_step"


@pytest.fixture(scope="module")
def decision():
    return root_of(DECISION_XML)


def test_decision_walk_review_then_write_off_then_a_letter_of_claim(fixed_clock):
    walk = Walk(DECISION_XML, fixed_clock)
    result = walk.start()
    assert ready(result) == ["decide_next_step"] and walk.calls == []
    result = walk.complete(result, decision="review_later", review_on="2026-03-14",
                           reasons="awaiting a benefits decision")
    assert not result.ready_tasks
    assert result.next_timer_due.date().isoformat() == "2026-03-16"  # Sat 14 -> Mon 16 March
    result = walk.wait(result)
    assert ready(result) == ["decide_next_step"]
    result = walk.complete(result, decision="write_off", reasons="uneconomic")
    assert not result.ready_tasks and result.next_timer_due is None
    result = walk.message(result, "write_off_decided")  # rejected: asked again
    assert ready(result) == ["decide_next_step"]
    result = walk.complete(result, decision="letter_of_claim", reasons="can pay")
    assert result.completed and walk.calls == ["legal_stage"]


def test_paid_in_full_ends_the_decision(fixed_clock):
    walk = Walk(DECISION_XML, fixed_clock)
    paid = walk.message(walk.start(), "paid_in_full")
    assert paid.completed and not paid.ready_tasks
