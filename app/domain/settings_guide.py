"""What a manager reads about each setting on the settings page: its name in words, its group,
and whether a change reaches cases already running, and when.

A declared attribute of every setting in app/domain/settings_catalogue.py, kept beside it
(tests/integration/test_settings_pages.py fails when a setting has none). What each says was
found by reading where the setting is read, not assumed:
- a diagram's timer reads `setting(...)` when the step starts waiting, and SpiffWorkflow keeps
  that date (app/engine/runner.py; moving one is the audited instances.move_timer);
- a task's due date is worked out once, when the task is created (runner._due_at);
- services read the rest when they act (a letter made, a plan recorded, a claim issued), so a
  change reaches running cases the next time that happens;
- the scheduler reads its two before every sweep;
- some are in the catalogue for processes not built yet, and nothing reads them.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Effect(StrEnum):
    WAITING_STEP = "waiting_step"
    TASK_DUE = "task_due"
    NEXT_USE = "next_use"
    NEXT_LETTER = "next_letter"
    AT_ONCE = "at_once"
    NOT_USED = "not_used"


# "Does it change cases already running?", in a word or two, then the whole answer.
RUNNING_ANSWER = {
    Effect.WAITING_STEP: "No: steps already waiting keep their date",
    Effect.TASK_DUE: "No: tasks already created keep their due date",
    Effect.NEXT_USE: "Yes, the next time it is used",
    Effect.NEXT_LETTER: "Yes, in letters made from now on",
    Effect.AT_ONCE: "Yes, within seconds",
    Effect.NOT_USED: "No: nothing uses it yet",
}
_TAKES_EFFECT = {
    Effect.WAITING_STEP: "Steps already waiting keep the date they were given. The new value "
                         "applies to steps that start waiting after the change.",
    Effect.TASK_DUE: "Tasks already created keep their due date. Tasks created after the "
                     "change are due by the new value.",
    Effect.NEXT_USE: "It applies straight away, to cases already running too, the next time "
                     "it is used: {when}.",
    Effect.NEXT_LETTER: "Letters made after the change use the new value. Letters already made "
                        "keep what they say.",
    Effect.AT_ONCE: "It applies within seconds: each scheduler reads it before every sweep.",
    Effect.NOT_USED: "Nothing in the service reads it yet ({when}), so a change has no effect "
                     "on any case for now.",
}

DP = "Direct-payment agreements"
DPM = "Direct-payment monitoring and audit"
DEBT = "Debt recovery"
PLANS = "Instalment plans and write-offs"
BREATHING = "Breathing Space"
LEGAL = "Letter of Claim and court"
DEFERRED = "Deferred payment agreements"
QUERIES = "Invoice queries"
LETTERS = "Letters and the council's details"
SCHEDULER = "Timers and the scheduler"
GROUPS = (DP, DPM, DEBT, PLANS, BREATHING, LEGAL, DEFERRED, QUERIES, LETTERS, SCHEDULER)


@dataclass(frozen=True)
class SettingGuide:
    title: str
    group: str
    effect: Effect
    when: str = ""  # for NEXT_USE: when it is read; for NOT_USED: why nothing reads it

    @property
    def running(self) -> str:
        return RUNNING_ANSWER[self.effect]

    @property
    def takes_effect(self) -> str:
        return _TAKES_EFFECT[self.effect].format(when=self.when)


_G = SettingGuide
GUIDE: dict[str, SettingGuide] = {
    "dp_reminder_1_working_days": _G("First reminder after the agreement pack", DP,
                                     Effect.WAITING_STEP),
    "dp_reminder_2_working_days": _G("Second reminder after the first", DP, Effect.WAITING_STEP),
    "dp_decision_working_days": _G("Team manager's decision after the second reminder", DP,
                                   Effect.WAITING_STEP),
    "dp_phone_call_due_working_days": _G("Phone call after the first reminder: due in", DP,
                                         Effect.TASK_DUE),
    "dp_caseworker_check_due_working_days": _G("Social worker's check: due in", DP,
                                               Effect.TASK_DUE),
    "dp_decision_due_working_days": _G("Team manager's decision: due in", DP, Effect.TASK_DUE),
    "dp_validation_due_working_days": _G("Checking a returned agreement: due in", DP,
                                         Effect.TASK_DUE),
    "dp_countersign_due_working_days": _G("Countersigning an agreement: due in", DP,
                                          Effect.TASK_DUE),
    "dp_contingency_weeks": _G("Contingency a direct-payment account may hold", DPM,
                               Effect.NEXT_USE, "at the next card check or audit, and in "
                               "letters made from then"),
    "dp_light_touch_check": _G("Light-touch check of a new direct payment", DPM,
                               Effect.NEXT_USE, "when a direct payment's monitoring starts"),
    "dp_light_touch_weeks": _G("When the light-touch check is due", DPM, Effect.NEXT_USE,
                               "when a direct payment's monitoring starts"),
    "dp_review_warning_days": _G("How long before a review is due staff are told", DPM,
                                 Effect.NEXT_USE, "when the next review is planned"),
    "dp_card_sweep": _G("Monthly check of prepaid cards", DPM, Effect.NEXT_USE,
                        "when the next monthly check is planned"),
    "dp_sweep_day_of_month": _G("Day of the month the card check runs", DPM, Effect.NEXT_USE,
                                "when the next monthly check is planned"),
    "dp_quarterly_returns": _G("Quarterly returns from own-account direct payments", DPM,
                               Effect.NEXT_USE, "when the next account check is planned"),
    "dp_quarterly_return_days": _G("When a quarterly return is asked for", DPM,
                                   Effect.NEXT_USE, "when the next account check is planned"),
    "dp_audit_response_days": _G("Time to send the documents an audit asks for", DPM,
                                 Effect.NEXT_USE, "when an audit's request letter is made"),
    "dp_audit_reminder_days": _G("Extra time the audit reminder gives", DPM, Effect.NEXT_USE,
                                 "when an audit's request letter is made"),
    "dp_repayment_days": _G("Time to repay a surplus or money asked back", DPM,
                            Effect.NEXT_LETTER),
    "dp_notice_weeks": _G("Notice that ends a direct payment", DPM, Effect.NEXT_USE,
                          "when notice is recorded"),
    "dp_surplus_return_weeks": _G("Time to return a surplus after the notice ends", DPM,
                                  Effect.NEXT_USE, "when notice is recorded"),
    "dp_blocked_categories": _G("Card spending the monthly check flags", DPM, Effect.NEXT_USE,
                                "at the next monthly check"),
    "debt_invoice_due_days": _G("When an invoice is due", DEBT, Effect.NEXT_USE,
                                "when an invoice is re-issued after an upheld query (imported "
                                "invoices carry their own due date)"),
    "debt_reminder_1_days": _G("Reminder after the invoice date", DEBT, Effect.WAITING_STEP),
    "debt_final_demand_days": _G("Final demand after the reminder", DEBT, Effect.WAITING_STEP),
    "debt_phone_contact_working_days": _G("Phone call after the final demand", DEBT,
                                          Effect.WAITING_STEP),
    "debt_referral_days": _G("Referral to a finance officer after the invoice date", DEBT,
                             Effect.WAITING_STEP),
    "debt_phone_contact_due_working_days": _G("Phone call about overdue charges: due in", DEBT,
                                              Effect.TASK_DUE),
    "debt_checklist_due_working_days": _G("Pre-legal checklist: due in", DEBT, Effect.TASK_DUE),
    "debt_engagement_due_working_days": _G("Contacting the person to seek an arrangement: "
                                           "due in", DEBT, Effect.TASK_DUE),
    "debt_guard_task_due_working_days": _G("Tasks raised by a recovery check: due in", DEBT,
                                           Effect.TASK_DUE),
    "care_end_task_due_working_days": _G("Ending care after a death: due in", DEBT,
                                         Effect.TASK_DUE),
    "instalment_missed_payment_grace_days": _G("Time to catch up after a missed instalment",
                                               PLANS, Effect.NEXT_USE,
                                               "when a missed instalment is next recorded"),
    "instalment_dd_advance_notice_days": _G("Notice before a Direct Debit changes", PLANS,
                                            Effect.NEXT_USE, "when a plan is next recorded; "
                                            "plans already agreed keep their dates"),
    "instalment_plan_max_months": _G("Longest plan without full income and expenditure",
                                     PLANS, Effect.NEXT_USE, "when a plan is next recorded"),
    "instalment_minimum_amount": _G("Smallest instalment accepted", PLANS, Effect.NEXT_USE,
                                    "when a plan is next recorded"),
    "write_off_approval_levels": _G("Who approves a write-off, by amount", PLANS,
                                    Effect.NEXT_USE, "when a write-off is next proposed; one "
                                    "already proposed keeps the approver it was given"),
    "breathing_space_review_task_days": _G("Considering a review request: due in", BREATHING,
                                           Effect.NEXT_USE, "when a Breathing Space is next "
                                           "recorded; review tasks already raised keep theirs"),
    "breathing_space_standard_days": _G("Length of a standard Breathing Space with no end date",
                                        BREATHING, Effect.NEXT_USE,
                                        "when a notice is next recorded; Breathing Spaces "
                                        "already recorded keep their end date"),
    "breathing_space_mental_health_extra_days": _G("Extra days after mental health crisis "
                                                   "treatment", BREATHING, Effect.NOT_USED,
                                                   "a crisis Breathing Space is recorded with "
                                                   "its end date"),
    "legal_task_due_working_days": _G("Tasks of the legal stage: due in", LEGAL,
                                      Effect.TASK_DUE),
    "legal_referral_due_working_days": _G("Approving a referral to Legal: due in", LEGAL,
                                          Effect.TASK_DUE),
    "default_judgment_grace_days": _G("Wait after the defence deadline before default "
                                      "judgment", LEGAL, Effect.WAITING_STEP),
    "letter_of_claim_valid_months": _G("When a Letter of Claim is too old to rely on", LEGAL,
                                       Effect.NEXT_USE, "each time a Letter of Claim's age is "
                                       "checked, letters already sent included"),
    "pap_earliest_issue_days": _G("Earliest court claim after a Letter of Claim", LEGAL,
                                  Effect.NEXT_USE, "when a Letter of Claim is next posted or a "
                                  "Reply Form recorded; other earliest issue dates stay"),
    "allow_placeholder_enclosures": _G("Letter of Claim with placeholder enclosures (demo "
                                       "only)", LEGAL, Effect.NEXT_USE,
                                       "when a Letter of Claim is next prepared"),
    "limitation_warning_first_months": _G("First warning before a debt is too old to recover",
                                          LEGAL, Effect.NOT_USED,
                                          "the warnings are not built yet"),
    "limitation_warning_second_months": _G("Second warning before a debt is too old to "
                                           "recover", LEGAL, Effect.NOT_USED,
                                           "the warnings are not built yet"),
    "post_judgment_interest_threshold": _G("Judgments that carry interest: from", LEGAL,
                                           Effect.NEXT_USE, "when a judgment is next recorded"),
    "post_judgment_interest_rate_percent": _G("Interest rate on judgments", LEGAL,
                                              Effect.NOT_USED,
                                              "interest on judgments is not worked out yet"),
    "mcol_claim_limit": _G("Largest claim Money Claim Online takes", LEGAL, Effect.NEXT_USE,
                           "when a claim is next issued"),
    "small_claims_track_limit": _G("Largest claim for the small claims track", LEGAL,
                                   Effect.NOT_USED, "the court track is not chosen here yet"),
    "court_fee_tables": _G("County Court issue fees", LEGAL, Effect.NEXT_USE,
                           "when a claim is next issued"),
    "deferred_payment_upper_capital_limit": _G("Upper capital limit for the deferred payment "
                                               "test", DEFERRED, Effect.NEXT_USE,
                                               "when a deferred payment test is next recorded"),
    "deferred_payment_interest_text": _G("Interest rate quoted in an offer", DEFERRED,
                                         Effect.NEXT_LETTER),
    "deferred_payment_rate_period_text": _G("When the quoted rate changes", DEFERRED,
                                            Effect.NEXT_LETTER),
    "credit_note_approval_threshold": _G("Largest credit note issued without approval",
                                         QUERIES, Effect.NEXT_USE,
                                         "when a credit note is next raised"),
    "credit_note_approval_levels": _G("Who approves a credit note, by amount", QUERIES,
                                      Effect.NEXT_USE, "when a credit note is next raised; "
                                      "one already waiting keeps the approver it was given"),
    "query_acknowledgment_working_days": _G("Acknowledging a query: due in", QUERIES,
                                            Effect.TASK_DUE),
    "query_resolution_target_working_days": _G("Target to resolve a query", QUERIES,
                                               Effect.WAITING_STEP),
    "query_manager_escalation_working_days": _G("Passing a query to the team manager", QUERIES,
                                                Effect.WAITING_STEP),
    "council": _G("The council's name, address and contact details", LETTERS,
                  Effect.NEXT_LETTER),
    "letters_needing_approval": _G("Letters an officer approves before the print batch",
                                   LETTERS, Effect.NEXT_USE, "when a letter is next made; "
                                   "letters already in the print batch stay there"),
    "dp_permitted_uses_text": _G("What a direct payment may be spent on", LETTERS,
                                 Effect.NEXT_LETTER),
    "dp_prohibited_uses_text": _G("What a direct payment may not be spent on", LETTERS,
                                  Effect.NEXT_LETTER),
    "dp_monitoring_requirements": _G("Monitoring requirements in the agreement", LETTERS,
                                     Effect.NEXT_LETTER),
    "dp_records_to_keep": _G("Records the person must keep", LETTERS, Effect.NEXT_LETTER),
    "dp_alternative_arrangements_text": _G("What happens when a direct payment does not go "
                                           "ahead", LETTERS, Effect.NEXT_LETTER),
    "dp_audit_documents": _G("Documents an own-account audit asks for", DPM,
                             Effect.NEXT_LETTER),
    "dp_repayment_methods_text": _G("How to repay direct-payment money", DPM,
                                    Effect.NEXT_LETTER),
    "complaints_route_text": _G("How to complain, on decision letters", LETTERS,
                                Effect.NEXT_LETTER),
    "scheduler_interval_seconds": _G("Pause between scheduler sweeps", SCHEDULER,
                                     Effect.AT_ONCE),
    "timer_batch_size": _G("Timers a scheduler takes at a time", SCHEDULER, Effect.AT_ONCE),
}


def guide(key: str) -> SettingGuide:
    """The words for a setting; a setting without any is a mistake the tests catch."""
    return GUIDE[key]
