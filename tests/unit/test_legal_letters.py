"""Tests for the legal-stage letters: DR-DPA-OFFER, the Letter of Claim and its enclosures,
PAP-DOCS, PAP-REFUSE, LEGAL-REF, ENF-NOTICE, EST-01 and WO-MEMO.

Each must render for a person with a property-and-finance deputy (to the deputy, on the person's
behalf), for someone who has died (with and without a personal representative recorded) and for
a self-managing person whose name is full of XML characters; print the figures it is given; and
refuse to render with a field missing. The two internal memos go to the council's legal team
whoever the person is.
"""

from __future__ import annotations

import copy
import importlib.util
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document
from lxml import etree

from app.letters import (
    TEMPLATES,
    TEMPLATES_DIR,
    AddressingError,
    LetterError,
    Recipient,
    RepresentationNeeded,
    build_context,
    choose_recipient,
    placeholder_enclosures,
    render_letter,
    template_variables,
)
from app.letters.context import MISSING, lookup

from tests.unit.letter_helpers import COUNCIL, docx_lines, without

LETTER_DATE = date(2026, 4, 1)
OFFICER = {
    "name": "Alex Jones",
    "job_title": "Finance Assessment Manager",
    "direct_line": "01273 000001",
}


def person(name="Margaret Okafor", *, deceased=False, representative=None):
    return {
        "reference": "P000123",
        "name": name,
        "address_lines": ["1 Acacia Avenue", "Newhaven"],
        "postcode": "BN9 9AA",
        "deceased": deceased,
        "representative": representative,
    }


def rep(name, type_, scope=None):
    return {
        "name": name,
        "type": type_,
        "scope": scope,
        "address_lines": ["2 Law Chambers", "Brighton"],
        "postcode": "BN1 1AA",
    }


WITH_DEPUTY = person("Harold Finch", representative=rep("Jo Finch", "deputy",
                                                         "property_and_finance"))
DECEASED = person("Edith Crawley", deceased=True)
DECEASED_WITH_PR = person(
    "Edith Crawley",
    deceased=True,
    representative=rep("Robert Crawley", "personal_representative"),
)
AWKWARD = person("Smith & Sons <Ltd>")
PEOPLE = {
    "deputy": WITH_DEPUTY,
    "deceased": DECEASED,
    "deceased_with_pr": DECEASED_WITH_PR,
    "awkward": AWKWARD,
}

LEGAL_TEMPLATES = (
    "dpa_offer",
    "letter_of_claim",
    "pap_information_sheet",
    "pap_reply_form",
    "pap_financial_statement",
    "pap_documents",
    "pap_offer_refused",
    "legal_referral",
    "enforcement_notice",
    "estate_final_account",
    "write_off_memo",
)
ENCLOSURES = ("pap_information_sheet", "pap_reply_form", "pap_financial_statement")
MEMOS = ("legal_referral", "write_off_memo")

