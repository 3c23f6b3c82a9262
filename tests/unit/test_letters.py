"""Tests for app.letters: addressing rule, context builder, formatting and the docx renderer."""

from __future__ import annotations

import copy
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document
from lxml import etree

from app.letters import (
    COMMON_REQUIRED,
    TEMPLATES,
    TEMPLATES_DIR,
    LetterError,
    Recipient,
    RepresentationNeeded,
    TemplateInfo,
    build_context,
    choose_recipient,
    format_date,
    format_money,
    render_letter,
    template_variables,
)
from app.letters.context import MISSING, lookup

LETTER_DATE = date(2026, 3, 16)
COUNCIL = {
    "name": "Example County Council",
    "address_lines": ["County Hall", "St Anne's Crescent", "Lewes"],
    "postcode": "BN7 1UE",
    "phone": "01273 000000",
    "email": "care.finance@example.gov.uk",
    "hours": "Monday to Friday, 9am to 5pm",
    "team_name": "Care Finance Team",
    "signatory": "Sam Patel, Head of Care Finance",
}
OFFICER = {"name": "Alex Jones", "job_title": "Finance Officer", "direct_line": "01273 000001"}


def person(name="Margaret Okafor", *, deceased=False, representative=None):
    return {
        "reference": "P000123",
        "name": name,
        "address_lines": ["1 Acacia Avenue", "Newhaven"],
        "postcode": "BN9 9AA",
        "deceased": deceased,
        "representative": representative,
    }


def rep(type_, scope=None, name="Smith & Sons Solicitors LLP"):
    return {
        "name": name,
        "type": type_,
        "scope": scope,
        "address_lines": ["2 Law Chambers", "Brighton"],
        "postcode": "BN1 1AA",
    }


SELF = person()
WITH_DEPUTY = person("Harold Finch", representative=rep("deputy", "property_and_finance"))
DECEASED = person("Edith Crawley", deceased=True)

FIELDS = {
    "dp_agreement": {
        "dp": {
            "agreement_id": "DPA-2026-0042",
            "variant": "standard",
            "start_date": date(2026, 4, 6),
            "amount": Decimal("1234.56"),
            "frequency": "every four weeks",
            "gross_or_net": "net",
            "account_type": "card",
            "support_plan_ref": "SP-7781",
            "permitted_uses_summary": "Paying a personal assistant and a day centre place.",
            "prohibited_uses": "household bills, alcohol or gambling",
            "contingency_weeks": 8,
            "monitoring_requirements": ["light-touch check after 3 months", "annual audit"],
            "records_to_keep": ["bank or card statements", "receipts and invoices"],
            "first_review_by": date(2026, 10, 6),
        },
        "client": {
            "contribution_amount": Decimal("45.10"),
            "contribution_frequency": "per week",
        },
        "signatories": [{"name": "Margaret Okafor", "role": "direct payment holder"}],
        "return_by_date": date(2026, 3, 30),
    },
    "dp_reminder_1": {
        "agreement.sent_date": date(2026, 3, 2),
        "return_by_date": date(2026, 3, 30),
        "support_org_details": "the Direct Payments Support Service on 01273 111111",
    },
    "dp_reminder_2": {
        "agreement.sent_date": date(2026, 3, 2),
        "return_by_date": date(2026, 3, 30),
        "social_worker.name": "Pat Lee",
    },
    "dp_missing_information": {
        "missing_items": ["page 4 is not signed", "the card application form is missing"],
        "return_by_date": date(2026, 3, 30),
    },
    "dp_confirmation": {
        "dp.amount": Decimal("1234.56"),
        "dp.frequency": "every four weeks",
        "first_payment_date": date(2026, 4, 6),
        "payment_schedule": [
            {"date": date(2026, 4, 6), "amount": Decimal("1234.56")},
            {"date": date(2026, 5, 4), "amount": Decimal("1234.56")},
        ],
        "card_activation_info": "Your card will arrive separately; activate it by phone.",
        "first_review_by": date(2026, 10, 6),
    },
    "dp_not_proceeding": {
        "reason": "The support you need cannot be bought with a direct payment at present.",
        "alternative_arrangements": "The council will arrange your home care directly.",
        "complaints_route": "You can complain using the council's complaints procedure.",
    },
}
MONEY_TEMPLATES = {"dp_agreement", "dp_confirmation"}
# The direct-payment agreement letters; the debt letters are tested in test_debt_letters.py,
# the monitoring letters (DP-REVIEW, DP-AUD-*, ...) in test_monitoring_letters.py.
DP_TEMPLATES = sorted(name for name, info in TEMPLATES.items()
                      if info.matter == "direct_payment" and info.ref.startswith("DP-AGR"))


