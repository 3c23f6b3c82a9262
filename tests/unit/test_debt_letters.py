"""Tests for the debt-recovery letters: DR-R1, DR-FD, DR-CONTACT, DR-IP-CONF and DR-IP-MISS.

Each letter must read right to the person, to a property-and-finance deputy writing on their
behalf, and to the personal representatives of someone who has died; print the figures it is
given; survive a name full of XML characters; and refuse to render with a figure missing.
"""

from __future__ import annotations

import copy
import importlib.util
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from lxml import etree

from app.letters import (
    TEMPLATES,
    TEMPLATES_DIR,
    LetterError,
    build_context,
    render_letter,
    template_variables,
)
from app.letters.context import MISSING, lookup
from app.letters.formatting import to_letter_value

from tests.unit.letter_helpers import COUNCIL, docx_lines, without

LETTER_DATE = date(2026, 3, 16)
OFFICER = {
    "name": "Alex Jones",
    "job_title": "Debt Recovery Officer",
    "direct_line": "01273 000001",
}
DEBT_TEMPLATES = (
    "debt_reminder_1",
    "debt_final_demand",
    "debt_recovery_contact",
    "instalment_confirmation",
    "instalment_missed",
)


def person(name="Margaret Okafor", *, deceased=False, representative=None):
    return {
        "reference": "P000123",
        "name": name,
        "address_lines": ["1 Acacia Avenue", "Newhaven"],
        "postcode": "BN9 9AA",
        "deceased": deceased,
        "representative": representative,
    }


DEPUTY = {
    "name": "Jo Finch",
    "type": "deputy",
    "scope": "property_and_finance",
    "address_lines": ["2 Law Chambers", "Brighton"],
    "postcode": "BN1 1AA",
}
SELF = person()
WITH_DEPUTY = person("Harold Finch", representative=DEPUTY)
DECEASED = person("Edith Crawley", deceased=True)
AWKWARD = person("Smith & Sons <Ltd>")

INVOICES = [
    {
        "number": "INV-20260105",
        "date": date(2026, 1, 5),
        "amount": Decimal("300.00"),
        "due_date": date(2026, 1, 26),
        "balance": Decimal("300.00"),
    },
    {
        "number": "INV-20260202",
        "date": date(2026, 2, 2),
        "amount": Decimal("1150.00"),
        "due_date": date(2026, 2, 23),
        "balance": Decimal("112.50"),
    },
]
OVERDUE = {
    "invoices_overdue": INVOICES,
    "total_overdue": Decimal("412.50"),
    "pay_by_date": date(2026, 3, 30),
}
SCHEDULE = [
    {"date": date(2026, 4, 1), "amount": Decimal("150.00")},
    {"date": date(2026, 4, 29), "amount": Decimal("150.00")},
    {"date": date(2026, 5, 27), "amount": Decimal("112.50")},
]
FIELDS = {
    "debt_reminder_1": OVERDUE,
    "debt_final_demand": {
        **OVERDUE,
        "previous_reminder_date": date(2026, 3, 2),
        "deadline_date": date(2026, 4, 7),
    },
    "debt_recovery_contact": {
        "total_arrears": Decimal("1412.50"),
        "aged_breakdown": [
            {"band": "Up to 30 days overdue", "amount": Decimal("112.50")},
            {"band": "31 to 60 days overdue", "amount": Decimal("1300.00")},
        ],
        "request_call_by": date(2026, 3, 23),
    },
    "instalment_confirmation": {
        "arrears_total": Decimal("412.50"),
        "instalment_amount": Decimal("150.00"),
        "final_payment_amount": Decimal("112.50"),
        "frequency": "every four weeks",
        "first_date": date(2026, 4, 1),
        "number_of_payments": 3,
        "method": "Direct Debit",
        "payment_schedule": SCHEDULE,
    },
    "instalment_missed": {
        "missed_date": date(2026, 4, 29),
        "missed_amount": Decimal("150.00"),
        "bring_up_to_date_by": date(2026, 5, 6),
    },
}
# What each letter must print from the figures above.
FIGURES = {
    "debt_reminder_1": [
        "INV-20260105 | 5 January 2026 | £300.00 | 26 January 2026 | £300.00",
        "INV-20260202 | 2 February 2026 | £1,150.00 | 23 February 2026 | £112.50",
        "Total overdue |  |  |  | £412.50",
        "Please pay £412.50 by 30 March 2026.",
    ],
    "debt_final_demand": [
        "INV-20260105 | 5 January 2026 | £300.00 | 26 January 2026 | £300.00",
        "INV-20260202 | 2 February 2026 | £1,150.00 | 23 February 2026 | £112.50",
        "Total overdue |  |  |  | £412.50",
        "On 2 March 2026 we wrote",
        "Please pay £412.50 by 30 March 2026.",
        "contact us by 7 April 2026 to agree a payment plan",
        "If, by 7 April 2026, the full amount has not been paid",
        "Enclosed: Income and expenditure form",
    ],
    "debt_recovery_contact": [
        "The total now owed is £1,412.50.",
        "Up to 30 days overdue | £112.50",
        "31 to 60 days overdue | £1,300.00",
        "Total | £1,412.50",
        "by 23 March 2026",
    ],
    "instalment_confirmation": [
        "Amount owed: £412.50",
        "Instalments: £150.00 every four weeks",
        "Number of payments: 3",
        "First payment: 1 April 2026",
        "Amount of the last payment: £112.50",
        "Payment method: Direct Debit",
        "1 April 2026 | £150.00",
        "29 April 2026 | £150.00",
        "27 May 2026 | £112.50",
        "Total | £412.50",
    ],
    "instalment_missed": [
        "We have not received £150.00 that was due by 29 April 2026.",
        "Please pay £150.00 by 6 May 2026 to bring the arrangement up to date.",
    ],
}


