"""Tests for the direct-payment monitoring letters (DOMAIN.md (b) A.2, 7-14): the review due,
the audit request and reminder, the account reviewed, the surplus notice, the repayment required,
the s33(5) decision, the termination notice and the letter to the executor.

Two halves. The templates, with sample figures and no database (the house tests and
bench/letters.py use FIELDS and context_for): every placeholder has a value, every required field
is used, figures print as dates in words and money as £1,234.56, and a surplus that does not add
up is refused. Then the figures each builder reads from the records, on SQLite and PostgreSQL,
with scenario 10's: weekly £350.00, 8 weeks' contingency £2,800.00, a balance of £4,150.00 on
Tue 1 Sep 2026, surplus £1,350.00, documents due Tue 29 Sep 2026, the reminder to Tue 13 Oct 2026.
"""

from __future__ import annotations

import copy
import importlib.util
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from app.letters import (
    TEMPLATES,
    TEMPLATES_DIR,
    LetterError,
    build_context,
    merge_codec,
    render_letter,
    template_variables,
)
from app.letters.context import MISSING, lookup
from tests.unit.letter_helpers import COUNCIL, docx_lines, without
from tests.unit.test_letters import OFFICER, person, rep

LETTER_DATE = date(2026, 9, 1)
SELF = person()
NOMINATED = person("Harold Finch", representative=rep("nominated_person", None))
DECEASED = person("Edith Crawley", deceased=True)
MONITORING_TEMPLATES = (
    "dp_review_due", "dp_audit_request", "dp_audit_reminder", "dp_account_reviewed",
    "dp_surplus_notice", "dp_repayment_required", "dp_s33_decision", "dp_termination",
    "dp_executor",
)
_DP = {"agreement_id": "DP-7", "amount": Decimal("350.00"), "frequency": "every week"}
_OWN_DOCS = ["bank statements for the direct payment account for the whole period",
             "receipts and invoices for what the direct payment paid for"]
_REASONS = ["Receipts were not provided for £640.00 of cash withdrawals.",
            "The support plan does not include paying for holidays."]