STATEMENT = [
    {
        "date": date(2026, 1, 5),
        "description": "Invoice INV-20260105",
        "debit": Decimal("1500.00"),
        "balance": Decimal("1500.00"),
    },
    {
        "date": date(2026, 2, 2),
        "description": "Invoice INV-20260202",
        "debit": Decimal("2000.00"),
        "credit": None,
        "balance": Decimal("3500.00"),
    },
    {
        "date": date(2026, 2, 20),
        "description": "Payment received",
        "credit": Decimal("250.00"),
        "balance": Decimal("3250.00"),
    },
]
STATEMENT_ROWS = [
    "5 January 2026 | Invoice INV-20260105 | £1,500.00 |  | £1,500.00",
    "2 February 2026 | Invoice INV-20260202 | £2,000.00 |  | £3,500.00",
    "20 February 2026 | Payment received |  | £250.00 | £3,250.00",
]
FIELDS = {
    "dpa_offer": {
        "debt_amount": Decimal("3250.00"),
        "property_address": "1 Acacia Avenue, Newhaven BN9 9AA",
        "eligibility_summary": "The care is provided in a care home, the home is owned and not "
        "disregarded, and other savings are below the upper capital limit.",
        "interest_rate_current": "4.65% a year",
        "rate_period": "1 January to 30 June 2026",
        "admin_charges": [
            {"item": "Setting up the agreement", "amount": Decimal("670.00")},
            {"item": "Valuation of the property", "amount": Decimal("326.00")},
        ],
        "accept_by_date": date(2026, 4, 29),
    },
    "letter_of_claim": {
        "debt_amount": Decimal("3250.00"),
        "interest_continuing": "No interest is being added to this debt.",
        "charges_continuing": "No other charges are being added.",
        "agreement_basis": "The charges follow the financial assessment of 12 March 2025 and "
        "the care and support plan CSP-4411; a copy of either can be requested from us.",
        "instalment_offer_status": "none",
        "reply_address": "Care Finance Team, County Hall, Lewes BN7 1UE",
        "statement_of_account": STATEMENT,
        "enclosures": ["Information Sheet", "Reply Form", "Financial Statement"],
    },
    "pap_information_sheet": {},
    "pap_reply_form": {},
    "pap_financial_statement": {},
    "pap_documents": {
        "documents_enclosed": ["Copies of invoices INV-20260105 and INV-20260202",
                               "The financial assessment of 12 March 2025"],
        "response_to_offer": "No offer was made on the Reply Form.",
    },
    "pap_offer_refused": {
        "offer_amount": Decimal("5.00"),
        "offer_frequency": "a month",
        "income_expenditure_summary": "Income £1,420.00 a month; spending £1,180.00 a month.",
        "reasons": [
            "At £5.00 a month the debt would take over 54 years to clear.",
            "The income and spending figures leave £240.00 a month.",
        ],
        "counter_proposal": "We could accept £120.00 a month.",
    },
    "legal_referral": {
        "debtor_details": "Margaret Okafor, 1 Acacia Avenue, Newhaven BN9 9AA",
        "representative_details": "Jo Finch, property and finance deputy",
        "capacity_status": "Lacks capacity to conduct proceedings (protected party)",
        "litigation_friend_needed": True,
        "dpa_test_outcome": "Offered on 1 April 2026 and refused",
        "dpa_evidence": "Refusal letter of 20 April 2026",
        "limitation_expiry": date(2032, 1, 26),
        "pap_dates": [
            {"label": "Letter of Claim posted", "date": date(2026, 5, 1)},
            {"label": "Deemed served (CPR 6.26)", "date": date(2026, 5, 5)},
        ],
        "statement_of_account": STATEMENT,
        "recommended_route": "Form N1",
        "route_reasons": ["The debtor is a protected party."],
        "fee_band": Decimal("205.00"),
        "interest_claimed": "none",
    },
    "enforcement_notice": {
        "claim_no": "K1QZ1234",
        "judgment_date": date(2026, 9, 7),
        "judgment_amount": Decimal("3455.00"),
        "terms": "payable at once",
        "amount_paid": Decimal("455.00"),
        "balance": Decimal("3000.00"),
        "enforcement_intended": "If the balance is not paid, we intend to apply for a charging "
        "order on the property.",
    },
    "estate_final_account": {
        "deceased_name": "Edith Crawley",
        "date_of_death": date(2026, 3, 2),
        "final_invoice_no": "INV-20260316",
        "final_balance": Decimal("3250.00"),
        "dpa_due_date": date(2026, 5, 31),
    },
    "write_off_memo": {
        "debt_id": "D-0042",
        "amount": Decimal("3250.00"),
        "age": "6 years 2 months",
        "reason_code": "statute_barred",
        "reason_label": "Statute-barred (Care Act 2014 s69(3))",
        "actions_taken": ["Reminder 1 sent on 3 February 2020", "Final demand sent"],
        "approver_level": "finance manager",
        "approval": "Awaiting approval",
    },
}
# What each letter must print from the figures above.
FIGURES = {
    "dpa_offer": [
        "now come to £3,250.00",
        "the property at 1 Acacia Avenue, Newhaven BN9 9AA",
        "Interest rate: 4.65% a year (1 January to 30 June 2026).",
        "Setting up the agreement | £670.00",
        "Valuation of the property | £326.00",
        "by 29 April 2026 whether the offer is accepted",
        "If the offer is not accepted by 29 April 2026, the debt of £3,250.00",
    ],
    "letter_of_claim": [
        "Example County Council says that £3,250.00 is owed",
        *STATEMENT_ROWS,
        "Amount owed |  |  |  | £3,250.00",
        "No interest is being added to this debt.",
        "a copy of either can be requested from us",
        "The debt has not been assigned to anyone else.",
        "send it back within 30 days of the date of this letter to:",
        "Care Finance Team, County Hall, Lewes BN7 1UE",
        "Please quote the reference P000123 when you pay.",
        "Date: 1 April 2026",
    ],
    "pap_information_sheet": ["Sent with our Letter of Claim dated 1 April 2026"],
    "pap_reply_form": ["Sent with our Letter of Claim dated 1 April 2026", "Box D"],
    "pap_financial_statement": ["Sent with our Letter of Claim dated 1 April 2026"],
    "pap_documents": [
        "Copies of invoices INV-20260105 and INV-20260202",
        "No offer was made on the Reply Form.",
        "at least 30 days after the date of this letter",
    ],
    "pap_offer_refused": [
        "your offer to pay £5.00 a month",
        "Income and spending: Income £1,420.00 a month; spending £1,180.00 a month.",
        "At £5.00 a month the debt would take over 54 years to clear.",
        "We could accept £120.00 a month.",
    ],
    "legal_referral": [
        "Litigation friend needed: Yes",
        "Recommended route: Form N1",
        "becomes statute-barred on 26 January 2032",
        "Letter of Claim posted | 1 May 2026",
        "Deemed served (CPR 6.26) | 5 May 2026",
        *STATEMENT_ROWS,
        "Amount to claim |  |  |  | £3,250.00",
        "Issue fee: £205.00",
        "Interest claimed: none",
    ],
    "enforcement_notice": [
        "On 7 September 2026 the county court gave judgment",
        "claim number K1QZ1234",
        "Amount of the judgment: £3,455.00",
        "Paid since the judgment: £455.00",
        "since the judgment: £3,000.00",
        "The court ordered it to be paid: payable at once",
        "paid within one month of the date of the judgment, the entry is removed",
        "marked as satisfied",
    ],
    "estate_final_account": [
        "The late Edith Crawley: final account for care charges",
        "who died on 2 March 2026",
        "Final invoice: INV-20260316",
        "Total owed by the estate: £3,250.00",
        "must be repaid by 31 May 2026, 90 days after the date of death",
        "section 27 of the Trustee Act 1925",
    ],
    "write_off_memo": [
        "Debt: D-0042",
        "Amount to write off: £3,250.00",
        "Age of the debt: 6 years 2 months",
        "Reason: Statute-barred (Care Act 2014 s69(3)) (statute_barred)",
        "Reminder 1 sent on 3 February 2020",
        "Approval needed from: finance manager",
        "Status: Awaiting approval",
    ],
}