def context_for(template, who=SELF, **fields):
    ctx = build_context(
        template,
        letter_date=LETTER_DATE,
        council=COUNCIL,
        person=who,
        officer=OFFICER,
        fields={**FIELDS[template], **fields},
    )
    assert isinstance(ctx, dict), ctx
    return ctx


def docx_text(data: bytes) -> str:
    doc = Document(BytesIO(data))
    section = doc.sections[0]
    parts = [*section.header.paragraphs, *doc.paragraphs, *section.footer.paragraphs]
    return "\n".join(p.text for p in parts)


def without(context, path):
    ctx = copy.deepcopy(context)
    *parents, leaf = path.split(".")
    node = ctx
    for part in parents:
        node = node[part]
    del node[leaf]
    return ctx


# --------------------------------------------------------------------------- registry and files


def test_every_registered_template_has_a_file_and_every_file_is_registered():
    files = {p.stem for p in TEMPLATES_DIR.glob("*.docx")}
    assert files == set(TEMPLATES)
    assert set(FIELDS) == set(DP_TEMPLATES)


def test_registry_entries_are_direct_payment_letters_without_approval():
    refs = {TEMPLATES[name].ref for name in DP_TEMPLATES}
    assert refs == {
        "DP-AGR-01", "DP-AGR-R1", "DP-AGR-R2", "DP-AGR-MISS", "DP-AGR-CONF", "DP-AGR-STOP"
    }
    for info in (TEMPLATES[name] for name in DP_TEMPLATES):
        assert info.needs_approval is False
        assert info.version >= 1


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("template", DP_TEMPLATES)
@pytest.mark.parametrize(
    ("who", "expected_lines"),
    [
        (SELF, ["Margaret Okafor", "Dear Margaret Okafor"]),
        (
            WITH_DEPUTY,
            [
                "Smith & Sons Solicitors LLP",
                "On behalf of Harold Finch",
                "2 Law Chambers",
                "Dear Smith & Sons Solicitors LLP",
            ],
        ),
        (
            DECEASED,
            ["The Personal Representative(s) of the late Edith Crawley", "Dear Sir or Madam"],
        ),
    ],
    ids=["self", "deputy", "deceased"],
)
def test_every_template_renders_for_each_kind_of_recipient(template, who, expected_lines):
    text = docx_text(render_letter(template, context_for(template, who)))
    lines = text.splitlines()
    for expected in expected_lines:
        assert expected in lines
    assert "Date: 16 March 2026" in lines
    assert f"Letter reference {TEMPLATES[template].ref} v1" in lines
    assert "Example County Council" in lines
    assert "Alex Jones" in lines
    assert "National Debtline: 0808 808 4000, nationaldebtline.org" in lines
    if template in MONEY_TEMPLATES:
        assert "£1,234.56" in text
    assert "{{" not in text and "{%" not in text
    if who is not WITH_DEPUTY:
        assert "On behalf of" not in text


def test_reminder_2_says_the_social_worker_will_be_contacted():
    text = docx_text(render_letter("dp_reminder_2", context_for("dp_reminder_2")))
    assert (
        "If we do not receive the signed agreement by 30 March 2026, we will contact your "
        "social worker to discuss other ways to meet your care and support needs."
    ) in text
    assert "Pat Lee" in text


def test_reminder_2_consequence_text_names_the_client_when_writing_to_a_deputy():
    ctx = context_for("dp_reminder_2", WITH_DEPUTY)
    assert "contact Harold Finch's social worker" in ctx["consequence_text"]


