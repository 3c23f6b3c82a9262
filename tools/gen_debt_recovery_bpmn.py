"""Generate ``workflows/debt_recovery.bpmn`` (DOMAIN.md A.3 steps 2-6) with its diagram layout.

Run from the repository root:

    .venv/bin/python tools/gen_debt_recovery_bpmn.py            # writes workflows/debt_recovery.bpmn
    .venv/bin/python tools/gen_debt_recovery_bpmn.py --out FILE  # somewhere else

The diagram uses the same Camunda 7 dialect as ``workflows/direct_payment_agreement.bpmn``:
`camunda:candidateGroups` and `camunda:dueDate` on user tasks, `camunda:formData` forms, external
service tasks (`camunda:type="external"`, `camunda:topic` = handler) with input parameters, and
timers as `timeDate` calls to the whitelisted calendar functions with intervals from settings.

Each node is placed by its centre; a flow's waypoints are computed from its route:
``h`` straight right, ``vh`` leave the source's top or bottom then go right into the target,
``hv`` leave the source's right side then go up or down into the target, or explicit points.

SpiffWorkflow tries a gateway's conditional flows in the order of their targets' y positions (top
first), so the layout is part of the behaviour: at `checklist_outcome` the estate route (deceased)
sits above the deputyship route, which sits above the manager's review.

A decision to prepare a Letter of Claim (A.3 step 7), on the ladder or after a broken plan, runs
`debt_step` with step=legal_stage, which starts the legal stage (workflows/legal_recovery.bpmn).

The building blocks, the layout and the output (`Node`, `Flow`, `Diagram`, `render`, `write`) are
shared: tools/gen_legal_recovery_bpmn.py and tools/gen_estate_recovery_bpmn.py import them.

The output is stable: re-running the script without changes gives the same bytes. After a manual
edit in the modeler, either port the change here or stop using this script.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "workflows" / "debt_recovery.bpmn"
PROCESS_ID = "debt_recovery"
PROCESS_NAME = "Debt recovery"

SIZES = {
    "startEvent": (36, 36), "endEvent": (36, 36), "intermediateCatchEvent": (36, 36),
    "boundaryEvent": (36, 36), "userTask": (100, 80), "serviceTask": (100, 80),
    "exclusiveGateway": (50, 50), "parallelGateway": (50, 50),
}

MESSAGES = ("paid_in_full", "person_died", "plan_broken", "plan_ended")


# --- building blocks ----------------------------------------------------------------------------

def a(value: str) -> str:
    """An attribute value in double quotes, as the modeler writes it."""
    return '"' + escape(value, {'"': "&quot;"}) + '"'


def doc(text: str | None) -> str:
    return f"<bpmn:documentation>{escape(text)}</bpmn:documentation>" if text else ""


def timer(expression: str) -> str:
    return ('<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
            f"{escape(expression)}</bpmn:timeDate></bpmn:timerEventDefinition>")


def message(name: str) -> str:
    return f'<bpmn:messageEventDefinition messageRef="msg_{name}" />'


def form_field(field_id: str, label: str, kind: str, *, required: bool = False,
               values: tuple[tuple[str, str], ...] = (), note: bool = False,
               money: bool = False) -> str:
    """A Camunda form field; a note (long text) or a money amount is a string field with the
    property type=note or type=money, which the app's forms read in place of the Camunda type."""
    inner = ""
    if required:
        inner += '<camunda:validation><camunda:constraint name="required" /></camunda:validation>'
    shown_as = "note" if note else "money" if money else None
    if shown_as:
        inner += (f'<camunda:properties><camunda:property id="type" value="{shown_as}" />'
                  "</camunda:properties>")
    inner += "".join(f"<camunda:value id={a(v)} name={a(n)} />" for v, n in values)
    return (f"<camunda:formField id={a(field_id)} label={a(label)} type={a(kind)}>"
            f"{inner}</camunda:formField>")


def form(*fields: str) -> str:
    return ("<bpmn:extensionElements><camunda:formData>" + "".join(fields)
            + "</camunda:formData></bpmn:extensionElements>")


def handler_params(**params: str) -> str:
    return ("<bpmn:extensionElements><camunda:inputOutput>"
            + "".join(f"<camunda:inputParameter name={a(k)}>{escape(v)}</camunda:inputParameter>"
                      for k, v in params.items())
            + "</camunda:inputOutput></bpmn:extensionElements>")


def guard_due() -> str:
    return 'add_working_days(today(), setting("debt_guard_task_due_working_days"))'


def notes_field(field_id: str = "notes", label: str = "Notes", required: bool = False) -> str:
    return form_field(field_id, label, "string", required=required, note=True)


