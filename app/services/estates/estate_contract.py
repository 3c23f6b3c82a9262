"""What the code relies on in the estate diagram (workflows/estate_recovery.bpmn)."""
from __future__ import annotations

from app.engine.contract import Element, Kind, Message, ProcessContract, Variable
from app.services.legal.legal_contract import LEGAL_STEP, MOVED_IN, PAID_IN_FULL

ESTATE_KEY = "estate_recovery"
RECORD_GRANT_OR_SEARCH = "record_grant_or_search"

ESTATE = ProcessContract(
    key=ESTATE_KEY,
    elements=(
        Element(RECORD_GRANT_OR_SEARCH, Kind.USER_TASK,
                "Grant of probate known? Otherwise lodge a standing search",
                "the check that a standing search has its date is attached to it; an estate "
                "moved in may start here"),
        Element("standing_search_renewal_due", Kind.TIMER, "Standing search due for renewal",
                MOVED_IN),
    ),
    handlers={"legal_step": {"step": LEGAL_STEP}},
    variables=(
        Variable("grant_known", "the standing-search check and the route after it read it",
                 task=RECORD_GRANT_OR_SEARCH, type="boolean"),
        Variable("standing_search_lodged_on", "the six-month renewal counts from it",
                 task=RECORD_GRANT_OR_SEARCH, type="date", required=False,
                 date_words="the date the standing search was lodged"),
    ),
    messages=(PAID_IN_FULL, Message("grant_recorded",
                                    "the service sends it when a grant of probate is recorded, "
                                    "and the standing search stops", interrupting=True)),
    start_points=(RECORD_GRANT_OR_SEARCH, "standing_search_renewal_due"),
)