def test_not_proceeding_gives_reason_and_complaints_route():
    text = docx_text(render_letter("dp_not_proceeding", context_for("dp_not_proceeding")))
    assert FIELDS["dp_not_proceeding"]["reason"] in text
    assert "council's complaints procedure" in text


def test_agreement_variants_and_gross_payment_change_the_wording():
    net = docx_text(render_letter("dp_agreement", context_for("dp_agreement")))
    gross_ctx = context_for(
        "dp_agreement",
        dp={**FIELDS["dp_agreement"]["dp"], "gross_or_net": "gross", "variant": "carer"},
    )
    gross = docx_text(render_letter("dp_agreement", gross_ctx))
    assert "has already been taken off this amount" in net
    assert "is paid to the council separately" in gross
    assert "carer's support needs" in gross and "carer's support needs" not in net
    assert "£45.10 (per week)" in net
    assert "for 7 years" in net  # retention default [S74]


def test_ampersand_in_a_name_renders_and_the_docx_stays_valid():
    ctx = context_for("dp_reminder_1", person("Smith & Sons <Trading> Ltd"))
    data = render_letter("dp_reminder_1", ctx)
    with zipfile.ZipFile(BytesIO(data)) as docx:
        xml = docx.read("word/document.xml")
    etree.fromstring(xml)  # well-formed
    assert b"Smith &amp; Sons &lt;Trading&gt; Ltd" in xml
    assert "Dear Smith & Sons <Trading> Ltd" in docx_text(data).splitlines()


def test_control_characters_in_values_cannot_break_the_document():
    ctx = context_for("dp_not_proceeding", reason="Line one\r\nLine two\x0c\x07\x00 end")
    data = render_letter("dp_not_proceeding", ctx)
    assert "Line one\nLine two end" in docx_text(data)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("template", "path"),
    [(name, path) for name in DP_TEMPLATES for path in TEMPLATES[name].required]
    + [("dp_reminder_1", path) for path in COMMON_REQUIRED],
)
def test_a_missing_required_field_raises_naming_it(template, path):
    ctx = without(context_for(template), path)
    with pytest.raises(LetterError, match=rf"required fields missing or empty: .*{path}"):
        render_letter(template, ctx)


@pytest.mark.parametrize("empty", ["", "   ", None, []])
def test_an_empty_required_field_raises_naming_it(empty):
    ctx = context_for("dp_missing_information", missing_items=empty)
    with pytest.raises(LetterError, match="missing_items"):
        render_letter("dp_missing_information", ctx)


def _write_template(path, *paragraphs):
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)


@pytest.mark.parametrize(
    ("placeholder", "named"),
    [
        ("{{ nonsense_field }}", "nonsense_field"),
        ("{{ council.fax_number }}", "council.fax_number"),
    ],
)
def test_an_unknown_placeholder_raises(tmp_path, placeholder, named):
    _write_template(tmp_path / "dp_reminder_1.docx", "Dear {{ recipient.full_name }}", placeholder)
    ctx = context_for("dp_reminder_1")
    with pytest.raises(LetterError, match=rf"no value in the context: {named}"):
        render_letter("dp_reminder_1", ctx, templates_dir=tmp_path)


def test_strict_undefined_catches_what_the_static_check_cannot(tmp_path):
    _write_template(
        tmp_path / "dp_reminder_1.docx",
        "{%p for line in recipient.address_lines %}",
        "{{ line.nonsense }}",
        "{%p endfor %}",
    )
    with pytest.raises(LetterError, match="cannot render"):
        render_letter("dp_reminder_1", context_for("dp_reminder_1"), templates_dir=tmp_path)


def test_unknown_template_and_missing_file_raise(tmp_path):
    with pytest.raises(LetterError, match="unknown letter template"):
        render_letter("no_such_letter", {})
    with pytest.raises(LetterError, match="not found"):
        render_letter("dp_reminder_1", context_for("dp_reminder_1"), templates_dir=tmp_path)


