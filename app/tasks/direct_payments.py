"""Service-task handlers of the direct-payment monitoring and audit processes
(workflows/direct_payment_monitoring.bpmn, workflows/direct_payment_audit.bpmn) and the agreement's
hand-over to monitoring."""
from __future__ import annotations

from app.errors import NotFound
from app.services.direct_payments import audit_steps, monitoring, monitoring_letters
from app.services.direct_payments import monitoring_steps
from app.services.processes.engine_context import HandlerCase

# The steps a diagram's `dp_step` may name; each process's contract allows only its own.
STEPS = {**monitoring_steps.STEPS, **audit_steps.STEPS}


def dp_step(case: HandlerCase, step: str) -> dict | None:
    """A step of a direct payment's monitoring or audit, or the agreement's hand-over."""
    if step == "start_monitoring":
        return monitoring_steps.start_from_agreement(case.instance, case.data)
    if step not in STEPS:
        raise NotFound(f"unknown direct-payment step '{step}'")
    return STEPS[step](monitoring.agreement_for(case.data), case.data)


def send_dp_monitoring_letter(case: HandlerCase, template: str, date_var: str | None = None
                              ) -> dict | None:
    """Issue one of the monitoring or audit letters; with `date_var`, keep its date there."""
    letter = monitoring_letters.send_monitoring_letter(case.instance, template, case.data)
    return {date_var: letter.letter_date.isoformat()} if date_var else None
