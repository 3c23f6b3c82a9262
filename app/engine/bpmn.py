"""The BPMN 2.0 model namespace, as lxml spells it in tag names: f"{BPMN}userTask"."""

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