def test_fields_may_not_override_the_addressing_rule():
    with pytest.raises(LetterError, match="may not set recipient"):
        context_for("dp_reminder_1", **{"recipient.full_name": "Someone else"})


def test_a_float_amount_is_refused():
    with pytest.raises(LetterError, match="dp.amount: floats are not accepted"):
        context_for("dp_confirmation", **{"dp.amount": 1234.56})


def test_a_bad_choice_is_refused():
    dp = {**FIELDS["dp_agreement"]["dp"], "variant": "other"}
    with pytest.raises(LetterError, match="dp.variant"):
        context_for("dp_agreement", dp=dp)


def test_list_items_must_have_their_keys():
    with pytest.raises(LetterError, match=r"signatories\[0\] has no 'role'"):
        context_for("dp_agreement", signatories=[{"name": "Margaret Okafor"}])


# --------------------------------------------------------------------------- every placeholder


@pytest.mark.parametrize("template", DP_TEMPLATES)
@pytest.mark.parametrize("who", [SELF, WITH_DEPUTY, DECEASED], ids=["self", "deputy", "deceased"])
def test_every_placeholder_has_a_value_in_the_context(template, who):
    ctx = context_for(template, who)
    used = template_variables(template)
    assert {"council.name", "letter.date", "recipient.full_name"} <= used
    assert [path for path in sorted(used) if lookup(ctx, path) is MISSING] == []
    # Jinja reads a.b as getattr first: a key named like a dict method would print the method.
    assert [p for p in used if set(p.split(".")) & set(dir(dict))] == []


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_required_field_is_used_by_its_template(template):
    used = template_variables(template)
    assert set(TEMPLATES[template].required) - used == set()


# --------------------------------------------------------------------------- addressing rule


def test_self_managing_person_is_the_addressee():
    assert choose_recipient(SELF, "capital_or_property") == Recipient(
        full_name="Margaret Okafor",
        address_lines=("1 Acacia Avenue", "Newhaven"),
        postcode="BN9 9AA",
        role="self",
        on_behalf_of=None,
        salutation="Dear Margaret Okafor",
    )


@pytest.mark.parametrize("matter", ["benefits", "capital_or_property", "general", "direct_payment"])
@pytest.mark.parametrize("kind", ["deputy", "attorney"])
def test_property_and_finance_deputy_or_attorney_gets_every_matter(kind, matter):
    who = person("Harold Finch", representative=rep(kind, "property_and_finance"))
    got = choose_recipient(who, matter)
    assert isinstance(got, Recipient)
    assert (got.full_name, got.role, got.on_behalf_of) == (
        "Smith & Sons Solicitors LLP",
        kind,
        "Harold Finch",
    )
    assert got.address_lines == ("2 Law Chambers", "Brighton")


def test_appointee_and_capital_or_property_needs_representation():
    who = person("Harold Finch", representative=rep("appointee", "benefits", "Jo Finch"))
    got = choose_recipient(who, "capital_or_property")
    assert isinstance(got, RepresentationNeeded)
    assert "appointee" in got.reason


def test_appointee_is_addressee_only_for_benefits():
    who = person("Harold Finch", representative=rep("appointee", "benefits", "Jo Finch"))
    benefits = choose_recipient(who, "benefits")
    assert (benefits.full_name, benefits.role, benefits.on_behalf_of) == (
        "Jo Finch",
        "appointee",
        "Harold Finch",
    )
    for matter in ("general", "direct_payment"):
        assert choose_recipient(who, matter).role == "self"


@pytest.mark.parametrize("kind", ["nominated_person", "authorised_person"])
def test_nominated_or_authorised_person_gets_direct_payment_letters(kind):
    who = person("Harold Finch", representative=rep(kind, None, "Jo Finch"))
    got = choose_recipient(who, "direct_payment")
    assert (got.full_name, got.role, got.on_behalf_of) == ("Jo Finch", kind, "Harold Finch")
    assert choose_recipient(who, "general").role == "self"
    assert isinstance(choose_recipient(who, "capital_or_property"), RepresentationNeeded)