_COMPLAINTS = "You can complain to the Adult Social Care complaints team."
FIELDS = {
    "dp_review_due": {
        "dp": _DP, "review_reason": "The law says the council must review a direct payment "
        "within 6 months of the first payment.", "review_due_date": date(2026, 7, 13),
        "who_will_contact": "Sam Social, the social worker,",
        "how_to_prepare": ["think about how the support is working"],
    },
    "dp_audit_request": {
        "dp": _DP, "audit_ref": "AUD-000001", "account_type": "card",
        "period_from": date(2026, 8, 1), "period_to": date(2026, 8, 31),
        "transactions": [
            {"date": date(2026, 8, 3), "description": "Council payment",
             "money_in": Decimal("350.00"), "money_out": ""},
            {"date": date(2026, 8, 7), "description": "Bright Care Ltd", "money_in": "",
             "money_out": Decimal("1200.50")}],
        "documents_required": ["a receipt or invoice for each payment out in the table"],
        "return_by_date": date(2026, 9, 29),
    },
    "dp_audit_reminder": {
        "dp": _DP, "audit_ref": "AUD-000001", "original_request_date": date(2026, 9, 1),
        "return_by_date": date(2026, 10, 13), "documents_required": _OWN_DOCS,
    },
    "dp_account_reviewed": {
        "dp": _DP, "audit_ref": "AUD-000001", "review_date": date(2026, 9, 30),
        "balance_at_review": Decimal("2100.00"), "next_review_by": date(2027, 7, 13),
        "observations": ["The money was spent on the support in the support plan."],
    },
    "dp_surplus_notice": {
        "dp": _DP, "audit_ref": "AUD-000001", "weekly_dp_amount": Decimal("350.00"),
        "contingency_weeks": 8, "contingency_amount": Decimal("2800.00"),
        "balance_date": date(2026, 9, 1), "balance_at_date": Decimal("4150.00"),
        "outstanding_commitments": Decimal("0.00"), "surplus_amount": Decimal("1350.00"),
        "recovery_method": "card", "recovery_date": date(2026, 9, 15),
        "payment_details": "Call us to pay by card.",
    },
    "dp_repayment_required": {
        "dp": _DP, "decision_date": date(2026, 10, 20), "decision_maker": "Casey Manager",
        "reasons": _REASONS, "total_repayable": Decimal("640.00"),
        "repay_by_date": date(2026, 11, 3), "payment_options": "Call us to pay by card.",
        "complaints_route": _COMPLAINTS,
    },
    "dp_s33_decision": {
        "dp": _DP, "decision": "reduce", "decision_date": date(2026, 10, 20),
        "decision_maker": "Casey Manager", "effective_date": date(2026, 11, 2),
        "reasons": _REASONS, "new_amount": Decimal("300.00"), "complaints_route": _COMPLAINTS,
    },
    "dp_termination": {
        "dp": _DP, "effective_date": date(2026, 10, 29), "notice_period_weeks": 4,
        "reasons": ["We received notice that the direct payment should end."],
        "alternative_support": "The social worker will arrange support in another way.",
        "surplus_return_deadline": date(2026, 11, 26),
    },
    "dp_executor": {
        "dp": _DP, "deceased": {"name": "Edith Crawley"}, "date_of_death": date(2026, 8, 20),
        "account_details": "direct payment DP-7, paid onto prepaid card number 5555-0001",
        "return_by_date": date(2026, 9, 29),
    },
}
FIGURES = {
    "dp_review_due": ["The review must take place by 13 July 2026.",
                      "Sam Social, the social worker, will contact you",
                      "think about how the support is working"],
    "dp_audit_request": ["Check reference: AUD-000001", "for 1 August 2026 to 31 August 2026",
                         "3 August 2026 | Council payment | £350.00 | ",
                         "7 August 2026 | Bright Care Ltd |  | £1,200.50",
                         "Please send them by 29 September 2026."],
    "dp_audit_reminder": ["On 1 September 2026 we wrote to ask for information",
                          "Please send us these by 13 October 2026:",
                          "If we do not receive the information by 13 October 2026",
                          "suspend or stop the payments"],
    "dp_account_reviewed": ["account on 30 September 2026, and everything is in order",
                            "when we checked it was £2,100.00",
                            "The next review of the direct payment is due by 13 July 2027."],
    "dp_surplus_notice": ["Weekly direct payment: £350.00",
                          "The account may keep 8 weeks of payments: £2,800.00",
                          "Balance on 1 September 2026: £4,150.00",
                          "Bills still to be paid from the account: £0.00",
                          "Money to be returned: £1,350.00",
                          "We will take £1,350.00 back from the prepaid card on "
                          "15 September 2026."],
    "dp_repayment_required": ["Date of decision: 20 October 2026",
                              "Decision made by: Casey Manager", _REASONS[0],
                              "Amount to repay: £640.00",
                              "Please repay £640.00 by 3 November 2026.",
                              "smaller amounts", "within one month", _COMPLAINTS],
    "dp_s33_decision": ["reduced from £350.00 to £300.00, paid every week, from "
                        "2 November 2026", "section 33(5) of the Care Act 2014", _REASONS[1],
                        "look at the decision again", _COMPLAINTS],
    "dp_termination": ["will end on 29 October 2026. This is the end of the 4 weeks' notice.",
                       "must be returned to the council by 26 November 2026",
                       "The social worker will arrange support in another way."],
    "dp_executor": ["The late Edith Crawley: direct payment account",
                    "Edith Crawley died on 20 August 2026",
                    "paid onto prepaid card number 5555-0001",
                    "Money in a direct payment account is not part of the estate",
                    "wages owed to personal assistants up to the date of death",
                    "Please send these by 29 September 2026"],
}


def context_for(template, who=None, **fields):
    who = who or (DECEASED if template == "dp_executor" else SELF)
    ctx = build_context(template, letter_date=LETTER_DATE, council=COUNCIL, person=who,
                        officer=OFFICER, fields={**copy.deepcopy(FIELDS[template]), **fields})
    assert isinstance(ctx, dict), ctx
    return ctx


def render_text(template, who=None, **fields) -> str:
    return "\n".join(docx_lines(render_letter(template, context_for(template, who, **fields))))


# ----------------------------------------------------------------------------- the templates


