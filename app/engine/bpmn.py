"""BPMN and Camunda names as lxml spells them (f"{BPMN}userTask"), and reading a service task's
parameters the one way the engine and the diagram check both use. Pure: lxml elements only."""

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
# The Inputs of the properties panel. An inputParameter anywhere else is not a parameter.
_PARAMETERS = f".//{CAMUNDA}inputOutput/{CAMUNDA}inputParameter"


def _parameter_items(task) -> list[tuple[str, str]]:
    return [(p.get("name"), (p.text or "").strip()) for p in task.iterfind(_PARAMETERS)]


def service_task_parameters(task) -> dict[str, str]:
    """A service task's handler parameters exactly as the engine runs them: name -> raw value
    (stripped) of each `camunda:inputParameter` in its `camunda:inputOutput`; a name given twice
    keeps its last value (see repeated_parameters). The diagram check reads them here too."""
    return dict(_parameter_items(task))


def repeated_parameters(task) -> list[str]:
    """The names a service task gives more than once among its parameters, each named once."""
    seen: set[str] = set()
    repeated: dict[str, None] = {}  # ordered
    for name, _ in _parameter_items(task):
        if name in seen:
            repeated[name] = None
        seen.add(name)
    return list(repeated)