def context_for(template, who=SELF, officer=OFFICER, **fields):
    ctx = build_context(
        template,
        letter_date=LETTER_DATE,
        council=COUNCIL,
        person=who,
        officer=officer,
        fields={**copy.deepcopy(FIELDS[template]), **fields},
    )
    assert isinstance(ctx, dict), ctx
    return ctx


def render_text(template, who=SELF, officer=OFFICER, **fields) -> str:
    ctx = context_for(template, who, officer, **fields)
    return "\n".join(docx_lines(render_letter(template, ctx)))


# --------------------------------------------------------------------------- registry and files


def test_the_five_debt_letters_are_registered_as_general_matters():
    got = {name: TEMPLATES[name] for name in DEBT_TEMPLATES}
    assert {name: info.ref for name, info in got.items()} == {
        "debt_reminder_1": "DR-R1",
        "debt_final_demand": "DR-FD",
        "debt_recovery_contact": "DR-CONTACT",
        "instalment_confirmation": "DR-IP-CONF",
        "instalment_missed": "DR-IP-MISS",
    }
    for info in got.values():
        assert (info.version, info.matter, info.needs_approval) == (1, "general", False)
        assert (TEMPLATES_DIR / f"{info.name}.docx").is_file()


def test_the_committed_templates_are_what_the_build_tool_makes(tmp_path):
    path = TEMPLATES_DIR.parent / "tools" / "build_letter_templates.py"
    spec = importlib.util.spec_from_file_location("build_letter_templates", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for name in DEBT_TEMPLATES:
        built = tool.build(name, tmp_path)
        assert built.read_bytes() == (TEMPLATES_DIR / f"{name}.docx").read_bytes(), name


@pytest.mark.parametrize("template", DEBT_TEMPLATES)
def test_every_placeholder_has_a_value_and_every_required_field_is_used(template):
    used = template_variables(template)
    assert set(TEMPLATES[template].required) - used == set()
    for who in (SELF, WITH_DEPUTY, DECEASED):
        ctx = context_for(template, who)
        assert [path for path in sorted(used) if lookup(ctx, path) is MISSING] == []
    # Jinja reads a.b as getattr first: a key named like a dict method would print the method.
    assert [p for p in used if set(p.split(".")) & set(dir(dict))] == []


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("template", DEBT_TEMPLATES)
def test_renders_to_the_person_with_the_figures(template):
    text = render_text(template)
    lines = text.splitlines()
    assert "Dear Margaret Okafor" in lines
    assert f"Letter reference {TEMPLATES[template].ref} v1" in lines
    assert "Date: 16 March 2026" in lines
    assert "National Debtline: 0808 808 4000, nationaldebtline.org" in lines
    for figure in FIGURES[template]:
        assert figure in text, figure
    assert "{{" not in text and "{%" not in text
    assert "On behalf of" not in text


@pytest.mark.parametrize("template", DEBT_TEMPLATES)
def test_renders_to_a_deputy_on_behalf_of_the_person(template):
    text = render_text(template, WITH_DEPUTY)
    lines = text.splitlines()
    assert lines[lines.index("Jo Finch") + 1] == "On behalf of Harold Finch"
    assert "Dear Jo Finch" in lines
    assert "Harold Finch" not in lines  # never the addressee
    assert "Dear Harold Finch" not in lines
    assert "Harold Finch's care and support" in text
    assert "your care" not in text
    for figure in FIGURES[template]:
        assert figure in text, figure


@pytest.mark.parametrize("template", DEBT_TEMPLATES)
def test_renders_to_the_personal_representatives_of_someone_who_has_died(template):
    text = render_text(template, DECEASED)
    lines = text.splitlines()
    assert "The Personal Representative(s) of the late Edith Crawley" in lines
    assert "Dear Sir or Madam" in lines
    assert "your care" not in text
    # Care has ended: no promise about it, and Breathing Space is for living debtors only.
    assert "will not stop or reduce" not in text
    assert "Only a debt adviser can apply" not in text
    for figure in FIGURES[template]:
        assert figure in text, figure


@pytest.mark.parametrize("template", DEBT_TEMPLATES)
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
    assert "Smith & Sons <Ltd>" in lines
    assert "Dear Smith & Sons <Ltd>" in lines
    assert any("for Smith & Sons <Ltd>" in line for line in lines)


def test_the_reminder_offers_ways_to_pay_help_and_a_query_route():
    text = render_text("debt_reminder_1")
    assert "The easiest way to pay is by Direct Debit." in text
    assert "Please quote the reference P000123 when you pay." in text
    assert "We can agree a plan to pay it in smaller amounts that are affordable." in text
    assert "check that your financial assessment is correct" in text
    assert "contact the Care Finance Team on 01273 000000" in text


def test_the_final_demand_explains_consequences_breathing_space_and_encloses_the_form():
    text = render_text("debt_final_demand")
    assert "we will pass the debt to our debt recovery team" in text
    assert "(Care Act 2014, section 69(5))" in text
    assert "We will not stop or reduce your care and support because of unpaid charges." in text
    assert "Breathing Space (the Debt Respite Scheme)" in text
    assert "Only a debt adviser can apply" in text
    assert "Please fill in the enclosed form" in text
    assert "Enclosed: Income and expenditure form" in text.splitlines()
    assert "We can agree a plan to pay it in smaller amounts that are affordable." in text


def test_the_final_demand_to_an_estate_says_legal_action_would_be_against_the_estate():
    text = render_text("debt_final_demand", DECEASED)
    assert "legal action against the estate in the county court" in text
    assert "It does not apply to the estate of someone who has died." in text
    assert "while probate is being sorted out" in text


def test_service_texts_override_the_defaults():
    text = render_text(
        "debt_final_demand",
        consequence_text="We will refer the debt to Legal Services.",
        income_expenditure_form="Standard Financial Statement",
    )
    assert "We will refer the debt to Legal Services." in text
    assert "Enclosed: Standard Financial Statement" in text
    assert "section 69(5)" not in text


def test_the_recovery_contact_introduces_the_officer_and_their_direct_line():
    text = render_text("debt_recovery_contact")
    assert "Your contact in the team is Alex Jones, Debt Recovery Officer." in text
    assert "Please call Alex Jones on 01273 000001 by 23 March 2026." in text
    assert "We will never visit without arranging it with you first." in text


def test_the_recovery_contact_without_a_direct_line_gives_the_team_number():
    text = render_text("debt_recovery_contact", officer={"name": "Alex Jones"})
    assert "Your contact in the team is Alex Jones." in text
    assert "Please call us on 01273 000000 by 23 March 2026." in text
    assert "Direct line" not in text


def test_the_recovery_contact_without_an_officer_names_no_contact():
    text = render_text("debt_recovery_contact", officer=None)
    assert "Your contact in the team" not in text
    assert "Please call us on 01273 000000 by 23 March 2026." in text


def test_the_instalment_confirmation_explains_direct_debit_notice_and_ongoing_charges():
    text = render_text("instalment_confirmation")
    assert "at least 10 days before the change" in text
    assert "Direct Debit Guarantee" in text
    assert "This arrangement covers only the overdue amount of £412.50." in text
    assert "New invoices for your care and support must still be paid in full" in text
    assert "If an instalment is missed, we will write to you." in text


def test_the_direct_debit_notice_period_comes_from_its_field():
    text = render_text("instalment_confirmation", dd_advance_notice_days=14)
    assert "at least 14 days before the change" in text


def test_a_plan_paid_another_way_gets_no_direct_debit_wording():
    text = render_text("instalment_confirmation", method="Standing order")
    assert "Payment method: Standing order" in text
    assert "If we need to change the date or amount of a payment" in text
    assert "Direct Debit" not in text


def test_the_missed_instalment_consequence_names_the_date():
    text = render_text("instalment_missed", WITH_DEPUTY)
    assert "If the payments are not brought up to date by 6 May 2026" in text
    assert "We will not stop or reduce Harold Finch's care and support" in text


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("template", "path"),
    [(name, path) for name in DEBT_TEMPLATES for path in TEMPLATES[name].required],
)
def test_a_missing_required_field_raises_naming_it(template, path):
    ctx = without(context_for(template), path)
    with pytest.raises(LetterError, match=rf"required fields missing or empty: .*{path}"):
        render_letter(template, ctx)


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("debt_reminder_1", "total_overdue"),
        ("debt_final_demand", "deadline_date"),
        ("debt_recovery_contact", "total_arrears"),
        ("instalment_confirmation", "instalment_amount"),
        ("instalment_missed", "missed_amount"),
    ],
)
def test_a_figure_left_out_of_the_fields_is_refused(template, path):
    fields = {k: v for k, v in FIELDS[template].items() if k != path}
    ctx = build_context(
        template,
        letter_date=LETTER_DATE,
        council=COUNCIL,
        person=SELF,
        officer=OFFICER,
        fields=fields,
    )
    with pytest.raises(LetterError, match=rf"required fields missing or empty: .*{path}"):
        render_letter(template, ctx)


