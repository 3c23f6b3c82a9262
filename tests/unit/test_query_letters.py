"""Tests for the invoice-query letters: Q-ACK, Q-HOLD, Q-OUT, CN and the complaint
acknowledgement (DOMAIN.md (b) 29-32).

Each letter must read right to the person, to a deputy and to the personal representatives of
someone who has died; print its figures (dates in words, money as £1,234.56); and refuse to
render with a figure missing.
"""

from __future__ import annotations

import copy
import importlib.util
from datetime import date
from decimal import Decimal

import pytest

from app.letters import (
    TEMPLATES,
    TEMPLATES_DIR,
    LetterError,
    build_context,
    render_letter,
    template_variables,
)
from app.letters.context import MISSING, lookup

from tests.unit.letter_helpers import COUNCIL, docx_lines, without
from tests.unit.test_debt_letters import DECEASED, OFFICER, SELF, WITH_DEPUTY

LETTER_DATE = date(2026, 7, 21)
QUERY_TEMPLATES = (
    "query_acknowledgement",
    "query_holding",
    "query_outcome",
    "credit_note_notice",
    "complaint_acknowledgement",
)
INVOICES = [{"number": "INV-2026-0612", "date": date(2026, 6, 29),
             "amount": Decimal("1340.00")}]
FIELDS = {
    "query_acknowledgement": {
        "query_ref": "Q-000008", "received_date": date(2026, 7, 20), "invoices": INVOICES,
        "summary_of_query": "The carer did not come on 8 and 9 June.",
        "target_response_date": date(2026, 8, 3),
    },
    "query_holding": {
        "query_ref": "Q-000008", "received_date": date(2026, 7, 20),
        "new_target_date": date(2026, 9, 1),
    },
    "query_outcome": {
        "query_ref": "Q-000008", "received_date": date(2026, 7, 20), "finding": "not_upheld",
        "reasons": ["The provider's call records show both visits took place."],
        "balance_now_due": Decimal("1340.00"),
    },
    "credit_note_notice": {
        "credit_note_no": "CN-000001", "credit_note_date": date(2026, 8, 3),
        "original_invoice_no": "INV-2026-0612",
        "lines": [{"description": "Home care, 8 June 2026: visit not made",
                   "amount": Decimal("24.10")},
                  {"description": "Home care, 9 June 2026: visit not made",
                   "amount": Decimal("24.10")}],
        "credit_amount": Decimal("48.20"), "reason": "Two visits were not made.",
    },
    "complaint_acknowledgement": {
        "query_ref": "Q-000009", "received_date": date(2026, 7, 20),
        "summary_of_query": "Staff were rude on the phone.",
    },
}
FIGURES = {
    "query_acknowledgement": [
        "Query reference: Q-000008",
        "Thank you for contacting us on 20 July 2026.",
        "INV-2026-0612 | 29 June 2026 | £1,340.00",
        "The carer did not come on 8 and 9 June.",
        "aim to write to you with our answer by 3 August 2026",
        "We will not take recovery action on the amount you have queried",
        "Please keep paying any charges you have not queried",
    ],
    "query_holding": [
        "the query you raised with us on 20 July 2026",
        "We now aim to write to you with our answer by 1 September 2026.",
        "We need more time to check the information",
    ],
    "query_outcome": [
        "found that they were right, so they have not changed",
        "The provider's call records show both visits took place.",
        "The balance now due on your account is £1,340.00.",
        "Local Government and Social Care Ombudsman",
        "within one month of the date of this letter",
    ],
    "credit_note_notice": [
        "Credit note CN-000001",
        "Date: 3 August 2026",
        "Invoice it corrects: INV-2026-0612",
        "Home care, 8 June 2026: visit not made | £24.10",
        "Total credited | £48.20",
        "Two visits were not made.",
    ],
    "complaint_acknowledgement": [
        "which we received on 20 July 2026",
        "Staff were rude on the phone.",
        "within 6 months",
        "lgo.org.uk",
    ],
}


def context_for(template, who=SELF, **fields):
    ctx = build_context(template, letter_date=LETTER_DATE, council=COUNCIL, person=who,
                        officer=OFFICER, fields={**copy.deepcopy(FIELDS[template]), **fields})
    assert isinstance(ctx, dict), ctx
    return ctx


def render_text(template, who=SELF, **fields) -> str:
    return "\n".join(docx_lines(render_letter(template, context_for(template, who, **fields))))


def test_the_query_letters_are_registered_general_matters_without_approval():
    refs = {name: TEMPLATES[name].ref for name in QUERY_TEMPLATES}
    assert refs == {"query_acknowledgement": "Q-ACK", "query_holding": "Q-HOLD",
                    "query_outcome": "Q-OUT", "credit_note_notice": "CN",
                    "complaint_acknowledgement": "Q-COMP-ACK"}
    for name in QUERY_TEMPLATES:
        info = TEMPLATES[name]
        assert (info.version, info.matter, info.needs_approval) == (1, "general", False)
        assert info.staff_name and (TEMPLATES_DIR / f"{name}.docx").is_file()


