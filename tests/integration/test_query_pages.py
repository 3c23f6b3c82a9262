"""Invoice query pages (issue 20 part 5): open a query from the case page, its own page, the
outcome page, the queries list, the Summary's open queries and the credit note on its approval
task; GOV.UK errors that change nothing, roles and teams refused, double and stale posts 409.

The clock stands at Monday 2 March 2026, 09:00 UTC (tests/conftest.py). Alice Example (P1001,
team North) has INV-1001 £412.50 and INV-1002 £99.00, both dated Mon 2 Feb 2026 and unpaid.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Invoice, InvoiceQuery, Person
from app.services.queries import credit_notes, query_views, records
from tests.integration.action_pages import date_boxes, open_form, signed_in, submit
from tests.workflows.debt_helpers import add_invoice, person_account, user

CASE = "/people/P1001"
URL = "/people/P1001/queries/new"
DEPUTY = {"name": "Jennifer Penrose", "type": "deputy", "scope": "property_and_finance",
          "address": {"lines": ["2 Low Road", "Example Town"], "postcode": "EX1 3CD"}}
ANSWERS = {**date_boxes("received_on", "2 3 2026"), "channel": "phone", "raised_by": "person",
           "query_type": "care_not_delivered", "invoices": ["INV-1002"],
           "amount-INV-1002": "48.20", "what_was_said": "The carer did not come on two days.",
           "owner": "fa"}


@pytest.fixture
def case(staff):
    account = person_account(representative=DEPUTY)
    add_invoice(account, "INV-1001", date(2026, 2, 2), "412.50")
    add_invoice(account, "INV-1002", date(2026, 2, 2), "99.00")
    return db.session.get(Person, account.person_id)


def queries() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(InvoiceQuery)) or 0


def held() -> dict[str, bool]:
    db.session.expire_all()
    return {i.number: i.query_hold for i in db.session.scalars(select(Invoice)
                                                                 .order_by(Invoice.number))}


def opened(person: Person, number: str = "INV-1001", **overrides) -> InvoiceQuery:
    given = {"received_on": date(2026, 3, 2), "channel": "email", "raised_by": "person",
             "raised_by_name": None, "query_type": "rate_wrong", "what_was_said": "Wrong rate.",
             "invoices": [{"invoice_number": number}], "owner": user("fo"), **overrides}
    query = records.open_query(person, actor=user("fa"), **given)
    db.session.commit()
    return query


# --- opening a query -----------------------------------------------------------------------------
def test_a_query_opened_from_the_case_page_holds_its_invoice(case, client):
    signed_in(client, "fa")
    summary = client.get(CASE).text
    assert f'href="{URL}"' in summary and "No open queries." in summary
    page = client.get(URL).text
    assert "Jennifer Penrose, their representative" in page
    assert "INV-1001, dated 2 February 2026" in page and "£412.50 to pay" in page
    assert "Checked against the provider&#39;s actual hours and the purchase order" in page
    response = submit(client, URL, ANSWERS)
    assert response.status_code == 302 and response.location.endswith(CASE)
    query = db.session.scalar(select(InvoiceQuery))
    assert (query.channel, query.raised_by, query.query_type, query.owner.username,
            query.what_was_said) == ("phone", "person", "care_not_delivered", "fa",
                                     "The carer did not come on two days.")
    assert [(i.invoice.number, i.amount) for i in query.items] == [("INV-1002",
                                                                    Decimal("48.20"))]
    assert held() == {"INV-1001": False, "INV-1002": True}
    summary = client.get(CASE).text
    assert (f"Query {query.reference} opened. Invoice INV-1002 is held from recovery while it "
            "is open. The acknowledgement is due by 5 March 2026.") in summary
    assert f'href="/queries/{query.id}">{query.reference}</a>' in summary
    assert "Care not delivered or hours wrong" in summary and "No open queries." not in summary
    # What holds recovery says so, though the invoice is in no debt yet.
    assert "Nothing holds recovery." not in summary
    assert (f"<strong>Query {query.reference}:</strong> no recovery of invoice INV-1002 while the "
            "query is open") in summary
    assert (f"Query {query.reference} opened: care not delivered or hours wrong, on invoice "
            "INV-1002 (£48.20)") in client.get(f"{CASE}/history").text


def test_the_recorded_representative_is_named_for_them(case, client):
    signed_in(client, "fo")
    response = submit(client, URL, {**ANSWERS, "raised_by": "representative",
                                    "invoices": ["INV-1001", "INV-1002"],
                                    "amount-INV-1002": "", "owner": "nobody"})
    assert response.status_code == 302
    query = db.session.scalar(select(InvoiceQuery))
    assert (query.raised_by_name, query.owner_id) == ("Jennifer Penrose", None)
    assert held() == {"INV-1001": True, "INV-1002": True}
    assert "Invoices INV-1001 and INV-1002 are held" in client.get(CASE).text


ERRORS = [
    ({}, {"received_on": "Enter the date the query was received",
          "channel": "Select how the query came in", "raised_by": "Select who raised the query",
          "query_type": "Select what the query is about",
          "invoices": "Select at least one invoice the query is about",
          "what_was_said": "Enter what was said", "owner": "Select who owns the query"}),
    ({**ANSWERS, **date_boxes("received_on", "3 3 2026")},
     {"received_on": "The date the query was received must be today or in the past"}),
    ({**ANSWERS, **date_boxes("received_on", "30 2 2026")},
     {"received_on": "The date the query was received must be a real date"}),
    ({**ANSWERS, "raised_by": "provider"},
     {"raised_by_name": "Enter the name of the care provider"}),
    ({**ANSWERS, "amount-INV-1002": "12.345"},
     {"amount-INV-1002": "The amount in question on INV-1002 must not have more than 2 "
                         "decimal places"}),
    ({**ANSWERS, "amount-INV-1001": "10.00"},
     {"amount-INV-1001": "Select INV-1001 as well, or leave its amount empty"}),
    ({**ANSWERS, "amount-INV-1002": "120.00"},  # the service's own rule, in the page's words
     {"amount-INV-1002": "The amount must be no more than £99.00, what is outstanding on the "
                         "invoice"}),
    ({**ANSWERS, "owner": "cw"}, {"owner": "Select who owns the query"}),
]


@pytest.mark.parametrize(("answers", "expected"), ERRORS)
def test_each_error_says_what_to_do_and_changes_nothing(case, client, answers, expected):
    signed_in(client, "fa")
    response = submit(client, URL, answers)
    assert response.status_code == 422
    for field, message in expected.items():
        assert message in response.text, field
        assert f'href="#{field}' in response.text, field
    assert queries() == 0 and held() == {"INV-1001": False, "INV-1002": False}


def test_an_invoice_already_in_an_open_query_is_refused(case, client):
    first = opened(case, "INV-1002")
    signed_in(client, "fa")
    response = submit(client, URL, {**ANSWERS, "amount-INV-1002": ""})
    assert response.status_code == 422
    assert f"INV-1002 is already in open query {first.reference}" in response.text
    assert queries() == 1


@pytest.mark.parametrize("username", ["cw", "cm", "legal", "admin"])
def test_other_roles_cannot_open_a_query_and_see_no_link(case, client, username):
    signed_in(client, username)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=ANSWERS).status_code in (400, 403)
    summary = client.get(CASE)
    assert summary.status_code == 200 and "Open a query" not in summary.text
    assert queries() == 0


def test_another_teams_case_is_refused(case, client):
    query = opened(case)
    signed_in(client, "fa_south")
    assert client.get(URL).status_code == 403
    token = open_form(client, "/people")["csrf_token"]
    assert client.post(URL, data={**ANSWERS, "csrf_token": token}).status_code == 403
    assert client.get(f"/queries/{query.id}").status_code == 403
    assert client.get(f"/queries/{query.id}/outcome").status_code == 403
    listed = client.get("/queries?status=all")
    assert listed.status_code == 200 and query.reference not in listed.text
    assert queries() == 1


def test_a_double_submission_changes_nothing_the_second_time(case, client):
    signed_in(client, "fa")
    form = open_form(client, URL)
    assert submit(client, URL, ANSWERS, form=form).status_code == 302
    again = submit(client, URL, {**ANSWERS, "invoices": ["INV-1001"], "amount-INV-1002": ""},
                   form=form)
    assert again.status_code == 409 and "You have already submitted this form" in again.text
    assert queries() == 1 and held() == {"INV-1001": False, "INV-1002": True}


def test_a_stale_submission_changes_nothing(case, client):
    signed_in(client, "fa")
    form = open_form(client, URL)
    opened(case, "INV-1001")
    stale = submit(client, URL, ANSWERS, form=form)
    assert stale.status_code == 409
    assert "This case changed while you were on this page" in stale.text
    assert queries() == 1 and held() == {"INV-1001": True, "INV-1002": False}


# --- the query page and its outcome --------------------------------------------------------------
def held_by_alias(number: str = "INV-1001") -> InvoiceQuery:
    """A query with no process: opened by the old query-hold route's alias."""
    records.set_hold(number, True, user("fa"))
    db.session.commit()
    return records.open_queries_of(db.session.scalar(select(Person)))[0]


