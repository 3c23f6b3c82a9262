"""What changed between two versions of a diagram, in words a manager reads: elements added,
removed, and changed (name, role, due date, timer, form fields, handler and its parameters,
condition). Layout moves are not changes. Pure: two XML documents in, a list out."""
from __future__ import annotations

from dataclasses import dataclass

from app.engine import diagrams

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
KINDS = {
    "userTask": "Task", "serviceTask": "Service task", "scriptTask": "Script task",
    "task": "Task", "startEvent": "Start", "endEvent": "End",
    "intermediateCatchEvent": "Event", "intermediateThrowEvent": "Event",
    "boundaryEvent": "Event", "exclusiveGateway": "Gateway", "parallelGateway": "Gateway",
    "inclusiveGateway": "Gateway", "eventBasedGateway": "Gateway", "subProcess": "Subprocess",
    "callActivity": "Call", "sequenceFlow": "Flow", "manualTask": "Task",
    "sendTask": "Task", "receiveTask": "Task", "businessRuleTask": "Task",
    "transaction": "Subprocess",
}


@dataclass(frozen=True)
class Change:
    kind: str            # added, removed, changed
    element_id: str
    element: str         # "Task 'Validate the returned agreement'"
    details: tuple[str, ...] = ()

    def text(self) -> str:
        head = f"{self.element} {self.kind}"
        return head + (": " + "; ".join(self.details) if self.details else "")


def changes(old_xml: bytes, new_xml: bytes) -> list[Change]:
    old, new = _elements(old_xml), _elements(new_xml)
    found = []
    for element_id in sorted(new.keys() - old.keys()):
        found.append(Change("added", element_id, _label(new[element_id])))
    for element_id in sorted(old.keys() - new.keys()):
        found.append(Change("removed", element_id, _label(old[element_id])))
    for element_id in sorted(old.keys() & new.keys()):
        details = _differences(old[element_id], new[element_id])
        if details:
            found.append(Change("changed", element_id, _label(new[element_id]),
                                tuple(details)))
    return found


def _elements(xml: bytes) -> dict[str, dict]:
    root = diagrams.parse_xml(xml).getroot()
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
             for lane in root.iter(f"{{{BPMN}}}lane")
             for ref in lane.iterfind(f"{{{BPMN}}}flowNodeRef") if ref.text}
    found: dict[str, dict] = {}
    for process in root.iter(f"{{{BPMN}}}process"):
        for node in process.iter():
            local = _local(node)
            if local in KINDS and (element_id := node.get("id")):
                facts = _facts(node, local)
                facts["lane"] = lanes.get(element_id, "")
                found[element_id] = facts
    return found


def _facts(node, local: str) -> dict:
    parent = node.getparent()
    facts = {"kind": local, "id": node.get("id"), "type": local,
             "name": node.get("name") or "",
             "inside": parent.get("id") if _local(parent) == "subProcess" else "",
             "role": node.get(f"{{{CAMUNDA}}}candidateGroups") or "",
             "due date": node.get(f"{{{CAMUNDA}}}dueDate") or "",
             "handler": node.get(f"{{{CAMUNDA}}}topic") or "",
             "source": node.get("sourceRef") or "", "target": node.get("targetRef") or "",
             "default flow": node.get("default") or "",
             "attached to": node.get("attachedToRef") or "",
             "interrupting": "" if local != "boundaryEvent" else
             ("no" if node.get("cancelActivity") == "false" else "yes")}
    for kind in ("timeDate", "timeDuration", "timeCycle"):
        timer = node.find(f"{{{BPMN}}}timerEventDefinition/{{{BPMN}}}{kind}")
        if timer is not None:
            facts["timer"] = f"{_TIMER_WORDS[kind]} {(timer.text or '').strip()}"
    for child, label in (("conditionExpression", "condition"), ("script", "script")):
        found = node.find(f"{{{BPMN}}}{child}")
        if found is not None:
            facts[label] = (found.text or "").strip()
    # Only the element's own extensions: a subprocess does not repeat its tasks' details.
    extensions = f"{{{BPMN}}}extensionElements"
    for p in node.iterfind(f"{extensions}/{{{CAMUNDA}}}inputOutput/{{{CAMUNDA}}}inputParameter"):
        facts[f"parameter {p.get('name')}"] = (p.text or "").strip()
    fields = [_field(f) for f in node.iterfind(
        f"{extensions}/{{{CAMUNDA}}}formData/{{{CAMUNDA}}}formField")]
    if fields:
        facts["form"] = "; ".join(fields)
    return facts


def _field(field) -> str:
    rules = [c.get("name") + (f"={c.get('config')}" if c.get("config") else "")
             for c in field.iterfind(f"{{{CAMUNDA}}}validation/{{{CAMUNDA}}}constraint")]
    shown = [p.get("value") for p in field.iterfind(
        f"{{{CAMUNDA}}}properties/{{{CAMUNDA}}}property") if p.get("id") == "type"]
    values = [v.get("id") for v in field.iterfind(f"{{{CAMUNDA}}}value")]
    parts = [shown[0] if shown else field.get("type") or "", *rules]
    if field.get("defaultValue"):
        parts.append(f"default {field.get('defaultValue')}")
    if values:
        parts.append("choices " + "/".join(values))
    return f"{field.get('label') or field.get('id')} ({', '.join(p for p in parts if p)})"


_TIMER_WORDS = {"timeDate": "on", "timeDuration": "after", "timeCycle": "every"}


def _differences(old: dict, new: dict) -> list[str]:
    said = []
    for key in [k for k in new if k not in ("kind", "id")] + [k for k in old if k not in new]:
        before, after = old.get(key, ""), new.get(key, "")
        if before != after:
            said.append(f"{key} {_quoted(before)} → {_quoted(after)}")
    return said


def _quoted(value: str) -> str:
    return f"“{value}”" if value else "(none)"


def _label(facts: dict) -> str:
    kind = KINDS[facts["kind"]]
    return f"{kind} “{facts['name'] or facts['id']}”"


def _local(node) -> str:
    tag = node.tag if isinstance(node.tag, str) else ""
    return tag.rsplit("}", 1)[-1]
