"""SpiffWorkflow parser and task-spec extensions for the Camunda 7 attributes we support.

The browser modeler (bpmn-js + the Camunda 7 properties panel) writes these attributes, so they
are the dialect: `camunda:candidateGroups` and `camunda:dueDate` on user tasks, `camunda:formData`
for forms, and external service tasks (`camunda:type="external"`, `camunda:topic` = handler name)
with `camunda:inputParameter`s as the handler's parameters.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway, ServiceTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser, UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from .bpmn import CAMUNDA, service_task_parameters

USER_TASK_ATTRIBUTES = ("candidateGroups", "dueDate", "assignee", "priority", "formKey")


class HandlerFailed(Exception):
    """A service-task handler raised; carries what the incident record needs."""

    def __init__(self, task_name: str, handler: str, error: BaseException):
        super().__init__(f"{handler} failed in {task_name}: {error}")
        self.task_name = task_name
        self.handler = handler
        self.error = error


class CaseworkServiceTask(ServiceTask):
    """A service task that calls a named handler from the registry the app hands in."""

    def __init__(self, wf_spec, bpmn_id, handler=None, params=None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.handler = handler
        self.params = params or {}

    def _execute(self, task):
        # Errors are wrapped here, not left to SpiffWorkflow: its call_service hides them.
        try:
            task.workflow.script_engine.call_handler(task, self.handler, self.params)
        except HandlerFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - any handler failure becomes an incident
            raise HandlerFailed(task.task_spec.name, self.handler or "", exc) from exc
        return True


class AmbiguousRoute(Exception):
    """More than one outgoing condition of an exclusive gateway held."""

    def __init__(self, gateway: str, routes: list[tuple[str, str, str]]):
        """`routes`: (target id, target name, condition) of each flow whose condition held."""
        held = " and ".join(f"'{name}' ({condition})" for _, name, condition in routes)
        super().__init__(f"more than one route was possible: {held}; "
                         "the diagram's conditions must exclude each other")
        self.gateway = gateway
        self.routes = routes


class CaseworkExclusiveGateway(ExclusiveGateway):
    """Takes the one flow whose condition holds, or the default when none does.

    SpiffWorkflow takes the first true condition in the order of the targets' vertical
    positions on the canvas, so dragging a box could re-route a case. Two true conditions
    stop the step instead (an incident), whatever the layout, until an operator chooses one of
    them for this case (`CHOSEN_ROUTE` in the task's internal data).
    """

    CHOSEN_ROUTE = "chosen_route"

    def held_routes(self, my_task) -> list[tuple[str, str, str]]:
        """(target id, its name, condition) of each outgoing flow whose condition holds."""
        spec = my_task.workflow.spec
        return [(name, spec.get_task_spec_from_name(name).bpmn_name or name, condition.args[0])
                for condition, name in self.cond_task_specs
                if condition is not None and condition._matches(my_task)]

    def _run_hook(self, my_task):
        spec = my_task.workflow.spec
        held = self.held_routes(my_task)
        by_operator = my_task._get_internal_data(self.CHOSEN_ROUTE)
        if len(held) > 1 and by_operator is not None:
            held = [route for route in held if route[0] == by_operator] or held
        if len(held) > 1:
            raise AmbiguousRoute(self.name, held)
        chosen = held[0][0] if held else self.default_task_spec
        if chosen is None:
            return super()._run_hook(my_task)  # raises SpiffWorkflow's "no conditions satisfied"
        my_task._sync_children([spec.get_task_spec_from_name(chosen)], TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True


def _parse_form(node) -> list[dict]:
    """Read camunda:formData fields into plain dicts (the stock parser needs a formKey)."""
    fields = []
    for xml_field in node.iterfind(f".//{CAMUNDA}formData/{CAMUNDA}formField"):
        field = {
            "id": xml_field.get("id"),
            "label": xml_field.get("label") or xml_field.get("id"),
            "type": xml_field.get("type") or "string",
            "default": xml_field.get("defaultValue"),
            "validation": {},
            "properties": {},
            "options": [],
        }
        for child in xml_field:
            if child.tag == f"{CAMUNDA}validation":
                for constraint in child:
                    field["validation"][constraint.get("name")] = constraint.get("config")
            elif child.tag == f"{CAMUNDA}properties":
                for prop in child:
                    field["properties"][prop.get("id")] = prop.get("value")
            elif child.tag == f"{CAMUNDA}value":
                field["options"].append([child.get("id"), child.get("name") or child.get("id")])
        fields.append(field)
    return fields


class CaseworkUserTaskParser(UserTaskParser):
    """Keeps the user-task attributes the stock Camunda parser drops."""

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        for attribute in USER_TASK_ATTRIBUTES:
            value = self.node.get(CAMUNDA + attribute)
            if value is not None:
                extensions[attribute] = value
        extensions["form_fields"] = _parse_form(self.node)
        return extensions


class CaseworkServiceTaskParser(CamundaTaskParser):
    def create_task(self):
        handler = self.node.get(CAMUNDA + "topic")
        return self.spec_class(
            self.spec, self.bpmn_id, handler=handler, params=service_task_parameters(self.node),
            **self.bpmn_attributes
        )


class CaseworkParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (CaseworkUserTaskParser, UserTask),
        full_tag("serviceTask"): (CaseworkServiceTaskParser, CaseworkServiceTask),
        full_tag("exclusiveGateway"): (ConditionalGatewayParser, CaseworkExclusiveGateway),
    }
