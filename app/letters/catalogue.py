"""The letter templates we hold: ID, version, kind of matter, approval and required fields.

Each entry matches ``letter_templates/{name}.docx`` (built by ``tools/build_letter_templates.py``).
``required`` lists the template's own fields; ``COMMON_REQUIRED`` applies to every letter. Bump
``version`` whenever a template's wording changes: ``letter.ref`` ("DP-AGR-R1 v1") prints it, so a
stored letter always says which wording it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.letters.errors import LetterError


@dataclass(frozen=True)
class TemplateInfo:
    """One letter template: what it is about and which fields it cannot do without."""

    name: str
    ref: str
    version: int
    title: str
    matter: str  # "benefits" | "capital_or_property" | "general" | "direct_payment"
    needs_approval: bool
    required: tuple[str, ...]

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
            matter=_DP,
            needs_approval=False,
            required=_REMINDER,
        ),
        TemplateInfo(
            name="dp_reminder_2",
            ref="DP-AGR-R2",
            version=1,
            title="Direct payment agreement: second reminder",
            matter=_DP,
            needs_approval=False,
            required=(*_REMINDER, "social_worker.name", "consequence_text"),
        ),
        TemplateInfo(
            name="dp_missing_information",
            ref="DP-AGR-MISS",
            version=1,
            title="Direct payment agreement: information missing",
            matter=_DP,
            needs_approval=False,
            required=("missing_items", "return_by_date", "contact_for_help"),
        ),
        TemplateInfo(
            name="dp_confirmation",
            ref="DP-AGR-CONF",
            version=1,
            title="Direct payment agreement confirmed",
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
            matter=_DP,
            needs_approval=False,
            required=("reason", "alternative_arrangements", "complaints_route"),
        ),
        TemplateInfo(
            name="debt_reminder_1",
            ref="DR-R1",
            version=1,
            title="Reminder: your care charges are overdue",
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
            matter="general",
            needs_approval=False,
            required=("total_arrears", "aged_breakdown", "request_call_by", "home_visit_option"),
        ),
        TemplateInfo(
            name="instalment_confirmation",
            ref="DR-IP-CONF",
            version=1,
            title="Your instalment arrangement",
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
            matter="general",
            needs_approval=False,
            required=("missed_date", "missed_amount", "bring_up_to_date_by", "consequence_text"),
        ),
    )
}


def template_info(name: str) -> TemplateInfo:
    """The registry entry for ``name``; LetterError if there is none."""
    try:
        return TEMPLATES[name]
    except KeyError:
        raise LetterError(f"unknown letter template {name!r}") from None