def test_an_empty_overdue_list_is_refused():
    ctx = context_for("debt_reminder_1", invoices_overdue=[], total_overdue=Decimal("0"))
    with pytest.raises(LetterError, match="invoices_overdue"):
        render_letter("debt_reminder_1", ctx)


@pytest.mark.parametrize(
    ("template", "fields", "message"),
    [
        ("debt_reminder_1", {"total_overdue": Decimal("412.49")}, "invoices_overdue adds up"),
        ("debt_final_demand", {"total_overdue": Decimal("500.00")}, "invoices_overdue adds up"),
        ("debt_recovery_contact", {"total_arrears": Decimal("1")}, "aged_breakdown adds up"),
        ("instalment_confirmation", {"arrears_total": Decimal("400")}, "payment_schedule adds"),
        ("instalment_confirmation", {"number_of_payments": 4}, "payment_schedule has 3"),
        (
            "instalment_confirmation",
            {"final_payment_amount": Decimal("150.00")},
            "final_payment_amount is 150.00",
        ),
        ("instalment_confirmation", {"first_date": date(2026, 4, 2)}, "first_date is"),
    ],
)
def test_figures_that_contradict_the_table_are_refused(template, fields, message):
    with pytest.raises(LetterError, match=message):
        context_for(template, **fields)


