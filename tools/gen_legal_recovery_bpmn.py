"""Generate ``workflows/legal_recovery.bpmn`` (DOMAIN.md A.3 steps 7-12) with its diagram layout.

Run from the repository root:

    .venv/bin/python tools/gen_legal_recovery_bpmn.py            # writes workflows/legal_recovery.bpmn
    .venv/bin/python tools/gen_legal_recovery_bpmn.py --out FILE  # somewhere else

Same dialect, building blocks and layout rules as ``tools/gen_debt_recovery_bpmn.py`` (imported
from it): Camunda 7 user tasks with `camunda:candidateGroups`, `camunda:dueDate` and
`camunda:formData`, external service tasks naming a handler (`legal_step`) with a `step`
parameter, and timers as `timeDate` calls to the whitelisted calendar functions.

The legal stage is one expanded subprocess read left to right: the Letter of Claim (prepared,
approved, posted), the wait for the earliest claim date, the manager's referral to Legal (with a
loop back for more time), the claim, the defendant's response, judgment and enforcement. Paid in
full and the person's death interrupt it from below. SpiffWorkflow tries a gateway's conditional
flows top first, so `referral_decision`'s two conditions are exclusive and the default (refer to
Legal) runs straight on.

The output is stable: re-running the script without changes gives the same bytes. After a manual
edit in the modeler, either port the change here or stop using this script.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_debt_recovery_bpmn import (  # noqa: E402  (the sibling script, wherever this runs from)
    PROCESS, REPO, Diagram, Flow, Node, form_field, message, money_field, notes_field, render,
    service_task, timer, user_task, write,
)

OUT = REPO / "workflows" / "legal_recovery.bpmn"
PROCESS_ID = "legal_recovery"
PROCESS_NAME = "Legal recovery"
MESSAGES = ("paid_in_full", "person_died")
TERMINATE = "<bpmn:terminateEventDefinition />"

# Rows inside the subprocess (centre y): the early ends on top, the main line, the "more time"
# loop below. Boundary flows run below the subprocess.
TOP, MAIN, LOW, BELOW = 170, 300, 430, 610
LEGAL = (240, 80, 2530, 420)           # x, y, width, height of the expanded subprocess

REFERRAL_DECISIONS = (
    ("refer_to_legal", "Refer to Legal to issue a claim"),
    ("more_time", "Allow more time"),
    ("stop", "Stop: propose a write-off"),
)
RESPONSES = (
    ("none", "No response: request default judgment"),
    ("admitted", "Admitted"),
    ("defended", "Defended (small claims mediation)"),
)
TERMS = (
    ("forthwith", "Payable forthwith"),
    ("instalments", "By instalments"),
)
ENFORCEMENT = (
    ("none", "No enforcement for now"),
    ("warrant_of_control", "Warrant of control (county court bailiff)"),
    ("attachment_of_earnings", "Attachment of earnings (employed debtors only)"),
    ("charging_order", "Charging order on the person's property"),
    ("third_party_debt_order", "Third-party debt order (e.g. a bank account)"),
    ("order_to_obtain_information", "Order to obtain information (N316)"),
)


def legal_due() -> str:
    return 'add_working_days(today(), setting("legal_task_due_working_days"))'


def step(node_id, name, cx, cy, step_name, documentation, parent=None):
    kwargs = {"parent": parent} if parent else {}
    return service_task(node_id, name, cx, cy, "legal_step", {"step": step_name}, documentation,
                        **kwargs)


def nodes() -> list[Node]:
    top = PROCESS
    return [
        # Top level: start, the legal stage, its end, and the two interrupting messages.
        Node("legal_opened", "startEvent", "Legal stage opened", 170, 290, top,
             "DOMAIN.md A.3 step 7: the finance officer and manager decided to prepare a Letter "
             "of Claim (on the ladder or after a broken instalment plan)."),
        Node("legal_recovery_done", "endEvent", "Legal stage finished", 2850, 290, top),
        Node("legal_paid_in_full", "boundaryEvent", "Paid in full", 800, 500, top,
             "DOMAIN.md A.3 step 8 and step 12: the debt is paid in full at any point; the legal "
             "stage closes.", message("paid_in_full"), {"attachedToRef": "legal"}),
        Node("legal_paid", "endEvent", "Paid in full", 900, BELOW, top),
        Node("legal_death_recorded", "boundaryEvent", "Death recorded", 1400, 500, top,
             "DOMAIN.md A.3-D: the person's death is recorded; letters and court action against "
             "the person stop and the debt is claimed from the estate.",
             message("person_died"), {"attachedToRef": "legal"}),
        step("open_estate_stage", "Open the estate stage", 1520, BELOW, "estate_stage",
             "DOMAIN.md A.3-D and §5: the estate stage (estate_recovery) sends the final account "
             "to the personal representative.", top),
        Node("estate_stage_opened", "endEvent", "Estate stage opened", 1650, BELOW, top),

        # A.3 step 7: the Letter of Claim.
        Node("legal_started", "startEvent", "Legal stage started", 300, MAIN),
        step("prepare_letter_of_claim", "Prepare the Letter of Claim", 410, MAIN,
             "prepare_letter_of_claim",
             "DOMAIN.md A.3 step 7 and §2.2: a Pre-Action Protocol Letter of Claim (PAP-LOC) with "
             "the statement of account, the Information Sheet, the Reply Form and the Financial "
             "Statement; it waits for approval (legal letters always do)."),
        user_task("approve_letter_of_claim", "Approve the Letter of Claim", 560, MAIN,
                  "finance_officer", legal_due(),
                  (form_field("approved", "Approved to post", "boolean", required=True),
                   notes_field()),
                  "DOMAIN.md A.3 step 7: check the letter and its enclosures before it is dated "
                  "and posted the same day (§2.2)."),
        Node("loc_approved", "exclusiveGateway", "Approved?", 680, MAIN,
             attrs={"default": "flow_loc_withdrawn"}),
        Node("letter_of_claim_withdrawn", "endEvent", "Letter of Claim withdrawn", 820, TOP,
             documentation="Not approved: the legal stage ends here (nothing is posted); with "
                           "money still owed the app starts debt_decision.",
             body=TERMINATE),
        step("post_letter_of_claim", "Date and post the Letter of Claim", 820, MAIN,
             "post_letter_of_claim",
             "DOMAIN.md A.3 step 7 and §2.2: dated and posted the same day; sets earliest_issue "
             "(the house rule: the next working day 31 days after the letter and after its "
             "deemed service)."),
        Node("earliest_issue_reached", "intermediateCatchEvent", "Earliest claim date", 940,
             MAIN,
             documentation="DOMAIN.md A.3 steps 8-9 and §2.3: the Reply Form's 30 days (and any "
                           "period for debt advice or documents) have passed. A reply, documents "
                           "or Breathing Space move this timer (rescheduled by the service).",
             body=timer("next_working_day(earliest_issue)")),

        # A.3 step 9: the manager's referral to Legal.
        user_task("approve_legal_referral", "Approve referral to Legal", 1070, MAIN,
                  "finance_manager",
                  'add_working_days(today(), setting("legal_referral_due_working_days"))',
                  (form_field("decision", "Decision", "enum", required=True,
                              values=REFERRAL_DECISIONS),
                   notes_field("reasons", "Reasons", required=True)),
                  "DOMAIN.md A.3 step 9: before issue re-check limitation, capacity (a litigation "
                  "friend for a protected party; no Money Claim Online), the deferred payment "
                  "test and an address in England and Wales (§2.4)."),
        Node("referral_decision", "exclusiveGateway", "Refer to Legal?", 1200, MAIN,
             documentation="More time waits 10 working days and asks again; stop ends the legal "
                           "stage (a write-off is proposed, A.3-WO).",
             attrs={"default": "flow_refer"}),
        Node("more_time_ends", "intermediateCatchEvent", "More time ends", 1070, LOW,
             documentation="Ten working days, then the manager decides again.",
             body=timer("add_working_days(today(), 10)")),
        Node("legal_stopped", "endEvent", "Legal stage stopped", 1330, TOP,
             documentation="Stopped by the manager: the legal stage ends here; with money still "
                           "owed the app starts debt_decision, where the write-off is proposed.",
             body=TERMINATE),
        step("refer_to_legal", "Refer to Legal", 1330, MAIN, "refer_to_legal",
             "DOMAIN.md A.3 step 9 and §2.4: the referral memo to Legal (LEGAL-REF) with the "
             "route (Money Claim Online or N1) and the fee band. A Letter of Claim more than 3 "
             "months old, or one an instalment plan broke after, cannot found a claim "
             "(§2.2): then no memo, and the stage ends for a new letter."),
        Node("letter_still_valid", "exclusiveGateway", "Letter of Claim still valid?", 1450,
             MAIN, attrs={"default": "flow_issue"}),
        Node("letter_of_claim_expired", "endEvent", "New Letter of Claim needed", 1560, TOP,
             documentation="The legal stage ends; with money still owed the app starts "
                           "debt_decision, where a new Letter of Claim opens a new legal stage.",
             body=TERMINATE),

        # A.3 step 10: the claim and the response.
        user_task("issue_claim", "Issue the County Court claim", 1590, MAIN, "legal", legal_due(),
                  (form_field("claim_number", "Claim number", "string", required=True),
                   form_field("issued_on", "Issue date", "date", required=True),
                   form_field("posted_on", "Date the claim form was posted", "date",
                              required=True)),
                  "DOMAIN.md A.3 step 10 and §2.4: issue by Money Claim Online or form N1; "
                  "record the claim number and when the claim form was posted."),
        step("record_claim", "Record the claim", 1740, MAIN, "record_claim",
             "DOMAIN.md A.3 step 10: deemed service is the second business day after posting "
             "(CPR 6.14); sets defence_deadline (service + 14 days, §2.4)."),
        Node("response_deadline_passed", "intermediateCatchEvent", "Response deadline passed",
             1860, MAIN,
             documentation="DOMAIN.md A.3 step 10: the next working day after the defence "
                           "deadline plus default_judgment_grace_days, for a response already in "
                           "the post; with no response, default judgment (CPR 12).",
             body=timer('next_working_day(add_calendar_days(defence_deadline, '
                        'setting("default_judgment_grace_days")))')),
        user_task("claim_response", "Record the defendant's response", 1980, MAIN, "legal",
                  legal_due(),
                  (form_field("response", "Response", "enum", required=True, values=RESPONSES),
                   notes_field()),
                  "DOMAIN.md A.3 step 10 and §2.4: no response, request default judgment "
                  "(CPR 12); a defended small claim goes to mediation."),

        # A.3 step 11: judgment and enforcement.
        user_task("record_judgment", "Record the judgment", 2130, MAIN, "legal", legal_due(),
                  (form_field("judgment_date", "Judgment date", "date", required=True),
                   money_field("judgment_amount", "Judgment amount", required=True),
                   form_field("terms", "Terms", "enum", required=True, values=TERMS),
                   money_field("instalment_amount", "Instalment amount")),
                  "DOMAIN.md A.3 step 11 and §2.4: the terms, the register date, and 8% interest "
                  "on a judgment of £5,000 or more."),
        step("after_judgment", "Record the judgment on the debt", 2280, MAIN, "record_judgment",
             "DOMAIN.md A.3 step 11: the post-judgment letter (ENF-NOTICE)."),
        user_task("enforcement_decision", "Decide on enforcement", 2430, MAIN, "legal",
                  legal_due(),
                  (form_field("kind", "Enforcement", "enum", required=True, values=ENFORCEMENT),
                   form_field("title_number", "Land Registry title number (charging order)",
                              "string"),
                   notes_field()),
                  "DOMAIN.md A.3 step 11 and §2.4 (Legal with the finance officer): enforcement "
                  "after 6 years from judgment needs the court's permission."),
        step("record_enforcement", "Record the enforcement", 2580, MAIN, "record_enforcement",
             "DOMAIN.md A.3 step 11: a charging order is recorded as a charge on the property."),
        Node("legal_done", "endEvent", "Enforcement decided", 2700, MAIN,
             documentation="DOMAIN.md A.3 step 12: the debt closes when paid, written off "
                           "(A.3-WO) or settled."),
    ]


def flows() -> list[Flow]:
    top = PROCESS
    return [
        Flow("flow_open", "legal_opened", "legal", parent=top),
        Flow("flow_finished", "legal", "legal_recovery_done", parent=top),
        Flow("flow_paid", "legal_paid_in_full", "legal_paid", "vh", parent=top),
        Flow("flow_died", "legal_death_recorded", "open_estate_stage", "vh", parent=top),
        Flow("flow_estate_opened", "open_estate_stage", "estate_stage_opened", parent=top),

        Flow("flow_prepare", "legal_started", "prepare_letter_of_claim"),
        Flow("flow_approve", "prepare_letter_of_claim", "approve_letter_of_claim"),
        Flow("flow_approved_decided", "approve_letter_of_claim", "loc_approved"),
        Flow("flow_loc_withdrawn", "loc_approved", "letter_of_claim_withdrawn", "vh",
             "Not approved"),
        Flow("flow_loc_post", "loc_approved", "post_letter_of_claim", "h", "Approved",
             "approved"),
        Flow("flow_posted", "post_letter_of_claim", "earliest_issue_reached"),
        Flow("flow_earliest_issue", "earliest_issue_reached", "approve_legal_referral"),
        Flow("flow_referral_decided", "approve_legal_referral", "referral_decision"),
        Flow("flow_refer", "referral_decision", "refer_to_legal", "h", "Refer"),
        Flow("flow_more_time", "referral_decision", "more_time_ends",
             [(1200, MAIN + 25), (1200, LOW), (1088, LOW)], "More time",
             "decision == 'more_time'"),
        Flow("flow_more_time_over", "more_time_ends", "approve_legal_referral",
             [(1070, LOW - 18), (1070, MAIN + 40)]),
        Flow("flow_stop", "referral_decision", "legal_stopped", "vh", "Stop",
             "decision == 'stop'"),
        Flow("flow_referred", "refer_to_legal", "letter_still_valid"),
        Flow("flow_issue", "letter_still_valid", "issue_claim", "h", "Valid"),
        Flow("flow_letter_expired", "letter_still_valid", "letter_of_claim_expired", "vh",
             "New letter needed", "new_letter_of_claim_needed"),
        Flow("flow_issued", "issue_claim", "record_claim"),
        Flow("flow_recorded", "record_claim", "response_deadline_passed"),
        Flow("flow_response_due", "response_deadline_passed", "claim_response"),
        Flow("flow_judgment", "claim_response", "record_judgment"),
        Flow("flow_judgment_recorded", "record_judgment", "after_judgment"),
        Flow("flow_enforcement", "after_judgment", "enforcement_decision"),
        Flow("flow_enforcement_decided", "enforcement_decision", "record_enforcement"),
        Flow("flow_done", "record_enforcement", "legal_done"),
    ]


# Labels placed by hand where the default place (below the element) would sit on a flow.
NODE_LABELS = {
    "referral_decision": lambda n: (n.cx + 8, n.cy + 28, 80, 14),
    "letter_still_valid": lambda n: (n.cx + 8, n.cy + 28, 90, 27),
    "legal_paid_in_full": lambda n: (n.cx + 22, n.cy + 22, 80, 14),
    "legal_death_recorded": lambda n: (n.cx + 22, n.cy + 22, 80, 14),
}

PROCESS_DOC = (
    "DOMAIN.md A.3 steps 7-12 (the legal stage of a debt): the Pre-Action Protocol Letter of "
    "Claim (step 7, §2.2), the wait for the earliest claim date (step 8, §2.3), the manager's "
    "referral to Legal (step 9), the County Court claim with deemed service by CPR 6.14 and "
    "default judgment by CPR 12 (step 10, §2.4), judgment and enforcement (step 11). Paid in "
    "full closes it at any point (step 12); the person's death moves the debt to the estate "
    "stage (A.3-D). Started per debt case with debt_case_id, person_reference and instance_id. "
    "The services enforce the legal minimums whatever the diagram says."
)
LEGAL_DOC = ("DOMAIN.md A.3 steps 7-11, §2.2-2.4. The messages paid_in_full and person_died "
             "interrupt it.")


def build() -> str:
    return render(Diagram(PROCESS_ID, PROCESS_NAME, PROCESS_DOC, MESSAGES, "legal",
                          "Pre-Action Protocol and court", LEGAL_DOC, LEGAL, nodes(), flows(),
                          NODE_LABELS))


def main(argv: list[str] | None = None) -> None:
    write(build, OUT, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    main()
