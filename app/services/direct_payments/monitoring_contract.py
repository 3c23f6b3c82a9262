"""What the code relies on in the direct-payment monitoring and audit diagrams
(workflows/direct_payment_monitoring.bpmn, workflows/direct_payment_audit.bpmn, DOMAIN.md A.2);
checked when a manager saves or publishes them.

The service starts monitoring with `agreement_id` and `first_payment_date` (monitoring.py
start_monitoring) and an audit with `agreement_id`, `audit_id` and, for an audit already under
way when it was imported, `requested_on`. The dates the law sets are worked out by the steps and
kept in variables the timers wait for; a manager may move a box, not those dates. A variable a
step works out is declared with task "" (the service gives it, as it gives the start's).
"""
from __future__ import annotations

from app.engine.contract import Element, Kind, Message, Parameter, ProcessContract, Variable
from app.models.direct_payments import AuditOutcome, Section33Decision
from app.services.direct_payments.monitoring_letters import MONITORING_LETTERS

MONITORING_KEY = "direct_payment_monitoring"
AUDIT_KEY = "direct_payment_audit"

MONITORING_STEPS = frozenset({
    "plan_monitoring", "record_light_touch", "plan_review", "flag_review_breach",
    "record_review", "plan_check", "run_check", "record_ending", "final_audit",
    "end_direct_payment", "record_death"})
AUDIT_STEPS = frozenset({
    "audit_requested", "audit_reminded", "audit_escalated", "record_findings", "surplus_agreed",
    "record_decision", "after_repayment", "close_audit"})

_LETTER = {
    "template": Parameter("only the direct-payment monitoring and audit letters have their "
                          "details filled in here", values=MONITORING_LETTERS),
}
_LETTER_DATE = {"date_var": Parameter("it names where the letter's date is kept", variable=True)}


def _steps(steps: frozenset[str]) -> dict[str, Parameter]:
    return {"step": Parameter("each step is a rule the code carries out: it must be one of "
                              "these", values=steps)}


def _step(element_id: str, name: str, why: str) -> Element:
    return Element(element_id, Kind.SERVICE_TASK, name, why)


MONITORING = ProcessContract(
    key=MONITORING_KEY,
    elements=(
        _step("plan_review", "Plan the next review",
              "it works out the statutory review date (regulation 7: within 6 months of the "
              "first payment, then within 12 months of the last review) and the warning "
              "before it"),
        Element("review_warning_due", Kind.TIMER, "Review warning due",
                "the review-due letter and the review task come on the warning date"),
        Element("light_touch_check", Kind.USER_TASK, "Make the light-touch check",
                "the check is recorded with the date given here; money not spent as planned "
                "starts an audit"),
        Element("carry_out_review", Kind.USER_TASK, "Carry out the direct payment review",
                "the next review is counted from the date recorded here"),
        Element("review_deadline_passed", Kind.TIMER, "Review date passed",
                "the breach flag is raised when the review date passes without the review"),
        _step("flag_review_breach", "Flag the review as overdue",
              "it raises the breach flag the returns report counts"),
        _step("record_review", "Record the review",
              "it records the review, which moves the next one 12 months on"),
        _step("run_check", "Check the account",
              "it runs the monthly card check or asks for the return, and starts any audit"),
        _step("record_ending", "Record the notice",
              "it works out when the notice ends and tells whoever pays to stop"),
        _step("final_audit", "Start the final audit",
              "the final audit after notice is started here"),
        _step("record_death", "Stop the payments",
              "it tells whoever pays to stop from the date of death"),
        Element("close_account", Kind.USER_TASK, "Close the account and end the payments",
                "after a death, staff confirm here that the payments have stopped"),
    ),
    handlers={"dp_step": _steps(MONITORING_STEPS), "send_dp_monitoring_letter": _LETTER},
    variables=(
        Variable("first_payment_date", "the reviews and the light-touch check count from it",
                 task="", date_words="the first payment date"),
        Variable("review_warn_on", "the review warning waits for it", task="",
                 date_words="the date staff are told a review is coming"),
        Variable("review_due_on", "the review must be done by it (regulation 7)",
                 task="", date_words="the date the review must be done by"),
        Variable("light_touch_on", "the light-touch check waits for it", task="",
                 required=False, date_words="the date of the light-touch check"),
        Variable("check_on", "the next account check waits for it", task="",
                 date_words="the date of the next account check"),
        Variable("notice_ends_on", "payments stop and the final audit starts on it",
                 task="", date_words="the date the notice ends"),
        Variable("reviewed_on", "the next review is counted from it", task="carry_out_review",
                 type="date"),
        Variable("review_outcome", "a concern starts an audit", task="carry_out_review",
                 type="enum", values=frozenset({"continue", "concern"})),
        Variable("checked_on", "the light-touch check is recorded with it",
                 task="light_touch_check", type="date"),
        Variable("spending_as_planned", "money not spent as the support plan says starts an "
                 "audit", task="light_touch_check", type="boolean"),
    ),
    messages=(
        Message("notice_given", "the service passes it on when notice is recorded, and "
                "monitoring stops for the ending", interrupting=True),
        Message("death_recorded", "the service passes it on when a death is recorded, and the "
                "payments stop", interrupting=True),
    ),
)

