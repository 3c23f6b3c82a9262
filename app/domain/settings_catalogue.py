"""Every setting the service knows: its DOMAIN.md default, what it means and what a valid value is.

Pure (no database, no app): app/services/settings.py stores changes and reads the value in force;
this module decides what may be stored. Money and percentages are strings of a Decimal ("1234.56"),
never JSON numbers, because a float cannot hold every amount in pence exactly.

DOMAIN.md says "fees and rates change … keep them in configuration, not code", and (a) says the
intervals marked DESIGN ASSUMPTION are settings with these defaults, not constants. Legal minimums
(the 30 days of the Pre-Action Protocol, limitation itself, Breathing Space) stay enforced by
services whatever a setting says, and a period that protects the debtor cannot be set below the law.
Statutory thresholds and court fees are settings so that a change in the law needs no release.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any, Callable

from app.errors import NotFound, ValidationFailed

from .setting_values import CLEANERS, PENNY, UNITS, WRITE_OFF_ROLES  # noqa: F401

DESIGN_ASSUMPTION = "DESIGN ASSUMPTION"
GAP = "GAP: no published figure; DESIGN ASSUMPTION"
PRACTICE = "published council practice"
LAW = "law"
HOUSE = "the council's own wording and details"



@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, kind of value, default, and where in DOMAIN.md the default is from."""
    key: str
    type: str
    default: Any
    summary: str
    source: str
    basis: str
    minimum: int | None = None
    maximum: int | None = None

    @property
    def design_assumption(self) -> bool:
        return self.basis in (DESIGN_ASSUMPTION, GAP)

    @property
    def description(self) -> str:
        return f"{self.summary} Default from DOMAIN.md {self.source} ({self.basis})."


def _days(key: str, default: int, unit: str, summary: str, source: str, basis: str,
          minimum: int = 1, maximum: int | None = None) -> SettingSpec:
    """A whole-number interval; bounds default to what no council policy would exceed."""
    limits = {"working_days": 60, "calendar_days": 365, "weeks": 52, "months": 72}
    return SettingSpec(key, unit, default, summary, source, basis, minimum,
                       maximum or limits[unit])


# --- defaults ------------------------------------------------------------------------------------
COUNCIL_HEADER = {
    "name": "Example County Council",
    "address_lines": ["Adult Social Care Finance", "County Hall", "Example Town"],
    "postcode": "EX1 1AA",
    "team_name": "Adult Social Care Finance Team",
    "phone": "01234 567890",
    "email": "ascfinance@example.gov.uk",
    "hours": "Monday to Friday, 9am to 5pm",
    "logo": "",
}

# DOMAIN.md §2.4 [S35], "as at 16 September 2021" [S36]: the same fee online or on paper, on the
# claim plus interest. Scenario 5: £3,250.00 falls in £3,000.01–£5,000 = £205.
COURT_FEES_2021: dict[str, Any] = {"effective_from": "2021-09-16", "bands": [
    {"from": "0.01", "to": "300.00", "fee": "35.00"},
    {"from": "300.01", "to": "500.00", "fee": "50.00"},
    {"from": "500.01", "to": "1000.00", "fee": "70.00"},
    {"from": "1000.01", "to": "1500.00", "fee": "80.00"},
    {"from": "1500.01", "to": "3000.00", "fee": "115.00"},
    {"from": "3000.01", "to": "5000.00", "fee": "205.00"},
    {"from": "5000.01", "to": "10000.00", "fee": "455.00"},
    {"from": "10000.01", "to": "200000.00", "percent": "5"},
    {"from": "200000.01", "to": None, "fee": "10000.00"},
]}

# DOMAIN.md A.3-WO: approver by threshold, configurable [S117][S118][S80]. £1,000 follows the first
# band of Reigate & Banstead [S117]; over £10,000 councils also report to members [S118][S80],
# which happens outside this service.
WRITE_OFF_LEVELS: list[dict[str, Any]] = [{"up_to": "1000.00", "role": "finance_officer"},
                                          {"up_to": None, "role": "finance_manager"}]
COURT_FEE_DEFAULT: list[dict[str, Any]] = [COURT_FEES_2021]
CREDIT_NOTE_LEVELS: list[dict[str, Any]] = [{"up_to": "1000.00", "role": "finance_officer"},
                                            {"up_to": None, "role": "finance_manager"}]