def money_field(field_id: str, label: str, required: bool = False) -> str:
    return form_field(field_id, label, "string", required=required, money=True)


INNER = "inner"      # a node's or flow's parent: the diagram's one expanded subprocess
PROCESS = "process"  # ... or the process itself


@dataclass
class Node:
    id: str
    kind: str
    name: str | None
    cx: float
    cy: float
    parent: str = INNER
    documentation: str | None = None
    body: str = ""                      # extensionElements / event definitions, after documentation
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        return SIZES[self.kind]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        w, h = self.size
        return self.cx - w / 2, self.cy - h / 2, w, h

    def side(self, where: str) -> tuple[float, float]:
        x, y, w, h = self.bounds
        return {"left": (x, self.cy), "right": (x + w, self.cy),
                "top": (self.cx, y), "bottom": (self.cx, y + h)}[where]


@dataclass
class Flow:
    id: str
    source: str
    target: str
    route: str | list[tuple[float, float]] = "h"
    name: str | None = None
    condition: str | None = None
    parent: str = INNER


# --- the diagram --------------------------------------------------------------------------------

# Rows inside the ladder (centre y): phone branch and estate route on top, the main line, then the
# deputyship route and the plan wait, then the manager's review. Boundary flows run below the ladder.
TOP, MAIN, LOW, REVIEW, BELOW = 170, 310, 450, 590, 790
LEGAL_AFTER_PLAN = 920                 # below the broken-plan route: its Letter of Claim branch
LADDER = (240, 80, 2540, 600)          # x, y, width, height of the expanded subprocess

PHONE_OUTCOMES = (
    ("spoke_will_pay", "Spoke to them: will pay"),
    ("spoke_wants_arrangement", "Spoke to them: wants an arrangement"),
    ("spoke_disputes", "Spoke to them: disputes the charge"),
    ("spoke_hardship", "Spoke to them: hardship"),
    ("representative_contacted", "Spoke to their representative"),
    ("no_answer_message_left", "No answer: message left"),
    ("no_answer", "No answer"),
    ("wrong_number", "Wrong number"),
)
DPA_TEST = (
    ("not_eligible", "Could not enter a deferred payment agreement"),
    ("eligible_not_offered", "Could enter one: offer needed"),
    ("offered_accepted", "Offered and accepted"),
    ("offered_refused", "Offered and refused"),
)
CHECKLIST_BOOLEANS = (
    ("charge_correct", "(a) The charge is correct"),
    ("assessment_current", "(a) The financial assessment is current"),
    ("open_query_or_complaint", "(a) There is an open query or complaint"),
    ("correspondent_verified",
     "(b) The correspondent is right and any deputy, attorney or appointee is verified"),
    ("lacks_capacity_without_representative",
     "(b) The person lacks capacity and has no representative"),
)
CHECKLIST_BOOLEANS_AFTER_DPA = (
    ("safeguarding_concern", "(d) Safeguarding or financial-abuse indicators"),
    ("vulnerability_or_hardship", "(e) Vulnerability, hardship or a waiver request"),
    ("social_worker_informed", "(e) The social worker has been told about the debt"),
    ("breathing_space_checked", "(f) Checked: no Breathing Space"),
    ("limitation_checked", "(g) Limitation dates checked"),
    ("proportionate", "(h) Recovery is proportionate to the debt"),
    ("third_party_issues", "(i) Transferred assets or misrepresentation (s70 / s69(4))"),
    ("deceased", "(j) The person has died"),
)
FIND_REPRESENTATIVE_ACTIONS = (
    ("support_family_deputyship", "Support the family to apply for deputyship"),
    ("council_applies_deputy", "The council applies to be deputy"),
    ("panel_deputy", "Ask for a panel deputy"),
    ("capacity_confirmed", "Capacity confirmed: no representative needed"),
)
REVIEW_DECISIONS = (
    ("continue", "Continue recovery"),
    ("stop", "Stop recovery (propose write-off or waiver)"),
)
LETTER_OF_CLAIM_DECISIONS = (
    ("prepare_letter_of_claim", "Prepare a Letter of Claim"),
    ("propose_write_off", "Propose a write-off"),
    ("keep_engaging", "Keep engaging with the person"),
)
REVIEW_CONDITION = ("safeguarding_concern or open_query_or_complaint or not charge_correct "
                    "or not proportionate or vulnerability_or_hardship")


def user_task(node_id, name, cx, cy, role, due, fields, documentation=None, parent=INNER):
    return Node(node_id, "userTask", name, cx, cy, parent, documentation, form(*fields),
                {"camunda:candidateGroups": role, "camunda:dueDate": due})


