"""Which letters completing a task would send, found before it is completed, so staff can
check their answers first (the check-your-answers page of the task).

The engine runs the completion on a copy of the case's state, with a dispatch that runs no
step: it notes each step that sends a letter and answers as that step would (a letter's date
where the diagram keeps one). The routes the diagram takes depend on the answers, so "Withdraw
the offer" finds the "not proceeding" letter and "Extend" finds none. Nothing is saved.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping

from app.engine import runner
from app.engine.types import EngineError, HandlerCall
from app.letters import RepresentationNeeded, choose_recipient, template_info
from app.services import settings
from app.services.correspondence.letters import needs_approval, next_letter_date, person_facts
from app.services.processes.engine_context import diagram_functions
from app.services.processes.instances import model_of

if TYPE_CHECKING:
    from app.models import HumanTask, Person

# The handlers that send a letter named by their `template` parameter.
TEMPLATE_HANDLERS = frozenset({"send_letter", "send_debt_letter", "send_query_letter",
                               "send_dp_monitoring_letter"})
# The legal and estate steps (app/tasks/debts.py LEGAL_STEPS) that send a letter, and which.
LEGAL_STEP_LETTERS = {
    "post_letter_of_claim": "letter_of_claim",
    "refer_to_legal": "legal_referral",
    "record_judgment": "enforcement_notice",
    "final_account": "estate_final_account",
}


@dataclass(frozen=True)
class LetterToSend:
    """A letter completing the task would send, in staff words."""
    name: str
    to: str | None  # "Beatrice Brown as deputy", or None when nobody can receive it
    waits_for_approval: bool
    problem: str | None = None  # why nobody can receive it yet
    held: str | None = None  # why it will wait after the task is completed (a Breathing Space)


# What holds a letter of a task's case now, in words (a debt's recovery guards): a capability
# installs its check (app/services/wiring.py), so the inbox imports none of them.
HoldCheck = Callable[["HumanTask"], "str | None"]
HOLD_CHECKS: list[HoldCheck] = []


def letter_of(call: HandlerCall) -> str | None:
    """The letter template a step sends, or None for a step that sends none."""
    if call.handler in TEMPLATE_HANDLERS:
        return call.params.get("template") or None
    if call.handler == "legal_step":
        return LEGAL_STEP_LETTERS.get(str(call.params.get("step")))
    return None


def letters_on_completion(task: HumanTask, answers: Mapping[str, Any]) -> list[LetterToSend]:
    """The letters completing `task` with `answers` would send, in the order they would go."""
    instance = task.instance
    if task.source != "diagram" or instance is None:
        return []
    templates: list[str] = []

    def dispatch(call: HandlerCall) -> dict | None:
        template = letter_of(call)
        if template:
            templates.append(template)
        date_var = call.params.get("date_var")
        return {str(date_var): next_letter_date().isoformat()} if date_var else None

    try:
        runner.complete_task(model_of(instance), instance.state, task.engine_task_id, answers,
                             runner.EngineContext(diagram_functions(), dispatch))
    except EngineError:
        pass  # the completion itself will say what is wrong; the letters found so far stand
    held = next((reason for check in HOLD_CHECKS if (reason := check(task))), None)
    return [replace(_described(template, task.person), held=held) for template in templates]


def _described(template: str, person: Person) -> LetterToSend:
    info = template_info(template)
    chosen = choose_recipient(person_facts(person), info.matter, settings.get("council"))
    if isinstance(chosen, RepresentationNeeded):
        return LetterToSend(info.display_name, None, needs_approval(template), chosen.reason)
    to = chosen.full_name
    if chosen.role != "self" and chosen.on_behalf_of:
        to = f"{chosen.full_name} as {chosen.role.replace('_', ' ')}"
    return LetterToSend(info.display_name, to, needs_approval(template))