def test_the_monitoring_letters_are_registered_direct_payment_matters():
    refs = {name: TEMPLATES[name].ref for name in MONITORING_TEMPLATES}
    assert refs == {"dp_review_due": "DP-REVIEW", "dp_audit_request": "DP-AUD-REQ",
                    "dp_audit_reminder": "DP-AUD-R1", "dp_account_reviewed": "DP-AUD-OK",
                    "dp_surplus_notice": "DP-SURPLUS", "dp_repayment_required": "DP-REPAY",
                    "dp_s33_decision": "DP-S33", "dp_termination": "DP-TERM",
                    "dp_executor": "DP-DEATH"}
    for name in MONITORING_TEMPLATES:
        info = TEMPLATES[name]
        assert (info.version, info.matter, info.needs_approval) == (1, "direct_payment", False)
        assert info.staff_name and (TEMPLATES_DIR / f"{name}.docx").is_file()


def test_the_service_sends_exactly_these_letters():
    from app.services.direct_payments.monitoring_letters import MONITORING_LETTERS

    assert MONITORING_LETTERS == frozenset(MONITORING_TEMPLATES)


def test_the_committed_templates_are_what_the_build_tool_makes(tmp_path):
    path = TEMPLATES_DIR.parent / "tools" / "build_letter_templates.py"
    spec = importlib.util.spec_from_file_location("build_letter_templates", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for name in MONITORING_TEMPLATES:
        built = tool.build(name, tmp_path)
        assert built.read_bytes() == (TEMPLATES_DIR / f"{name}.docx").read_bytes(), name


@pytest.mark.parametrize("template", MONITORING_TEMPLATES)
def test_every_placeholder_has_a_value_and_every_required_field_is_used(template):
    used = template_variables(template)
    assert set(TEMPLATES[template].required) - used == set()
    for who in (SELF, NOMINATED, DECEASED):
        ctx = context_for(template, who)
        assert [p for p in sorted(used) if lookup(ctx, p) is MISSING] == []


@pytest.mark.parametrize("template", MONITORING_TEMPLATES)
@pytest.mark.parametrize("who", [None, NOMINATED], ids=["person", "nominated"])
def test_renders_with_its_figures(template, who):
    text = render_text(template, who)
    assert f"Letter reference {TEMPLATES[template].ref} v1" in text
    assert "Date: 1 September 2026" in text
    for figure in FIGURES[template]:
        assert figure in text, figure
    assert "{{" not in text and "{%" not in text and "None" not in text
    if who is NOMINATED and template != "dp_executor":
        assert "On behalf of Harold Finch" in text


def test_the_executor_letter_goes_to_the_personal_representatives():
    text = render_text("dp_executor")
    assert "The Personal Representative(s) of the late Edith Crawley" in text


def test_an_own_account_surplus_asks_for_repayment_by_a_date():
    text = render_text("dp_surplus_notice", recovery_method="repay",
                       recovery_date=date(2026, 9, 15))
    assert "Please repay £1,350.00 by 15 September 2026." in text
    assert "Call us to pay by card." in text and "back from the prepaid card" not in text


def test_an_audit_of_an_own_account_has_no_card_table():
    text = render_text("dp_audit_request", account_type="bank", transactions=[],
                       documents_required=_OWN_DOCS)
    assert "prepaid card" not in text and "Money out" not in text
    assert _OWN_DOCS[0] in text


def test_a_card_with_no_payments_in_the_period_says_so():
    text = render_text("dp_audit_request", transactions=[])
    assert "There were no payments on the card in that period." in text


@pytest.mark.parametrize(("decision", "words"), [
    ("continue_with_conditions", "will continue, with the conditions explained in this letter"),
    ("suspend", "stopped for now (suspended) from 2 November 2026"),
    ("terminate", "will end on 2 November 2026"),
])
def test_each_s33_decision_says_what_happens(decision, words):
    text = render_text("dp_s33_decision", decision=decision, new_amount="")
    assert words in text and "reduced from" not in text


def test_a_decision_that_also_requires_repayment_says_so():
    text = render_text("dp_s33_decision", decision="suspend", new_amount="",
                       repayment=Decimal("640.00"))
    assert "£640.00 must be repaid" in text


def test_a_reduction_without_the_new_amount_is_refused():
    with pytest.raises(LetterError, match="new_amount"):
        context_for("dp_s33_decision", new_amount="")


@pytest.mark.parametrize(("change", "match"), [
    ({"surplus_amount": Decimal("1400.00")}, "surplus_amount is 1400.00"),
    ({"contingency_amount": Decimal("2450.00")}, "contingency_amount is 2450.00"),
    ({"outstanding_commitments": Decimal("1350.00"), "surplus_amount": Decimal("0.00")},
     "surplus_amount is 0.00"),
])
def test_a_surplus_that_does_not_add_up_is_refused(change, match):
    with pytest.raises(LetterError, match=match):
        context_for("dp_surplus_notice", **change)


@pytest.mark.parametrize(("field", "value"), [
    ("account_type", "savings"), ("recovery_method", "cheque"), ("decision", "warn")])
def test_unknown_choices_are_refused(field, value):
    template = {"account_type": "dp_audit_request", "recovery_method": "dp_surplus_notice",
                "decision": "dp_s33_decision"}[field]
    with pytest.raises(LetterError, match=field):
        context_for(template, **{field: value})


@pytest.mark.parametrize(
    ("template", "path"),
    [(name, path) for name in MONITORING_TEMPLATES for path in TEMPLATES[name].required],
)
def test_a_missing_required_field_raises_naming_it(template, path):
    ctx = without(context_for(template), path)
    with pytest.raises(LetterError, match=rf"required fields missing or empty: .*{path}"):
        render_letter(template, ctx)


# ----------------------------------------------------------------------------- the builders
# Records in a database (both backends); the letter is issued by the service, then made from
# the merge context it stored, as the letter worker makes it.

SEP_1 = date(2026, 9, 1)


@pytest.fixture
def case(staff):
    from app.extensions import db
    from app.models import User
    from app.services.processes import instances
    from app.services.records.people import current_agreement
    from tests.conftest import set_clock
    from tests.dp_helpers import dp_person
    from tests.integration.api_helpers import PROCESS

    who = dp_person("P100234", "Alice Example")
    set_clock(datetime(2026, 9, 1, 9, tzinfo=timezone.utc))
    agreement = current_agreement(who)
    agreement.first_payment_date, agreement.status = date(2026, 1, 13), "active"
    agreement.account_type, agreement.card_id = "card", "5555-0001"
    agreement.contingency_weeks = 8
    instance = instances.start_instance(PROCESS, who.reference, {}, None)
    db.session.commit()
    cm = db.session.scalar(db.select(User).where(User.username == "cm"))
    return {"person": who, "agreement": agreement, "instance": instance, "cm": cm}


def _audit(agreement, **values):
    from app import clock
    from app.domain import direct_payments as rules
    from app.extensions import db
    from app.models.direct_payments import DirectPaymentAudit

    requested = SEP_1
    due = rules.person_due_date(requested, 28)
    audit = DirectPaymentAudit(
        reference="AUD-000001", agreement_id=agreement.id, reason="sweep", status="requested",
        period_from=date(2026, 8, 1), period_to=date(2026, 8, 31), opened_on=SEP_1,
        requested_on=requested, documents_due_on=due, findings=[],
        balance=Decimal("4150.00"), commitments=Decimal("0.00"),
        contingency=Decimal("2800.00"), surplus=Decimal("1350.00"), created_at=clock.now())
    for key, value in values.items():
        setattr(audit, key, value)
    db.session.add(audit)
    db.session.flush()
    return audit


def _decision(case, **values):
    from app.extensions import db
    from app.models.direct_payments import DirectPaymentDecision

    decision = DirectPaymentDecision(
        agreement_id=case["agreement"].id, decision="suspend",
        reasons="Receipts were not provided for £640.00 of cash withdrawals.\n\n"
        "The support plan does not include paying for holidays.",
        decided_on=date(2026, 10, 20), decided_by_id=case["cm"].id, **values)
    db.session.add(decision)
    db.session.flush()
    return decision


def _send(case, template, **ids):
    from app.extensions import db
    from app.services.direct_payments.monitoring_letters import send_monitoring_letter

    letter = send_monitoring_letter(case["instance"], template,
                                    {"agreement_id": case["agreement"].id, **ids})
    db.session.commit()
    context = merge_codec.decode(letter.merge_context)
    return letter, context, "\n".join(docx_lines(render_letter(template, context)))


def test_scenario_10_audit_request_prints_the_card_lines_and_29_september(case, app):
    from app.extensions import db
    from app.models.direct_payments import CardTransaction

    agreement = case["agreement"]
    for ref, day, kind, amount, payee in [
            ("T1", date(2026, 7, 31), "spend", "-10.00", "Before the period"),
            ("T2", date(2026, 8, 3), "load", "350.00", ""),
            ("T3", date(2026, 8, 7), "spend", "-1200.50", "Bright Care Ltd")]:
        db.session.add(CardTransaction(agreement_id=agreement.id, provider_reference=ref,
                                       posted_on=day, kind=kind, amount=Decimal(amount),
                                       payee=payee))
    audit = _audit(agreement)
    assert audit.documents_due_on == date(2026, 9, 29)  # Tue 1 Sep 2026 + 28 days
    letter, ctx, text = _send(case, "dp_audit_request", audit_id=audit.id)
    assert letter.template_ref == "DP-AUD-REQ v1" and letter.letter_date == SEP_1
    assert ctx["return_by_date"] == "29 September 2026"
    assert "3 August 2026 | Load | £350.00 | " in text
    assert "7 August 2026 | Bright Care Ltd |  | £1,200.50" in text
    assert "Before the period" not in text
    assert "Please send them by 29 September 2026." in text


def test_a_card_with_nothing_spent_is_not_asked_for_receipts(case, app):
    audit = _audit(case["agreement"])
    _, ctx, text = _send(case, "dp_audit_request", audit_id=audit.id)
    assert ctx["transactions"] == []
    assert "There were no payments on the card in that period." in text
    assert "each payment out in the table" not in text
    assert "payslips and timesheets for any personal assistants paid from the card" in text


def test_scenario_10_reminder_gives_until_13_october(case, app):
    from app.domain import direct_payments as rules

    reminded = date(2026, 9, 29)
    audit = _audit(case["agreement"], status="reminded", reminded_on=reminded,
                   reminder_due_on=rules.person_due_date(reminded, 14))
    _, ctx, text = _send(case, "dp_audit_reminder", audit_id=audit.id)
    assert ctx["original_request_date"] == "1 September 2026"
    assert "Please send us these by 13 October 2026:" in text


def test_scenario_10_surplus_notice_on_a_card(case, app):
    from app import clock
    from app.extensions import db
    from app.models.direct_payments import PaymentInstruction

    audit = _audit(case["agreement"], status="deciding", repay_by=date(2026, 9, 15))
    db.session.add(PaymentInstruction(agreement_id=case["agreement"].id, kind="recoup",
                                      effective_on=date(2026, 9, 8), amount=Decimal("1350.00"),
                                      reason="surplus", created_at=clock.now()))
    _, ctx, text = _send(case, "dp_surplus_notice", audit_id=audit.id)
    assert (ctx["weekly_dp_amount"], ctx["contingency_weeks"], ctx["contingency_amount"],
            ctx["balance_at_date"], ctx["surplus_amount"]) == (
        "£350.00", 8, "£2,800.00", "£4,150.00", "£1,350.00")
    assert "Balance on 1 September 2026: £4,150.00" in text
    assert "We will take £1,350.00 back from the prepaid card on 8 September 2026." in text


def test_an_own_account_surplus_is_repaid_by_the_audits_date(case, app):
    case["agreement"].account_type = "bank"
    audit = _audit(case["agreement"], status="deciding", repay_by=date(2026, 9, 15),
                   contingency=None, surplus=None)  # worked out from the agreement
    _, ctx, text = _send(case, "dp_surplus_notice", audit_id=audit.id)
    assert ctx["surplus_amount"] == "£1,350.00" and ctx["contingency_amount"] == "£2,800.00"
    assert "Please repay £1,350.00 by 15 September 2026." in text
    assert "bank transfer" in text  # the dp_repayment_methods_text setting


def test_the_account_reviewed_letter_gives_the_next_statutory_review(case, app):
    case["agreement"].last_review_date = date(2026, 7, 10)
    audit = _audit(case["agreement"], status="closed", closed_on=date(2026, 9, 30),
                   outcome="satisfactory", balance=Decimal("2100.00"), surplus=None)
    _, ctx, text = _send(case, "dp_account_reviewed", audit_id=audit.id)
    assert ctx["next_review_by"] == "9 July 2027"  # 10 Jul 2027 is a Saturday: the day before
    assert "account on 30 September 2026" in text and "£2,100.00" in text
    assert "within the £2,800.00 the account may keep" in text


def test_the_review_letter_names_the_social_worker_and_the_due_date(case, app):
    from app.domain import direct_payments as rules
    from app.extensions import db
    from app.models.direct_payments import DirectPaymentReview

    due = rules.first_review_due(date(2026, 1, 13))
    review = DirectPaymentReview(agreement_id=case["agreement"].id, kind="first", due_on=due,
                                 warn_on=rules.review_warning(due, 28))
    db.session.add(review)
    db.session.flush()
    _, ctx, text = _send(case, "dp_review_due", review_id=review.id)
    assert ctx["review_due_date"] == "13 July 2026"
    assert "Cw, the social worker, will contact you" in text
    assert "within 6 months of the first payment" in text


def test_repayment_required_uses_the_decision_and_the_audits_date(case, app):
    audit = _audit(case["agreement"], status="deciding", outcome="misuse",
                   repay_by=date(2026, 11, 3), surplus=None)
    decision = _decision(case, audit_id=audit.id, repayment=Decimal("640.00"))
    _, ctx, text = _send(case, "dp_repayment_required", decision_id=decision.id)
    assert ctx["decision_maker"] == "Cm" and ctx["total_repayable"] == "£640.00"
    assert "Please repay £640.00 by 3 November 2026." in text
    assert "The support plan does not include paying for holidays." in text
    assert "Local Government and Social Care Ombudsman" in text  # complaints_route_text


def test_the_s33_decision_takes_effect_on_its_instructions_date(case, app):
    from app import clock
    from app.extensions import db
    from app.models.direct_payments import PaymentInstruction

    decision = _decision(case)
    db.session.add(PaymentInstruction(agreement_id=case["agreement"].id, kind="suspend",
                                      effective_on=date(2026, 10, 26), reason="s33(5)",
                                      created_at=clock.now()))
    _, ctx, text = _send(case, "dp_s33_decision", decision_id=decision.id)
    assert ctx["effective_date"] == "26 October 2026"
    assert "stopped for now (suspended) from 26 October 2026" in text


def test_termination_counts_the_surplus_deadline_from_the_notice_end(case, app):
    from app.domain import direct_payments as rules

    ends = rules.notice_ends(date(2026, 9, 1), 4)
    case["agreement"].end_reason = "notice"
    _, ctx, text = _send(case, "dp_termination", notice_ends_on=ends.isoformat())
    assert ctx["effective_date"] == "29 September 2026"
    assert ctx["surplus_return_deadline"] == "27 October 2026"
    assert "4 weeks' notice" in text and "We received notice" in text


def test_the_executor_letter_goes_to_the_estate_with_28_days(case, app):
    who = case["person"]
    who.deceased, who.date_of_death = True, date(2026, 8, 20)
    letter, ctx, text = _send(case, "dp_executor")
    assert letter.recipient_name.startswith("The Personal Representative(s) of the late")
    assert ctx["return_by_date"] == "29 September 2026"
    assert "Alice Example died on 20 August 2026" in text
    assert "prepaid card number 5555-0001" in text


def test_a_missing_record_is_not_found(case, app):
    from app.errors import NotFound
    from app.services.direct_payments.monitoring_letters import send_monitoring_letter

    data = {"agreement_id": case["agreement"].id}
    with pytest.raises(NotFound, match="needs audit_id"):
        send_monitoring_letter(case["instance"], "dp_audit_request", data)
    with pytest.raises(NotFound, match="no direct-payment audit 999"):
        send_monitoring_letter(case["instance"], "dp_audit_request", {**data, "audit_id": 999})
    with pytest.raises(NotFound, match="no direct-payment agreement 999"):
        send_monitoring_letter(case["instance"], "dp_termination", {"agreement_id": 999})
    with pytest.raises(NotFound, match="not a direct-payment monitoring letter"):
        send_monitoring_letter(case["instance"], "dp_reminder_1", data)


def test_a_letter_the_records_cannot_support_is_refused(case, app):
    from app.errors import Conflict
    from app.services.direct_payments.monitoring_letters import send_monitoring_letter

    data = {"agreement_id": case["agreement"].id}
    with pytest.raises(Conflict, match="no death is recorded"):
        send_monitoring_letter(case["instance"], "dp_executor", data)
    with pytest.raises(Conflict, match="no end date"):
        send_monitoring_letter(case["instance"], "dp_termination", data)
    decision = _decision(case)
    with pytest.raises(Conflict, match="requires no repayment"):
        send_monitoring_letter(case["instance"], "dp_repayment_required",
                               {**data, "decision_id": decision.id})
