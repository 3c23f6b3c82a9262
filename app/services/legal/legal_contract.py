"""What the code relies on in the legal stage diagram (workflows/legal_recovery.bpmn); the estate
diagram runs the same `legal_step` handler (app/services/estates/estate_contract.py)."""
from __future__ import annotations

from app.domain.court import ENFORCEMENT_TYPES
from app.engine.contract import Element, Kind, Message, Parameter, ProcessContract, Variable

LEGAL_KEY = "legal_recovery"
# The steps a diagram's `legal_step` may name (its `step` parameter); app/tasks/debts.py runs
# each, and a test keeps the two in step.
LEGAL_STEPS = frozenset({
    "prepare_letter_of_claim", "post_letter_of_claim", "refer_to_legal", "record_claim",
    "record_judgment", "record_enforcement", "estate_stage", "final_account"})
ISSUE_CLAIM = "issue_claim"
EARLIEST_ISSUE_TIMER = "earliest_issue_reached"
MOVED_IN = "a debt moved in from the old records may start here"
PAID_IN_FULL = Message("paid_in_full", "the service sends it when the debt is paid in full, and "
                       "recovery stops", interrupting=True)
LEGAL_STEP = Parameter("each step is one the legal stage knows how to run",
                       values=LEGAL_STEPS)

LEGAL = ProcessContract(
    key=LEGAL_KEY,
    elements=(
        Element(ISSUE_CLAIM, Kind.USER_TASK, "Issue the County Court claim",
                "the rule that no claim is issued before the earliest date the Pre-Action "
                "Protocol allows is attached to it"),
        Element(EARLIEST_ISSUE_TIMER, Kind.TIMER, "Earliest claim date",
                "the service moves it when a Reply Form arrives, so the claim waits the time "
                "the Pre-Action Protocol gives"),
        Element("approve_letter_of_claim", Kind.USER_TASK, "Approve the Letter of Claim",
                MOVED_IN),
        Element("record_judgment", Kind.USER_TASK, "Record the judgment",
                "the judgment and the enforcement letter are made from its answers"),
        Element("enforcement_decision", Kind.USER_TASK, "Decide on enforcement",
                "the enforcement recorded, and a charge on property, follow its answers"),
    ),
    handlers={"legal_step": {"step": LEGAL_STEP}},
    variables=(
        Variable("claim_number", "the claim is recorded with the court's number",
                 task=ISSUE_CLAIM, type="string"),
        Variable("issued_on", "the rule on the earliest issue date checks it, and the claim is "
                 "recorded with it", task=ISSUE_CLAIM, type="date",
                 date_words="the date the claim was issued"),
        Variable("posted_on", "the deemed service date and the defence deadline count from it",
                 task=ISSUE_CLAIM, type="date", date_words="the date the claim was posted"),
        Variable("judgment_date", "the judgment and the enforcement letter need its date",
                 task="record_judgment", type="date", date_words="the date of the judgment"),
        Variable("judgment_amount", "the judgment and the enforcement letter need its amount",
                 task="record_judgment", type="money"),
        Variable("terms", "the enforcement letter says how the judgment is to be paid",
                 task="record_judgment", type="enum",
                 values=frozenset({"forthwith", "instalments"})),
        Variable("kind", "the enforcement recorded, and a charge on property, follow it",
                 task="enforcement_decision", type="enum",
                 values=frozenset({"none", *ENFORCEMENT_TYPES})),
        Variable("title_number", "a charging order is registered against this title",
                 task="enforcement_decision", type="string", required=False),
        Variable("notes", "the enforcement recorded keeps them",
                 task="enforcement_decision", type="note", required=False),
    ),
    messages=(PAID_IN_FULL, Message("person_died", "the service sends it when a death is "
                                    "recorded, and the legal stage stops", interrupting=True)),
    start_points=("approve_letter_of_claim", EARLIEST_ISSUE_TIMER, ISSUE_CLAIM),
)