def service_task(node_id, name, cx, cy, topic, params, documentation=None, parent=INNER):
    return Node(node_id, "serviceTask", name, cx, cy, parent, documentation,
                handler_params(**params), {"camunda:type": "external", "camunda:topic": topic})


def letter_of_claim_form() -> tuple[str, ...]:
    return (form_field("decision", "Decision", "enum", required=True,
                       values=LETTER_OF_CLAIM_DECISIONS),
            notes_field())


def nodes() -> list[Node]:
    top = "process"
    checklist_fields = (
        *(form_field(i, label, "boolean", required=True) for i, label in CHECKLIST_BOOLEANS),
        form_field("dpa_test", "(c) Deferred payment test (Care Act s69(2))", "enum",
                   required=True, values=DPA_TEST),
        notes_field("dpa_evidence", "(c) Evidence for the deferred payment test"),
        *(form_field(i, label, "boolean", required=True)
          for i, label in CHECKLIST_BOOLEANS_AFTER_DPA),
        notes_field("checklist_notes", "Notes"),
    )
    return [
        # Top level: start, the ladder, its end, and the three interrupting messages.
        Node("debt_opened", "startEvent", "Invoice unpaid after its due date", 170, 380, top,
             "DOMAIN.md A.3 step 1: an invoice is still unpaid after its due date; the service "
             "starts one ladder per debt case (later overdue invoices join it)."),
        Node("debt_recovery_done", "endEvent", "Ladder finished", 2860, 380, top),
        Node("paid_in_full_received", "boundaryEvent", "Paid in full", 600, 680, top,
             "DOMAIN.md A.3 step 8 / step 12: the debt is paid in full at any point; the ladder "
             "stops.", message("paid_in_full"), {"attachedToRef": "ladder"}),
        Node("debt_paid", "endEvent", "Paid in full", 700, BELOW, top),
        Node("death_recorded", "boundaryEvent", "Death recorded", 1000, 680, top,
             "DOMAIN.md A.3-D: the person's death is recorded; letters to the person stop.",
             message("person_died"), {"attachedToRef": "ladder"}),
        user_task("estate_after_death", "Start the estate route (personal representative)",
                  1120, BELOW, "finance_officer", guard_due(), (notes_field(required=True),),
                  "DOMAIN.md A.3-D: letters to the person stop. Record the date of death and the "
                  "personal representative, executor or solicitor. The estate process (final "
                  "account to the personal representative) comes in the next issue.", top),
        Node("estate_route_started", "endEvent", "Estate route started", 1240, BELOW, top),
        Node("plan_broken_received", "boundaryEvent", "Instalment plan broken", 1700, 680, top,
             "DOMAIN.md A.3-IP: the plan was broken again after the missed-instalment reminder; "
             "the Pre-Action Protocol restarts with a new Letter of Claim.",
             message("plan_broken"), {"attachedToRef": "ladder"}),
        service_task("escalate_after_broken_plan", "Escalate: broken instalment plan", 1820,
                     BELOW, "debt_step", {"step": "letter_of_claim"},
                     "DOMAIN.md A.3-IP: a broken plan goes to the Letter of Claim decision.", top),
        user_task("letter_of_claim_after_plan",
                  "Broken instalment plan: decide on a Letter of Claim", 1970, BELOW,
                  "finance_officer", guard_due(), letter_of_claim_form(),
                  "DOMAIN.md A.3-IP and A.3 step 7: after a broken plan the Pre-Action Protocol "
                  "restarts with a new Letter of Claim [S34]. Preparing one opens the legal stage "
                  "(legal_recovery).", top),
        Node("after_plan_decision", "exclusiveGateway", "Letter of Claim?", 2100, BELOW, top,
             "Only a decision to prepare a Letter of Claim opens the legal stage; a proposed "
             "write-off or more engagement ends this ladder, and the app asks for the next "
             "step (debt_decision) while money is owed.",
             attrs={"default": "flow_after_plan_no_claim"}),
        Node("plan_broken_end", "endEvent", "Decision recorded", 2230, BELOW, top,
             "With money still owed the app starts debt_decision "
             "(workflows/debt_decision.bpmn)."),
        service_task("open_legal_stage_after_plan", "Open the legal stage", 2230,
                     LEGAL_AFTER_PLAN, "debt_step", {"step": "legal_stage"},
                     "DOMAIN.md A.3-IP and A.3 step 7: a new Letter of Claim after the broken plan; "
                     "the legal stage (legal_recovery) prepares it.", top),
        Node("legal_stage_opened_after_plan", "endEvent", "Legal stage opened", 2360,
             LEGAL_AFTER_PLAN, top),

        # Inside the ladder: A.3 steps 2 and 3 on the main line.
        Node("ladder_started", "startEvent", "Ladder started", 300, MAIN),
        Node("reminder_1_due", "intermediateCatchEvent", "R1: reminder 1 due", 390, MAIN,
             documentation="DOMAIN.md A.3 step 2: R1 = next working day (invoice date + "
             "debt_reminder_1_days).",
             body=timer('next_working_day(add_calendar_days(invoice_date, '
                        'setting("debt_reminder_1_days")))')),
        service_task("send_reminder_1", "Send reminder 1", 500, MAIN, "send_debt_letter",
                     {"template": "debt_reminder_1", "date_var": "r1_date"},
                     "DOMAIN.md A.3 step 2: Reminder 1 (DR-R1) if the balance is still owed and "
                     "the global guards pass."),
        Node("final_demand_due", "intermediateCatchEvent", "R2: final demand due", 610, MAIN,
             documentation="DOMAIN.md A.3 step 3: R2 = next working day (reminder 1 + "
             "debt_final_demand_days).",
             body=timer('next_working_day(add_calendar_days(r1_date, '
                        'setting("debt_final_demand_days")))')),
        service_task("send_final_demand", "Send the final demand", 720, MAIN, "send_debt_letter",
                     {"template": "debt_final_demand", "date_var": "fd_date"},
                     "DOMAIN.md A.3 step 3: the final demand (DR-FD) with the arrangement offer, "
                     "an income and expenditure form and debt-advice and Breathing Space "
                     "signposts."),
        Node("after_final_demand", "parallelGateway", None, 830, MAIN),

        # Branch A: A.3 step 4, the finance assistant's call.
        Node("phone_contact_due", "intermediateCatchEvent", "P: phone contact due", 920, TOP,
             documentation="DOMAIN.md A.3 step 4: P = final demand + "
             "debt_phone_contact_working_days working days.",
             body=timer('add_working_days(fd_date, setting("debt_phone_contact_working_days"))')),
        user_task("phone_contact", "Phone the person about the overdue charges", 1030, TOP,
                  "finance_assistant",
                  'add_working_days(today(), setting("debt_phone_contact_due_working_days"))',
                  (form_field("outcome", "Outcome of the call", "enum", required=True,
                              values=PHONE_OUTCOMES),
                   form_field("promised_payment_date", "Promised payment date", "date"),
                   notes_field("call_notes")),
                  "DOMAIN.md A.3 step 4: letter then phone; the outcome is recorded as a code."),
        Node("phone_contact_done", "endEvent", "Call made", 1150, TOP),

        # Branch B: A.3 step 5, referral and the pre-legal checklist.
        Node("referral_due", "intermediateCatchEvent", "REF: referral due", 920, MAIN,
             documentation="DOMAIN.md A.3 step 5: REF = next working day (invoice date + "
             "debt_referral_days).",
             body=timer('next_working_day(add_calendar_days(invoice_date, '
                        'setting("debt_referral_days")))')),
        service_task("refer_to_officer", "Refer to the finance officer", 1030, MAIN, "debt_step",
                     {"step": "referral"},
                     "DOMAIN.md A.3 step 5: referral to the finance officer (debt recovery)."),
        user_task("pre_legal_checklist", "Pre-legal checklist", 1180, MAIN, "finance_officer",
                  'add_working_days(today(), setting("debt_checklist_due_working_days"))',
                  checklist_fields,
                  "DOMAIN.md A.3 step 5 (a)-(j): every item must be recorded before recovery "
                  "goes on."),
        Node("checklist_outcome", "exclusiveGateway", "Go on with recovery?", 1310, MAIN,
             documentation="Conditions are tried top first: deceased (estate route), then no "
                           "capacity and no representative with nothing for a manager to review "
                           "(deputyship route), then a manager's review; otherwise recovery goes "
                           "on. Whatever the route, the contact letter's guard holds it while "
                           "nobody can be written to.",
             attrs={"default": "flow_checklist_clear"}),
        user_task("estate_route", "Start the estate route (personal representative)", 1440, TOP,
                  "finance_officer", guard_due(), (notes_field(required=True),),
                  "DOMAIN.md A.3 step 5 (j) and A.3-D: the person has died; letters to the person "
                  "stop. The estate process comes in the next issue."),
        Node("ladder_stopped_estate", "endEvent", "Ladder stopped: estate route", 1560, TOP,
             documentation="Ends the whole ladder (an open phone task too).",
             body="<bpmn:terminateEventDefinition />"),
        user_task("find_representative", "Find someone who can act for the person", 1440, LOW,
                  "finance_officer", guard_due(),
                  (form_field("action", "Action", "enum", required=True,
                              values=FIND_REPRESENTATIVE_ACTIONS),
                   notes_field()),
                  "DOMAIN.md A.3 step 5 (b): the deputyship route (support the family, the "
                  "council applies, or a panel deputy)."),
        user_task("review_before_recovery", "Review before recovery goes on", 1440, REVIEW,
                  "finance_manager", guard_due(),
                  (form_field("decision", "Decision", "enum", required=True,
                              values=REVIEW_DECISIONS),
                   notes_field("reasons", "Reasons", required=True)),
                  "DOMAIN.md A.3 step 5 (a), (d), (e), (h): an open query or complaint, a charge "
                  "in doubt, safeguarding, vulnerability or hardship, or a disproportionate "
                  "recovery."),
        Node("review_decision", "exclusiveGateway", "Stop recovery?", 1560, REVIEW,
             attrs={"default": "flow_review_continue"}),
        Node("recovery_stopped", "endEvent", "Recovery stopped", 1760, REVIEW,
             documentation="Ends the whole ladder (an open phone task too). With money still "
                           "owed the app starts debt_decision, where the write-off or waiver "
                           "is proposed.",
             body="<bpmn:terminateEventDefinition />"),

        # A.3 step 6: engagement, and the instalment-plan wait (A.3-IP).
        service_task("send_contact_letter", "Send the debt recovery contact letter", 1640, MAIN,
                     "send_debt_letter",
                     {"template": "debt_recovery_contact", "date_var": "contact_date"},
                     "DOMAIN.md A.3 step 6: the debt recovery team's introduction letter "
                     "(DR-CONTACT) before the call."),
        Node("engagement_merge", "exclusiveGateway", None, 1730, MAIN,
             documentation="Merges the first engagement with each \"keep engaging\" decision. "
                           "SpiffWorkflow 3.2.0 recurses without end when predicting a loop "
                           "with no gateway in it."),
        user_task("engagement", "Contact the person and seek an arrangement", 1860, MAIN,
                  "finance_officer",
                  'add_working_days(today(), setting("debt_engagement_due_working_days"))',
                  (form_field("outcome", "Outcome", "enum", required=True, values=(
                      ("plan_agreed", "Instalment plan agreed (record it on the debt)"),
                      ("will_pay_in_full", "Will pay in full"),
                      ("no_engagement", "No contact or no reply"),
                      ("refuses", "Refuses to pay"),
                      ("dispute", "Disputes the debt"))),
                   notes_field("engagement_notes")),
                  "DOMAIN.md A.3 step 6: letter and call (optionally a visit), aiming for an "
                  "instalment plan (A.3-IP)."),
        Node("engagement_outcome", "exclusiveGateway", "Plan agreed?", 1990, MAIN,
             attrs={"default": "flow_no_plan"}),
        Node("plan_ended_waiting", "intermediateCatchEvent", "Plan ended by agreement", 2090, LOW,
             documentation="DOMAIN.md A.3-IP and A.3 step 6: the ladder is suspended while the "
                           "instalment plan runs. A broken plan interrupts the ladder "
                           "(plan_broken); a paid plan ends it (paid_in_full).",
             body=message("plan_ended")),
        service_task("escalate_letter_of_claim", "Escalate to a Letter of Claim decision", 2200,
                     MAIN, "debt_step", {"step": "letter_of_claim"},
                     "DOMAIN.md A.3 step 7 (decision only)."),
        user_task("letter_of_claim_next", "Decide on a Letter of Claim", 2350, MAIN,
                  "finance_officer", guard_due(), letter_of_claim_form(),
                  "DOMAIN.md A.3 step 7: the finance officer and manager decide. Preparing a "
                  "Letter of Claim opens the legal stage (legal_recovery, A.3 steps 7-12)."),
        Node("letter_of_claim_decision", "exclusiveGateway", "Letter of Claim?", 2470, MAIN,
             documentation="A decision to prepare a Letter of Claim opens the legal stage; "
                           "keep engaging goes round again; a proposed write-off ends the "
                           "ladder, and the app asks for the next step (debt_decision) while "
                           "money is owed.",
             attrs={"default": "flow_no_letter_of_claim"}),
        service_task("open_legal_stage", "Open the legal stage", 2590, TOP, "debt_step",
                     {"step": "legal_stage"},
                     "DOMAIN.md A.3 step 7: the debt moves to the legal stage (legal_recovery), "
                     "which prepares the Letter of Claim for approval."),
        Node("legal_stage_opened", "endEvent", "Legal stage opened", 2710, TOP,
             documentation="Ends the whole ladder, an open phone task too: the legal stage "
                           "has the debt now.",
             body="<bpmn:terminateEventDefinition />"),
        Node("ladder_done", "endEvent", "Write-off proposed", 2590, MAIN,
             documentation="Ends the whole ladder, an open phone task too. With money still "
                           "owed the app starts debt_decision (workflows/debt_decision.bpmn).",
             body="<bpmn:terminateEventDefinition />"),
    ]