def test_the_query_page_shows_it_and_its_process(case, client):
    query = opened(case, "INV-1001")
    assert query.instance_id is not None  # the shipped invoice_query process runs for it
    signed_in(client, "fa")
    page = client.get(f"/queries/{query.id}")
    assert page.status_code == 200
    for words in ("Rate or charge wrong", "2 March 2026 by email", "Alice Example",
                  "Wrong rate.", "Fo", "0 working days", "5 March 2026", "INV-1001",
                  "£412.50", "Held", "The process asks for the outcome in its task",
                  f"Query {query.reference} opened: rate or charge wrong, on invoice INV-1001 "
                  "(£412.50)"):
        assert words in page.text, words
    task = db.session.scalar(select(HumanTask).where(HumanTask.instance_id == query.instance_id))
    assert f'href="/tasks/{task.id}"' in page.text  # its open task, linked
    assert "No process is running" not in page.text and "Record the outcome" not in page.text
    # Never closed behind the process's back.
    refused = client.get(f"/queries/{query.id}/outcome")
    assert refused.status_code == 409 and "Decide the outcome of the query" in refused.text
    assert records.get_query(query.id).status == "open"


def test_with_no_process_the_outcome_is_recorded_on_its_page(case, client):
    query = held_by_alias("INV-1001")
    signed_in(client, "fa")
    page = client.get(f"/queries/{query.id}").text
    assert "No process is running for this query" in page and "Record the outcome" in page
    url = f"/queries/{query.id}/outcome"
    bad = submit(client, url, {"outcome": "", "reasons": " ",
                               **date_boxes("decided_on", "1 3 2026")})
    assert bad.status_code == 422
    assert "Select the outcome" in bad.text and "Enter the reasons for the decision" in bad.text
    early = submit(client, url, {"outcome": "upheld", "reasons": "Wrong rate used.",
                                 **date_boxes("decided_on", "1 3 2026")})
    assert early.status_code == 422 and ("The date of the decision must be on or after the day "
                                         "the query was received, 2 March 2026") in early.text
    assert held()["INV-1001"] is True
    done = submit(client, url, {"outcome": "not_upheld", "reasons": "The rate is right.",
                                **date_boxes("decided_on", "2 3 2026")})
    assert done.status_code == 302 and done.location.endswith(f"/queries/{query.id}")
    assert held()["INV-1001"] is False
    page = client.get(f"/queries/{query.id}").text
    assert (f"Outcome recorded: query {query.reference} is closed as not upheld. Recovery may "
            "go on for INV-1001.") in page
    assert "The rate is right." in page and "Not upheld" in page
    assert f"Query {query.reference} closed: not upheld; recovery may go on for INV-1001" in page
    assert client.get(url).status_code == 409  # closed: nothing to record