def context_for(template, who=WITH_DEPUTY, council=COUNCIL, **fields):
    ctx = build_context(
        template,
        letter_date=LETTER_DATE,
        council=council,
        person=who,
        officer=OFFICER,
        fields={**copy.deepcopy(FIELDS[template]), **fields},
    )
    assert isinstance(ctx, dict), ctx
    return ctx


def render_text(template, who=WITH_DEPUTY, council=COUNCIL, **fields) -> str:
    ctx = context_for(template, who, council, **fields)
    return "\n".join(docx_lines(render_letter(template, ctx)))


# --------------------------------------------------------------------------- registry and files


def test_the_legal_letters_are_registered():
    got = {name: TEMPLATES[name] for name in LEGAL_TEMPLATES}
    assert {name: (info.ref, info.matter, info.needs_approval) for name, info in got.items()} == {
        "dpa_offer": ("DR-DPA-OFFER", "capital_or_property", False),
        "letter_of_claim": ("PAP-LOC", "capital_or_property", True),
        "pap_information_sheet": ("PAP-INFO", "capital_or_property", False),
        "pap_reply_form": ("PAP-REPLY", "capital_or_property", False),
        "pap_financial_statement": ("PAP-FS", "capital_or_property", False),
        "pap_documents": ("PAP-DOCS", "capital_or_property", True),
        "pap_offer_refused": ("PAP-REFUSE", "capital_or_property", True),
        "legal_referral": ("LEGAL-REF", "internal", False),
        "enforcement_notice": ("ENF-NOTICE", "capital_or_property", True),
        "estate_final_account": ("EST-01", "general", False),
        "write_off_memo": ("WO-MEMO", "internal", False),
    }
    for info in got.values():
        assert info.version == 1
        assert info.placeholder is (info.name in ENCLOSURES)
        assert (TEMPLATES_DIR / f"{info.name}.docx").is_file()