AUDIT = ProcessContract(
    key=AUDIT_KEY,
    elements=(
        _step("audit_requested", "Work out when the documents are due",
              "it works out the 28 days to reply and the 14 more the reminder gives"),
        Element("record_audit_evidence", Kind.USER_TASK, "Check the audit documents",
                "the audit's balance, money owed and outcome are recorded here"),
        Element("send_audit_reminder", Kind.SERVICE_TASK, "Send the audit reminder",
                "it keeps the reminder's date in reminded_on"),
        Element("documents_overdue", Kind.TIMER, "Documents not back",
                "the reminder goes when the documents are not back by their date"),
        Element("reminder_expired", Kind.TIMER, "Still nothing back",
                "the caseworker's review starts when the reminder's date passes"),
        _step("record_findings", "Record what the audit found",
              "it works out the surplus above the contingency"),
        Element("discuss_surplus", Kind.USER_TASK, "Talk through the surplus with the person",
                "the surplus notice goes only after the caseworker has talked it through"),
        _step("surplus_agreed", "Record the surplus to recover",
              "it sets the repayment date and, for a card, the instruction to take it back"),
        Element("caseworker_review", Kind.USER_TASK,
                "Review the direct payment (regulation 7(1)(b))",
                "the review the law requires before a s33(5) decision is recorded here"),
        Element("care_manager_decision", Kind.USER_TASK,
                "Decide what happens to the direct payment (Care Act s33(5))",
                "the decision and its written reasons are recorded here"),
        _step("record_decision", "Record the decision",
              "it records the s33(5) decision and tells whoever pays"),
        Element("check_repayment", Kind.USER_TASK, "Check what has been repaid",
                "anything not repaid of the amount recorded here is invoiced"),
        _step("after_repayment", "Invoice anything not repaid",
              "money not repaid becomes an invoice that joins the debt ladder"),
        _step("close_audit", "Close the audit", "the audit is closed here"),
    ),
    handlers={"dp_step": _steps(AUDIT_STEPS),
              "send_dp_monitoring_letter": {**_LETTER, **_LETTER_DATE}},
    variables=(
        Variable("requested_on", "the 28 days to reply count from it",
                 task="", date_words="the date the documents were asked for"),
        Variable("documents_due_on", "the reminder waits for it", task="",
                 date_words="the date the documents are due"),
        Variable("reminder_due_on", "the escalation waits for it", task="",
                 date_words="the date the reminder gives"),
        Variable("reminded_on", "the reminder's date", task="send_audit_reminder"),
        Variable("repay_by", "the repayment check waits for it", task="",
                 date_words="the date the money must be repaid by"),
        Variable("outcome", "the route after the audit follows it",
                 task="record_audit_evidence", type="enum",
                 values=frozenset(str(o) for o in AuditOutcome)),
        Variable("balance", "the surplus is worked out from it", task="record_audit_evidence",
                 type="money"),
        Variable("commitments", "money already owed is taken off before the surplus",
                 task="record_audit_evidence", type="money"),
        Variable("audit_findings", "the audit's findings and the letters give it",
                 task="record_audit_evidence", type="note"),
        Variable("surplus_to_recover", "the surplus notice asks for it", task="discuss_surplus",
                 type="money"),
        Variable("decision", "the decision letter and the instruction follow it",
                 task="care_manager_decision", type="enum",
                 values=frozenset(str(d) for d in Section33Decision)),
        Variable("reasons", "the decision letter gives them", task="care_manager_decision",
                 type="note"),
        Variable("new_amount", "a reduction tells whoever pays the new amount",
                 task="care_manager_decision", type="money", required=False),
        Variable("repayment", "the repayment letter asks for it, and what is not repaid is "
                 "invoiced", task="care_manager_decision", type="money", required=False),
        Variable("fraud_suspected", "a yes refers the case to the counter-fraud team",
                 task="care_manager_decision", type="boolean"),
        Variable("review_findings", "the caseworker's regulation 7(1)(b) review is recorded "
                 "with it", task="caseworker_review", type="note"),
        Variable("amount_repaid", "anything not repaid is invoiced", task="check_repayment",
                 type="money"),
    ),
)