def test_a_stale_outcome_page_changes_nothing(case, client):
    query = held_by_alias("INV-1001")
    signed_in(client, "fa")
    url = f"/queries/{query.id}/outcome"
    form = open_form(client, url)
    query.owner_id = user("fo").id  # someone changed the query since
    db.session.commit()
    stale = submit(client, url, {"outcome": "upheld", "reasons": "Wrong rate.",
                                 **date_boxes("decided_on", "2 3 2026")}, form=form)
    assert stale.status_code == 409 and "changed while you were on this page" in stale.text
    assert held()["INV-1001"] is True and records.get_query(query.id).status == "open"
    again = submit(client, url, {"outcome": "upheld", "reasons": "Wrong rate.",
                                 **date_boxes("decided_on", "2 3 2026")})
    assert again.status_code == 302 and held()["INV-1001"] is False


@pytest.mark.parametrize("username", ["cw", "legal"])
def test_other_roles_cannot_read_a_query(case, client, username):
    query = opened(case)
    signed_in(client, username)
    assert client.get(f"/queries/{query.id}").status_code == 403
    assert client.get("/queries").status_code == 403
    assert client.get(f"/queries/{query.id}/outcome").status_code == 403
    summary = client.get(CASE).text
    assert query.reference in summary and f'href="/queries/{query.id}"' not in summary
    assert 'href="/queries"' not in summary


