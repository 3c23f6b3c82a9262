"""What the code relies on in the legal stage and estate diagrams
(workflows/legal_recovery.bpmn, workflows/estate_recovery.bpmn)."""
from __future__ import annotations

from app.domain.court import ENFORCEMENT_TYPES
from app.engine.contract import Element, Kind, Message, Parameter, ProcessContract, Variable

from .legal import ESTATE_KEY, LEGAL_KEY, LEGAL_STEPS

ISSUE_CLAIM = "issue_claim"
EARLIEST_ISSUE_TIMER = "earliest_issue_reached"
RECORD_GRANT_OR_SEARCH = "record_grant_or_search"
_MOVED_IN = "a debt moved in from the old records may start here"
_PAID = Message("paid_in_full", "the service sends it when the debt is paid in full, and "
                "recovery stops", interrupting=True)
_STEP = Parameter("each step is one the legal stage knows how to run",
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
                _MOVED_IN),
        Element("record_judgment", Kind.USER_TASK, "Record the judgment",
                "the judgment and the enforcement letter are made from its answers"),
        Element("enforcement_decision", Kind.USER_TASK, "Decide on enforcement",
                "the enforcement recorded, and a charge on property, follow its answers"),
    ),
    handlers={"legal_step": {"step": _STEP}},
    variables=(
        Variable("claim_number", "the claim is recorded with the court's number",
                 task=ISSUE_CLAIM, type="string"),
        Variable("issued_on", "the rule on the earliest issue date checks it, and the claim is "
                 "recorded with it", task=ISSUE_CLAIM, type="date"),
        Variable("posted_on", "the deemed service date and the defence deadline count from it",
                 task=ISSUE_CLAIM, type="date"),
        Variable("judgment_date", "the judgment and the enforcement letter need its date",
                 task="record_judgment", type="date"),
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
    messages=(_PAID, Message("person_died", "the service sends it when a death is recorded, and "
                             "the legal stage stops", interrupting=True)),
    start_points=("approve_letter_of_claim", EARLIEST_ISSUE_TIMER, ISSUE_CLAIM),
)

ESTATE = ProcessContract(
    key=ESTATE_KEY,
    elements=(
        Element(RECORD_GRANT_OR_SEARCH, Kind.USER_TASK,
                "Grant of probate known? Otherwise lodge a standing search",
                "the check that a standing search has its date is attached to it; an estate "
                "moved in may start here"),
        Element("standing_search_renewal_due", Kind.TIMER, "Standing search due for renewal",
                _MOVED_IN),
    ),
    handlers={"legal_step": {"step": _STEP}},
    variables=(
        Variable("grant_known", "the standing-search check and the route after it read it",
                 task=RECORD_GRANT_OR_SEARCH, type="boolean"),
        Variable("standing_search_lodged_on", "the six-month renewal counts from it",
                 task=RECORD_GRANT_OR_SEARCH, type="date", required=False),
    ),
    messages=(_PAID, Message("grant_recorded",
                             "the service sends it when a grant of probate is recorded, and the "
                             "standing search stops", interrupting=True)),
    start_points=(RECORD_GRANT_OR_SEARCH, "standing_search_renewal_due"),
)