def test_the_committed_templates_are_what_the_build_tool_makes(tmp_path):
    path = TEMPLATES_DIR.parent / "tools" / "build_letter_templates.py"
    spec = importlib.util.spec_from_file_location("build_letter_templates", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for name in LEGAL_TEMPLATES:
        built = tool.build(name, tmp_path)
        assert built.read_bytes() == (TEMPLATES_DIR / f"{name}.docx").read_bytes(), name


@pytest.mark.parametrize("template", LEGAL_TEMPLATES)
def test_every_placeholder_has_a_value_and_every_required_field_is_used(template):
    used = template_variables(template)
    assert set(TEMPLATES[template].required) - used == set()
    for who in PEOPLE.values():
        ctx = context_for(template, who)
        assert [path for path in sorted(used) if lookup(ctx, path) is MISSING] == []
    # Jinja reads a.b as getattr first: a key named like a dict method would print the method.
    assert [p for p in used if set(p.split(".")) & set(dir(dict))] == []


# --------------------------------------------------------------------------- placeholders


def test_placeholder_enclosures_names_the_three_enclosures():
    names = ["pap_information_sheet", "pap_reply_form", "pap_financial_statement",
             "letter_of_claim"]
    assert placeholder_enclosures(names) == list(ENCLOSURES)
    assert placeholder_enclosures(["letter_of_claim"]) == []
    with pytest.raises(LetterError, match="unknown letter template"):
        placeholder_enclosures(["annex_9"])


@pytest.mark.parametrize(
    ("template", "annex"),
    [
        ("pap_information_sheet", "Information Sheet (Annex 1 of the Pre-Action Protocol"),
        ("pap_reply_form", "Reply Form (Annex 1 of the Pre-Action Protocol"),
        ("pap_financial_statement", "Financial Statement (Annex 2 of the Pre-Action Protocol"),
    ],
)
def test_each_enclosure_says_in_bold_where_the_official_text_goes(template, annex):
    doc = Document(BytesIO(render_letter(template, context_for(template))))
    marked = [p for p in doc.paragraphs if p.text.startswith("PLACEHOLDER:")]
    assert len(marked) == 1
    assert f"PLACEHOLDER: the official {annex}" in marked[0].text
    assert marked[0].text.endswith("must be inserted here before use.")
    assert all(run.bold for run in marked[0].runs)


def test_the_reply_form_outlines_boxes_a_to_d_and_the_offers():
    text = render_text("pap_reply_form")
    for part in ("Box A", "Box B", "Box C", "Box D", "Section 2: offers of payment"):
        assert part in text
    assert "not a substitute for it" in text


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("template", LEGAL_TEMPLATES)
def test_renders_with_the_figures(template):
    text = render_text(template)
    lines = text.splitlines()
    assert f"Letter reference {TEMPLATES[template].ref} v1" in lines
    for figure in FIGURES[template]:
        assert figure in text, figure
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("template", [t for t in LEGAL_TEMPLATES if t not in MEMOS])
def test_goes_to_the_deputy_on_behalf_of_the_person(template):
    lines = render_text(template, WITH_DEPUTY).splitlines()
    if template in ENCLOSURES:
        assert lines[lines.index("For: Jo Finch") + 1] == "On behalf of Harold Finch"
        assert "About the debt of: Harold Finch" in lines
    else:
        assert lines[lines.index("Jo Finch") + 1] == "On behalf of Harold Finch"
        assert "Dear Jo Finch" in lines
        assert "Dear Harold Finch" not in lines
        assert "National Debtline: 0808 808 4000, nationaldebtline.org" in lines


@pytest.mark.parametrize("template", MEMOS)
@pytest.mark.parametrize("who", PEOPLE.values(), ids=PEOPLE.keys())
def test_internal_memos_go_to_legal_services_and_name_the_person(template, who):
    text = render_text(template, who)
    lines = text.splitlines()
    assert "To: Legal Services" in lines
    about = f"About: {who['name']}{' (deceased)' if who['deceased'] else ''}, "
    assert f"{about}person reference P000123" in lines
    assert "From: Alex Jones, Finance Assessment Manager, Care Finance Team" in lines
    assert "Internal memo: not to be sent to the person or anyone acting for them" in lines
    # Nobody outside the council is addressed, and there is no letter frame.
    assert "On behalf of" not in text
    assert "Dear " not in text
    assert "Jo Finch" not in lines and "Robert Crawley" not in text
    assert "National Debtline" not in text


def test_the_legal_team_name_comes_from_the_council_settings():
    council = {**COUNCIL, "legal_team_name": "Legal & Democratic Services"}
    ctx = context_for("legal_referral", council=council)
    assert ctx["recipient"]["full_name"] == "Legal & Democratic Services"
    assert ctx["salutation"] == "To Legal & Democratic Services"
    assert "To: Legal & Democratic Services" in render_text(
        "legal_referral", council=council
    ).splitlines()


@pytest.mark.parametrize("template", [t for t in LEGAL_TEMPLATES if t not in MEMOS])
def test_goes_to_the_personal_representatives_of_someone_who_has_died(template):
    unnamed = render_text(template, DECEASED)
    named = render_text(template, DECEASED_WITH_PR)
    pr_title = "The Personal Representative(s) of the late Edith Crawley"
    if template in ENCLOSURES:
        assert f"For: {pr_title}" in unnamed.splitlines()
        lines = named.splitlines()
        assert lines[lines.index("For: Robert Crawley") + 1] == (
            "On behalf of the estate of the late Edith Crawley"
        )
        return
    assert pr_title in unnamed.splitlines()
    assert "Dear Sir or Madam" in unnamed.splitlines()
    lines = named.splitlines()
    assert lines[lines.index("Robert Crawley") + 1] == (
        "On behalf of the estate of the late Edith Crawley"
    )
    assert "Dear Robert Crawley" in lines
    for text in (unnamed, named):
        assert "your care" not in text
        assert "will not stop or reduce" not in text  # care has ended
        for figure in FIGURES[template]:
            assert figure in text, figure


@pytest.mark.parametrize("template", LEGAL_TEMPLATES)
def test_a_name_full_of_xml_characters_is_escaped_once(template):
    data = render_letter(template, context_for(template, AWKWARD))
    with zipfile.ZipFile(BytesIO(data)) as docx:
        for part in docx.namelist():
            if part.endswith(".xml"):
                etree.fromstring(docx.read(part))  # every part is well-formed
        xml = docx.read("word/document.xml")
    assert b"Smith &amp; Sons &lt;Ltd&gt;" in xml
    assert b"&amp;amp;" not in xml and b"&amp;lt;" not in xml
    lines = docx_lines(data)
    if template in MEMOS:
        assert "About: Smith & Sons <Ltd>, person reference P000123" in lines
    elif template in ENCLOSURES:
        assert "For: Smith & Sons <Ltd>" in lines
    else:
        assert "Smith & Sons <Ltd>" in lines
        assert "Dear Smith & Sons <Ltd>" in lines
        assert "On behalf of" not in "\n".join(lines)


# --------------------------------------------------------------------------- letter by letter


def test_the_dpa_offer_explains_section_69_2_interest_and_advice():
    text = render_text("dpa_offer", AWKWARD)
    assert "(Care Act 2014, section 69(2))" in text
    assert "90% of the property's value, less £14,250" in text
    assert "never be more than the national maximum" in text
    assert "We strongly recommend getting independent advice" in text
    assert "We will not stop or reduce your care and support" in text


def test_a_dpa_offer_without_admin_charges_promises_to_state_them_before_signing():
    text = render_text("dpa_offer", admin_charges=[])
    assert "We will tell you about any charges for setting up and running the agreement" in text
    assert "We also make these charges" not in text


def test_the_letter_of_claim_leaves_out_the_instalment_section_when_there_is_no_offer():
    assert "Payments by instalments" not in render_text("letter_of_claim")
    offered = render_text(
        "letter_of_claim",
        instalment_offer_status="You offered £5.00 a month. This would take over 54 years to "
        "clear the debt, so we cannot accept it and may still go to court.",
    )
    assert "Payments by instalments" in offered
    assert "You offered £5.00 a month." in offered


def test_the_letter_of_claim_says_what_happens_without_a_reply():
    text = render_text("letter_of_claim", AWKWARD)
    assert "If we do not receive the Reply Form or the payment within 30 days of the date of " \
        "this letter, we may start court proceedings to recover the debt" in text
    assert "Financial Statement and send it back with the Reply Form" in text
    estate = render_text("letter_of_claim", DECEASED)
    assert "court proceedings against the estate" in estate
    assert "while probate is being sorted out" in estate


def test_the_statement_of_account_is_a_word_table():
    doc = Document(BytesIO(render_letter("letter_of_claim", context_for("letter_of_claim"))))
    (table,) = doc.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Date", "Description", "Debit", "Credit", "Balance"]
    assert rows[1:4] == [row.split(" | ") for row in STATEMENT_ROWS]
    assert rows[-1] == ["Amount owed", "", "", "", "£3,250.00"]


def test_an_opening_balance_row_starts_the_statement():
    rows = [
        {"date": date(2026, 1, 1), "description": "Balance brought forward",
         "balance": Decimal("1750.00")},
        {"date": date(2026, 2, 2), "description": "Invoice INV-20260202",
         "debit": Decimal("1500.00"), "balance": Decimal("3250.00")},
    ]
    text = render_text("letter_of_claim", statement_of_account=rows)
    assert "1 January 2026 | Balance brought forward |  |  | £1,750.00" in text


def test_the_referral_memo_recommends_money_claim_online_when_it_may_be_used():
    text = render_text(
        "legal_referral",
        capacity_status="No concerns about capacity recorded",
        litigation_friend_needed=False,
        recommended_route="Money Claim Online",
        route_reasons=["A specified sum under £100,000 against one defendant in England."],
    )
    assert "Litigation friend needed: No" in text
    assert "Recommended route: Money Claim Online" in text
    assert "protected party" not in text


def test_the_referral_memo_explains_a_protected_party():
    text = render_text("legal_referral")
    assert "Litigation friend needed: Yes" in text
    assert "a litigation friend must be appointed (CPR 21)" in text


def test_the_estate_account_prints_the_dpa_paragraph_only_with_a_due_date():
    with_dpa = render_text("estate_final_account", DECEASED)
    assert "The deferred payment agreement" in with_dpa
    assert "Interest continues to be added to the deferred amount" in with_dpa
    for no_dpa in ("", None):
        text = render_text("estate_final_account", DECEASED, dpa_due_date=no_dpa)
        assert "deferred payment" not in text
        assert "Total owed by the estate: £3,250.00" in text
    fields = {k: v for k, v in FIELDS["estate_final_account"].items() if k != "dpa_due_date"}
    ctx = build_context("estate_final_account", letter_date=LETTER_DATE, council=COUNCIL,
                        person=DECEASED, officer=OFFICER, fields=fields)
    assert "deferred payment" not in "\n".join(
        docx_lines(render_letter("estate_final_account", ctx))
    )


def test_the_estate_account_names_the_person_who_died_by_default():
    fields = {k: v for k, v in FIELDS["estate_final_account"].items() if k != "deceased_name"}
    ctx = build_context("estate_final_account", letter_date=LETTER_DATE, council=COUNCIL,
                        person=DECEASED_WITH_PR, officer=OFFICER, fields=fields)
    assert ctx["deceased_name"] == "Edith Crawley"
    assert "very sorry to hear of the death of Edith Crawley" in ctx["condolence_text"]


def test_service_texts_override_the_defaults():
    text = render_text(
        "letter_of_claim",
        assignment="The debt was assigned to Example Recoveries Ltd on 1 March 2026.",
        reply_by_text="by 1 May 2026",
    )
    assert "The debt was assigned to Example Recoveries Ltd on 1 March 2026." in text
    assert "send it back by 1 May 2026 to:" in text
    assert "has not been assigned" not in text


# --------------------------------------------------------------------------- addressing rule


def test_an_internal_memo_is_never_held_for_representation():
    appointee_only = person("Harold Finch", representative=rep("Jo Finch", "appointee",
                                                                "benefits"))
    assert isinstance(choose_recipient(appointee_only, "capital_or_property"),
                      RepresentationNeeded)
    for who in (appointee_only, DECEASED, DECEASED_WITH_PR, WITH_DEPUTY):
        assert choose_recipient(who, "internal", COUNCIL) == Recipient(
            full_name="Legal Services",
            address_lines=("County Hall", "St Anne's Crescent", "Lewes"),
            postcode="BN7 1UE",
            role="internal",
            on_behalf_of=None,
            salutation="To Legal Services",
        )


def test_an_internal_memo_needs_the_council():
    with pytest.raises(AddressingError, match="council"):
        choose_recipient(WITH_DEPUTY, "internal")


def test_letters_about_property_still_need_someone_with_authority():
    appointee_only = person("Harold Finch", representative=rep("Jo Finch", "appointee",
                                                                "benefits"))
    got = build_context("letter_of_claim", letter_date=LETTER_DATE, council=COUNCIL,
                        person=appointee_only, officer=OFFICER,
                        fields=FIELDS["letter_of_claim"])
    assert isinstance(got, RepresentationNeeded)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("template", "path"),
    [(name, path) for name in LEGAL_TEMPLATES for path in TEMPLATES[name].required],
)
def test_a_missing_required_field_raises_naming_it(template, path):
    ctx = without(context_for(template), path)
    with pytest.raises(LetterError, match=rf"required fields missing or empty: .*{path}"):
        render_letter(template, ctx)


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("dpa_offer", "debt_amount"),
        ("letter_of_claim", "statement_of_account"),
        ("pap_offer_refused", "reasons"),
        ("legal_referral", "limitation_expiry"),
        ("enforcement_notice", "balance"),
        ("write_off_memo", "amount"),
    ],
)
def test_a_figure_left_out_of_the_fields_is_refused(template, path):
    fields = {k: v for k, v in FIELDS[template].items() if k != path}
    ctx = build_context(template, letter_date=LETTER_DATE, council=COUNCIL, person=WITH_DEPUTY,
                        officer=OFFICER, fields=fields)
    with pytest.raises(LetterError, match=rf"required fields missing or empty: .*{path}"):
        render_letter(template, ctx)