def test_admin_reads_a_query_but_cannot_record_its_outcome(case, client):
    query = held_by_alias()
    signed_in(client, "admin")
    page = client.get(f"/queries/{query.id}")
    assert page.status_code == 200 and "Record the outcome" not in page.text
    assert client.get(f"/queries/{query.id}/outcome").status_code == 403


# --- the list --------------------------------------------------------------------------------------
def test_the_list_filters_ages_and_pages(case, client, monkeypatch):
    old = opened(case, "INV-1001", received_on=date(2026, 2, 2), query_type="complaint")
    new = opened(case, "INV-1002", owner=None)
    other = person_account("P2002", "Bob South", team="South")
    add_invoice(other, "INV-2001", date(2026, 2, 2), "10.00")
    south = opened(db.session.get(Person, other.person_id), "INV-2001", owner=None)
    signed_in(client, "fa")
    page = client.get("/queries")
    assert page.status_code == 200
    assert 'role="region" aria-label="Invoice queries" tabindex="0"' in page.text
    assert old.reference in page.text and new.reference in page.text
    assert south.reference not in page.text  # another team's
    assert "20 working days" in page.text and "Over 10 working days" in page.text
    # 2 Feb to 2 Mar 2026: 20 working days, past the 10-day target, not past 20.
    assert "Over 20 working days" not in page.text

    def refs(url: str) -> set[str]:
        text = client.get(url).text
        return {q.reference for q in (old, new, south) if q.reference in text}

    assert refs("/queries?overdue=yes") == {old.reference}
    assert refs("/queries?type=complaint") == {old.reference}
    assert refs("/queries?owner=none") == {new.reference}
    assert refs("/queries?owner=fo") == {old.reference}
    records.close_query(records.get_query(new.id), outcome="upheld", reasons="Yes.",
                        decided_on=date(2026, 3, 2), actor=user("fo"))
    db.session.commit()
    assert refs("/queries") == {old.reference}
    assert refs("/queries?status=closed") == {new.reference}
    assert refs("/queries?status=all") == {old.reference, new.reference}
    signed_in(client, "fm")  # a manager sees every team's
    assert refs("/queries?status=all") == {old.reference, new.reference, south.reference}
    monkeypatch.setattr(query_views, "PER_PAGE", 2)
    first, second = refs("/queries?status=all"), refs("/queries?status=all&page=2")
    assert len(first) == 2 and len(second) == 1 and first | second == {
        old.reference, new.reference, south.reference}
    assert "Pages of queries" in client.get("/queries?status=all").text


