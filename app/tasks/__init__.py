"""HANDLERS: the operation names BPMN service tasks use (camunda:topic) -> functions.

A diagram's `camunda:topic="send_letter"` with input parameters `template` and `date_var` calls
`send_letter(case, template=..., date_var=...)`. The app factory hands this dict to the engine.
"""
from __future__ import annotations

from .direct_payments import dp_step, send_dp_monitoring_letter
from .debts import debt_step, legal_step, send_debt_letter
from .letters import send_letter
from .queries import record_query_outcome, send_query_letter
from .registry import Handler

HANDLERS: dict[str, Handler] = {
    "send_letter": Handler(send_letter, required=frozenset({"template"}),
                           optional=frozenset({"date_var"})),
    "send_debt_letter": Handler(send_debt_letter, required=frozenset({"template"}),
                                optional=frozenset({"date_var"})),
    "debt_step": Handler(debt_step, required=frozenset({"step"})),
    "legal_step": Handler(legal_step, required=frozenset({"step"})),
    "send_query_letter": Handler(send_query_letter, required=frozenset({"template"}),
                                 optional=frozenset({"date_var"})),
    "record_query_outcome": Handler(record_query_outcome),
    "dp_step": Handler(dp_step, required=frozenset({"step"})),
    "send_dp_monitoring_letter": Handler(send_dp_monitoring_letter,
                                         required=frozenset({"template"}),
                                         optional=frozenset({"date_var"})),
}
