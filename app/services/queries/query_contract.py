"""What the code relies on in the invoice-query diagram (workflows/invoice_query.bpmn, DOMAIN.md
A.4); checked when a manager saves or publishes it.

The service starts the process when a query is opened (records.open_query) with `query_id`,
`query_reference`, `query_type` and `received_on`; the timers count from `received_on`."""
from __future__ import annotations

from app.engine.contract import Element, Kind, Parameter, ProcessContract, Variable
from app.models.queries import QueryOutcome

KEY = "invoice_query"
DECIDE_OUTCOME = "decide_outcome"
ACKNOWLEDGE = "acknowledge_query"
# The letters the diagram's `send_query_letter` may name; query_letters.py fills each in.
QUERY_LETTERS = frozenset({"query_acknowledgement", "complaint_acknowledgement", "query_holding",
                           "query_outcome", "credit_note_notice"})
_LETTERS_FROM_THE_OUTCOME = ("the outcome letter and any credit note are made from the answers "
                             "recorded here, and the query is closed with them")

CONTRACT = ProcessContract(
    key=KEY,
    elements=(
        Element(ACKNOWLEDGE, Kind.USER_TASK, "Acknowledge the query",
                "the acknowledgement letter prints the summary of the query recorded here"),
        Element("send_acknowledgement", Kind.SERVICE_TASK, "Send query acknowledgement",
                "it keeps the date the query was acknowledged in acknowledged_on"),
        Element("send_holding_letter", Kind.SERVICE_TASK, "Send holding letter",
                "it keeps the date of the holding letter in holding_letter_on"),
        Element("check_care_delivered", Kind.USER_TASK,
                "Check the care delivered with the provider",
                "the provider's payment reduction recorded here is kept apart from the "
                "person's charge when the outcome is recorded"),
        Element(DECIDE_OUTCOME, Kind.USER_TASK, "Decide the outcome of the query",
                _LETTERS_FROM_THE_OUTCOME + "; the check that only an upheld or partly upheld "
                "query is credited is attached to it"),
        Element("record_outcome", Kind.SERVICE_TASK, "Record the outcome and any credit note",
                "it closes the query (lifting its holds) and raises the credit note before the "
                "outcome letter prints the credit note and the balance now due"),
    ),
    handlers={
        "send_query_letter": {
            "template": Parameter("only the invoice-query letters have their details filled in "
                                  "here", values=QUERY_LETTERS),
            "date_var": Parameter("it names where the letter's date is kept", variable=True),
        },
        "record_query_outcome": {},
    },
    variables=(
        # Given by the service when the query is opened, not recorded by a step ("").
        Variable("received_on", "the acknowledgement, the resolution target and the escalations "
                 "count from the date the query was received", task="",
                 date_words="the date the query was received"),
        Variable("acknowledged_on", "the acknowledgement letter's date",
                 task="send_acknowledgement", date_words="the date the query was acknowledged"),
        Variable("holding_letter_on", "the holding letter's date", task="send_holding_letter",
                 date_words="the date the holding letter was sent"),
        Variable("summary_of_query", "the acknowledgement letter prints it", task=ACKNOWLEDGE,
                 type="note"),
        Variable("outcome", "the query is closed with it and the outcome letter explains it",
                 task=DECIDE_OUTCOME, type="enum",
                 values=frozenset(str(o) for o in QueryOutcome)),
        Variable("reasons", "the outcome letter gives them", task=DECIDE_OUTCOME, type="note"),
        Variable("credit_amount", "the credit note is raised for it", task=DECIDE_OUTCOME,
                 type="money", required=False),
        Variable("provider_payment_reduction", "the provider's payment is reduced by it, "
                 "recorded apart from the person's charge", task="check_care_delivered",
                 type="money", required=False),
        Variable("reissue_invoice", "the outcome letter says whether a corrected invoice follows",
                 task=DECIDE_OUTCOME, type="boolean", required=False),
    ),
)