def test_past_twenty_working_days_is_tagged(case, client):
    opened(case, "INV-1001", received_on=date(2026, 1, 2))
    signed_in(client, "fo")
    assert "Over 20 working days" in client.get("/queries").text


def test_the_navigation_links_the_list_for_finance_staff(case, client):
    signed_in(client, "fa")
    assert 'href="/queries"' in client.get("/people").text
    signed_in(client, "cw")
    assert 'href="/queries"' not in client.get("/people").text


# --- the credit note's approval task ---------------------------------------------------------------
def test_the_approval_task_shows_the_credit_note(case, client):
    query = opened(case, "INV-1001")
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == "INV-1001"))
    note = credit_notes.raise_credit_note(invoice, amount=Decimal("150.00"),
                                          reason="Rate applied twice in week 1.", lines=[],
                                          query=query, actor=user("fa"))
    db.session.commit()
    task = db.session.scalar(select(HumanTask).where(
        HumanTask.engine_task_id == f"credit-note-{note.id}"))
    signed_in(client, "fm")
    page = client.get(f"/tasks/{task.id}").text
    for words in (f"Credit note {note.number}", "INV-1001, dated 2 February 2026", "£150.00",
                  "Rate applied twice in week 1.", "Fa on 2 March 2026", query.reference,
                  f"Approving issues credit note {note.number}: £150.00 comes off invoice "
                  "INV-1001, which then has £262.50 left to pay."):
        assert words in page, words
    assert "You raised this credit note" not in page
    signed_in(client, "fa")
    assert "You raised this credit note, so someone else must approve it" in client.get(
        f"/tasks/{task.id}").text
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "credit_note_issued")) == 0


def test_the_query_page_shows_who_the_provider_is_paid_less(case, client):
    """A.4 step 3(a): the provider of the care package the invoice charges for is paid less,
    recorded with the provider and shown on the query page apart from the person's charge."""
    from app.models import CarePackage, Provider, ProviderAdjustment

    provider = Provider(reference="PRV-1", name="Sunrise Care Ltd")
    db.session.add(provider)
    db.session.flush()
    db.session.add(CarePackage(reference="CP-1", person_id=case.id, provider_id=provider.id,
                               service="Home care", weekly_cost=Decimal("240.00"),
                               purchase_order="PO-1", start_date=date(2026, 1, 5)))
    db.session.commit()
    query = opened(case, "INV-1002", query_type="care_not_delivered")
    records.record_provider_adjustment(query, Decimal("48.20"), user("fa"))
    db.session.commit()
    adjustment = db.session.scalar(select(ProviderAdjustment))
    assert (adjustment.provider_id, adjustment.amount) == (provider.id, Decimal("-48.20"))
    signed_in(client, "fa")
    page = client.get(f"/queries/{query.id}").text
    assert "The provider’s payment" in page
    assert ("Sunrise Care Ltd is paid £48.20 less, recorded on 2 March 2026. Care not "
            "delivered, from the provider&#39;s records. This does not change the person’s "
            "charge.") in page


def test_a_provider_with_no_care_package_is_named_from_the_query(case, client):
    query = opened(case, "INV-1002", query_type="care_not_delivered", raised_by="provider",
                   raised_by_name="Hilltop Homecare")
    records.record_provider_adjustment(query, Decimal("20.00"), user("fa"))
    db.session.commit()
    page = signed_in(client, "fa").get(f"/queries/{query.id}").text
    assert ("The care provider is paid £20.00 less, recorded on 2 March 2026. Care not "
            "delivered, from the records of Hilltop Homecare.") in page
