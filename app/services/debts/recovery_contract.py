"""What the code relies on in the debt-recovery ladder and the debt's decision diagrams
(workflows/debt_recovery.bpmn, workflows/debt_decision.bpmn)."""
from __future__ import annotations

from app.engine.contract import Element, Kind, Message, Parameter, ProcessContract, Variable

LADDER_KEY = "debt_recovery"
DECISION_KEY = "debt_decision"
# The letters a diagram's `send_debt_letter` may name, and the stage each sets.
LETTER_STAGES = {"debt_reminder_1": "reminder_1", "debt_final_demand": "final_demand",
                 "debt_recovery_contact": "engagement"}
# The steps a diagram's `debt_step` may name, and the stage each sets (the legal stage's own
# process sets the stage it opens at).
STEP_STAGES = {"referral": "referral", "letter_of_claim": "letter_of_claim_pending",
               "legal_stage": "legal_stage"}
DECIDE_NEXT_STEP = "decide_next_step"
_MOVED_IN = "a debt moved in from the old records may start here"
_PAID = Message("paid_in_full", "the service sends it when the debt is paid in full, and "
                "recovery stops", interrupting=True)
_STEP = Parameter("each escalation sets the debt's stage the service knows",
                  values=frozenset(STEP_STAGES))

LADDER = ProcessContract(
    key=LADDER_KEY,
    elements=(
        Element("send_reminder_1", Kind.SERVICE_TASK, "Send reminder 1",
                "the final demand prints the date of the first reminder it keeps in r1_date"),
        Element("final_demand_due", Kind.TIMER, "R2: final demand due", _MOVED_IN),
        Element("referral_due", Kind.TIMER, "REF: referral due", _MOVED_IN),
        Element("engagement", Kind.USER_TASK, "Contact the person and seek an arrangement",
                _MOVED_IN),
    ),
    handlers={
        "send_debt_letter": {
            "template": Parameter("only the ladder's letters list the invoices it may chase",
                                  values=frozenset(LETTER_STAGES)),
            "date_var": Parameter("it names where the letter's date is kept", variable=True),
        },
        "debt_step": {"step": _STEP},
    },
    variables=(Variable("r1_date", "the final demand prints the date of the first reminder",
                        task="send_reminder_1", date_words="the date reminder 1 was sent"),),
    messages=(
        _PAID,
        Message("person_died", "the service sends it when a death is recorded, and the ladder "
                "stops", interrupting=True),
        Message("plan_broken", "the service sends it when an instalment plan is broken, and the "
                "ladder moves to the Letter of Claim decision", interrupting=True),
        Message("plan_ended", "the service sends it when an instalment plan ends"),
    ),
    start_points=("final_demand_due", "referral_due", "engagement"),
)

DECISION = ProcessContract(
    key=DECISION_KEY,
    elements=(
        Element(DECIDE_NEXT_STEP, Kind.USER_TASK, "Decide the next step for this debt",
                "the checks that a write-off is proposed first and a review date is ahead "
                "are attached to it; a debt moved in undecided may start here"),
    ),
    handlers={"debt_step": {"step": _STEP}},
    variables=(
        Variable("decision", "the checks on the decision read it", task=DECIDE_NEXT_STEP,
                 type="enum", values=frozenset({"letter_of_claim", "write_off", "review_later"})),
        Variable("review_on", "a review later needs the date to review on",
                 task=DECIDE_NEXT_STEP, type="date", required=False,
                 date_words="the date chosen to review the debt"),
    ),
    messages=(_PAID, Message("write_off_decided",
                             "the service sends it when the approver decides the write-off")),
    start_points=(DECIDE_NEXT_STEP,),
)
