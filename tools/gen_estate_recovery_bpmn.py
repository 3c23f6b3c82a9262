"""Generate ``workflows/estate_recovery.bpmn`` (DOMAIN.md A.3-D, §5) with its diagram layout.

Run from the repository root:

    .venv/bin/python tools/gen_estate_recovery_bpmn.py            # writes workflows/estate_recovery.bpmn
    .venv/bin/python tools/gen_estate_recovery_bpmn.py --out FILE  # somewhere else

Same dialect, building blocks and layout rules as ``tools/gen_debt_recovery_bpmn.py`` (imported
from it). The estate stage is one expanded subprocess: the final account to the personal
representative, then either a known grant of probate (claim against the estate) or a standing
search renewed every six months until a grant is recorded. Paid in full and a recorded grant
interrupt it from below.

The output is stable: re-running the script without changes gives the same bytes. After a manual
edit in the modeler, either port the change here or stop using this script.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_debt_recovery_bpmn import (  # noqa: E402  (the sibling script, wherever this runs from)
    PROCESS, REPO, Diagram, Flow, Node, form_field, message, notes_field, render, service_task,
    timer, user_task, write,
)

OUT = REPO / "workflows" / "estate_recovery.bpmn"
PROCESS_ID = "estate_recovery"
PROCESS_NAME = "Estate recovery"
MESSAGES = ("paid_in_full", "grant_recorded")

# Rows inside the subprocess (centre y): the main line, the standing-search wait, and the loop
# back to it. Boundary flows run below the subprocess.
MAIN, LOW, LOOP, BELOW = 180, 320, 420, 590
ESTATE = (240, 80, 860, 400)           # x, y, width, height of the expanded subprocess

ESTATE_ACTIONS = (
    ("paid_by_estate", "Paid by the estate"),
    ("claim_with_court_representatives",
     "Legal: claim against the estate with court-appointed representatives"),
    ("insolvent_estate", "Insolvent-estate route"),
    ("write_off", "Propose a write-off (no estate)"),
)


def estate_due() -> str:
    return 'add_working_days(today(), setting("legal_task_due_working_days"))'


def pursue_estate_form() -> tuple[str, ...]:
    return (form_field("action", "Action", "enum", required=True, values=ESTATE_ACTIONS),
            notes_field())


PURSUE_DOC = ("DOMAIN.md A.3-D and §5: claim in writing from the personal representative "
              "quickly (executors who advertise under Trustee Act 1925 s27 are protected after "
              "2 months); if the family does not act, Legal considers a claim with "
              "court-appointed representatives, then a charging order, or an insolvent-estate "
              "route. A deferred payment debt is due 90 days after death; interest continues.")


def nodes() -> list[Node]:
    top = PROCESS
    return [
        # Top level: start, the estate stage, its end, and the two interrupting messages.
        Node("estate_opened", "startEvent", "Estate stage opened", 170, 280, top,
             "DOMAIN.md A.3-D: the person's death was recorded during the legal stage (or the "
             "estate stage was opened for the debt)."),
        Node("estate_recovery_done", "endEvent", "Estate stage finished", 1180, 280, top),
        Node("estate_paid", "boundaryEvent", "Paid in full", 400, 480, top,
             "DOMAIN.md A.3 step 12: the estate pays the debt in full; the estate stage closes.",
             message("paid_in_full"), {"attachedToRef": "estate"}),
        Node("estate_paid_end", "endEvent", "Paid in full", 500, BELOW, top),
        Node("estate_grant_recorded", "boundaryEvent", "Grant recorded", 640, 480, top,
             "DOMAIN.md §5: a grant of probate or letters of administration is recorded (for "
             "instance a copy sent under the standing search); the waiting stops.",
             message("grant_recorded"), {"attachedToRef": "estate"}),
        user_task("pursue_estate_after_grant", "Claim against the estate", 760, BELOW,
                  "finance_officer", estate_due(), pursue_estate_form(), PURSUE_DOC, top),
        Node("estate_done_after_grant", "endEvent", "Estate claim decided", 890, BELOW, top),

        Node("estate_started", "startEvent", "Estate stage started", 300, MAIN),
        service_task("send_final_account", "Send the final account", 410, MAIN, "legal_step",
                     {"step": "final_account"},
                     "DOMAIN.md A.3-D and §5: the final account to the executor or personal "
                     "representative (EST-01) promptly; the LGSCO found fault with late estate "
                     "invoices. A deferred payment debt is due 90 days after death."),
        user_task("record_grant_or_search",
                  "Grant of probate known? Otherwise lodge a standing search", 560, MAIN,
                  "finance_officer", estate_due(),
                  (form_field("grant_known", "Grant of probate known", "boolean", required=True),
                   form_field("standing_search_lodged_on", "Standing search (PA1S) lodged on",
                              "date"),
                   notes_field()),
                  "DOMAIN.md A.3-D and §5: record the will or grant; with no grant known, lodge a "
                  "standing search (form PA1S), which lasts 6 months."),
        Node("grant_known_gateway", "exclusiveGateway", "Grant of probate known?", 690, MAIN,
             attrs={"default": "flow_no_grant"}),
        user_task("pursue_estate", "Claim against the estate", 820, MAIN, "finance_officer",
                  estate_due(), pursue_estate_form(), PURSUE_DOC),
        Node("estate_done", "endEvent", "Estate claim decided", 960, MAIN),
        Node("standing_search_merge", "exclusiveGateway", None, 760, LOW,
             documentation="Merges the first wait with each renewal. SpiffWorkflow 3.2.0 "
                           "recurses without end when predicting a loop with no gateway in it."),
        Node("standing_search_renewal_due", "intermediateCatchEvent",
             "Standing search due for renewal", 860, LOW,
             documentation="DOMAIN.md §5: a standing search lasts 6 months; the renewal "
                           "task comes a month before it lapses.",
             body=timer("add_months(standing_search_lodged_on, 5)")),
        user_task("renew_standing_search", "Renew the standing search (every 6 months)", 990,
                  LOW, "finance_officer", estate_due(),
                  (form_field("standing_search_lodged_on", "Renewed on", "date", required=True),
                   notes_field()),
                  "DOMAIN.md A.3-D and §5: renew the standing search every 6 months."),
    ]


def flows() -> list[Flow]:
    top = PROCESS
    return [
        Flow("flow_open", "estate_opened", "estate", parent=top),
        Flow("flow_finished", "estate", "estate_recovery_done", parent=top),
        Flow("flow_paid", "estate_paid", "estate_paid_end", "vh", parent=top),
        Flow("flow_grant_recorded", "estate_grant_recorded", "pursue_estate_after_grant", "vh",
             parent=top),
        Flow("flow_after_grant_done", "pursue_estate_after_grant", "estate_done_after_grant",
             parent=top),

        Flow("flow_final_account", "estate_started", "send_final_account"),
        Flow("flow_grant_or_search", "send_final_account", "record_grant_or_search"),
        Flow("flow_grant_decided", "record_grant_or_search", "grant_known_gateway"),
        Flow("flow_grant_known", "grant_known_gateway", "pursue_estate", "h", "Grant known",
             "grant_known"),
        Flow("flow_no_grant", "grant_known_gateway", "standing_search_merge", "vh", "No grant"),
        Flow("flow_search_wait", "standing_search_merge", "standing_search_renewal_due"),
        Flow("flow_renewal_due", "standing_search_renewal_due", "renew_standing_search"),
        Flow("flow_renewed", "renew_standing_search", "standing_search_merge",
             [(990, LOW + 40), (990, LOOP), (760, LOOP), (760, LOW + 25)]),
        Flow("flow_pursued", "pursue_estate", "estate_done"),
    ]


# Labels placed by hand where the default place (below the element) would sit on a flow.
NODE_LABELS = {
    "grant_known_gateway": lambda n: (n.cx - 45, n.cy - 60, 90, 27),
    "standing_search_renewal_due": lambda n: (n.cx - 50, n.cy + 22, 100, 27),
    "estate_paid": lambda n: (n.cx + 22, n.cy + 22, 80, 14),
    "estate_grant_recorded": lambda n: (n.cx + 22, n.cy + 22, 80, 14),
}

PROCESS_DOC = (
    "DOMAIN.md A.3-D and §5 (the deceased debtor's estate): the final account to the personal "
    "representative, the grant of probate or a standing search (it lasts 6 months and is "
    "renewed), and the claim against the estate. A deferred payment debt is due 90 days after "
    "death. Paid in full closes it at any point; a recorded grant moves straight to the claim. "
    "Started per debt case with debt_case_id, person_reference and instance_id."
)
ESTATE_DOC = ("DOMAIN.md A.3-D, §5. The messages paid_in_full and grant_recorded interrupt it.")


def build() -> str:
    return render(Diagram(PROCESS_ID, PROCESS_NAME, PROCESS_DOC, MESSAGES, "estate",
                          "Deceased person's estate", ESTATE_DOC, ESTATE, nodes(), flows(),
                          NODE_LABELS))


def main(argv: list[str] | None = None) -> None:
    write(build, OUT, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    main()
