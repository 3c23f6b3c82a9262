"""Where the capabilities meet: what create_app installs so that no capability imports another
against the grain of the layers (README "The house by capability").

- every process's contract, which the diagram check in processes/definitions.py reads;
- the service-task handlers (app/tasks), which the engine context dispatches to;
- every capability's task checks, which the inbox runs before a task completes, and what
  follows the completion of a task a use case raised;
- every process's start check, which runs before a person or an API client starts it;
- who hears that a process ended by itself (a recovery stage ending leaves a decision).

Only app/__init__.py imports this module; it imports any capability it needs.
"""
from __future__ import annotations

from typing import Mapping

from app.engine.contract import ProcessContract
from app.services.debts import decisions, opening, recovery_contract, recovery_guards
from app.services.debts import start_checks as debt_starts
from app.services.debts import task_checks as debt_checks
from app.services.direct_payments import direct_payment_contract, monitoring, monitoring_contract
from app.services.direct_payments import start_checks as direct_payment_starts
from app.services.direct_payments import task_checks as direct_payment_checks
from app.services.estates import deaths, estate_contract
from app.services.estates import start_checks as estate_starts
from app.services.estates import task_checks as estate_checks
from app.services.inbox import letter_preview, task_actions, task_checks
from app.services.legal import legal_contract, pap_replies
from app.services.legal import start_checks as legal_starts
from app.services.legal import task_checks as legal_checks
from app.services.processes import definitions, engine_context, instances
from app.services.queries import (
    credit_notes,
    query_checks,
    query_contract,
    records,
    recovery_pause,
    reissue,
)
from app.services.records import care_packages

CONTRACTS: dict[str, ProcessContract] = {
    contract.key: contract for contract in (
        direct_payment_contract.CONTRACT, recovery_contract.LADDER, recovery_contract.DECISION,
        legal_contract.LEGAL, estate_contract.ESTATE, query_contract.CONTRACT,
        monitoring_contract.MONITORING, monitoring_contract.AUDIT)
}

# In order: the debt's own rules on its decision come before the legal stage's.
TASK_CHECKS = (direct_payment_checks.CHECKS, debt_checks.CHECKS, legal_checks.CHECKS,
               estate_checks.CHECKS, query_checks.TASK_CHECKS)
# The same for tasks a use case raises with no diagram behind them.
SERVICE_TASK_CHECKS = (care_packages.CHECKS, credit_notes.CHECKS)

# What each process needs of the case before it starts; every key in CONTRACTS has one (a test
# says so), so that no start is accepted and then stopped at its first step.
START_CHECKS: dict[str, instances.StartCheck] = {
    **direct_payment_starts.CHECKS, **debt_starts.CHECKS, **legal_starts.CHECKS,
    **estate_starts.CHECKS, **query_checks.START_CHECKS, **direct_payment_starts.MONITORING_CHECKS}
# And what a debt process started that way is joined to: the debt, which then follows it.
START_LINKS: dict[str, instances.StartLink] = {
    **debt_starts.LINKS, **legal_starts.LINKS, **estate_starts.LINKS}

# The stages of recovery: when one ends by itself with money still owed, a decision follows.
RECOVERY_STAGES = frozenset({recovery_contract.LADDER_KEY, legal_contract.LEGAL_KEY,
                             estate_contract.ESTATE_KEY})


def install(handlers: Mapping[str, engine_context.Handler]) -> None:
    engine_context.install_handlers(handlers)
    definitions.install_contracts(CONTRACTS)
    task_checks.install_checks(TASK_CHECKS + SERVICE_TASK_CHECKS)
    instances.install_start_checks(START_CHECKS)
    instances.install_start_links(START_LINKS)
    instances.on_finished(RECOVERY_STAGES, decisions.after_stage_finished)
    task_actions.on_completed(care_packages.PROCESS_KEY, care_packages.END_TASK,
                              care_packages.record_end)
    task_actions.on_completed(credit_notes.PROCESS_KEY, credit_notes.APPROVAL_TASK,
                              credit_notes.record_approval)
    # A corrected invoice asked for waits for its credit note's approval.
    credit_notes.on_approved(reissue.after_approval)
    # Recovery waits while every invoice of a debt is under query, and resumes after.
    records.on_opened(recovery_pause.after_query_opened)
    records.on_closed(recovery_pause.after_query_closed)
    instances.on_ran({recovery_contract.LADDER_KEY}, recovery_pause.after_ladder_ran)
    # A Reply Form disputing the invoices opens a query on them (DOMAIN.md A.3 step 8).
    pap_replies.on_invoice_dispute(records.open_for_disputed_invoices)
    # A death stops the person's direct payments through their monitoring's death path.
    if monitoring.after_death not in deaths.DEATH_LISTENERS:
        deaths.DEATH_LISTENERS.append(monitoring.after_death)
    if recovery_pause.after_debt_opened not in opening.OPENED_LISTENERS:
        opening.OPENED_LISTENERS.append(recovery_pause.after_debt_opened)
        opening.JOINED_LISTENERS.append(recovery_pause.after_invoices_joined)
    if recovery_guards.letter_hold_of not in letter_preview.HOLD_CHECKS:
        letter_preview.HOLD_CHECKS.append(recovery_guards.letter_hold_of)
    engine_context.install_timer_adjuster((recovery_contract.LADDER_KEY,),
                                          recovery_pause.adjust_ladder_timer)
    if recovery_pause.after_payments not in opening.PAID_LISTENERS:
        opening.PAID_LISTENERS.append(recovery_pause.after_payments)
