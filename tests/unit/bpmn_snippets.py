"""Small diagrams for engine tests, written as the Camunda 7 modeler writes them."""
from __future__ import annotations

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" '
        'targetNamespace="http://bpmn.io/schema/bpmn">')


def diagram(body: str, process_id: str = "snippet") -> bytes:
    return (f'{HEAD}<bpmn:process id="{process_id}" name="Snippet" isExecutable="true">'
            f'{body}</bpmn:process></bpmn:definitions>').encode()


def user_then_service(condition: str = "True", service_topic: str = "send_letter",
                      role: str = "finance_assistant", timer: str | None = None) -> bytes:
    """start -> user task -> gateway (condition / default) -> service task -> end."""
    boundary = ""
    if timer is not None:
        boundary = (
            '<bpmn:boundaryEvent id="waited" attachedToRef="ask">'
            '<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
            f'{timer}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
            '<bpmn:endEvent id="timed_out" />'
            '<bpmn:sequenceFlow id="f_timeout" sourceRef="waited" targetRef="timed_out" />')
    return diagram(
        '<bpmn:startEvent id="start" />'
        f'<bpmn:userTask id="ask" name="Ask" camunda:candidateGroups="{role}">'
        '<bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="amount" label="Amount" type="string">'
        '<camunda:properties><camunda:property id="type" value="money" /></camunda:properties>'
        '<camunda:validation><camunda:constraint name="required" /></camunda:validation>'
        '</camunda:formField></camunda:formData></bpmn:extensionElements></bpmn:userTask>'
        f'{boundary}'
        '<bpmn:exclusiveGateway id="check" default="f_default" />'
        f'<bpmn:serviceTask id="act" name="Act" camunda:type="external" camunda:topic="{service_topic}">'
        '<bpmn:extensionElements><camunda:inputOutput>'
        '<camunda:inputParameter name="template">dp_reminder_1</camunda:inputParameter>'
        '</camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask>'
        '<bpmn:userTask id="after" name="After" camunda:candidateGroups="finance_officer" />'
        '<bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="check" />'
        '<bpmn:sequenceFlow id="f_cond" sourceRef="check" targetRef="act">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        '</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="f_default" sourceRef="check" targetRef="end" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="act" targetRef="after" />'
        '<bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end" />')