def test_an_offer_can_be_refused_only_with_at_least_one_reason():
    with pytest.raises(LetterError, match="required fields missing or empty: reasons"):
        render_letter("pap_offer_refused", context_for("pap_offer_refused", reasons=[]))


def test_a_litigation_friend_answer_of_false_is_not_missing():
    ctx = context_for("legal_referral", litigation_friend_needed=False)
    assert "Litigation friend needed: No" in docx_lines(render_letter("legal_referral", ctx))


@pytest.mark.parametrize("template", ["letter_of_claim", "legal_referral"])
def test_a_statement_that_does_not_close_at_the_debt_is_refused(template):
    if template == "letter_of_claim":
        with pytest.raises(LetterError, match="debt_amount is 3300.00 but statement_of_account "
                                              "closes at 3250.00"):
            context_for(template, debt_amount=Decimal("3300.00"))
    rows = copy.deepcopy(STATEMENT)
    rows[2]["balance"] = Decimal("3300.00")
    with pytest.raises(LetterError, match=r"statement_of_account\[2\] balance is 3300.00 but the "
                                          r"rows up to it come to 3250.00"):
        context_for(template, statement_of_account=rows, debt_amount=Decimal("3300.00"))


@pytest.mark.parametrize("key", ["date", "description", "balance"])
def test_every_statement_row_needs_its_date_description_and_balance(key):
    rows = copy.deepcopy(STATEMENT)
    del rows[1][key]
    with pytest.raises(LetterError, match=rf"statement_of_account\[1\] has no '{key}'"):
        context_for("letter_of_claim", statement_of_account=rows)