CATALOGUE: tuple[SettingSpec, ...] = (
    # A.1 direct-payment agreement chasing: no published intervals (§3.5 GAP).
    _days("dp_reminder_1_working_days", 10, "working_days",
          "T1: reminder 1 when the signed agreement is not back this many working days after "
          "the pack was sent.", "A.1 step 3", DESIGN_ASSUMPTION),
    _days("dp_reminder_2_working_days", 10, "working_days",
          "T2: reminder 2 and the social worker's check this many working days after reminder 1.",
          "A.1 step 4", DESIGN_ASSUMPTION),
    _days("dp_decision_working_days", 10, "working_days",
          "T3: the team manager's decision this many working days after reminder 2 (and after an "
          "extension).", "A.1 step 5", DESIGN_ASSUMPTION),
    _days("dp_phone_call_due_working_days", 2, "working_days",
          "The phone call after reminder 1 is due this many working days after it.",
          "A.1 step 4", DESIGN_ASSUMPTION),
    _days("dp_caseworker_check_due_working_days", 5, "working_days",
          "The social worker's check after reminder 2 is due this many working days after it.",
          "A.1 step 5", DESIGN_ASSUMPTION),
    _days("dp_decision_due_working_days", 5, "working_days",
          "The team manager's decision task is due this many working days after it is created.",
          "A.1 step 6", DESIGN_ASSUMPTION),
    _days("dp_validation_due_working_days", 2, "working_days",
          "Validating a returned agreement is due this many working days after it arrives.",
          "A.1 step 7", DESIGN_ASSUMPTION),
    _days("dp_countersign_due_working_days", 3, "working_days",
          "Countersigning a valid agreement is due this many working days after validation.",
          "A.1 step 8", DESIGN_ASSUMPTION),
    _days("dp_contingency_weeks", 8, "weeks",
          "Contingency a direct-payment account may hold, in weeks of the weekly payment.",
          "A.2 step 3 [S69]; configurable 4–10 [S67][S72]", PRACTICE, 4, 10),
    # A.2 direct-payment monitoring and audit.
    SettingSpec("dp_light_touch_check", "boolean", True,
                "Whether a light-touch check of a new direct payment is made about 12 weeks "
                "after its first payment.", "A.2 step 2 (Wigan, Gateshead [S65][S71])", PRACTICE),
    _days("dp_light_touch_weeks", 12, "weeks",
          "The light-touch check is due this many weeks after the first payment.",
          "A.2 step 2 [S65][S71]", PRACTICE, 4, 26),
    _days("dp_review_warning_days", 28, "calendar_days",
          "The review-due letter and the review task come this many days before a statutory "
          "review is due.", "A.2 step 2 (warn at -28 days) [S59]", DESIGN_ASSUMPTION, 7, 90),
    SettingSpec("dp_card_sweep", "boolean", True,
                "Whether prepaid-card accounts are checked every month (balance against the "
                "contingency, contributions paid in, blocked spending).",
                "A.2 step 2-3 (Gateshead [S71])", PRACTICE),
    _days("dp_sweep_day_of_month", 1, "calendar_days",
          "The day of each month the card check runs.", "A.2 step 3", DESIGN_ASSUMPTION, 1, 28),
    SettingSpec("dp_quarterly_returns", "boolean", False,
                "Whether own-account direct payments send quarterly returns (otherwise they are "
                "audited once a year).", "A.2 step 2 (Sefton, Haringey [S67][S68])", PRACTICE),
    _days("dp_quarterly_return_days", 28, "calendar_days",
          "A quarterly return is asked for this many days after the quarter ends.",
          "A.2 step 2 (quarter end + N days [S67][S68])", DESIGN_ASSUMPTION, 1, 90),
    _days("dp_audit_response_days", 28, "calendar_days",
          "The person has this many days to send the documents an audit asks for.",
          "A.2 step 4 (Haringey [S68])", PRACTICE, 14, 90),
    _days("dp_audit_reminder_days", 14, "calendar_days",
          "The audit reminder gives this many more days.", "A.2 step 4 [S68]", PRACTICE, 7, 60),
    _days("dp_repayment_days", 14, "calendar_days",
          "A surplus or a repayment asked for is due this many days after the letter.",
          "A.2 step 5 (St Helens, two weeks [S69])", PRACTICE, 14, 90),
    _days("dp_notice_weeks", 4, "weeks",
          "Notice that ends a direct payment, in weeks.", "A.2 step 6 (Gloucestershire [S64])",
          PRACTICE, 4, 13),
    _days("dp_surplus_return_weeks", 4, "weeks",
          "A surplus at the end of a direct payment is returned within this many weeks after "
          "the notice ends.", "A.2 step 6 (Worcestershire [S70])", PRACTICE, 1, 13),
    SettingSpec("dp_blocked_categories", "text_list", [
        "gambling", "alcohol", "tobacco", "cash withdrawal"],
        "Card spending the monthly check treats as a hit (merchant categories, as the card "
        "provider names them).", "A.2 step 3 (Oldham's list [S146])", PRACTICE),
    # A.3 debt-recovery ladder.
    _days("debt_invoice_due_days", 21, "calendar_days",
          "An invoice is due this many days after its date.", "A.3 step 1 (Cheshire West [S82])",
          PRACTICE, 0, 60),
    _days("debt_reminder_1_days", 28, "calendar_days",
          "R1: reminder 1 this many days after the invoice date (then the next working day).",
          "A.3 step 2", DESIGN_ASSUMPTION, 1, 120),
    _days("debt_final_demand_days", 14, "calendar_days",
          "R2: the final demand this many days after reminder 1 (then the next working day).",
          "A.3 step 3", DESIGN_ASSUMPTION, 1, 90),
    _days("debt_phone_contact_working_days", 5, "working_days",
          "P: the finance assistant's phone-contact task this many working days after the final "
          "demand.", "A.3 step 4 (letter then phone [S8])", DESIGN_ASSUMPTION, 1, 30),
    _days("debt_referral_days", 60, "calendar_days",
          "REF: referral to the finance officer (debt recovery) this many days after the invoice "
          "date.", "A.3 step 5 (Gloucestershire [S7]; Luton 50 days [S80])", PRACTICE, 14, 365),
    _days("debt_phone_contact_due_working_days", 2, "working_days",
          "The phone-contact task is due this many working days after it is created.",
          "A.3 step 4", DESIGN_ASSUMPTION, 1, 20),
    _days("debt_checklist_due_working_days", 5, "working_days",
          "The finance officer's pre-legal checklist is due this many working days after referral.",
          "A.3 step 5", DESIGN_ASSUMPTION, 1, 30),
    _days("debt_engagement_due_working_days", 10, "working_days",
          "The officer's engagement task (letter, then a call) is due this many working days "
          "after the introduction letter.", "A.3 step 6 (letter then phone [S8])",
          DESIGN_ASSUMPTION, 1, 30),
    _days("debt_guard_task_due_working_days", 5, "working_days",
          "Tasks raised by a recovery guard (representation, estate, write-off) are due this many "
          "working days after they are raised.", "(a) global guards", DESIGN_ASSUMPTION, 1, 30),
    _days("care_end_task_due_working_days", 2, "working_days",
          "After a death is recorded, the task to end each care package still running is due "
          "this many working days later, so providers stop billing for care not given.",
          "A.3-D (a death recorded)", DESIGN_ASSUMPTION, 1, 20),
    _days("legal_task_due_working_days", 5, "working_days",
          "Tasks of the legal stage (approving the Letter of Claim, issuing the claim, "
          "recording the response and judgment) are due this many working days after they "
          "are created.", "A.3 steps 7-11", DESIGN_ASSUMPTION, 1, 30),
    _days("legal_referral_due_working_days", 3, "working_days",
          "The manager's approval of a referral to Legal is due this many working days after "
          "the earliest issue date.", "A.3 step 9", DESIGN_ASSUMPTION, 1, 30),
    _days("default_judgment_grace_days", 2, "calendar_days",
          "Wait this many days after the defence deadline before asking for default judgment, "
          "for a response already in the post.", "A.3 step 10 [S40]", DESIGN_ASSUMPTION, 1, 14),
    SettingSpec("deferred_payment_upper_capital_limit", "money", "23250.00",
                "Upper capital limit for the deferred payment test (capital excluding the "
                "home).", "§1.6 [S22]", LAW),
    SettingSpec("deferred_payment_interest_text", "text",
                "the national maximum rate set every six months (the gilt rate plus 0.15%)",
                "The interest rate quoted in a deferred payment offer.", "§1.6 [S11][S15]",
                HOUSE),
    SettingSpec("deferred_payment_rate_period_text", "text",
                "the rate changes on 1 January and 1 July each year",
                "The period the quoted deferred payment rate applies to.", "§1.6 [S11]", HOUSE),
    SettingSpec("allow_placeholder_enclosures", "boolean", False,
                "Let a Letter of Claim go out while its enclosures are still placeholders "
                "(demo data only, never in production).", "issue 6", HOUSE),
    _days("letter_of_claim_valid_months", 3, "months",
          "A Letter of Claim is treated as stale after this many months; a new one is sent.",
          "§2.3 (defaults and stale letters)", DESIGN_ASSUMPTION, 1, 12),
    _days("pap_earliest_issue_days", 31, "calendar_days",
          "House rule: earliest claim issue = the next working day this many days after the "
          "letter date and after deemed service; never below 31, so the Pre-Action Protocol's 30 "
          "days always pass first.", "A.3 step 7 [S30][S32]", DESIGN_ASSUMPTION, 31, 90),
    _days("instalment_missed_payment_grace_days", 7, "calendar_days",
          "After a missed instalment the person has this many days to bring the plan up to date.",
          "A.3-IP (weak evidence, configurable)", DESIGN_ASSUMPTION, 1, 60),
    _days("instalment_dd_advance_notice_days", 10, "calendar_days",
          "Advance notice of a Direct Debit date or amount change.", "A.3-IP (Harrow [S88])",
          PRACTICE, 1, 60),
    _days("instalment_plan_max_months", 12, "months",
          "A plan longer than this needs full income and expenditure plus evidence.",
          "A.3-IP (Torbay analogy [S126])", PRACTICE, 1, 72),
    SettingSpec("instalment_minimum_amount", "money", "0.00",
                "Smallest instalment accepted; 0.00 means no minimum.", "A.3-IP", GAP),
    _days("breathing_space_review_task_days", 20, "calendar_days",
          "The task to consider a review request is due this many days after a Breathing Space "
          "starts (or the debt is added to it).", "scenario 7 [S106]", LAW, 1, 60),
    _days("breathing_space_standard_days", 60, "calendar_days",
          "Length of a standard Breathing Space when the notice gives no end date; never below "
          "the statutory 60 days.", "§0 row 16 [S106]", LAW, 60, 120),
    _days("breathing_space_mental_health_extra_days", 30, "calendar_days",
          "A mental health crisis Breathing Space lasts the crisis treatment plus this many days; "
          "never below the statutory 30.", "§0 row 16 [S106]", LAW, 30, 90),
    _days("limitation_warning_first_months", 12, "months",
          "First warning this many months before a debt's limitation expiry (due date + 6 years).",
          "(a) global guard 6 [S1]", DESIGN_ASSUMPTION, 2, 36),
    _days("limitation_warning_second_months", 6, "months",
          "Second warning this many months before limitation expiry; fewer than the first.",
          "(a) global guard 6 [S1]", DESIGN_ASSUMPTION, 1, 24),
    SettingSpec("post_judgment_interest_threshold", "money", "5000.00",
                "Statutory interest runs on county court judgments of this amount or more.",
                "§2.4 Judgment [S44][S45]", LAW),
    SettingSpec("post_judgment_interest_rate_percent", "percentage", "8",
                "Statutory interest rate on those judgments, percent a year.",
                "§2.4 Judgment [S44][S45]", LAW),
    SettingSpec("mcol_claim_limit", "money", "100000.00",
                "Money Claim Online takes specified sums under this amount only.",
                "§2.4 Issue route (PD 7E [S37])", LAW),
    SettingSpec("small_claims_track_limit", "money", "10000.00",
                "Claims up to this amount normally go to the small claims track.",
                "§2.4 Tracks [S47]", LAW),
    SettingSpec("letters_needing_approval", "template_names", [],
                "Letter templates that wait for an officer's approval before the print batch, "
                "on top of those that always do (legal letters).",
                "ARCHITECTURE.md Service tasks, letters and messages", HOUSE),
    SettingSpec("write_off_approval_levels", "write_off_levels", WRITE_OFF_LEVELS,
                "Who approves a write-off, by amount: the first level whose up_to covers it "
                "(null = any amount).", "A.3-WO [S117][S118][S80]", DESIGN_ASSUMPTION),
    SettingSpec("court_fee_tables", "court_fee_tables", COURT_FEE_DEFAULT,
                "County Court issue fees by claim amount (claim plus interest), each table in "
                "force from its date until the next one.", "§2.4 Issue fees [S35][S36]", LAW),
    # A.4 step 5 credit notes: up to the threshold a note is issued at once; above it the level
    # table names who approves it, never its author (issue 20).
    SettingSpec("credit_note_approval_threshold", "money", "100.00",
                "A credit note for up to this amount is issued at once; a larger one waits for "
                "approval by someone other than its author.", "A.4 step 5", DESIGN_ASSUMPTION),
    SettingSpec("credit_note_approval_levels", "write_off_levels", CREDIT_NOTE_LEVELS,
                "Who approves a credit note above the threshold, by amount: the first level "
                "whose up_to covers it (null = any amount).", "A.4 step 5", DESIGN_ASSUMPTION),
    # A.4 invoice queries.
    _days("query_acknowledgment_working_days", 3, "working_days",
          "A query is acknowledged within this many working days.", "A.4 step 2",
          DESIGN_ASSUMPTION, 1, 20),
    _days("query_resolution_target_working_days", 10, "working_days",
          "Target to resolve a query; at this point it escalates to a senior finance assistant.",
          "A.4 step 4", DESIGN_ASSUMPTION, 1, 60),
    _days("query_manager_escalation_working_days", 20, "working_days",
          "An unresolved query escalates to the team manager, with a holding letter, after this "
          "many working days; more than the resolution target.", "A.4 step 4",
          DESIGN_ASSUMPTION, 2, 120),
    # The scheduler (issue 16): read by each scheduler process before every sweep.
    SettingSpec("scheduler_interval_seconds", "seconds", 2,
                "Seconds a scheduler waits after a sweep that left nothing due before the next; "
                "a timer fires at most this long after it falls due. The environment's "
                "CASEWORK_SCHEDULER_INTERVAL, when set, overrides it.",
                "issue 16 (timers that scale out)", DESIGN_ASSUMPTION, 1, 60),
    SettingSpec("timer_batch_size", "timers", 20,
                "Due timers a scheduler claims at a time. Each claim is held for three seconds a "
                "timer, so a scheduler that dies leaves at most this many timers to wait for "
                "that long before another scheduler fires them.",
                "issue 16 (timers that scale out)", DESIGN_ASSUMPTION, 1, 200),
    # Letter wording and the council's details (DOMAIN.md (b)).
    SettingSpec("council", "letter_header", COUNCIL_HEADER,
                "The header and contacts on every letter: council name and address, team, "
                "phone, email, hours and an optional logo (a data: URI of a small PNG or JPEG).",
                "(b) common header/footer block", HOUSE),
    SettingSpec("dp_permitted_uses_text", "text",
                "the care and support needs set out in your support plan",
                "What a direct payment may be spent on (agreement letter).",
                "(b) DP-AGR-01 dp.permitted_uses_summary; Care Act s33(3) [S61]", HOUSE),
    SettingSpec("dp_prohibited_uses_text", "text",
                "anything not in your support plan, including household bills, alcohol or "
                "tobacco, gambling, and paying a close relative who lives with you without our "
                "written agreement",
                "What a direct payment may not be spent on (agreement letter).",
                "(b) DP-AGR-01 dp.prohibited_uses; §3.2 [S134], Oldham [S146]", HOUSE),
    SettingSpec("dp_monitoring_requirements", "text_list", [
        "keep the direct payment in its own account or on the payment card",
        "send us bank statements or evidence of spending when we ask",
        "pay your assessed contribution into the account"],
        "The monitoring requirements listed in the agreement.",
        "(b) DP-AGR-01 dp.monitoring_requirements; §3.3 [S63]", HOUSE),
    SettingSpec("dp_records_to_keep", "text_list", [
        "bank statements", "receipts and invoices", "payslips and timesheets for any carers",
        "employer's liability insurance"],
        "The records the person must keep, listed in the agreement.",
        "(b) DP-AGR-01 dp.records_to_keep; §3.3 [S65][S66]", HOUSE),
    SettingSpec("dp_alternative_arrangements_text", "text",
                "Your social worker will contact you to arrange the care and support you need in "
                "another way, for example services arranged by the council.",
                "What happens instead when a direct payment does not go ahead.",
                "(b) DP-AGR-STOP alternative_arrangements; §3.5 (Care Act s18 [S62])", HOUSE),
    SettingSpec("dp_audit_documents", "text_list", [
        "bank statements for the direct payment account for the whole period",
        "receipts and invoices for what the direct payment paid for",
        "payslips and timesheets for any personal assistants",
        "records of tax and pension payments for any personal assistants",
        "the employer's liability insurance certificate",
        "proof that the assessed contribution was paid into the account"],
        "The documents an audit of an own-account direct payment asks for.",
        "(b) DP-AUD-REQ documents_required; §3.3 [S65][S66][S73]", HOUSE),
    SettingSpec("dp_repayment_methods_text", "text",
                "You can pay by debit or credit card by calling us on the number at the top of "
                "this letter, or by bank transfer: ask us for the council's bank details. "
                "Please quote the reference at the top of this letter.",
                "How to repay direct-payment money (surplus and repayment letters).",
                "(b) DP-SURPLUS payment_details, DP-REPAY payment_options", HOUSE),
    SettingSpec("complaints_route_text", "text",
                "If you are unhappy with this decision you can complain to the council's Adult "
                "Social Care complaints team, and then to the Local Government and Social Care "
                "Ombudsman.",
                "The complaints route printed on decision letters.",
                "(b) complaints_route; A.4 step 6 [S101][S115]", HOUSE),
)
_BY_KEY = {s.key: s for s in CATALOGUE}
# (smaller, larger): a change that breaks the order is refused.
ORDERED_PAIRS = (("limitation_warning_second_months", "limitation_warning_first_months"),
                 ("query_resolution_target_working_days", "query_manager_escalation_working_days"))