@pytest.mark.parametrize(
    "representative",
    [rep("litigation_friend", "litigation"), rep("attorney", "benefits")],
    ids=["litigation_friend", "benefits_attorney"],
)
def test_representative_without_property_authority_needs_representation(representative):
    got = choose_recipient(person(representative=representative), "capital_or_property")
    assert isinstance(got, RepresentationNeeded)


def test_deceased_without_recorded_personal_representative():
    got = choose_recipient(DECEASED, "direct_payment")
    assert got.full_name == "The Personal Representative(s) of the late Edith Crawley"
    assert got.address_lines == ("1 Acacia Avenue", "Newhaven")
    assert (got.role, got.on_behalf_of, got.salutation) == (
        "personal_representative",
        None,
        "Dear Sir or Madam",
    )


def test_deceased_with_recorded_personal_representative_and_a_former_deputy():
    pr = person(
        "Edith Crawley",
        deceased=True,
        representative=rep("personal_representative", None, "Robert Crawley"),
    )
    got = choose_recipient(pr, "capital_or_property")
    assert (got.full_name, got.role, got.on_behalf_of) == (
        "Robert Crawley",
        "personal_representative",
        "the estate of the late Edith Crawley",
    )
    # A deputy's authority ends at death: the letter goes to the personal representatives.
    deputy = person(
        "Edith Crawley", deceased=True, representative=rep("deputy", "property_and_finance")
    )
    assert choose_recipient(deputy, "general").full_name.startswith(
        "The Personal Representative(s)"
    )


def test_build_context_returns_representation_needed(monkeypatch):
    info = TemplateInfo("capital_test", "CAP-1", 1, "Capital", "capital_or_property", False, ())
    monkeypatch.setitem(TEMPLATES, "capital_test", info)
    who = person(representative=rep("appointee", "benefits"))
    got = build_context(
        "capital_test",
        letter_date=LETTER_DATE,
        council=COUNCIL,
        person=who,
        officer=None,
        fields={},
    )
    assert isinstance(got, RepresentationNeeded)


def test_unknown_matter_or_representative_type_is_an_error():
    with pytest.raises(LetterError):
        choose_recipient(SELF, "litigation")
    with pytest.raises(LetterError):
        choose_recipient(person(representative=rep("friend")), "general")


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.56"), "£1,234.56"),
        (Decimal("0"), "£0.00"),
        (Decimal("7.5"), "£7.50"),
        (Decimal("1000000"), "£1,000,000.00"),
        (Decimal("-12.345"), "-£12.35"),
        (Decimal("0.005"), "£0.01"),
    ],
)
def test_format_money(amount, text):
    assert format_money(amount) == text


@pytest.mark.parametrize("bad", [1234.56, 12, Decimal("NaN"), "12.00"])
def test_format_money_refuses_anything_but_a_finite_decimal(bad):
    with pytest.raises(LetterError):
        format_money(bad)


def test_format_date():
    assert format_date(date(2026, 3, 16)) == "16 March 2026"
    assert format_date(date(2026, 12, 1)) == "1 December 2026"
    with pytest.raises(LetterError):
        format_date(datetime(2026, 3, 16, 7, 0))


def test_context_formats_money_and_dates_and_the_letter_reference():
    ctx = context_for("dp_confirmation")
    assert ctx["dp"]["amount"] == "£1,234.56"
    assert ctx["payment_schedule"][1] == {"date": "4 May 2026", "amount": "£1,234.56"}
    assert ctx["letter"] == {"ref": "DP-AGR-CONF v1", "date": "16 March 2026"}
    assert ctx["our_ref"] == ctx["subject"]["person_id"] == "P000123"


def test_no_officer_signs_as_the_team():
    ctx = build_context(
        "dp_reminder_1",
        letter_date=LETTER_DATE,
        council=COUNCIL,
        person=SELF,
        officer=None,
        fields=FIELDS["dp_reminder_1"],
    )
    text = docx_text(render_letter("dp_reminder_1", ctx)).splitlines()
    assert "Care Finance Team" in text
    assert not any(line.startswith("Direct line") for line in text)
