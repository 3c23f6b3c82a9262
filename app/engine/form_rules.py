"""Checking the rules on a diagram's form fields when a manager saves it, in words.

The rules themselves run in app/domain/forms.py; here a rule that would do nothing or fail at
run time (an unknown name, "3 fortnights", a field that is not in the form) is a problem at save.
A field's wording (its label and the `hint`, `error`, `error_name` and `group` properties) is
held to GOV.UK content design (app/domain/form_wording.py): a slip there is a warning, which
does not stop publishing, except an empty property, which would show nothing.
"""
from __future__ import annotations

from app.domain.form_wording import error_problem, label_problems
from app.domain.forms import (
    DATE_RULES,
    FIELD_RULES,
    KNOWN_PROPERTIES,
    KNOWN_RULES,
    MAX_YES_ONLY_MESSAGE,
    WORDING_PROPERTIES,
    YES_ONLY,
    parse_condition,
    period_and_field,
)

from .bpmn import CAMUNDA
from .types import Problem

_PERIOD_RULES = frozenset({"within", "within_last"})
_NO_CONFIG = frozenset({"required", "not_in_past", "not_in_future"})


def form_rule_problems(element_id: str | None, form) -> list[Problem]:
    """Every problem with the rules of one user task's form (its camunda:formData element)."""
    fields = list(form.iter(f"{CAMUNDA}formField"))
    types = {f.get("id"): _field_type(f) for f in fields if f.get("id")}
    problems = []
    for field in fields:
        for constraint in field.iter(f"{CAMUNDA}constraint"):
            message = rule_problem(constraint.get("name") or "", constraint.get("config"),
                                   field.get("id") or "", types)
            if message:
                problems.append(Problem(message, element_id))
        problems += [Problem(message, element_id, warning=warning)
                     for message, warning in wording_problems(field, types)]
    return problems


def wording_problems(field, types: dict[str, str]) -> list[tuple[str, bool]]:
    """(message, is a warning) for each slip in one form field's wording."""
    field_id = field.get("id") or ""
    kind = types.get(field_id, "string")
    found = [(f"The field {field_id}: {message}", True)
             for message in label_problems(field.get("label") or "", kind, questions=False)]
    for prop in field.iter(f"{CAMUNDA}property"):
        name, value = prop.get("id") or "", (prop.get("value") or "").strip()
        if name not in KNOWN_PROPERTIES:
            known = ", ".join(sorted(KNOWN_PROPERTIES))
            found.append((f"The property '{name}' on the field {field_id} is not one the "
                          f"service reads, so it changes nothing. Use one of: {known}", True))
        elif name in WORDING_PROPERTIES and not value:
            found.append((f"The property '{name}' on the field {field_id} is empty: write its "
                          f"words, or remove it", False))
        elif name == "error":
            message = error_problem(value, kind)
            if message:
                found.append((f"The field {field_id}: {message}", True))
    return found


def rule_problem(name: str, config: str | None, field_id: str,
                 types: dict[str, str]) -> str | None:
    """What is wrong with one rule on the field `field_id`; `types` maps the form's field ids
    to their types. None when the rule is fine (limits are checked in diagrams.py)."""
    where = f"on the field {field_id}"
    config = (config or "").strip()
    if name not in KNOWN_RULES:
        known = ", ".join(sorted(KNOWN_RULES))
        return f"The rule '{name}' {where} is not one the service knows. Use one of: {known}"
    if name in DATE_RULES and types.get(field_id) != "date":
        return f"The rule '{name}' {where} is for date fields only"
    if name in _NO_CONFIG and config:
        return f"The rule '{name}' {where} needs no config: leave Config empty"
    if name in _PERIOD_RULES:
        period, other = period_and_field(config)
        if period is None:
            return (f"The rule '{name}' {where} needs a number of days or months, like 3 months "
                    f"(or 3 months of another date field), not '{config}'")
        return None if other is None else _other_date_problem(name, other, field_id, types,
                                                              where)
    if name in FIELD_RULES:
        return _other_date_problem(name, config, field_id, types, where)
    if name == YES_ONLY:
        if types.get(field_id) != "boolean":
            return f"The rule '{name}' {where} is for yes/no fields only"
        if not config or len(config) > MAX_YES_ONLY_MESSAGE:
            return (f"The rule '{name}' {where} needs, as its Config, the message staff see when "
                    f"they answer no (up to {MAX_YES_ONLY_MESSAGE} characters), like \"Countersign "
                    "the agreement before you schedule the first payment\"")
    if name == "required_when":
        condition = parse_condition(config)
        if condition is None:
            return (f"The rule 'required_when' {where} needs a field and an answer, like "
                    f"outcome=spoke_will_pay, not '{config}'")
        if condition[0] not in types or condition[0] == field_id:
            return (f"The rule 'required_when' {where} names '{condition[0]}', which is not "
                    f"another field of this form")
    return None


def _other_date_problem(name, config, field_id, types, where) -> str | None:
    if not config:
        return f"The rule '{name}' {where} needs the id of another date field of this form"
    if config == field_id or types.get(config) != "date":
        return (f"The rule '{name}' {where} names '{config}', which is not another date field "
                f"of this form")
    return None


def _field_type(field) -> str:
    for prop in field.iter(f"{CAMUNDA}property"):
        if prop.get("id") == "type" and prop.get("value"):
            return prop.get("value")
    return field.get("type") or "string"