def test_a_float_in_the_statement_is_refused():
    rows = copy.deepcopy(STATEMENT)
    rows[0]["debit"] = 1500.0
    with pytest.raises(LetterError, match="floats are not accepted"):
        context_for("letter_of_claim", statement_of_account=rows)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"recommended_route": "MCOL"}, "recommended_route is 'MCOL'"),
        ({"recommended_route": "Money Claim Online"}, "cannot be used against a protected party"),
        ({"litigation_friend_needed": "no"}, "litigation_friend_needed must be True or False"),
        ({"litigation_friend_needed": 0}, "litigation_friend_needed must be True or False"),
        ({"route_reasons": [None]}, r"route_reasons\[0\] must be a non-empty text"),
        ({"pap_dates": [{"label": "Letter of Claim posted"}]}, r"pap_dates\[0\] has no 'date'"),
    ],
)
def test_the_referral_memo_refuses_a_route_or_answer_that_cannot_be_right(fields, message):
    with pytest.raises(LetterError, match=message):
        context_for("legal_referral", **fields)


def test_money_claim_online_takes_claims_under_100000_only():
    rows = [{"date": date(2026, 1, 5), "description": "Invoice INV-1",
             "debit": Decimal("100000.00"), "balance": Decimal("100000.00")}]
    with pytest.raises(LetterError, match="under £100,000 only"):
        context_for("legal_referral", statement_of_account=rows,
                    litigation_friend_needed=False, recommended_route="Money Claim Online")