def flows() -> list[Flow]:
    top = "process"
    return [
        Flow("flow_start", "debt_opened", "ladder", parent=top),
        Flow("flow_done", "ladder", "debt_recovery_done", parent=top),
        Flow("flow_paid", "paid_in_full_received", "debt_paid", "vh", parent=top),
        Flow("flow_died", "death_recorded", "estate_after_death", "vh", parent=top),
        Flow("flow_died_done", "estate_after_death", "estate_route_started", parent=top),
        Flow("flow_plan_broken", "plan_broken_received", "escalate_after_broken_plan", "vh",
             parent=top),
        Flow("flow_plan_broken_decide", "escalate_after_broken_plan",
             "letter_of_claim_after_plan", parent=top),
        Flow("flow_plan_broken_done", "letter_of_claim_after_plan", "after_plan_decision",
             parent=top),
        Flow("flow_after_plan_no_claim", "after_plan_decision", "plan_broken_end", "h",
             "No Letter of Claim", parent=top),
        Flow("flow_after_plan_claim", "after_plan_decision", "open_legal_stage_after_plan", "vh",
             "Prepare a Letter of Claim", "decision == 'prepare_letter_of_claim'", parent=top),
        Flow("flow_after_plan_opened", "open_legal_stage_after_plan",
             "legal_stage_opened_after_plan", parent=top),

        Flow("flow_l1", "ladder_started", "reminder_1_due"),
        Flow("flow_l2", "reminder_1_due", "send_reminder_1"),
        Flow("flow_l3", "send_reminder_1", "final_demand_due"),
        Flow("flow_l4", "final_demand_due", "send_final_demand"),
        Flow("flow_l5", "send_final_demand", "after_final_demand"),
        Flow("flow_to_phone", "after_final_demand", "phone_contact_due", "vh"),
        Flow("flow_phone", "phone_contact_due", "phone_contact"),
        Flow("flow_phone_done", "phone_contact", "phone_contact_done"),
        Flow("flow_to_referral", "after_final_demand", "referral_due"),
        Flow("flow_refer", "referral_due", "refer_to_officer"),
        Flow("flow_checklist", "refer_to_officer", "pre_legal_checklist"),
        Flow("flow_checklist_done", "pre_legal_checklist", "checklist_outcome"),
        Flow("flow_deceased", "checklist_outcome", "estate_route", "vh", "Deceased",
             "deceased"),
        Flow("flow_estate_done", "estate_route", "ladder_stopped_estate"),
        Flow("flow_no_representative", "checklist_outcome", "find_representative", "vh",
             "No capacity, no representative",
             f"lacks_capacity_without_representative and not ({REVIEW_CONDITION})"),
        Flow("flow_representative_found", "find_representative", "send_contact_letter",
             [(1490, LOW), (1620, LOW), (1620, MAIN + 40)]),
        Flow("flow_needs_review", "checklist_outcome", "review_before_recovery", "vh",
             "Needs a manager's review", REVIEW_CONDITION),
        Flow("flow_reviewed", "review_before_recovery", "review_decision"),
        Flow("flow_review_stop", "review_decision", "recovery_stopped", "h", "Stop",
             "decision == 'stop'"),
        Flow("flow_review_continue", "review_decision", "send_contact_letter",
             [(1560, REVIEW - 25), (1560, REVIEW - 70), (1660, REVIEW - 70), (1660, MAIN + 40)],
             "Go on"),
        Flow("flow_checklist_clear", "checklist_outcome", "send_contact_letter", "h", "Go on"),
        Flow("flow_engage", "send_contact_letter", "engagement_merge"),
        Flow("flow_engage_again", "engagement_merge", "engagement"),
        Flow("flow_engaged", "engagement", "engagement_outcome"),
        Flow("flow_plan_agreed", "engagement_outcome", "plan_ended_waiting", "vh", "Plan agreed",
             "outcome == 'plan_agreed'"),
        Flow("flow_plan_ended", "plan_ended_waiting", "escalate_letter_of_claim", "hv"),
        Flow("flow_no_plan", "engagement_outcome", "escalate_letter_of_claim", "h", "No plan"),
        Flow("flow_decide", "escalate_letter_of_claim", "letter_of_claim_next"),
        Flow("flow_decided", "letter_of_claim_next", "letter_of_claim_decision"),
        Flow("flow_no_letter_of_claim", "letter_of_claim_decision", "ladder_done", "h",
             "Write-off"),
        Flow("flow_letter_of_claim", "letter_of_claim_decision", "open_legal_stage", "vh",
             "Prepare a Letter of Claim", "decision == 'prepare_letter_of_claim'"),
        Flow("flow_legal_stage_opened", "open_legal_stage", "legal_stage_opened"),
        Flow("flow_keep_engaging", "letter_of_claim_decision", "engagement_merge",
             [(2470, MAIN + 25), (2470, MAIN + 200), (1730, MAIN + 200), (1730, MAIN + 25)],
             "Keep engaging", "decision == 'keep_engaging'"),
    ]