@pytest.mark.parametrize("bad", [0, -1, "3", True])
def test_number_of_payments_must_be_a_positive_whole_number(bad):
    with pytest.raises(LetterError, match="number_of_payments must be a whole number"):
        context_for("instalment_confirmation", number_of_payments=bad)


def test_a_bad_direct_debit_notice_period_is_refused():
    with pytest.raises(LetterError, match="dd_advance_notice_days"):
        context_for("instalment_confirmation", dd_advance_notice_days=0)


@pytest.mark.parametrize("key", ["number", "date", "amount", "due_date", "balance"])
def test_every_overdue_invoice_needs_every_column(key):
    invoices = copy.deepcopy(INVOICES)
    del invoices[1][key]
    with pytest.raises(LetterError, match=rf"invoices_overdue\[1\] has no '{key}'"):
        context_for("debt_reminder_1", invoices_overdue=invoices)


def test_an_age_band_needs_its_label():
    with pytest.raises(LetterError, match=r"aged_breakdown\[0\] has no 'band'"):
        context_for(
            "debt_recovery_contact",
            aged_breakdown=[{"amount": Decimal("1412.50")}],
        )


def test_a_float_amount_is_refused():
    with pytest.raises(LetterError, match="floats are not accepted"):
        context_for("instalment_missed", missed_amount=150.0)


def test_whole_numbers_reach_the_letter_unchanged():
    assert to_letter_value(3) == 3
    assert context_for("instalment_confirmation")["number_of_payments"] == 3
