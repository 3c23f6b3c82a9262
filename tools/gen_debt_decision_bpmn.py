"""Generate ``workflows/debt_decision.bpmn`` (a debt that no stage is chasing) with its layout.

Run from the repository root:

    .venv/bin/python tools/gen_debt_decision_bpmn.py            # writes workflows/debt_decision.bpmn
    .venv/bin/python tools/gen_debt_decision_bpmn.py --out FILE  # somewhere else

Same dialect, building blocks and layout rules as ``tools/gen_debt_recovery_bpmn.py`` (imported
from it). The app starts this process when a recovery stage (the ladder, the legal stage or the
estate stage) ends while money is still owed and nothing else runs for the debt: a Letter of
Claim not approved, a manager's "stop", a decision to propose a write-off, a Letter of Claim too
old to issue a claim on. A finance officer then decides what happens next, so no open debt is left
silent: a (new) Letter of Claim opens the legal stage; a write-off waits for the approver's decision
(rejected, or approved for part of the debt, comes back here); "review on a date" waits for that
date and asks again. Paid in full interrupts it from below; a recorded death closes it and
opens the estate stage (app/services/debt_cases.record_death), as for every stage.

The output is stable: re-running the script without changes gives the same bytes. After a manual
edit in the modeler, either port the change here or stop using this script.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_debt_recovery_bpmn import (  # noqa: E402  (the sibling script, wherever this runs from)
    PROCESS, REPO, Diagram, Flow, Node, form_field, guard_due, message, notes_field, render,
    service_task, timer, user_task, write,
)

OUT = REPO / "workflows" / "debt_decision.bpmn"
PROCESS_ID = "debt_decision"
PROCESS_NAME = "Debt awaiting a decision"
MESSAGES = ("paid_in_full", "write_off_decided")

# Rows inside the subprocess (centre y): the loop back from the write-off wait runs above the
# top row, the review loop below the low row. Boundary flows run below the subprocess.
LOOP_TOP, TOP, MAIN, LOW, BELOW = 100, 190, 310, 430, 620
DECIDE = (240, 60, 940, 440)           # x, y, width, height of the expanded subprocess

NEXT_STEPS = (
    ("letter_of_claim", "Send a (new) Letter of Claim: open the legal stage"),
    ("write_off", "Write off: a proposal is recorded on the debt"),
    ("review_later", "No action now: review again on a date"),
)


def nodes() -> list[Node]:
    top = PROCESS
    return [
        Node("decision_needed", "startEvent", "Recovery stage ended, money still owed", 170,
             280, top,
             "Started by the app when the ladder, the legal stage or the estate stage ends and "
             "the debt is still open with money owed, and nothing else is running for it."),
        Node("debt_decision_done", "endEvent", "Decision carried out", 1260, 280, top),
        Node("decision_paid_in_full", "boundaryEvent", "Paid in full", 520, 500, top,
             "DOMAIN.md A.3 step 12: the debt is paid in full; nothing is left to decide.",
             message("paid_in_full"), {"attachedToRef": "decide"}),
        Node("decision_paid", "endEvent", "Paid in full", 620, BELOW, top),

        Node("decision_started", "startEvent", "Decision needed", 300, MAIN),
        Node("decide_merge", "exclusiveGateway", None, 390, MAIN,
             documentation="Merges the first decision with the ones after a rejected write-off "
                           "or a review date. SpiffWorkflow 3.2.0 recurses without end when "
                           "predicting a loop with no gateway in it."),
        user_task("decide_next_step", "Decide the next step for this debt", 510, MAIN,
                  "finance_officer", guard_due(),
                  (form_field("decision", "Next step", "enum", required=True,
                              values=NEXT_STEPS),
                   form_field("review_on", "Review again on (for a review)", "date"),
                   notes_field("reasons", "Reasons", required=True)),
                  "No recovery stage is chasing this debt and money is still owed. A write-off "
                  "must be proposed on the debt first (A.3-WO); a review date must be in the "
                  "future. The app refuses either otherwise."),
        Node("next_step", "exclusiveGateway", "Next step?", 640, MAIN,
             attrs={"default": "flow_review_later"}),
        service_task("open_legal_stage", "Open the legal stage", 780, TOP, "debt_step",
                     {"step": "legal_stage"},
                     "DOMAIN.md A.3 step 7: the legal stage (legal_recovery) prepares a new "
                     "Letter of Claim for approval."),
        Node("legal_stage_opened", "endEvent", "Legal stage opened", 920, TOP),
        Node("write_off_decided", "intermediateCatchEvent", "Write-off decided", 780, MAIN,
             documentation="DOMAIN.md A.3-WO: the approver's decision. Approved for the whole "
                           "debt closes it (and this process); rejected, or approved for part "
                           "of it, asks again.",
             body=message("write_off_decided")),
        Node("review_date_reached", "intermediateCatchEvent", "Review date", 700, LOW,
             documentation="The date the officer chose; then the decision comes back.",
             body=timer("next_working_day(review_on)")),
    ]


def flows() -> list[Flow]:
    top = PROCESS
    return [
        Flow("flow_open", "decision_needed", "decide", parent=top),
        Flow("flow_finished", "decide", "debt_decision_done", parent=top),
        Flow("flow_paid", "decision_paid_in_full", "decision_paid", "vh", parent=top),

        Flow("flow_decide", "decision_started", "decide_merge"),
        Flow("flow_to_decision", "decide_merge", "decide_next_step"),
        Flow("flow_decided", "decide_next_step", "next_step"),
        Flow("flow_letter_of_claim", "next_step", "open_legal_stage", "vh", "Letter of Claim",
             "decision == 'letter_of_claim'"),
        Flow("flow_legal_opened", "open_legal_stage", "legal_stage_opened"),
        Flow("flow_write_off", "next_step", "write_off_decided", "h", "Write-off",
             "decision == 'write_off'"),
        Flow("flow_write_off_decided", "write_off_decided", "decide_merge",
             [(780, MAIN - 18), (780, LOOP_TOP), (390, LOOP_TOP), (390, MAIN - 25)]),
        Flow("flow_review_later", "next_step", "review_date_reached", "vh", "Review later"),
        Flow("flow_review_due", "review_date_reached", "decide_merge",
             [(700, LOW + 18), (700, LOW + 50), (390, LOW + 50), (390, MAIN + 25)]),
    ]


# Labels placed by hand where the default place (below the element) would sit on a flow.
NODE_LABELS = {
    "next_step": lambda n: (n.cx + 8, n.cy + 28, 70, 14),
    "write_off_decided": lambda n: (n.cx + 22, n.cy + 10, 80, 27),
    "review_date_reached": lambda n: (n.cx + 22, n.cy + 10, 70, 14),
    "decision_paid_in_full": lambda n: (n.cx + 22, n.cy + 22, 80, 14),
}

PROCESS_DOC = (
    "A debt that no recovery stage is chasing while money is still owed: the finance officer "
    "decides the next step (a new Letter of Claim, DOMAIN.md A.3 step 7; a write-off, A.3-WO; or "
    "a review on a date). Started by the app with debt_case_id, person_reference and "
    "instance_id. Paid in full closes it (A.3 step 12); a recorded death closes it and "
    "opens the estate stage (A.3-D)."
)
DECIDE_DOC = ("The decision and its loops. The message paid_in_full interrupts it; "
              "write_off_decided ends the wait for a write-off approval.")


def build() -> str:
    return render(Diagram(PROCESS_ID, PROCESS_NAME, PROCESS_DOC, MESSAGES, "decide",
                          "Decide the next step", DECIDE_DOC, DECIDE, nodes(), flows(),
                          NODE_LABELS))


def main(argv: list[str] | None = None) -> None:
    write(build, OUT, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    main()
