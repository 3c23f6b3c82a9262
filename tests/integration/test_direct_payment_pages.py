"""Direct payment pages (issue 21 part 4): the Summary's card, the direct payment's own page, asking
for an audit, recording notice with its check page, and the returns report with its CSV; GOV.UK
errors that change nothing, roles and teams refused, double and stale posts 409.

The clock stands at Monday 2 March 2026, 09:00 UTC (tests/conftest.py). Alice Example (P100234,
team North) has £350.00 a week net (£85.00 contribution) on a prepaid card, first paid Tue 13
Jan 2026 (DOMAIN.md scenario 10): first review due by Mon 13 Jul 2026, contingency £2,800.00.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import DirectPaymentAgreement, DirectPaymentAudit, DirectPaymentReview
from app.services.direct_payments import monitoring
from tests.dp_helpers import dp_person
from tests.integration.action_pages import date_boxes, open_form, signed_in, submit
from tests.integration.dp_case_helpers import (
    add_balance,
    add_closed_audit,
    counts,
    monitored,
    user,
)

CASE = "/people/P100234"
PAGE = f"{CASE}/direct-payment"
AUDIT = f"{PAGE}/audit"
NOTICE = f"{PAGE}/notice"
REPORT = "/reports/direct-payments"
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_-]+)" value="([^"]*)">')
NOTICE_ANSWERS = {"given_by": "person", **date_boxes("given_on", "2 3 2026"),
                  "reasons": "They are moving to a care home."}


@pytest.fixture
def dp(staff):
    return monitored()


# --- the Summary card and the page ----------------------------------------------------------------
def test_no_card_while_the_agreement_is_only_proposed(staff, client):
    dp_person("P100234")
    db.session.commit()
    signed_in(client, "fa")
    assert "app-direct-payment-summary" not in client.get(CASE).text
    assert client.get(PAGE).status_code == 404
    assert f'href="{PAGE}"' not in client.get(f"{CASE}/direct-payments").text


def test_the_summary_card_and_the_page_show_the_terms_in_words(dp, client):
    add_balance(dp, date(2026, 3, 1), "4150.00")
    signed_in(client, "fa")
    summary = client.get(CASE).text
    assert 'class="govuk-summary-card app-direct-payment-summary"' in summary
    assert f'href="{PAGE}"' in summary
    assert "£350.00 a week, paid into a prepaid card" in summary
    assert "£4,150.00 on 1 March 2026" in summary
    assert "First review due by 13 July 2026" in summary
    page = client.get(PAGE).text
    for text in ("Being paid", "£350.00 a week", "Net: the person pays their contribution of "
                 "£85.00 into the account themselves", "A prepaid card", "8 weeks, £2,800.00",
                 "13 January 2026", "£4,150.00 on 1 March 2026", "No audits yet."):
        assert text in page, text
    assert 'role="region" aria-label="Reviews"' in page
    # What happens next: the monitoring's timers, in sentences with their dates.
    assert page.count('class="app-next-step"') >= 1 and "Nothing is waiting." not in page


def test_the_page_lists_reviews_and_audits_with_their_dates_and_money(dp, client):
    add_closed_audit(dp)
    review = db.session.scalar(select(DirectPaymentReview).where(
        DirectPaymentReview.agreement_id == dp.id, DirectPaymentReview.kind == "first"))
    review.breached_on = date(2026, 3, 1)  # as if the due date had passed without it
    db.session.commit()
    signed_in(client, "cw")
    page = client.get(PAGE).text
    assert 'role="region" aria-label="Audits"' in page
    for text in ("AUD-900001", "The monthly card check", "Opened 2 February 2026",
                 "Balance £4,150.00 is over the contingency", "Surplus above the contingency",
                 "£1,350.00", "Closed 27 February 2026", "Breached"):
        assert text in page, text


def test_another_teams_direct_payment_is_refused(dp, client):
    signed_in(client, "fa_south")
    assert client.get(PAGE).status_code == 403
    assert client.get(AUDIT).status_code == 403
    assert client.get("/people/NOBODY/direct-payment").status_code == 404


# --- asking for an audit -------------------------------------------------------------------------
@pytest.mark.parametrize("username, offered", [("fa", True), ("fo", True), ("cw", True),
                                                ("cm", False), ("fm", False)])
def test_ask_for_an_audit_is_offered_to_its_roles_only(dp, client, username, offered):
    signed_in(client, username)
    assert ('href="/people/P100234/direct-payment/audit"' in client.get(PAGE).text) is offered
    assert client.get(AUDIT).status_code == (200 if offered else 403)


def test_an_audit_asked_for_opens_with_the_reasons(dp, client):
    signed_in(client, "cw")
    response = submit(client, AUDIT, {"reasons": "The provider says invoices go unpaid."})
    assert response.status_code == 302 and response.location.endswith(PAGE)
    audit = db.session.scalar(select(DirectPaymentAudit))
    assert (audit.reason, audit.status, audit.findings) == (
        "concern", "requested", ["The provider says invoices go unpaid."])
    page = client.get(PAGE).text
    assert f"Audit {audit.reference} asked for." in page
    assert audit.reference in page and "Asked for by staff" in page
    # One audit at a time: the link goes while this one is open.
    assert 'href="/people/P100234/direct-payment/audit"' not in page


def test_an_audit_without_reasons_is_a_gov_uk_error_and_changes_nothing(dp, client):
    signed_in(client, "fa")
    before = counts()
    response = submit(client, AUDIT, {"reasons": "  "})
    assert response.status_code == 422
    assert 'href="#reasons">Enter why an audit is needed</a>' in response.text
    assert counts() == before


def test_a_double_or_stale_audit_request_is_refused(dp, client):
    signed_in(client, "fa")
    form = open_form(client, AUDIT)
    stale = open_form(client, AUDIT)
    assert submit(client, AUDIT, {"reasons": "A concern."}, form=form).status_code == 302
    again = submit(client, AUDIT, {"reasons": "A concern."}, form=form)
    assert again.status_code == 409
    other = submit(client, AUDIT, {"reasons": "Another concern."}, form=stale)
    assert other.status_code == 409
    assert "This case changed while you were on this page" in other.text
    assert counts()[0] == 1


# --- notice --------------------------------------------------------------------------------------
def test_notice_is_checked_then_recorded_and_payments_stop_at_its_end(dp, client):
    signed_in(client, "cw")
    check = submit(client, NOTICE, NOTICE_ANSWERS)
    assert check.status_code == 200
    assert "Check the notice before you record it" in check.text
    assert "Payments stop on 30 March 2026" in check.text  # 4 weeks from Mon 2 Mar 2026
    assert counts()[2] == "active"  # nothing recorded yet
    done = client.post(NOTICE, data=_hidden(check.text))  # "Record the notice"
    assert done.status_code == 302 and done.location.endswith(PAGE), done.text[done.text.find("There is a problem"):][:600]
    db.session.expire_all()
    agreement = db.session.get(DirectPaymentAgreement, dp.id)
    assert (agreement.status, agreement.ended_on, agreement.end_reason) == (
        "ending", date(2026, 3, 30), "notice")
    page = client.get(PAGE).text
    assert "Notice recorded. Payments stop on 30 March 2026." in page
    assert "Ending: payments stop on 30 March 2026" in page
    assert 'href="/people/P100234/direct-payment/notice"' not in page


def _hidden(html: str) -> dict[str, str]:
    """Every hidden value of the check page: its keys and the answers, with confirm=yes."""
    return {name: unescape(value) for name, value in HIDDEN.findall(html)}


NOTICE_ERRORS = [
    ({}, {"given_by": "Select who gave notice", "given_on": "Enter the date notice was given",
          "reasons": "Enter the reasons for ending the direct payment"}),
    ({**NOTICE_ANSWERS, **date_boxes("given_on", "3 3 2026")},
     {"given_on": "The date notice was given must be today or in the past"}),
    ({**NOTICE_ANSWERS, **date_boxes("given_on", "12 1 2026")},
     {"given_on": "The date notice was given must be on or after the first payment, "
                  "13 January 2026"}),
    ({**NOTICE_ANSWERS, **date_boxes("given_on", "31 2 2026")},
     {"given_on": "The date notice was given must be a real date"}),
    ({**NOTICE_ANSWERS, "given_by": "neighbour"}, {"given_by": "Select who gave notice"}),
]


@pytest.mark.parametrize("answers, errors", NOTICE_ERRORS)
def test_notice_errors_are_gov_uk_errors_and_change_nothing(dp, client, answers, errors):
    signed_in(client, "fo")
    before = counts()
    response = submit(client, NOTICE, {**answers, "confirm": "yes"})
    assert response.status_code == 422
    for field, message in errors.items():
        anchor = f"#{field}-day" if field == "given_on" else f"#{field}"
        assert f'href="{anchor}">{message}</a>' in response.text, message
    assert counts() == before


@pytest.mark.parametrize("username", ["fa", "fm", "legal"])
def test_notice_is_refused_to_other_roles(dp, client, username):
    signed_in(client, username)
    assert 'direct-payment/notice"' not in client.get(PAGE).text
    assert client.get(NOTICE).status_code == 403
    assert client.post(NOTICE, data=NOTICE_ANSWERS).status_code in (400, 403)
    assert counts()[2] == "active"


def test_notice_on_a_page_left_open_while_an_audit_opened_is_refused(dp, client):
    signed_in(client, "cm")
    form = open_form(client, NOTICE)
    monitoring.request_audit(dp.id, "A concern.", user("fa"))
    response = client.post(NOTICE, data={**form, **NOTICE_ANSWERS, "confirm": "yes"})
    assert response.status_code == 409 and counts()[2] == "active"


# --- the returns report --------------------------------------------------------------------------
def test_the_returns_report_for_managers_with_its_csv(dp, client):
    add_closed_audit(dp, opened=date(2026, 2, 2))
    monitoring.request_audit(dp.id, "A concern.", user("fa"))
    signed_in(client, "fm")
    inbox = client.get("/").text
    assert f'href="{REPORT}"' in inbox and "Direct payment returns" in inbox
    page = client.get(REPORT).text
    assert "Direct payment returns" in page and 'aria-label="Audits open by age"' in page
    assert "February 2026" in page and "£1,350.00" in page
    assert f'href="{REPORT}.csv"' in page
    download = client.get(f"{REPORT}.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.text)))
    assert ["Audits open", "0 to 28 days", "1", "", ""] in rows
    assert ["Surpluses", "2026-02", "1", "1350.00", "1350.00"] in rows
    assert "Alice" not in download.text


@pytest.mark.parametrize("username", ["fa", "fo", "cw", "cm", "legal"])
def test_the_report_is_for_managers_only(dp, client, username):
    signed_in(client, username)
    assert f'href="{REPORT}"' not in client.get("/").text
    assert client.get(REPORT).status_code == 403
    assert client.get(f"{REPORT}.csv").status_code == 403


def test_the_direct_payments_tab_links_to_the_direct_payment_once_paid(dp, client):
    signed_in(client, "legal")
    assert f'href="{PAGE}"' in client.get(f"{CASE}/direct-payments").text
