"""What the code relies on in the direct-payment agreement diagram
(workflows/direct_payment_agreement.bpmn); checked when a manager saves or publishes it."""
from __future__ import annotations

from app.engine.contract import Element, Kind, Message, Parameter, ProcessContract, Variable
from app.services.direct_payments.letters import DP_LETTERS

KEY = "direct_payment_agreement"
VALIDATE_AGREEMENT = "validate_agreement"
_MOVED_IN = "a case moved in from the old records may start waiting here"

CONTRACT = ProcessContract(
    key=KEY,
    elements=(
        Element(VALIDATE_AGREEMENT, Kind.USER_TASK, "Validate the returned agreement",
                "the check that the date the recipient signed is not in the future is "
                "attached to it"),
        Element("send_agreement", Kind.SERVICE_TASK, "Send agreement pack",
                "the reminders count from and print the date it keeps in sent_date"),
        Element("countersign_agreement", Kind.USER_TASK, "Countersign and schedule first payment",
                "the confirmation letter's payment schedule starts on the first payment date "
                "recorded here"),
        Element("care_manager_decision", Kind.USER_TASK,
                "Decide: agreement still not returned",
                "the not-proceeding letter gives the reason recorded here"),
        Element("start_monitoring", Kind.SERVICE_TASK, "Start monitoring from the first payment",
                "the reviews the law requires and the account checks count from the first "
                "payment date recorded at countersigning"),
        Element("reminder_1_due", Kind.TIMER, "T1: reminder 1 due", _MOVED_IN),
        Element("reminder_2_due", Kind.TIMER, "T2: reminder 2 due", _MOVED_IN),
        Element("decision_due", Kind.TIMER, "T3: decision due", _MOVED_IN),
    ),
    handlers={"dp_step": {"step": Parameter("only the step that starts monitoring runs here",
                                            values=frozenset({"start_monitoring"}))},
              "send_letter": {
        "template": Parameter("only direct-payment letters have their details filled in here",
                              values=DP_LETTERS),
        "date_var": Parameter("it names where the letter's date is kept", variable=True),
    }},
    variables=(
        Variable("sent_date", "the reminders print the date the agreement was sent",
                 task="send_agreement", date_words="the date the pack was sent"),
        Variable("recipient_signed_on",
                 "the check that the signing date is not in the future reads it",
                 task=VALIDATE_AGREEMENT, type="date",
                 date_words="the date the person signed the agreement"),
        *(Variable(name, "the missing-information letter lists each item not ticked",
                   task=VALIDATE_AGREEMENT, type="boolean")
          for name in ("signatures_complete", "dedicated_account", "contribution_set_up")),
        Variable("missing_items", "the missing-information letter adds what is written here",
                 task=VALIDATE_AGREEMENT, type="note", required=False),
        Variable("reason", "the not-proceeding letter gives it",
                 task="care_manager_decision", type="note", required=False),
        Variable("first_payment_date",
                 "the confirmation letter's payment schedule starts on that date",
                 task="countersign_agreement", type="date", date_words="the first payment date"),
    ),
    messages=(Message("paperwork_received",
                      "the service passes it on when the signed agreement comes back, and the "
                      "chase stops", interrupting=True),),
    start_points=("reminder_1_due", "reminder_2_due", "decision_due"),
)
