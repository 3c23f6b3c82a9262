"""The letter templates we hold: ID, version, kind of matter, approval and required fields.

Each entry matches ``letter_templates/{name}.docx`` (built by ``tools/build_letter_templates.py``).
``required`` lists the template's own fields; ``COMMON_REQUIRED`` applies to every letter. Bump
``version`` whenever a template's wording changes: ``letter.ref`` ("DP-AGR-R1 v1") prints it, so a
stored letter always says which wording it was made from.

Placeholder enclosures. The Letter of Claim (PAP-LOC) must enclose the Information Sheet and Reply
Form (Annex 1 of the Pre-Action Protocol for Debt Claims) and a Financial Statement (Annex 2).
Their official wording is not in this repository, so ``pap_information_sheet``,
``pap_reply_form`` and ``pap_financial_statement`` ship with ``placeholder=True``: each says in
bold where the official text goes, and ``placeholder_enclosures`` lets the service refuse to
issue a Letter of Claim while any enclosure is still a placeholder. To replace one:

1. take the current official text of the annex from the published protocol (Civil Procedure
   Rules, Pre-Action Protocol for Debt Claims, Annex 1 or Annex 2);
2. put it in the enclosure's body function in ``tools/build_letter_templates.py`` in place of
   the placeholder paragraph (keep the reference block at the top);
3. here, set ``placeholder=False`` and bump ``version``;
4. re-run the builder and commit the rebuilt ``letter_templates/{name}.docx`` with both changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.letters.errors import LetterError


@dataclass(frozen=True)
class TemplateInfo:
    """One letter template: what it is about and which fields it cannot do without."""

    name: str
    ref: str
    version: int
    title: str
    matter: str  # "benefits" | "capital_or_property" | "general" | "direct_payment" | "internal"
    needs_approval: bool
    required: tuple[str, ...]
    # True while the template stands in for official wording we do not hold (see above).
    placeholder: bool = False
    # The plain name staff use for the letter on pages ("Reminder 2 — direct payment agreement")
    # when the document's own title is worded for the recipient; empty means the title is it.
    staff_name: str = ""

    @property
    def display_name(self) -> str:
        """What pages call the letter: its staff name, else its title."""
        return self.staff_name or self.title

    @property
    def ref_and_version(self) -> str:
        """What ``letter.ref`` prints, e.g. "DP-AGR-R1 v1"."""
        return f"{self.ref} v{self.version}"


# The common header/footer block of DOMAIN.md (b); build_context fills all of it.
COMMON_REQUIRED: tuple[str, ...] = (
    "council.name",
    "council.address_lines",
    "council.postcode",
    "council.phone",
    "council.email",
    "council.hours",
    "council.team_name",
    "letter.ref",
    "letter.date",
    "our_ref",
    "recipient.full_name",
    "recipient.address_lines",
    "recipient.postcode",
    "salutation",
    "subject.full_name",
    "subject.person_id",
    "officer.name",
    "advice.signposts",
    "accessible_formats_text",
)

_DP = "direct_payment"
# Court action and DPAs concern capital: only a deputy or P&F attorney may act (addressing.py).
_PROPERTY = "capital_or_property"
_REMINDER = ("agreement.sent_date", "return_by_date", "contact_for_help")
# The debt ladder's reminder and final demand share these; the texts have defaults in context.py.
_OVERDUE = (
    "invoices_overdue",
    "total_overdue",
    "pay_by_date",
    "payment_methods",
    "arrangement_offer_text",
    "hardship_text",
    "query_contact",
)

TEMPLATES: dict[str, TemplateInfo] = {
    info.name: info
    for info in (
        TemplateInfo(
            name="dp_agreement",
            ref="DP-AGR-01",
            version=1,
            title="Direct payment agreement",
            staff_name="Direct payment agreement pack",
            matter=_DP,
            needs_approval=False,
            required=(
                "dp.agreement_id",
                "dp.variant",
                "dp.start_date",
                "dp.amount",
                "dp.frequency",
                "dp.gross_or_net",
                "client.contribution_amount",
                "client.contribution_frequency",
                "dp.account_type",
                "dp.support_plan_ref",
                "dp.permitted_uses_summary",
                "dp.prohibited_uses",
                "dp.contingency_weeks",
                "dp.monitoring_requirements",
                "dp.records_to_keep",
                "dp.records_retention_years",
                "dp.first_review_by",
                "dp.notice_period_weeks",
                "dp.decrease_notice_weeks",
                "signatories",
                "council.signatory",
                "return_by_date",
                "return_address",
            ),
        ),
        TemplateInfo(
            name="dp_reminder_1",
            ref="DP-AGR-R1",
            version=1,
            title="Direct payment agreement: reminder",
            staff_name="Reminder 1 — direct payment agreement",
            matter=_DP,
            needs_approval=False,
            required=_REMINDER,
        ),
        TemplateInfo(
            name="dp_reminder_2",
            ref="DP-AGR-R2",
            version=1,
            title="Direct payment agreement: second reminder",
            staff_name="Reminder 2 — direct payment agreement",
            matter=_DP,
            needs_approval=False,
            required=(*_REMINDER, "social_worker.name", "consequence_text"),
        ),
        TemplateInfo(
            name="dp_missing_information",
            ref="DP-AGR-MISS",
            version=1,
            title="Direct payment agreement: information missing",
            staff_name="Information missing — direct payment agreement",
            matter=_DP,
            needs_approval=False,
            required=("missing_items", "return_by_date", "contact_for_help"),
        ),
        TemplateInfo(
            name="dp_confirmation",
            ref="DP-AGR-CONF",
            version=1,
            title="Direct payment agreement confirmed",
            staff_name="Confirmation — direct payment agreement",
            matter=_DP,
            needs_approval=False,
            required=(
                "dp.amount",
                "dp.frequency",
                "first_payment_date",
                "payment_schedule",
                "first_review_by",
            ),
        ),
        TemplateInfo(
            name="dp_not_proceeding",
            ref="DP-AGR-STOP",
            version=1,
            title="Direct payment not going ahead",
            staff_name="Direct payment not going ahead",
            matter=_DP,
            needs_approval=False,
            required=("reason", "alternative_arrangements", "complaints_route"),
        ),
        # ------------------------------------------------ direct-payment monitoring (A.2)
        TemplateInfo(
            name="dp_review_due",
            ref="DP-REVIEW",
            version=1,
            title="Your direct payment review is due",
            staff_name="Review due — direct payment",
            matter=_DP,
            needs_approval=False,
            required=("review_reason", "review_due_date", "who_will_contact", "how_to_prepare"),
        ),
        TemplateInfo(
            name="dp_audit_request",
            ref="DP-AUD-REQ",
            version=1,
            title="Direct payment check: information we need",
            staff_name="Audit request — direct payment",
            matter=_DP,
            needs_approval=False,
            required=("audit_ref", "account_type", "period_from", "period_to",
                      "documents_required", "return_by_date"),
        ),
        TemplateInfo(
            name="dp_audit_reminder",
            ref="DP-AUD-R1",
            version=1,
            title="Direct payment check: reminder",
            staff_name="Audit reminder — direct payment",
            matter=_DP,
            needs_approval=False,
            required=("audit_ref", "original_request_date", "return_by_date",
                      "documents_required", "consequence_text"),
        ),
        TemplateInfo(
            name="dp_account_reviewed",
            ref="DP-AUD-OK",
            version=1,
            title="Direct payment check: account reviewed",
            staff_name="Account reviewed — direct payment",
            matter=_DP,
            needs_approval=False,
            required=("audit_ref", "review_date", "next_review_by", "observations"),
        ),
        TemplateInfo(
            name="dp_surplus_notice",
            ref="DP-SURPLUS",
            version=1,
            title="Direct payment: money to be returned",
            staff_name="Surplus notice — direct payment",
            matter=_DP,
            needs_approval=False,
            required=("audit_ref", "weekly_dp_amount", "contingency_weeks",
                      "contingency_amount", "balance_date", "balance_at_date",
                      "outstanding_commitments", "surplus_amount", "recovery_method",
                      "recovery_date", "payment_details", "right_to_discuss"),
        ),
        TemplateInfo(
            name="dp_repayment_required",
            ref="DP-REPAY",
            version=1,
            title="Direct payment: money you need to repay",
            staff_name="Repayment required — direct payment",
            matter=_DP,
            needs_approval=False,
            required=("decision_date", "decision_maker", "reasons", "total_repayable",
                      "repay_by_date", "payment_options", "instalment_offer",
                      "right_to_request_reconsideration", "complaints_route"),
        ),
        TemplateInfo(
            name="dp_s33_decision",
            ref="DP-S33",
            version=1,
            title="Our decision about your direct payment",
            staff_name="Decision on the direct payment",
            matter=_DP,
            needs_approval=False,
            required=("decision", "decision_date", "decision_maker", "effective_date",
                      "reasons", "right_to_request_reconsideration", "complaints_route"),
        ),
        TemplateInfo(
            name="dp_termination",
            ref="DP-TERM",
            version=1,
            title="Your direct payment is ending",
            staff_name="Direct payment ending",
            matter=_DP,
            needs_approval=False,
            required=("effective_date", "notice_period_weeks", "reasons", "alternative_support",
                      "final_audit_info", "surplus_return_deadline"),
        ),
        TemplateInfo(
            name="dp_executor",
            ref="DP-DEATH",
            version=1,
            title="Direct payment account after a death",
            staff_name="Letter to the executor — direct payment",
            matter=_DP,
            needs_approval=False,
            required=("deceased.name", "date_of_death", "account_details",
                      "funds_not_part_of_estate_text", "liabilities_to_settle",
                      "final_statement_request", "return_by_date"),
        ),
        TemplateInfo(
            name="debt_reminder_1",
            ref="DR-R1",
            version=1,
            title="Reminder: your care charges are overdue",
            staff_name="Reminder — overdue care charges",
            matter="general",
            needs_approval=False,
            required=_OVERDUE,
        ),
        TemplateInfo(
            name="debt_final_demand",
            ref="DR-FD",
            version=1,
            title="Final demand",
            matter="general",
            needs_approval=False,
            required=(
                *_OVERDUE,
                "previous_reminder_date",
                "deadline_date",
                "consequence_text",
                "income_expenditure_form",
                "breathing_space_text",
            ),
        ),
        TemplateInfo(
            name="debt_recovery_contact",
            ref="DR-CONTACT",
            version=1,
            title="Your care charges: the debt recovery team",
            staff_name="Debt recovery contact letter",
            matter="general",
            needs_approval=False,
            required=("total_arrears", "aged_breakdown", "request_call_by", "home_visit_option"),
        ),
        TemplateInfo(
            name="instalment_confirmation",
            ref="DR-IP-CONF",
            version=1,
            title="Your instalment arrangement",
            staff_name="Instalment arrangement confirmed",
            matter="general",
            needs_approval=False,
            required=(
                "arrears_total",
                "instalment_amount",
                "final_payment_amount",
                "frequency",
                "first_date",
                "number_of_payments",
                "method",
                "payment_schedule",
                "dd_advance_notice_text",
                "ongoing_charges_text",
                "default_consequence_text",
            ),
        ),
        TemplateInfo(
            name="instalment_missed",
            ref="DR-IP-MISS",
            version=1,
            title="You have missed an instalment",
            staff_name="Missed instalment",
            matter="general",
            needs_approval=False,
            required=("missed_date", "missed_amount", "bring_up_to_date_by", "consequence_text"),
        ),
        # ----------------------------------------------------------- legal stage (A.3 steps 5-12)
        TemplateInfo(
            name="dpa_offer",
            ref="DR-DPA-OFFER",
            version=1,
            title="Offer of a deferred payment agreement",
            staff_name="Deferred payment agreement offer",
            matter=_PROPERTY,
            needs_approval=False,
            required=(
                "debt_amount",
                "property_address",
                "eligibility_summary",
                "equity_limit_explanation",
                "interest_rate_current",
                "rate_period",
                "how_to_accept",
                "accept_by_date",
                "consequence_of_refusal_text",
                "independent_advice_text",
            ),
        ),
        TemplateInfo(
            name="letter_of_claim",
            ref="PAP-LOC",
            version=1,
            title="Letter of Claim",
            matter=_PROPERTY,
            needs_approval=True,
            required=(
                "debt_amount",
                "interest_continuing",
                "charges_continuing",
                "agreement_basis",
                "assignment",
                "instalment_offer_status",
                "how_to_pay",
                "how_to_discuss",
                "reply_address",
                "reply_by_text",
                "statement_of_account",
                "enclosures",
            ),
        ),
        *(
            TemplateInfo(
                name=name,
                ref=ref,
                version=1,
                title=title,
                matter=_PROPERTY,
                needs_approval=False,
                required=(),
                placeholder=True,
            )
            for name, ref, title in (
                ("pap_information_sheet", "PAP-INFO", "Information Sheet"),
                ("pap_reply_form", "PAP-REPLY", "Reply Form"),
                ("pap_financial_statement", "PAP-FS", "Financial Statement"),
            )
        ),
        TemplateInfo(
            name="pap_documents",
            ref="PAP-DOCS",
            version=1,
            title="Your Reply Form: the documents you asked for",
            staff_name="Documents asked for in the Reply Form",
            matter=_PROPERTY,
            needs_approval=True,
            required=("documents_enclosed", "response_to_offer", "advice_period_text"),
        ),
        TemplateInfo(
            name="pap_offer_refused",
            ref="PAP-REFUSE",
            version=1,
            title="Your offer of payment: why we cannot accept it",
            staff_name="Offer of payment refused",
            matter=_PROPERTY,
            needs_approval=True,
            required=("offer_amount", "income_expenditure_summary", "reasons", "counter_proposal"),
        ),
        TemplateInfo(
            name="legal_referral",
            ref="LEGAL-REF",
            version=1,
            title="Referral to Legal Services for a county court claim",
            staff_name="Referral to Legal Services",
            matter="internal",
            needs_approval=False,
            required=(
                "debtor_details",
                "representative_details",
                "capacity_status",
                "litigation_friend_needed",
                "dpa_test_outcome",
                "dpa_evidence",
                "limitation_expiry",
                "pap_dates",
                "statement_of_account",
                "recommended_route",
                "route_reasons",
                "fee_band",
                "interest_claimed",
            ),
        ),
        TemplateInfo(
            name="enforcement_notice",
            ref="ENF-NOTICE",
            version=1,
            title="County court judgment: what happens next",
            staff_name="Judgment: what happens next",
            matter=_PROPERTY,
            needs_approval=True,
            required=(
                "claim_no",
                "judgment_date",
                "judgment_amount",
                "terms",
                "amount_paid",
                "balance",
                "enforcement_intended",
                "register_info",
            ),
        ),
        TemplateInfo(
            name="estate_final_account",
            ref="EST-01",
            version=1,
            title="Final account for care charges",
            staff_name="Final account to the estate",
            matter="general",
            needs_approval=False,
            required=(
                "deceased_name",
                "date_of_death",
                "final_invoice_no",
                "final_balance",
                "interest_text",
                "request_grant_details",
                "s27_notice_text",
                "condolence_text",
            ),
        ),
        TemplateInfo(
            name="write_off_memo",
            ref="WO-MEMO",
            version=1,
            title="Request to write off a debt",
            staff_name="Write-off request",
            matter="internal",
            needs_approval=False,
            required=(
                "debt_id",
                "amount",
                "age",
                "reason_code",
                "reason_label",
                "actions_taken",
                "approver_level",
                "approval",
            ),
        ),
        # ----------------------------------------------------------- invoice queries (A.4)
        TemplateInfo(
            name="query_acknowledgement",
            ref="Q-ACK",
            version=1,
            title="We have received your query about your care charges",
            staff_name="Query acknowledgement",
            matter="general",
            needs_approval=False,
            required=(
                "query_ref",
                "received_date",
                "invoices",
                "summary_of_query",
                "target_response_date",
                "recovery_hold_text",
                "pay_undisputed_text",
            ),
        ),
        TemplateInfo(
            name="query_holding",
            ref="Q-HOLD",
            version=1,
            title="Your query about your care charges: we need more time",
            staff_name="Query holding letter",
            matter="general",
            needs_approval=False,
            required=("query_ref", "received_date", "reason_for_delay", "new_target_date",
                      "recovery_hold_text"),
        ),
        TemplateInfo(
            name="query_outcome",
            ref="Q-OUT",
            version=1,
            title="The outcome of your query about your care charges",
            staff_name="Query outcome letter",
            matter="general",
            needs_approval=False,
            required=(
                "query_ref",
                "received_date",
                "finding",
                "reasons",
                "balance_now_due",
                "complaints_route",
                "reconsideration_text",
            ),
        ),
        TemplateInfo(
            name="credit_note_notice",
            ref="CN",
            version=1,
            title="Credit note",
            staff_name="Credit note notice",
            matter="general",
            needs_approval=False,
            required=("credit_note_no", "credit_note_date", "original_invoice_no", "lines",
                      "credit_amount", "reason"),
        ),
        TemplateInfo(
            name="complaint_acknowledgement",
            ref="Q-COMP-ACK",
            version=1,
            title="We have received your complaint",
            staff_name="Complaint acknowledgement",
            matter="general",
            needs_approval=False,
            required=("query_ref", "received_date", "summary_of_query", "response_period_text",
                      "recovery_hold_text", "ombudsman_text"),
        ),
    )
}


def placeholder_enclosures(names: Iterable[str]) -> list[str]:
    """Those of ``names`` that are still placeholders, in the order given.

    A Letter of Claim must not be issued while this is non-empty for its enclosures: the debtor
    would get "PLACEHOLDER" where the protocol's Information Sheet, Reply Form or Financial
    Statement should be. Unknown names raise LetterError.
    """
    return [name for name in names if template_info(name).placeholder]


def template_info(name: str) -> TemplateInfo:
    """The registry entry for ``name``; LetterError if there is none."""
    try:
        return TEMPLATES[name]
    except KeyError:
        raise LetterError(f"unknown letter template {name!r}") from None