def spec(key: str) -> SettingSpec:
    """The catalogue entry for a key; NotFound for anything else (internal keys included)."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise NotFound(f"no setting named '{key}'") from None


def keys() -> list[str]:
    return [s.key for s in CATALOGUE]


def defaults() -> dict[str, Any]:
    """A fresh copy of every default, so callers cannot change the catalogue by accident."""
    return {s.key: copy.deepcopy(s.default) for s in CATALOGUE}


def clean(key: str, value: Any) -> Any:
    """The value as stored (money normalised to pence), or ValidationFailed naming each problem."""
    entry = spec(key)
    problems: list[dict[str, str]] = []
    result = CLEANERS[entry.type](value, entry, "value", problems)
    if problems:
        raise ValidationFailed(f"'{key}' cannot take that value", problems)
    return result


def order_problems(key: str, value: Any, current: Callable[[str], Any]) -> list[dict[str, str]]:
    """Problems with a new value against the settings it must stay below or above."""
    problems = []
    for smaller, larger in ORDERED_PAIRS:
        if key == smaller and not value < current(larger):
            problems.append({"field": "value", "message": f"must be less than {larger} "
                                                          f"({current(larger)})"})
        elif key == larger and not value > current(smaller):
            problems.append({"field": "value", "message": f"must be more than {smaller} "
                                                          f"({current(smaller)})"})
    return problems


# --- rules that read the tables ------------------------------------------------------------------
def court_fee(amount: Decimal, on: date, tables: list[dict] | None = None) -> Decimal:
    """The County Court issue fee for a claim of `amount` (claim plus interest, DOMAIN.md §2.4).

    Uses the table in force on `on` (the latest `effective_from` on or before it). A percentage band
    is rounded down to the penny (GAP: DOMAIN.md gives "5%" without a rounding rule).
    """
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    if isinstance(on, datetime) or not isinstance(on, date):
        raise TypeError("on must be a date (a Europe/London business date), not a datetime")
    if amount <= 0:
        raise ValueError("a claim must be for more than £0.00")
    in_force = [t for t in (COURT_FEE_DEFAULT if tables is None else tables)
                if date.fromisoformat(t["effective_from"]) <= on]
    if not in_force:
        raise LookupError(f"no court fee table is in force on {on.isoformat()}")
    table = max(in_force, key=lambda t: t["effective_from"])
    for band in table["bands"]:
        if band["to"] is None or amount <= Decimal(band["to"]):
            if "percent" in band:
                return (amount * Decimal(band["percent"]) / 100).quantize(PENNY, ROUND_DOWN)
            return Decimal(band["fee"])
    raise LookupError("the court fee table has no open-ended top band")  # clean() prevents this


def write_off_approver(amount: Decimal, levels: list[dict] | None = None) -> str:
    """The role to approve writing off `amount`: the first level covering it (DOMAIN.md A.3-WO)."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    if amount <= 0:
        raise ValueError("a write-off must be for more than £0.00")
    for level in WRITE_OFF_LEVELS if levels is None else levels:
        if level["up_to"] is None or amount <= Decimal(level["up_to"]):
            return level["role"]
    raise LookupError("the write-off levels have no open-ended top level")  # clean() prevents this