# --- layout -------------------------------------------------------------------------------------

class Subprocess:
    """The expanded subprocess as a shape, so flows can attach to it like any node."""

    def __init__(self, x, y, w, h):
        self.x, self.y, self.w, self.h = x, y, w, h
        self.cx, self.cy = x + w / 2, y + h / 2

    def side(self, where):
        return {"left": (self.x, self.cy), "right": (self.x + self.w, self.cy),
                "top": (self.cx, self.y), "bottom": (self.cx, self.y + self.h)}[where]


def waypoints(flow: Flow, shapes: dict) -> list[tuple[float, float]]:
    source, target = shapes[flow.source], shapes[flow.target]
    if isinstance(flow.route, list):
        return [*flow.route]
    if flow.route == "h":
        start = source.side("right")
        return [start, (target.side("left")[0], start[1])]
    if flow.route == "vh":
        start = source.side("top" if target.cy < source.cy else "bottom")
        return [start, (start[0], target.cy), target.side("left")]
    if flow.route == "hv":
        start = source.side("right")
        end = target.side("bottom" if target.cy < source.cy else "top")
        return [start, (end[0], start[1]), end]
    raise ValueError(f"unknown route {flow.route!r} on {flow.id}")


def flow_label(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Label bounds just above a flow's last horizontal segment (where it reaches its target)."""
    for (x1, y1), (x2, y2) in reversed(list(zip(points, points[1:], strict=False))):
        if y1 == y2:
            left, right = sorted((x1, x2))
            return left + 8, y1 - 30, max(right - left - 16, 40), 27
    (x1, y1), (x2, y2) = points[0], points[1]
    return x1 + 6, (y1 + y2) / 2 - 14, 90, 27


# Labels placed by hand where the default place (below the element) would sit on a flow.
NODE_LABELS = {
    "checklist_outcome": lambda n: (n.cx - 75, n.cy - 70, 62, 40),
    "engagement_outcome": lambda n: (n.cx - 45, n.cy - 60, 90, 14),
    "paid_in_full_received": lambda n: (n.cx + 22, n.cy + 22, 80, 14),
    "death_recorded": lambda n: (n.cx + 22, n.cy + 22, 80, 14),
    "plan_broken_received": lambda n: (n.cx + 22, n.cy + 22, 80, 27),
    "after_plan_decision": lambda n: (n.cx - 45, n.cy - 50, 90, 14),
}


def label_xml(bounds) -> str:
    x, y, w, h = bounds
    return (f'<bpmndi:BPMNLabel><dc:Bounds x="{num(x)}" y="{num(y)}" width="{num(w)}" '
            f'height="{num(h)}" /></bpmndi:BPMNLabel>')


def num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


# --- output -------------------------------------------------------------------------------------

PROCESS_DOC = (
    "DOMAIN.md A.3 steps 2-6 (the debt-recovery ladder up to the Letter of Claim decision): "
    "reminder 1 (step 2), the final demand (step 3), the finance assistant's call (step 4), "
    "referral and the pre-legal checklist (step 5), and the finance officer's engagement aiming "
    "for an instalment plan (step 6, A.3-IP). Paid in full, the person's death (A.3-D) and a "
    "broken instalment plan interrupt the ladder at any point. A decision to prepare a Letter "
    "of Claim (A.3 step 7), on the ladder or after a broken plan, opens the legal stage "
    "(legal_recovery, A.3 steps 7-12) and ends this process. Started per debt case with "
    "debt_case_id, invoice_date (the first overdue invoice), person_reference and instance_id. "
    "Intervals are settings (debt_*)."
)
LADDER_DOC = ("DOMAIN.md A.3 steps 2-6. The messages paid_in_full, person_died and plan_broken "
              "interrupt it; plan_ended resumes it after an instalment plan ends by agreement.")


def element_xml(node: Node) -> str:
    attrs = f" id={a(node.id)}"
    if node.name:
        attrs += f" name={a(node.name)}"
    attrs += "".join(f" {k}={a(v)}" for k, v in node.attrs.items())
    return f"<bpmn:{node.kind}{attrs}>{doc(node.documentation)}{node.body}</bpmn:{node.kind}>"


def flow_xml(flow: Flow) -> str:
    attrs = f" id={a(flow.id)}"
    if flow.name:
        attrs += f" name={a(flow.name)}"
    attrs += f" sourceRef={a(flow.source)} targetRef={a(flow.target)}"
    body = ""
    if flow.condition:
        body = ('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{escape(flow.condition)}</bpmn:conditionExpression>")
    return f"<bpmn:sequenceFlow{attrs}>{body}</bpmn:sequenceFlow>"


@dataclass
class Diagram:
    """One process with one expanded subprocess: what every generator in tools/ describes.

    The first top-level node is the start event (written before the subprocess); the subprocess
    holds every node and flow whose parent is INNER; boundary events attach to it."""
    process_id: str
    process_name: str
    process_doc: str
    messages: tuple[str, ...]
    subprocess_id: str
    subprocess_name: str
    subprocess_doc: str
    subprocess_bounds: tuple[float, float, float, float]   # x, y, width, height
    nodes: list[Node]
    flows: list[Flow]
    node_labels: dict = field(default_factory=dict)


def render(d: Diagram) -> str:
    misplaced = [x.id for x in [*d.nodes, *d.flows] if x.parent not in (INNER, PROCESS)]
    if misplaced:
        raise ValueError(f"parent must be INNER or PROCESS: {misplaced}")
    sub = Subprocess(*d.subprocess_bounds)
    shapes: dict = {n.id: n for n in d.nodes}
    shapes[d.subprocess_id] = sub
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'id="{d.process_id}_definitions" targetNamespace="http://bpmn.io/schema/bpmn" '
        'exporter="Care Finance Casework" exporterVersion="1">',
        *(f'<bpmn:message id="msg_{m}" name="{m}" />' for m in d.messages),
        f'<bpmn:process id="{d.process_id}" name={a(d.process_name)} isExecutable="true">',
        doc(d.process_doc),
    ]
    top_nodes = [n for n in d.nodes if n.parent == PROCESS]
    inner_nodes = [n for n in d.nodes if n.parent == INNER]
    start = top_nodes[0]
    lines.append(element_xml(start))
    lines.append(f"<bpmn:subProcess id={a(d.subprocess_id)} name={a(d.subprocess_name)}>"
                 + doc(d.subprocess_doc))
    lines.extend(element_xml(n) for n in inner_nodes)
    lines.extend(flow_xml(f) for f in d.flows if f.parent == INNER)
    lines.append("</bpmn:subProcess>")
    lines.extend(element_xml(n) for n in top_nodes[1:])
    lines.extend(flow_xml(f) for f in d.flows if f.parent == PROCESS)
    lines.append("</bpmn:process>")

    lines.append(f'<bpmndi:BPMNDiagram id="{d.process_id}_diagram">'
                 f'<bpmndi:BPMNPlane id="{d.process_id}_plane" bpmnElement="{d.process_id}">')

    def shape(element_id, x, y, w, h, extra="", label=""):
        lines.append(f'<bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}"{extra}>'
                     f'<dc:Bounds x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" />'
                     f"{label}</bpmndi:BPMNShape>")

    # Order matters to bpmn-js only for drawing: the subprocess before what sits on or in it.
    shape(start.id, *start.bounds)
    shape(d.subprocess_id, sub.x, sub.y, sub.w, sub.h, ' isExpanded="true"')
    for n in inner_nodes + top_nodes[1:]:
        extra = ' isMarkerVisible="true"' if n.kind == "exclusiveGateway" else ""
        label = label_xml(d.node_labels[n.id](n)) if n.id in d.node_labels else ""
        shape(n.id, *n.bounds, extra, label)
    for f in d.flows:
        route = waypoints(f, shapes)
        points = "".join(f'<di:waypoint x="{num(x)}" y="{num(y)}" />' for x, y in route)
        label = label_xml(flow_label(route)) if f.name else ""
        lines.append(f'<bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">{points}{label}'
                     "</bpmndi:BPMNEdge>")
    lines.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
    lines.append("</bpmn:definitions>")
    return "\n".join(lines) + "\n"


def build() -> str:
    return render(Diagram(PROCESS_ID, PROCESS_NAME, PROCESS_DOC, MESSAGES, "ladder",
                          "Recovery ladder", LADDER_DOC, LADDER, nodes(), flows(), NODE_LABELS))


def write(build_diagram, default_out: Path, description: str, argv: list[str] | None) -> None:
    """The command line every generator shares: write the diagram, or somewhere else (--out)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args(argv)
    args.out.write_text(build_diagram(), encoding="utf-8")
    print(f"wrote {args.out}")


def main(argv: list[str] | None = None) -> None:
    write(build, OUT, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    main()