def test_the_committed_templates_are_what_the_build_tool_makes(tmp_path):
    path = TEMPLATES_DIR.parent / "tools" / "build_letter_templates.py"
    spec = importlib.util.spec_from_file_location("build_letter_templates", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for name in QUERY_TEMPLATES:
        built = tool.build(name, tmp_path)
        assert built.read_bytes() == (TEMPLATES_DIR / f"{name}.docx").read_bytes(), name


@pytest.mark.parametrize("template", QUERY_TEMPLATES)
def test_every_placeholder_has_a_value_and_every_required_field_is_used(template):
    used = template_variables(template)
    assert set(TEMPLATES[template].required) - used == set()
    for who in (SELF, WITH_DEPUTY, DECEASED):
        ctx = context_for(template, who)
        assert [p for p in sorted(used) if lookup(ctx, p) is MISSING] == []
    assert [p for p in used if set(p.split(".")) & set(dir(dict))] == []


@pytest.mark.parametrize("template", QUERY_TEMPLATES)
@pytest.mark.parametrize("who", [SELF, WITH_DEPUTY, DECEASED], ids=["self", "deputy", "estate"])
def test_renders_with_its_figures_to_each_kind_of_recipient(template, who):
    text = render_text(template, who)
    assert f"Letter reference {TEMPLATES[template].ref} v1" in text
    assert "Date: 21 July 2026" in text
    for figure in FIGURES[template]:
        assert figure in text, figure
    assert "{{" not in text and "{%" not in text and "None" not in text
    if who is WITH_DEPUTY:
        assert "On behalf of Harold Finch" in text and "Dear Jo Finch" in text


def test_the_acknowledgement_to_a_deputy_speaks_of_the_persons_care():
    assert "new invoices for Harold Finch's care" in render_text("query_acknowledgement",
                                                                  WITH_DEPUTY)


def test_an_upheld_outcome_gives_the_credit_note_the_new_invoice_and_the_balance():
    text = render_text("query_outcome", finding="upheld", credit_note_no="CN-000001",
                       credit_amount=Decimal("48.20"), reissued_invoice_no="INV-2026-0700",
                       new_due_date=date(2026, 8, 24), balance_now_due=Decimal("1291.80"))
    assert "We agree that the charges you queried were wrong" in text
    assert "We have taken £48.20 off the invoice with credit note CN-000001." in text
    assert "number INV-2026-0700" in text and "Please pay it by 24 August 2026." in text
    assert "The balance now due on your account is £1,291.80." in text
    assert "start recovering it again" not in text
    assert "found that they were right" not in text


def test_a_partly_upheld_outcome_without_a_new_invoice_yet_promises_one():
    text = render_text("query_outcome", finding="partly_upheld", reissue_promised=True)
    assert "part of the charges you queried was wrong" in text
    assert "We will send you a corrected invoice" in text
    assert "Credit note" not in text


def test_a_not_upheld_outcome_says_recovery_resumes_and_gives_the_rights():
    text = render_text("query_outcome")
    assert "We will now start recovering it again" in text
    assert "you can make a formal complaint" in text
    assert "within 12 months of finding out about the problem" in text
    assert "How your charge is worked out" not in text


def test_the_contribution_rule_is_explained_when_given():
    text = render_text("query_outcome", contribution_rule_explanation="You pay £340.00 a week.")
    assert "How your charge is worked out" in text and "You pay £340.00 a week." in text


def test_an_unknown_finding_is_refused():
    with pytest.raises(LetterError, match="finding"):
        context_for("query_outcome", finding="maybe")


def test_a_credit_note_whose_lines_do_not_add_up_is_refused():
    with pytest.raises(LetterError, match="lines adds up"):
        context_for("credit_note_notice", credit_amount=Decimal("50.00"))


@pytest.mark.parametrize("key", ["number", "date", "amount"])
def test_every_queried_invoice_needs_every_column(key):
    invoices = copy.deepcopy(INVOICES)
    del invoices[0][key]
    with pytest.raises(LetterError, match=rf"invoices\[0\] has no '{key}'"):
        context_for("query_acknowledgement", invoices=invoices)


@pytest.mark.parametrize(
    ("template", "path"),
    [(name, path) for name in QUERY_TEMPLATES for path in TEMPLATES[name].required],
)
def test_a_missing_required_field_raises_naming_it(template, path):
    ctx = without(context_for(template), path)
    with pytest.raises(LetterError, match=rf"required fields missing or empty: .*{path}"):
        render_letter(template, ctx)
