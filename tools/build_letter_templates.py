"""Build ``letter_templates/*.docx`` from the wording below, so the templates are reproducible.

Run from the repository root:

    .venv/bin/python tools/build_letter_templates.py            # writes letter_templates/
    .venv/bin/python tools/build_letter_templates.py --out DIR  # somewhere else

Every letter shares one frame: letterhead in the page header, the team's address and contacts,
the recipient block (with an "On behalf of" line when set), references and date, salutation,
subject line, the template's own body, the officer's sign-off, free advice signposts, and the
accessible-formats text and letter reference in the page footer. Merge fields are docxtpl/Jinja
tags; a paragraph holding only a ``{%p ... %}`` tag disappears when rendered.

The output is byte-for-byte stable (fixed document dates and zip timestamps), so re-running the
script only changes files whose wording changed. When wording changes, bump the template's
``version`` in ``app/letters/catalogue.py``.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.letters.catalogue import TEMPLATES, TemplateInfo  # noqa: E402

FIXED_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class Letter:
    """A python-docx document with small helpers for letter paragraphs and docxtpl tags."""

    def __init__(self, info: TemplateInfo) -> None:
        self.doc = Document()
        self._setup(info)

    def _setup(self, info: TemplateInfo) -> None:
        normal = self.doc.styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(11)
        normal.paragraph_format.space_after = Pt(4)
        section = self.doc.sections[0]
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2))
        props = self.doc.core_properties
        props.title = info.title
        props.subject = f"{info.ref} v{info.version}"
        props.author = props.last_modified_by = "Care finance letters"
        props.created = props.modified = FIXED_TIME
        props.revision = 1
        props.comments = "Built by tools/build_letter_templates.py"

    def text(self, text: str, *, bold: bool = False, size: int | None = None,
             align: str | None = None, style: str | None = None, container=None) -> None:
        """One paragraph of text (which may hold {{ }} placeholders)."""
        paragraph = (container or self.doc).add_paragraph(style=style)
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def tag(self, tag: str, container=None) -> None:
        """A paragraph holding only a docxtpl paragraph tag, removed when rendered."""
        (container or self.doc).add_paragraph(f"{{%p {tag} %}}")

    def heading(self, text: str) -> None:
        self.text(text, bold=True)

    def blank(self) -> None:
        self.doc.add_paragraph()

    def each(self, loop: str, text: str, *, style: str | None = "List Bullet",
             align: str | None = None) -> None:
        """One paragraph per item: ``loop`` is "item in some.list"."""
        self.tag(f"for {loop}")
        self.text(text, style=style, align=align)
        self.tag("endfor")

    def when(self, condition: str, *texts: str) -> None:
        """Paragraphs shown only when ``condition`` holds."""
        self.tag(f"if {condition}")
        for text in texts:
            self.text(text)
        self.tag("endif")

    def table(self, loop: str, headers: tuple[str, ...], cells: tuple[str, ...], *,
              total: tuple[str, ...] = (), right: tuple[int, ...] = ()) -> None:
        """A table: a header row, one row per item (``loop`` as in ``each``), an optional total.

        The loop tags sit in rows of their own; docxtpl's ``{%tr %}`` removes those rows.
        ``right`` lists the columns (money) to align right.
        """
        table = self.doc.add_table(rows=0, cols=len(headers))
        table.style = "Table Grid"
        spare = ("",) * (len(headers) - 1)
        rows = [(headers, True), ((f"{{%tr for {loop} %}}", *spare), False), (cells, False),
                (("{%tr endfor %}", *spare), False)]
        if total:
            rows.append((total, True))
        for texts, bold in rows:
            for column, (cell, text) in enumerate(zip(table.add_row().cells, texts, strict=True)):
                paragraph = cell.paragraphs[0]
                paragraph.add_run(text).bold = bold
                if column in right:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def save(self, path: Path) -> None:
        raw = BytesIO()
        self.doc.save(raw)
        path.write_bytes(_stable_zip(raw.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    # python-docx stamps zip entries with the current time; fix it so rebuilds are identical.
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


# ----------------------------------------------------------------------------- common frame


def letterhead(letter: Letter) -> None:
    header = letter.doc.sections[0].header
    header.paragraphs[0].add_run("{{ council.name }}").bold = True
    header.paragraphs[0].runs[0].font.size = Pt(14)
    letter.text("{{ council.team_name }}", container=header)
    footer = letter.doc.sections[0].footer
    footer.paragraphs[0].add_run("{{ accessible_formats_text }}").font.size = Pt(9)
    letter.text("Letter reference {{ letter.ref }}", size=8, container=footer)

    letter.tag("for line in council.address_lines")
    letter.text("{{ line }}", align="right")
    letter.tag("endfor")
    letter.text("{{ council.postcode }}", align="right")
    letter.text("Telephone: {{ council.phone }}", align="right")
    letter.text("Email: {{ council.email }}", align="right")
    letter.text("Lines open {{ council.hours }}", align="right")
    letter.blank()
    letter.text("{{ recipient.full_name }}")
    letter.when("recipient.on_behalf_of", "On behalf of {{ recipient.on_behalf_of }}")
    letter.each("line in recipient.address_lines", "{{ line }}", style=None)
    letter.text("{{ recipient.postcode }}")
    letter.blank()
    letter.text("Our reference: {{ our_ref }}")
    letter.when("your_ref", "Your reference: {{ your_ref }}")
    letter.text("Date: {{ letter.date }}")
    letter.blank()
    letter.text("{{ salutation }}")


def sign_off(letter: Letter) -> None:
    letter.blank()
    letter.text("Yours sincerely")
    letter.blank()
    letter.text("{{ officer.name }}")
    letter.when("officer.job_title", "{{ officer.job_title }}")
    letter.when("officer.direct_line", "Direct line: {{ officer.direct_line }}")
    letter.text("{{ council.team_name }}")
    letter.blank()
    letter.heading("Free, independent advice")
    letter.text(
        "If you are worried about money, these organisations give free and confidential advice:"
    )
    letter.each("org in advice.signposts", "{{ org.name }}: {{ org.phone }}, {{ org.website }}")


def memo_head(letter: Letter) -> None:
    """The frame of an internal memo: to the legal team, about the person; no advice signposts."""
    header = letter.doc.sections[0].header
    header.paragraphs[0].add_run("{{ council.name }}").bold = True
    header.paragraphs[0].runs[0].font.size = Pt(14)
    letter.text("Internal memo: not to be sent to the person or anyone acting for them",
                container=header)
    footer = letter.doc.sections[0].footer
    footer.paragraphs[0].add_run("Letter reference {{ letter.ref }}").font.size = Pt(8)
    letter.text("To: {{ recipient.full_name }}")
    letter.text(
        "From: {{ officer.name }}{% if officer.job_title %}, {{ officer.job_title }}{% endif %}, "
        "{{ council.team_name }}"
    )
    letter.when("officer.direct_line", "Direct line: {{ officer.direct_line }}")
    letter.text("Date: {{ letter.date }}")
    letter.text("Our reference: {{ our_ref }}")
    letter.text(
        "About: {{ subject.full_name }}{% if subject.deceased %} (deceased){% endif %}, "
        "person reference {{ subject.person_id }}"
    )
    letter.blank()


def memo_end(letter: Letter) -> None:
    letter.blank()
    letter.text("{{ officer.name }}")
    letter.when("officer.job_title", "{{ officer.job_title }}")
    letter.text("{{ council.team_name }}")


def enclosure_head(letter: Letter) -> None:
    """The frame of an enclosure: who it is for and which letter it goes with; no sign-off."""
    header = letter.doc.sections[0].header
    header.paragraphs[0].add_run("{{ council.name }}").bold = True
    header.paragraphs[0].runs[0].font.size = Pt(14)
    letter.text("{{ council.team_name }}", container=header)
    # The accessible-formats offer is in the letter this goes with, which has the contacts.
    footer = letter.doc.sections[0].footer
    footer.paragraphs[0].add_run("Letter reference {{ letter.ref }}").font.size = Pt(8)
    letter.text("Sent with our Letter of Claim dated {{ letter.date }}")
    letter.text("Our reference: {{ our_ref }}")
    letter.text("For: {{ recipient.full_name }}")
    letter.when("recipient.on_behalf_of", "On behalf of {{ recipient.on_behalf_of }}")
    letter.text(
        "About the debt of: {{ subject.full_name }}{% if subject.deceased %} (deceased)"
        "{% endif %}"
    )
    letter.text("Owed to: {{ council.name }}")
    letter.blank()


# ----------------------------------------------------------------------------- letter bodies


def dp_agreement(letter: Letter) -> None:
    letter.text("Direct payment agreement for {{ subject.full_name }}", bold=True, size=12)
    letter.text(
        "Thank you for choosing a direct payment. This letter and the enclosed agreement explain "
        "how the direct payment for {{ subject.possessive }} care and support will work. A direct "
        "payment is money from the council to arrange and pay for the support described in the "
        "support plan (reference {{ dp.support_plan_ref }}), instead of the council arranging it."
    )
    letter.when(
        'dp.variant == "nominated_authorised"',
        "The direct payment will be managed by a nominated or authorised person. That person "
        "must sign the agreement and is responsible for using the money as set out below.",
    )
    letter.when(
        'dp.variant == "carer"',
        "This direct payment is to meet the carer's support needs set out in the support plan.",
    )
    letter.heading("The payment")
    letter.text("Agreement number: {{ dp.agreement_id }}")
    letter.text("Start date: {{ dp.start_date }}")
    letter.text("Amount: {{ dp.amount }}, paid {{ dp.frequency }}")
    letter.tag('if dp.gross_or_net == "net"')
    letter.text(
        "The assessed contribution of {{ client.contribution_amount }} "
        "({{ client.contribution_frequency }}) has already been taken off this amount. The "
        "contribution must be paid into the direct payment account, so that the full cost of "
        "the support can be met."
    )
    letter.tag("else")
    letter.text(
        "This is the full amount. The assessed contribution of "
        "{{ client.contribution_amount }} ({{ client.contribution_frequency }}) is paid to the "
        "council separately, using the enclosed form."
    )
    letter.tag("endif")
    letter.tag('if dp.account_type == "card"')
    letter.text(
        "The money will be paid onto a prepaid card account. Please fill in the enclosed card "
        "application form."
    )
    letter.tag("else")
    letter.text(
        "The money will be paid into a bank account used only for the direct payment. Please "
        "fill in the enclosed bank account details form."
    )
    letter.tag("endif")
    letter.heading("How the money can be used")
    letter.text("{{ dp.permitted_uses_summary }}")
    letter.text("The money must not be used for: {{ dp.prohibited_uses }}")
    letter.text(
        "The account may build up to {{ dp.contingency_weeks }} weeks of payments to cover "
        "unexpected costs. We may ask for money above this amount to be returned."
    )
    letter.heading("Records and checks")
    letter.text("Please keep these records for {{ dp.records_retention_years }} years:")
    letter.each("record in dp.records_to_keep", "{{ record }}")
    letter.text("To check that the money is used as agreed, we will:")
    letter.each("check in dp.monitoring_requirements", "{{ check }}")
    letter.text(
        "We will review the direct payment by {{ dp.first_review_by }}, and at least once a year "
        "after that."
    )
    letter.heading("Changes and ending the agreement")
    letter.text(
        "Either side may end this agreement by giving {{ dp.notice_period_weeks }} weeks' notice "
        "in writing. If we need to reduce the amount, we will normally give at least "
        "{{ dp.decrease_notice_weeks }} weeks' notice in writing first."
    )
    letter.heading("What to do now")
    letter.text(
        "Please sign both copies of the agreement, keep one, and return the other with the "
        "completed forms by {{ return_by_date }} to:"
    )
    letter.each("line in return_address", "{{ line }}", style=None)
    letter.text(
        "The direct payment cannot start until we have the signed agreement. If you have any "
        "questions, please contact {{ contact_for_help }}."
    )
    letter.heading("Signatures")
    letter.tag("for person in signatories")
    letter.text("Name: {{ person.name }} ({{ person.role }})")
    letter.text(
        'Signature: ______________________________   Date: '
        '{{ person.signature_date or "________________" }}'
    )
    letter.tag("endfor")
    letter.text("Signed for the council: {{ council.signatory }}")
    letter.heading("Enclosed")
    letter.text("Two copies of the direct payment agreement", style="List Bullet")
    letter.tag('if dp.account_type == "card"')
    letter.text("Prepaid card application form", style="List Bullet")
    letter.tag("else")
    letter.text("Bank account details form", style="List Bullet")
    letter.tag("endif")
    letter.text("Standing order or Direct Debit form for the contribution", style="List Bullet")


def dp_reminder_1(letter: Letter) -> None:
    letter.text(
        "Reminder: direct payment agreement for {{ subject.full_name }}", bold=True, size=12
    )
    letter.text(
        "On {{ agreement.sent_date }} we sent you the direct payment agreement for "
        "{{ subject.possessive }} care and support. We have not yet received the signed "
        "agreement."
    )
    letter.text(
        "Please sign it and return it to us by {{ return_by_date }}. The direct payment cannot "
        "start until we have it."
    )
    letter.text("If you have already sent it, thank you, and please ignore this letter.")
    letter.text(
        "If you need help with the agreement, or would like another copy, please contact "
        "{{ contact_for_help }}."
    )
    letter.when(
        "support_org_details",
        "You can also get free help with managing a direct payment from "
        "{{ support_org_details }}.",
    )


def dp_reminder_2(letter: Letter) -> None:
    letter.text(
        "Second reminder: direct payment agreement for {{ subject.full_name }}", bold=True, size=12
    )
    letter.text(
        "On {{ agreement.sent_date }} we sent you the direct payment agreement for "
        "{{ subject.possessive }} care and support, and we have since sent a reminder. We still "
        "have not received the signed agreement."
    )
    letter.text("Please sign it and return it to us by {{ return_by_date }}.")
    letter.text("{{ consequence_text }}")
    letter.text("The social worker is {{ social_worker.name }}.")
    letter.text(
        "If you no longer want a direct payment, or something is making it hard to sign the "
        "agreement, please tell us as soon as you can. Contact {{ contact_for_help }}."
    )
    letter.when(
        "support_org_details",
        "You can also get free help with managing a direct payment from "
        "{{ support_org_details }}.",
    )


def dp_missing_information(letter: Letter) -> None:
    letter.text(
        "Direct payment agreement for {{ subject.full_name }}: more information needed",
        bold=True,
        size=12,
    )
    letter.text(
        "Thank you for returning the direct payment agreement for {{ subject.possessive }} care "
        "and support. We cannot complete it yet, because of the following:"
    )
    letter.each("item in missing_items", "{{ item }}")
    letter.text(
        "Please send us what is missing, or the corrected and signed agreement, by "
        "{{ return_by_date }}. The direct payment cannot start until the agreement is complete."
    )
    letter.text(
        "If you are not sure what we need, please contact {{ contact_for_help }}."
    )


def dp_confirmation(letter: Letter) -> None:
    letter.text(
        "Direct payment agreement confirmed for {{ subject.full_name }}", bold=True, size=12
    )
    letter.text(
        "Thank you for signing and returning the direct payment agreement for "
        "{{ subject.possessive }} care and support. The agreement is now in place, and a copy "
        "is enclosed for your records."
    )
    letter.text(
        "The direct payment of {{ dp.amount }}, paid {{ dp.frequency }}, starts with a first "
        "payment on {{ first_payment_date }}. The payments we have scheduled are:"
    )
    letter.each("payment in payment_schedule", "{{ payment.date }}: {{ payment.amount }}")
    letter.when("card_activation_info", "{{ card_activation_info }}")
    letter.text(
        "We will review the direct payment by {{ first_review_by }}. Please keep all receipts, "
        "invoices and statements, as we will ask to see them."
    )
    letter.text(
        "Please tell us straight away about any change, such as a stay in hospital or a change "
        "in the support needed. Contact {{ contact_for_help }}."
    )


def dp_not_proceeding(letter: Letter) -> None:
    letter.text(
        "Direct payment for {{ subject.full_name }}: not going ahead", bold=True, size=12
    )
    letter.text(
        "We are writing to let you know that the direct payment for {{ subject.possessive }} "
        "care and support will not go ahead."
    )
    letter.heading("Why")
    letter.text("{{ reason }}")
    letter.heading("What happens next")
    letter.text("{{ alternative_arrangements }}")
    letter.text(
        "A direct payment can be asked for again at any time if circumstances change."
    )
    letter.heading("If you disagree")
    letter.text(
        "If you disagree with this decision, please contact {{ contact_for_help }} first, as we "
        "may be able to put things right quickly."
    )
    letter.text("{{ complaints_route }}")


# ----------------------------------------------------------------------------- debt letters
# The person, their deputy or attorney, or the personal representatives of someone who has died
# may read these; "subject.possessive" ("your" / "Harold Finch's" / "the late ...'s") and the
# defaulted texts in app/letters/context.py keep each sentence right for all three.

_ESTATE = 'recipient.role == "personal_representative"'
_PAID_ALREADY = (
    "If this has been paid in the last few days, thank you, and please ignore this letter."
)


def _sorry_for_estate(letter: Letter) -> None:
    letter.when(_ESTATE, "We are sorry to write to you about this at what may be a difficult time.")


def _overdue_invoices(letter: Letter) -> None:
    letter.table(
        "invoice in invoices_overdue",
        ("Invoice", "Invoice date", "Amount", "Due date", "Still to pay"),
        (
            "{{ invoice.number }}",
            "{{ invoice.date }}",
            "{{ invoice.amount }}",
            "{{ invoice.due_date }}",
            "{{ invoice.balance }}",
        ),
        total=("Total overdue", "", "", "", "{{ total_overdue }}"),
        right=(2, 4),
    )
    letter.blank()


def _how_to_pay(letter: Letter) -> None:
    letter.heading("How to pay")
    letter.text("{{ payment_methods }}")


def _charges_wrong(letter: Letter) -> None:
    letter.heading("If you think the charges are wrong")
    letter.text("{{ query_contact }}")


def debt_reminder_1(letter: Letter) -> None:
    letter.text("Reminder: overdue care charges for {{ subject.full_name }}", bold=True, size=12)
    _sorry_for_estate(letter)
    letter.text(
        "Our records show that these invoices for {{ subject.possessive }} care and support have "
        "not been paid in full:"
    )
    _overdue_invoices(letter)
    letter.text("Please pay {{ total_overdue }} by {{ pay_by_date }}.")
    letter.text(_PAID_ALREADY)
    _how_to_pay(letter)
    letter.heading("If paying in full is difficult")
    letter.text("{{ arrangement_offer_text }}")
    letter.text("{{ hardship_text }}")
    _charges_wrong(letter)


def debt_final_demand(letter: Letter) -> None:
    letter.text(
        "Final demand: overdue care charges for {{ subject.full_name }}", bold=True, size=12
    )
    _sorry_for_estate(letter)
    letter.text(
        "On {{ previous_reminder_date }} we wrote to say that these invoices for "
        "{{ subject.possessive }} care and support were overdue. They have still not been paid "
        "in full:"
    )
    _overdue_invoices(letter)
    letter.text(
        "Please pay {{ total_overdue }} by {{ pay_by_date }}. If the full amount cannot be paid, "
        "contact us by {{ deadline_date }} to agree a payment plan."
    )
    letter.heading("What happens if the debt is not paid")
    letter.text("{{ consequence_text }}")
    _how_to_pay(letter)
    letter.heading("If paying in full is difficult")
    letter.text("{{ arrangement_offer_text }}")
    letter.text(
        "Please fill in the enclosed form and send it back to us by {{ deadline_date }}. It asks "
        "about income and spending, so that we can agree payments that are affordable."
    )
    letter.text("{{ hardship_text }}")
    letter.heading("Breathing Space")
    letter.text("{{ breathing_space_text }}")
    _charges_wrong(letter)
    letter.blank()
    letter.text("Enclosed: {{ income_expenditure_form }}")


def debt_recovery_contact(letter: Letter) -> None:
    letter.text("Unpaid care charges for {{ subject.full_name }}", bold=True, size=12)
    _sorry_for_estate(letter)
    letter.text(
        "We have written before about unpaid charges for {{ subject.possessive }} care and "
        "support. The account is now with our debt recovery team."
    )
    # With no officer given, officer.name is the team's name: then there is no named contact.
    letter.when(
        "officer.name != council.team_name",
        "Your contact in the team is {{ officer.name }}"
        "{% if officer.job_title %}, {{ officer.job_title }}{% endif %}.",
    )
    letter.heading("What is owed")
    letter.text("The total now owed is {{ total_arrears }}. This is how long it has been overdue:")
    letter.table(
        "band in aged_breakdown",
        ("How long overdue", "Amount"),
        ("{{ band.band }}", "{{ band.amount }}"),
        total=("Total", "{{ total_arrears }}"),
        right=(1,),
    )
    letter.blank()
    letter.heading("What to do now")
    letter.tag("if officer.direct_line")
    letter.text(
        "Please call {{ officer.name }} on {{ officer.direct_line }} by {{ request_call_by }}."
    )
    letter.tag("else")
    letter.text("Please call us on {{ council.phone }} by {{ request_call_by }}.")
    letter.tag("endif")
    letter.text(
        "We would like to agree how the amount will be paid. We can often agree a plan to pay it "
        "in smaller amounts that are affordable. Please also tell us if anything makes paying "
        "difficult, or if you think the charges are wrong."
    )
    letter.text("{{ home_visit_option }}")
    letter.text("If we do not hear from you by {{ request_call_by }}, we will try to phone you.")
    letter.heading("If the debt is not paid")
    letter.text(
        "Legal action to recover the debt is a last resort. We would much rather agree a way "
        "forward with you."
    )
    letter.when(
        f"not ({_ESTATE})",
        "We will not stop or reduce {{ subject.possessive }} care and support because of unpaid "
        "charges.",
    )


def instalment_confirmation(letter: Letter) -> None:
    letter.text("Instalment arrangement for {{ subject.full_name }}", bold=True, size=12)
    letter.text(
        "Thank you for agreeing an arrangement to pay the overdue charges for "
        "{{ subject.possessive }} care and support. This letter confirms what we agreed."
    )
    letter.heading("The arrangement")
    letter.text("Amount owed: {{ arrears_total }}")
    letter.text("Instalments: {{ instalment_amount }} {{ frequency }}")
    letter.text("Number of payments: {{ number_of_payments }}")
    letter.text("First payment: {{ first_date }}")
    letter.text("Amount of the last payment: {{ final_payment_amount }}")
    letter.text("Payment method: {{ method }}")
    letter.text("The payments are due on these dates:")
    letter.table(
        "payment in payment_schedule",
        ("Date", "Amount"),
        ("{{ payment.date }}", "{{ payment.amount }}"),
        total=("Total", "{{ arrears_total }}"),
        right=(1,),
    )
    letter.blank()
    letter.heading("Changes to the payments")
    letter.text("{{ dd_advance_notice_text }}")
    letter.heading("Other invoices")
    letter.text("{{ ongoing_charges_text }}")
    letter.heading("If a payment is missed")
    letter.text("{{ default_consequence_text }}")
    letter.tag(f"if {_ESTATE}")
    letter.text(
        "If anything about the estate affects these payments, please contact us straight away, "
        "before a payment is missed. Contact {{ contact_for_help }}."
    )
    letter.tag("else")
    letter.text(
        "If {{ subject.possessive }} circumstances change and the payments become hard to keep "
        "up, please contact us straight away, before a payment is missed. Contact "
        "{{ contact_for_help }}."
    )
    letter.tag("endif")


def instalment_missed(letter: Letter) -> None:
    letter.text("Missed instalment: care charges for {{ subject.full_name }}", bold=True, size=12)
    letter.text(
        "The payments under the arrangement to pay the overdue charges for "
        "{{ subject.possessive }} care and support are behind. We have not received "
        "{{ missed_amount }} that was due by {{ missed_date }}."
    )
    letter.text(
        "Please pay {{ missed_amount }} by {{ bring_up_to_date_by }} to bring the arrangement up "
        "to date."
    )
    letter.text(_PAID_ALREADY)
    letter.heading("If the payments are hard to keep up")
    letter.text(
        "Please contact us before {{ bring_up_to_date_by }}. We may be able to change the "
        "arrangement. Contact {{ contact_for_help }}."
    )
    letter.heading("If the arrangement is not brought up to date")
    letter.text("{{ consequence_text }}")


# ----------------------------------------------------------------------------- legal stage
# The deferred payment offer, the Letter of Claim with its enclosures and what follows it, the
# post-judgment notice and the estate's final account go to the person, their deputy or attorney,
# or the personal representatives; the two memos stay inside the council.

_STATEMENT_HEADERS = ("Date", "Description", "Debit", "Credit", "Balance")
_STATEMENT_CELLS = (
    "{{ row.date }}",
    "{{ row.description }}",
    "{{ row.debit }}",
    "{{ row.credit }}",
    "{{ row.balance }}",
)
_NOT_NONE = '{0} | trim | lower != "none"'
_ANNEX_1 = "Annex 1 of the Pre-Action Protocol for Debt Claims"
# Sent with the Letter of Claim; they keep the enclosure frame once the official text is in.
ENCLOSURES = frozenset({"pap_information_sheet", "pap_reply_form", "pap_financial_statement"})


def _statement(letter: Letter, total_label: str, total: str) -> None:
    letter.table(
        "row in statement_of_account",
        _STATEMENT_HEADERS,
        _STATEMENT_CELLS,
        total=(total_label, "", "", "", total),
        right=(2, 3, 4),
    )
    letter.blank()


def dpa_offer(letter: Letter) -> None:
    letter.text(
        "Offer of a deferred payment agreement: care charges for {{ subject.full_name }}",
        bold=True,
        size=12,
    )
    _sorry_for_estate(letter)
    letter.text(
        "The charges for {{ subject.possessive }} care and support that have not been paid now "
        "come to {{ debt_amount }}."
    )
    letter.text(
        "Where the debt could be covered by a deferred payment agreement, the law does not allow "
        "us to take court action to recover it unless we have offered one and the offer has "
        "been turned down (Care Act 2014, section 69(2)). We are therefore offering a deferred "
        "payment agreement."
    )
    letter.heading("What a deferred payment agreement is")
    letter.text(
        "Under a deferred payment agreement the council agrees to wait for payment of the care "
        "charges. The amount owed is secured by a legal charge on the property at "
        "{{ property_address }}, and is repaid later: for example when the property is sold, or "
        "from the estate. The charge is removed once everything owed has been repaid."
    )
    letter.heading("Why we are offering one")
    letter.text("{{ eligibility_summary }}")
    letter.heading("How much can be deferred")
    letter.text("{{ equity_limit_explanation }}")
    letter.heading("Interest and charges")
    letter.text(
        "Interest is added to the amount deferred. Interest rate: {{ interest_rate_current }} "
        "({{ rate_period }})."
    )
    letter.text(
        "The rate can change on 1 January and 1 July each year, but it can never be more than "
        "the national maximum set by the government. We will confirm the rate before the "
        "agreement is signed."
    )
    letter.tag("if admin_charges")
    letter.text("We also make these charges for setting up and running the agreement:")
    letter.table(
        "charge in admin_charges",
        ("Charge", "Amount"),
        ("{{ charge.item }}", "{{ charge.amount }}"),
        right=(1,),
    )
    letter.blank()
    letter.tag("else")
    letter.text(
        "We will tell you about any charges for setting up and running the agreement before it "
        "is signed."
    )
    letter.tag("endif")
    letter.heading("How to accept")
    letter.text("Please let us know by {{ accept_by_date }} whether the offer is accepted.")
    letter.text("{{ how_to_accept }}")
    letter.heading("If the offer is not accepted")
    letter.text("{{ consequence_of_refusal_text }}")
    letter.heading("Getting advice")
    letter.text("{{ independent_advice_text }}")


def letter_of_claim(letter: Letter) -> None:
    # The contents of para 3.1 of the Pre-Action Protocol for Debt Claims, in its order [S26].
    letter.text("Letter of Claim: care charges for {{ subject.full_name }}", bold=True, size=12)
    _sorry_for_estate(letter)
    letter.text(
        "This is a Letter of Claim under the Pre-Action Protocol for Debt Claims. Please read it "
        "carefully, with the enclosed Information Sheet. You can get free, independent advice "
        "about it from the organisations listed at the end of this letter."
    )
    letter.heading("The amount owed")
    letter.text(
        "{{ council.name }} says that {{ debt_amount }} is owed for {{ subject.possessive }} "
        "care and support. The statement of account below shows every invoice, payment and "
        "credit that makes up this amount."
    )
    letter.text("{{ interest_continuing }}")
    letter.text("{{ charges_continuing }}")
    letter.heading("What the charges are based on")
    letter.text("{{ agreement_basis }}")
    letter.text("{{ assignment }}")
    letter.tag(f"if {_NOT_NONE.format('instalment_offer_status')}")
    letter.heading("Payments by instalments")
    letter.text("{{ instalment_offer_status }}")
    letter.tag("endif")
    letter.heading("How to pay")
    letter.text("{{ how_to_pay }}")
    letter.heading("If the full amount cannot be paid")
    letter.text("{{ how_to_discuss }}")
    letter.heading("What you need to do now")
    letter.text(
        "Please fill in the enclosed Reply Form and send it back {{ reply_by_text }} to:"
    )
    letter.text("{{ reply_address }}")
    letter.text(
        "If you need documents or information about the debt, or are getting debt advice, say "
        "so on the Reply Form. We will then give time to look at the documents or get advice "
        "before we take any further step."
    )
    letter.text(
        "If we do not receive the Reply Form or the payment {{ reply_by_text }}, we may start "
        "court proceedings{% if recipient.role == 'personal_representative' %} against the "
        "estate{% endif %} to recover the debt, and ask the court to add the court fee and our "
        "costs."
    )
    letter.when(
        f"not ({_ESTATE})",
        "We will not stop or reduce {{ subject.possessive }} care and support because of unpaid "
        "charges.",
    )
    letter.heading("Statement of account")
    _statement(letter, "Amount owed", "{{ debt_amount }}")
    letter.heading("Enclosed")
    letter.each("enclosure in enclosures", "{{ enclosure }}")


def _placeholder(letter: Letter, what: str) -> None:
    letter.text(
        f"PLACEHOLDER: the official {what} must be inserted here before use.", bold=True, size=12
    )


def pap_information_sheet(letter: Letter) -> None:
    letter.text("Information Sheet", bold=True, size=14)
    _placeholder(letter, f"Information Sheet ({_ANNEX_1})")


def pap_reply_form(letter: Letter) -> None:
    letter.text("Reply Form", bold=True, size=14)
    _placeholder(letter, f"Reply Form ({_ANNEX_1})")
    letter.text(
        "For checking the inserted form only, not a substitute for it: the official form has "
        "these parts.",
        bold=True,
    )
    for part in (
        "Box A: the debt is agreed.",
        "Box B: part of the debt is agreed.",
        "Box C: the debtor does not know whether the debt is owed, and needs documents, "
        "information or advice.",
        "Box D: the debt is disputed.",
        "Section 2: offers of payment, including payment by instalments.",
    ):
        letter.text(part, style="List Bullet")


def pap_financial_statement(letter: Letter) -> None:
    letter.text("Financial Statement", bold=True, size=14)
    _placeholder(letter, "Financial Statement (Annex 2 of the Pre-Action Protocol for Debt Claims)")


def pap_documents(letter: Letter) -> None:
    letter.text(
        "Your Reply Form: care charges for {{ subject.full_name }}", bold=True, size=12
    )
    letter.text(
        "Thank you for sending back the Reply Form about the debt for {{ subject.possessive }} "
        "care and support. You asked for documents about the debt. They are enclosed:"
    )
    letter.each("document in documents_enclosed", "{{ document }}")
    letter.heading("Your offer")
    letter.text("{{ response_to_offer }}")
    letter.heading("Time to get advice")
    letter.text("{{ advice_period_text }}")
    letter.text(
        "If you have any questions about the documents, or still think the debt is wrong, "
        "please contact {{ contact_for_help }}."
    )


def pap_offer_refused(letter: Letter) -> None:
    letter.text(
        "Your offer of payment: care charges for {{ subject.full_name }}", bold=True, size=12
    )
    letter.text(
        "Thank you for your offer to pay {{ offer_amount }}"
        "{% if offer_frequency %} {{ offer_frequency }}{% endif %} towards the debt for "
        "{{ subject.possessive }} care and support. We have considered it carefully, with the "
        "information about income and spending."
    )
    letter.text("Income and spending: {{ income_expenditure_summary }}")
    letter.heading("Why we cannot accept the offer")
    letter.each("reason in reasons", "{{ reason }}")
    letter.tag(f"if {_NOT_NONE.format('counter_proposal')}")
    letter.heading("What we could accept")
    letter.text("{{ counter_proposal }}")
    letter.tag("endif")
    letter.heading("What to do now")
    letter.text(
        "Please contact {{ contact_for_help }} to discuss this. If circumstances have changed, "
        "or some information was left out, tell us and we will look at the offer again."
    )
    letter.text(
        "If you are getting debt advice, please tell us, so that we can give time for it before "
        "we take any further step."
    )


def legal_referral(letter: Letter) -> None:
    letter.text("Referral for a county court claim", bold=True, size=12)
    letter.text(
        "The pre-action steps for this debt are complete. Please consider issuing a claim in the "
        "county court, and tell us if anything more is needed or if a claim should not be issued."
    )
    letter.heading("The debtor")
    letter.text("{{ debtor_details }}")
    letter.text("Representative: {{ representative_details }}")
    letter.heading("Capacity")
    letter.text("{{ capacity_status }}")
    letter.text(
        "Litigation friend needed: {% if litigation_friend_needed %}Yes{% else %}No{% endif %}"
    )
    letter.when(
        "litigation_friend_needed",
        "The debtor is a protected party: a litigation friend must be appointed (CPR 21), and "
        "the claim cannot be issued through Money Claim Online (PD 7E para 4).",
    )
    letter.heading("Deferred payment agreement test (Care Act 2014, section 69(2))")
    letter.text("Outcome: {{ dpa_test_outcome }}")
    letter.text("Evidence: {{ dpa_evidence }}")
    letter.heading("Limitation")
    letter.text(
        "The earliest sum in the claim becomes statute-barred on {{ limitation_expiry }} (Care "
        "Act 2014, section 69(3)): the claim must be issued before that date."
    )
    letter.heading("Pre-Action Protocol dates")
    letter.table("step in pap_dates", ("Step", "Date"), ("{{ step.label }}", "{{ step.date }}"))
    letter.blank()
    letter.heading("Statement of account")
    _statement(letter, "Amount to claim", "{{ (statement_of_account | last).balance }}")
    letter.heading("Recommended route: {{ recommended_route }}")
    letter.each("reason in route_reasons", "{{ reason }}")
    letter.text("Issue fee: {{ fee_band }}")
    letter.text("Interest claimed: {{ interest_claimed }}")


def enforcement_notice(letter: Letter) -> None:
    letter.text("County court judgment: care charges for {{ subject.full_name }}", bold=True,
                size=12)
    letter.text(
        "On {{ judgment_date }} the county court gave judgment for {{ council.name }} in claim "
        "number {{ claim_no }}, for the unpaid charges for {{ subject.possessive }} care and "
        "support."
    )
    letter.heading("The judgment")
    letter.text("Amount of the judgment: {{ judgment_amount }}")
    letter.text("The court ordered it to be paid: {{ terms }}")
    letter.text("Paid since the judgment: {{ amount_paid }}")
    letter.text(
        "Balance still owed, including any interest and court costs added since the judgment: "
        "{{ balance }}"
    )
    letter.text("Please pay the balance as the court ordered. " + _PAID_ALREADY)
    letter.heading("If the judgment is not paid")
    letter.text("{{ enforcement_intended }}")
    letter.text(
        "Asking the court to enforce a judgment adds court fees to the amount owed. If paying is "
        "difficult, please contact {{ contact_for_help }} straight away: we would much rather "
        "agree a way forward."
    )
    letter.heading("The Register of Judgments")
    letter.text("{{ register_info }}")


def estate_final_account(letter: Letter) -> None:
    letter.text("The late {{ deceased_name }}: final account for care charges", bold=True,
                size=12)
    letter.text("{{ condolence_text }}")
    letter.text(
        "We are writing about the charges for the care and support of {{ deceased_name }}, who "
        "died on {{ date_of_death }}, which are to be paid from the estate."
    )
    letter.heading("The final account")
    letter.text("Final invoice: {{ final_invoice_no }}")
    letter.text("Total owed by the estate: {{ final_balance }}")
    letter.text(
        "Please pay {{ final_balance }} from the estate, quoting the reference {{ our_ref }}. "
        "You can pay by debit or credit card by calling {{ council.phone }}, or contact us for "
        "other ways to pay."
    )
    letter.tag("if dpa_due_date")
    letter.heading("The deferred payment agreement")
    letter.text(
        "{{ deceased_name }} had a deferred payment agreement with us. The amount deferred under "
        "it must be repaid by {{ dpa_due_date }}, 90 days after the date of death. "
        "{{ interest_text }} The legal charge on the property will be removed once it has been "
        "repaid."
    )
    letter.tag("endif")
    letter.heading("What we need from you")
    letter.text("{{ request_grant_details }}")
    letter.text("{{ s27_notice_text }}")
    letter.text(
        "If the estate may not be able to pay all its debts, please get advice from a solicitor "
        "before paying any of them, and let us know."
    )
    letter.heading("If you think the account is wrong")
    letter.text("Please contact {{ contact_for_help }}.")


def write_off_memo(letter: Letter) -> None:
    letter.text("Request to write off a debt", bold=True, size=12)
    letter.text("Debt: {{ debt_id }}")
    letter.text("Amount to write off: {{ amount }}")
    letter.text("Age of the debt: {{ age }}")
    letter.text("Reason: {{ reason_label }} ({{ reason_code }})")
    letter.heading("Recovery action taken")
    letter.each("action in actions_taken", "{{ action }}")
    letter.heading("Approval")
    letter.text("Approval needed from: {{ approver_level }}")
    letter.text("Status: {{ approval }}")


# ----------------------------------------------------------------------------- invoice queries
# DOMAIN.md A.4 and (b) 29-32. The person, their deputy or attorney, or an estate's personal
# representatives may read these, as with the debt letters.


def _query_heading(letter: Letter, what: str) -> None:
    letter.text(what + " for {{ subject.full_name }}", bold=True, size=12)
    letter.text("Query reference: {{ query_ref }}")


def query_acknowledgement(letter: Letter) -> None:
    _query_heading(letter, "Your query about care charges")
    letter.text(
        "Thank you for contacting us on {{ received_date }}. We have recorded your query about "
        "these invoices:"
    )
    letter.table(
        "invoice in invoices",
        ("Invoice", "Invoice date", "Amount"),
        ("{{ invoice.number }}", "{{ invoice.date }}", "{{ invoice.amount }}"),
        right=(2,),
    )
    letter.blank()
    letter.heading("What you told us")
    letter.text("{{ summary_of_query }}")
    letter.heading("What happens next")
    letter.text(
        "We will look into your query and aim to write to you with our answer by "
        "{{ target_response_date }}. If we need more information, we will contact you."
    )
    letter.text("{{ recovery_hold_text }}")
    letter.text("{{ pay_undisputed_text }}")
    letter.text(
        "If you have anything to add, please contact {{ contact_for_help }} and quote the query "
        "reference {{ query_ref }}."
    )


def query_holding(letter: Letter) -> None:
    _query_heading(letter, "Your query about care charges")
    letter.text(
        "We are writing about the query you raised with us on {{ received_date }}. We are sorry "
        "that we have not been able to give you an answer yet."
    )
    letter.heading("Why it is taking longer")
    letter.text("{{ reason_for_delay }}")
    letter.text(
        "Your query has been passed to a manager in the team, who will make sure it is "
        "answered. We now aim to write to you with our answer by {{ new_target_date }}."
    )
    letter.text("{{ recovery_hold_text }}")
    letter.text(
        "If you have anything to add, please contact {{ contact_for_help }} and quote the query "
        "reference {{ query_ref }}."
    )


def query_outcome(letter: Letter) -> None:
    _query_heading(letter, "The outcome of your query about care charges")
    letter.text(
        "We have finished looking into the query you raised with us on {{ received_date }}."
    )
    letter.heading("Our decision")
    # A credit note still waiting for its approver has corrected nothing yet: say so.
    letter.when(
        'finding == "upheld" and not correction_pending',
        "We agree that the charges you queried were wrong, and we have corrected them.",
    )
    letter.when(
        'finding == "upheld" and correction_pending',
        "We agree that the charges you queried were wrong. The correction needs a finance "
        "officer's approval first: we will write to you again when it has been made.",
    )
    letter.when(
        'finding == "partly_upheld" and not correction_pending',
        "We agree that part of the charges you queried was wrong, and we have corrected that "
        "part. The rest of the charges were right.",
    )
    letter.when(
        'finding == "partly_upheld" and correction_pending',
        "We agree that part of the charges you queried was wrong. The correction of that part "
        "needs a finance officer's approval first: we will write to you again when it has been "
        "made. The rest of the charges were right.",
    )
    letter.when(
        'finding == "not_upheld"',
        "We have checked the charges you queried and found that they were right, so they have "
        "not changed.",
    )
    letter.heading("Why")
    letter.each("reason in reasons", "{{ reason }}", style=None)
    letter.tag("if contribution_rule_explanation")
    letter.heading("How your charge is worked out")
    letter.text("{{ contribution_rule_explanation }}")
    letter.tag("endif")
    letter.tag("if credit_note_no")
    letter.heading("Credit note")
    letter.text(
        "We have taken {{ credit_amount }} off the invoice with credit note {{ credit_note_no }}. "
        "We will send you the credit note separately."
    )
    letter.tag("endif")
    letter.tag("if reissued_invoice_no")
    letter.text(
        "We have sent a corrected invoice, number {{ reissued_invoice_no }}, to replace the one "
        "you queried. Please pay it by {{ new_due_date }}."
    )
    letter.tag("elif reissue_promised")
    letter.text(
        "We will send you a corrected invoice to replace the one you queried. It will say when "
        "it needs to be paid."
    )
    letter.tag("endif")
    letter.heading("What you owe now")
    letter.text("The balance now due on your account is {{ balance_now_due }}.")
    letter.tag('if finding == "not_upheld"')
    letter.text(
        "We held back recovery of the amount you queried while we looked into it. We will now "
        "start recovering it again, so please pay it or contact us to agree how to pay."
    )
    letter.tag("endif")
    letter.heading("If you disagree")
    letter.text("{{ reconsideration_text }}")
    letter.text("{{ complaints_route }}")


def credit_note_notice(letter: Letter) -> None:
    letter.text("Credit note {{ credit_note_no }}", bold=True, size=12)
    letter.text("Date: {{ credit_note_date }}")
    letter.text("For the care and support of: {{ subject.full_name }}")
    letter.text("Invoice it corrects: {{ original_invoice_no }}")
    letter.blank()
    letter.text(
        "This credit note takes {{ credit_amount }} off invoice {{ original_invoice_no }}:"
    )
    letter.table(
        "line in lines",
        ("What is credited", "Amount"),
        ("{{ line.description }}", "{{ line.amount }}"),
        total=("Total credited", "{{ credit_amount }}"),
        right=(1,),
    )
    letter.blank()
    letter.heading("Why")
    letter.text("{{ reason }}")
    letter.tag("if reissued_invoice_no")
    letter.heading("Your corrected invoice")
    letter.text(
        "We have sent a corrected invoice, number {{ reissued_invoice_no }}, to replace invoice "
        "{{ original_invoice_no }}. Please pay it by {{ new_due_date }}. If you have already "
        "paid more than it asks for, please contact {{ contact_for_help }} to arrange a refund."
    )
    letter.tag("else")
    letter.text(
        "You do not need to do anything. If you have already paid more than you now owe, please "
        "contact {{ contact_for_help }} to arrange a refund."
    )
    letter.tag("endif")


def complaint_acknowledgement(letter: Letter) -> None:
    _query_heading(letter, "Your complaint")
    letter.text(
        "Thank you for your complaint, which we received on {{ received_date }}. We have "
        "recorded it under our complaints procedure."
    )
    letter.heading("Your complaint")
    letter.text("{{ summary_of_query }}")
    letter.text(
        "If we have misunderstood your complaint, please contact {{ contact_for_help }} and "
        "quote the reference {{ query_ref }}."
    )
    letter.heading("What happens next")
    letter.text("{{ response_period_text }}")
    letter.text("{{ recovery_hold_text }}")
    letter.heading("If you are not satisfied")
    letter.text("{{ ombudsman_text }}")


# ----------------------------------------------------------------------------- DP monitoring
# DOMAIN.md A.2 and (b) 7-14: the letters after the agreement. The person, a nominated or
# authorised person, a deputy or attorney, or (after a death) the personal representatives may
# read these; "subject.possessive" keeps each sentence right for all of them.


def _dp_heading(letter: Letter, what: str) -> None:
    letter.text(what + " for {{ subject.full_name }}", bold=True, size=12)


def dp_review_due(letter: Letter) -> None:
    _dp_heading(letter, "Direct payment review")
    letter.text(
        "We need to review the direct payment for {{ subject.possessive }} care and support. "
        "{{ review_reason }}"
    )
    letter.text("The review must take place by {{ review_due_date }}.")
    letter.heading("What happens next")
    letter.text(
        "{{ who_will_contact }} will contact you before then to arrange a time to talk, at home "
        "or by phone. The review looks at whether the support is working, whether the needs in "
        "the support plan are being met and how the direct payment is being managed."
    )
    letter.heading("How to prepare")
    letter.text("Before the review, it helps to:")
    letter.each("item in how_to_prepare", "{{ item }}")
    letter.text(
        "If you would like someone else to be with you at the review, or you need to change the "
        "time, please contact {{ contact_for_help }}."
    )


def dp_audit_request(letter: Letter) -> None:
    _dp_heading(letter, "Direct payment check: information we need")
    letter.text("Check reference: {{ audit_ref }}")
    letter.text(
        "We check every direct payment account from time to time, to make sure the money is "
        "being spent on the support in the support plan. We are now checking "
        "{{ subject.possessive }} direct payment account for {{ period_from }} to "
        "{{ period_to }}."
    )
    letter.tag('if account_type == "card"')
    letter.text(
        "We can see the payments on the prepaid card, so we do not need statements. These are "
        "the payments on the card in that period:"
    )
    letter.tag("endif")
    letter.tag('if account_type == "card" and transactions')
    letter.table(
        "row in transactions",
        ("Date", "Paid to or from", "Money in", "Money out"),
        ("{{ row.date }}", "{{ row.description }}", "{{ row.money_in }}", "{{ row.money_out }}"),
        right=(2, 3),
    )
    letter.tag("elif account_type == \"card\"")
    letter.text("There were no payments on the card in that period.")
    letter.tag("endif")
    letter.heading("What we need from you")
    letter.text("Please send us:")
    letter.each("item in documents_required", "{{ item }}")
    letter.text("Please send them by {{ return_by_date }}.")
    letter.when(
        "upload_link",
        "You can send them online at {{ upload_link }}, or by post to the address at the top of "
        "this letter.",
    )
    letter.text(
        "Please send copies, not originals, and quote the reference {{ audit_ref }}. If you "
        "cannot find something, or need more time, please contact {{ contact_for_help }} before "
        "that date."
    )


def dp_audit_reminder(letter: Letter) -> None:
    _dp_heading(letter, "Reminder: direct payment check")
    letter.text("Check reference: {{ audit_ref }}")
    letter.text(
        "On {{ original_request_date }} we wrote to ask for information about "
        "{{ subject.possessive }} direct payment account. We have not received it yet."
    )
    letter.text("Please send us these by {{ return_by_date }}:")
    letter.each("item in documents_required", "{{ item }}")
    letter.text("If you have already sent them, thank you, and please ignore this letter.")
    letter.heading("If we do not receive the information")
    letter.text("{{ consequence_text }}")


def dp_account_reviewed(letter: Letter) -> None:
    _dp_heading(letter, "Direct payment check: account reviewed")
    letter.text("Check reference: {{ audit_ref }}")
    letter.text(
        "Thank you for your help. We finished checking {{ subject.possessive }} direct payment "
        "account on {{ review_date }}, and everything is in order. You do not need to do "
        "anything."
    )
    letter.when("balance_at_review",
                "The balance in the account when we checked it was {{ balance_at_review }}.")
    letter.heading("What we found")
    letter.each("item in observations", "{{ item }}")
    letter.heading("What happens next")
    letter.text(
        "The next review of the direct payment is due by {{ next_review_by }}. We will contact "
        "you before then. Please keep all statements, receipts and invoices until we ask for "
        "them."
    )


def dp_surplus_notice(letter: Letter) -> None:
    _dp_heading(letter, "Direct payment: money to be returned")
    letter.text("Check reference: {{ audit_ref }}")
    letter.text(
        "The direct payment account may keep some money for unexpected costs. When there is "
        "more than that in the account, the extra money must be returned to the council."
    )
    letter.heading("How we worked it out")
    letter.text("Weekly direct payment: {{ weekly_dp_amount }}")
    letter.text(
        "The account may keep {{ contingency_weeks }} weeks of payments: {{ contingency_amount }}"
    )
    letter.text("Balance on {{ balance_date }}: {{ balance_at_date }}")
    letter.text("Bills still to be paid from the account: {{ outstanding_commitments }}")
    letter.text("Money to be returned: {{ surplus_amount }}", bold=True)
    letter.heading("What happens next")
    letter.tag('if recovery_method == "card"')
    letter.text(
        "We will take {{ surplus_amount }} back from the prepaid card on {{ recovery_date }}. "
        "You do not need to do anything. {{ contingency_amount }} will stay on the card."
    )
    letter.tag("else")
    letter.text("Please repay {{ surplus_amount }} by {{ recovery_date }}.")
    letter.text("{{ payment_details }}")
    letter.tag("endif")
    letter.heading("If you disagree")
    letter.text("{{ right_to_discuss }}")


def _dp_decision(letter: Letter) -> None:
    letter.text("Date of decision: {{ decision_date }}")
    letter.text("Decision made by: {{ decision_maker }}")


def _dp_reasons(letter: Letter) -> None:
    letter.heading("Why")
    letter.each("reason in reasons", "{{ reason }}", style=None)


def _dp_rights(letter: Letter) -> None:
    letter.heading("If you disagree")
    letter.text("{{ right_to_request_reconsideration }}")
    letter.text("{{ complaints_route }}")


def dp_repayment_required(letter: Letter) -> None:
    _dp_heading(letter, "Direct payment: money to be repaid")
    letter.text(
        "The social worker has reviewed {{ subject.possessive }} direct payment. After the "
        "review, the council decided that money from the direct payment must be repaid, under "
        "section 33(5) of the Care Act 2014."
    )
    _dp_decision(letter)
    _dp_reasons(letter)
    letter.heading("What you need to repay")
    letter.text("Amount to repay: {{ total_repayable }}", bold=True)
    letter.text("Please repay {{ total_repayable }} by {{ repay_by_date }}.")
    letter.text("{{ payment_options }}")
    letter.text("{{ instalment_offer }}")
    letter.text(
        "If the money is not repaid or an arrangement agreed by {{ repay_by_date }}, we will "
        "send an invoice for it, and recover it as we do other money owed to the council."
    )
    _dp_rights(letter)


def dp_s33_decision(letter: Letter) -> None:
    _dp_heading(letter, "Our decision about the direct payment")
    letter.text(
        "The social worker has reviewed {{ subject.possessive }} direct payment. This letter "
        "tells you what the council has decided, under section 33(5) of the Care Act 2014."
    )
    _dp_decision(letter)
    letter.heading("Our decision")
    letter.when(
        'decision == "continue_with_conditions"',
        "The direct payment will continue, with the conditions explained in this letter, from "
        "{{ effective_date }}. If the conditions are not met, we may review it again.",
    )
    letter.when(
        'decision == "reduce"',
        "The direct payment will be reduced from {{ dp.amount }} to {{ new_amount }}, paid "
        "{{ dp.frequency }}, from {{ effective_date }}.",
    )
    letter.when(
        'decision == "suspend"',
        "The direct payment will be stopped for now (suspended) from {{ effective_date }}. "
        "The social worker will arrange the care and support needed while it is suspended, and "
        "we will tell you when we look at it again.",
    )
    letter.when(
        'decision == "terminate"',
        "The direct payment will end on {{ effective_date }}. We will write to you separately "
        "about what happens next, the final check of the account and any money to be returned.",
    )
    _dp_reasons(letter)
    letter.when(
        "repayment",
        "The council has also decided that {{ repayment }} must be repaid. We will write to you "
        "separately about how to repay it.",
    )
    letter.text(
        "We will still meet {{ subject.possessive }} care and support needs. If the direct "
        "payment is reduced, stopped or ended, the social worker will make sure the support "
        "needed is in place."
    )
    _dp_rights(letter)


def dp_termination(letter: Letter) -> None:
    _dp_heading(letter, "Direct payment ending")
    letter.text(
        "We are writing to confirm that the direct payment for {{ subject.possessive }} care "
        "and support will end on {{ effective_date }}. This is the end of the "
        "{{ notice_period_weeks }} weeks' notice."
    )
    _dp_reasons(letter)
    letter.heading("Care and support after the direct payment ends")
    letter.text("{{ alternative_support }}")
    letter.heading("The final check of the account")
    letter.text("{{ final_audit_info }}")
    letter.text(
        "Any money left in the account after those bills are paid must be returned to the "
        "council by {{ surplus_return_deadline }}."
    )
    letter.text("If you have any questions, please contact {{ contact_for_help }}.")


def dp_executor(letter: Letter) -> None:
    letter.text("The late {{ deceased.name }}: direct payment account", bold=True, size=12)
    letter.text(
        "We are sorry to write to you at what may be a difficult time. We understand that "
        "{{ deceased.name }} died on {{ date_of_death }}. {{ deceased.name }} received a "
        "direct payment from the council for care and support. We have stopped the payments."
    )
    letter.text("The direct payment account: {{ account_details }}")
    letter.heading("The money in the account")
    letter.text("{{ funds_not_part_of_estate_text }}")
    letter.text("These bills for the care and support can still be paid from the account:")
    letter.each("item in liabilities_to_settle", "{{ item }}")
    letter.heading("What we need from you")
    letter.text("{{ final_statement_request }}")
    letter.text("Please send these by {{ return_by_date }}, quoting the reference {{ our_ref }}.")
    letter.text(
        "If you are not the right person to deal with this, please let us know who is. If you "
        "have any questions, please contact {{ contact_for_help }}."
    )


BODIES: dict[str, Callable[[Letter], None]] = {
    "dp_agreement": dp_agreement,
    "dp_reminder_1": dp_reminder_1,
    "dp_reminder_2": dp_reminder_2,
    "dp_missing_information": dp_missing_information,
    "dp_confirmation": dp_confirmation,
    "dp_not_proceeding": dp_not_proceeding,
    "debt_reminder_1": debt_reminder_1,
    "debt_final_demand": debt_final_demand,
    "debt_recovery_contact": debt_recovery_contact,
    "instalment_confirmation": instalment_confirmation,
    "instalment_missed": instalment_missed,
    "dpa_offer": dpa_offer,
    "letter_of_claim": letter_of_claim,
    "pap_information_sheet": pap_information_sheet,
    "pap_reply_form": pap_reply_form,
    "pap_financial_statement": pap_financial_statement,
    "pap_documents": pap_documents,
    "pap_offer_refused": pap_offer_refused,
    "legal_referral": legal_referral,
    "enforcement_notice": enforcement_notice,
    "estate_final_account": estate_final_account,
    "write_off_memo": write_off_memo,
    "query_acknowledgement": query_acknowledgement,
    "query_holding": query_holding,
    "query_outcome": query_outcome,
    "credit_note_notice": credit_note_notice,
    "complaint_acknowledgement": complaint_acknowledgement,
    "dp_review_due": dp_review_due,
    "dp_audit_request": dp_audit_request,
    "dp_audit_reminder": dp_audit_reminder,
    "dp_account_reviewed": dp_account_reviewed,
    "dp_surplus_notice": dp_surplus_notice,
    "dp_repayment_required": dp_repayment_required,
    "dp_s33_decision": dp_s33_decision,
    "dp_termination": dp_termination,
    "dp_executor": dp_executor,
}


def build(name: str, out_dir: Path) -> Path:
    """Write ``{out_dir}/{name}.docx`` and return its path."""
    info = TEMPLATES[name]
    letter = Letter(info)
    # Internal memos and enclosures are not letters: no salutation, sign-off or signposts.
    if info.matter == "internal":
        memo_head(letter)
        BODIES[name](letter)
        memo_end(letter)
    elif name in ENCLOSURES:
        enclosure_head(letter)
        BODIES[name](letter)
    else:
        letterhead(letter)
        BODIES[name](letter)
        sign_off(letter)
    path = out_dir / f"{name}.docx"
    letter.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "letter_templates")
    args = parser.parse_args(argv)
    missing = sorted(set(TEMPLATES) - set(BODIES))
    if missing:
        parser.error(f"no wording for registered templates: {', '.join(missing)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in BODIES:
        print(build(name, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