def test_a_deferred_amount_cannot_fall_due_sooner_than_90_days_after_death():
    with pytest.raises(LetterError, match="less than 90 days after the death"):
        context_for("estate_final_account", DECEASED, dpa_due_date=date(2026, 5, 30))
    assert context_for("estate_final_account", DECEASED, dpa_due_date=date(2026, 6, 30))
    with pytest.raises(LetterError, match="pass a date, not a datetime"):
        context_for("estate_final_account", DECEASED, dpa_due_date=datetime(2026, 6, 30))


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("letter_of_claim", "enclosures"),
        ("pap_documents", "documents_enclosed"),
        ("pap_offer_refused", "reasons"),
        ("write_off_memo", "actions_taken"),
    ],
)
def test_lists_of_sentences_take_text_only(template, path):
    with pytest.raises(LetterError, match=rf"{path}\[1\] must be a non-empty text"):
        context_for(template, **{path: ["Fine", {"text": "not a sentence"}]})
    with pytest.raises(LetterError, match=rf"{path} must be a list of texts"):
        context_for(template, **{path: "one long text"})


def test_an_admin_charge_needs_its_amount():
    with pytest.raises(LetterError, match=r"admin_charges\[0\] has no 'amount'"):
        context_for("dpa_offer", admin_charges=[{"item": "Setting up the agreement"}])
