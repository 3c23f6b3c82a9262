"""The browser pages through the Flask test client: sign-in, CSRF, idle sessions, roles and
teams on the server, and form errors that keep the values (the browser walk is tests/browser)."""
from __future__ import annotations

import html
import re
from datetime import date, datetime, timezone

import pytest
from flask import g

from app.extensions import db
from app.models import HumanTask
from tests.conftest import PASSWORD
from tests.dp_helpers import dp_person, returned_agreement


def csrf(client, path: str = "/sign-in") -> str:
    # Tests run every request in one app context, so Flask-WTF's per-request token cache (g)
    # would leak between clients; production has a context per request.
    g.pop("csrf_token", None)
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def signed_in(client, username: str):
    token = csrf(client)
    response = client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 302, response.text
    return client


def test_pages_need_a_session(staff, client):
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/sign-in?next=")


def test_a_wrong_password_is_a_clear_error(staff, client):
    response = client.post("/sign-in", data={"username": "fa", "password": "nope",
                                             "csrf_token": csrf(client)})
    assert response.status_code == 422
    assert "The username or password is not right" in response.text
    assert 'value="fa"' in response.text  # the username is kept, the password is not


def test_forms_without_the_csrf_token_are_refused(staff, client):
    response = client.post("/sign-in", data={"username": "fa", "password": PASSWORD})
    assert response.status_code == 400
    signed_in(client, "fa")
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_sign_out_ends_the_session(staff, client):
    signed_in(client, "fa")
    token = csrf(client, "/")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_an_idle_session_ends(staff, app, client):
    signed_in(client, "fa")
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    assert client.get("/").status_code == 302


def test_only_managers_have_all_open_tasks(staff, client):
    signed_in(client, "fa")
    assert client.get("/?tab=all").status_code == 403
    manager = staff.test_client()
    signed_in(manager, "fm")
    assert manager.get("/?tab=all").status_code == 200


@pytest.mark.parametrize("bad", ["due_before=2026-13-01", "due_before=soon",
                                 "due_before-day=31&due_before-month=2&due_before-year=2026",
                                 "due_before-day=3&due_before-month=&due_before-year=2026",
                                 "due_before-day=1&due_before-month=2&due_before-year=26"])
def test_a_bad_filter_is_shown_not_ignored(staff, client, bad):
    signed_in(client, "fa")
    response = client.get(f"/?tab=team&{bad}")
    assert response.status_code == 422
    assert "Due before must be a real date" in response.text
    assert 'href="#due_before-day"' in response.text
    assert 'type="date"' not in response.text  # the GOV.UK three boxes, not a date picker


def test_due_before_keeps_what_was_typed_and_rows_say_days_overdue(staff, client):
    from tests.conftest import set_clock

    from .test_inbox_service import add_tasks

    set_clock(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    person = dp_person("P1", "Olive Overdue")
    db.session.commit()
    add_tasks(person, [-3, 10])  # due 7 March (three days ago) and 20 March
    signed_in(client, "fa")
    wrong = client.get("/?tab=team&due_before-day=31&due_before-month=2&due_before-year=2026")
    assert 'value="31"' in wrong.text and 'value="2026"' in wrong.text
    page = client.get("/?tab=team&due_before-day=11&due_before-month=3&due_before-year=2026")
    assert page.status_code == 200 and "1 open task" in page.text
    assert "3 days overdue" in page.text and 'value="11"' in page.text


def test_the_task_form_keeps_values_and_changes_nothing_on_an_error(staff, client):
    from app.services.processes import instances
    from tests.workflows.test_direct_payment_agreement import user

    dp_person()
    chase, task = returned_agreement("P100234", user("fa"))
    state_before = chase.state
    signed_in(client, "fa")
    token = csrf(client, f"/tasks/{task.id}")
    response = client.post(f"/tasks/{task.id}", data={
        "csrf_token": token, "signatures_complete": "true", "missing_items": "Bank letter"})
    assert response.status_code == 422
    assert "Select yes if a dedicated account or card is in place" in response.text
    assert "Bank letter" in response.text and 'value="true" checked' in response.text
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).status == "open"
    assert instances.get_instance(chase.id).state == state_before
    # Another team's assistant cannot see it.
    south = staff.test_client()
    signed_in(south, "fa_south")
    assert south.get(f"/tasks/{task.id}").status_code == 404


def test_the_person_filter_takes_an_id_or_a_name(staff, client):
    for reference, name in (("P1", "Alice Example"), ("P2", "Bob Other")):
        dp_person(reference, name)
        returned_agreement(reference)
    signed_in(client, "fa")
    for person, shown, hidden in (("P2", "Bob Other", "Alice Example"),
                                  ("ali", "Alice Example", "Bob Other")):
        page = client.get(f"/?tab=team&person={person}").text
        assert shown in page and hidden not in page


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


def _tasks_shown(page: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/tasks/\d+">(Task \d+)</a>', page)


def test_inbox_pages_go_by_next_and_previous_keeping_the_filters(staff, client):
    from .test_inbox_service import add_tasks

    person = dp_person("P1", "Person P1")
    tasks = add_tasks(person, [None] + list(range(29)))
    signed_in(client, "fm")
    first = client.get("/?tab=all&sort=due_desc&process=care_package").text
    # Latest first: the undated task, then the latest due.
    assert _tasks_shown(first) == [tasks[0].title] + [t.title for t in tasks[:5:-1]]
    assert _link(first, "prev") is None and "More than" not in first
    assert "30 open tasks" in first
    after = _link(first, "next")
    assert "tab=all" in after and "sort=due_desc" in after and "process=care_package" in after
    second = client.get(after).text
    assert _tasks_shown(second) == [t.title for t in tasks[5:0:-1]] and not _link(second, "next")
    back = client.get(_link(second, "prev")).text
    assert _tasks_shown(back) == _tasks_shown(first)


@pytest.mark.parametrize("cursor", ["rubbish", "WyJhIixudWxsLCI1Il0", "%00"])
def test_a_broken_page_link_shows_the_first_page(staff, client, cursor):
    from .test_inbox_service import add_tasks

    tasks = add_tasks(dp_person("P1", "Person P1"), list(range(30)))
    signed_in(client, "fm")
    response = client.get(f"/?tab=all&cursor={cursor}")
    assert response.status_code == 200
    assert _tasks_shown(response.text) == [t.title for t in tasks[:25]]


def test_big_counts_say_more_than_and_count_in_full_when_asked(staff, client, monkeypatch):
    from app.services.inbox import task_list

    from .test_inbox_service import add_tasks

    monkeypatch.setattr(task_list, "COUNT_CAP", 4)
    add_tasks(dp_person("P1", "Person P1"), [1, 2, 3, 4, 5, 6, None])
    signed_in(client, "fm")
    page = client.get("/?tab=all&overdue=").text
    assert re.search(r'data-count="all"[^>]*>\s*More than 4\s*<', page)
    assert "More than 4 open tasks. " in page
    exact = client.get(_link_named(page, "Count them all")).text
    assert "7 open tasks" in exact and "Count them all" not in exact
    assert "2 open tasks" in client.get("/?tab=all&due_before=2026-03-13").text
    assert "2 open tasks" in client.get(
        "/?tab=all&due_before-day=13&due_before-month=3&due_before-year=2026").text


def _link_named(page: str, text: str) -> str:
    return html.unescape(re.search(rf'href="([^"]+)">{text}</a>', page).group(1))


# --- notes, documents and drafts ------------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def alice(staff):

    person = dp_person()
    db.session.commit()
    return person


def test_a_note_is_added_to_the_case_and_its_timeline(alice, client):
    from app.models import AuditEvent, CaseNote

    signed_in(client, "fa")
    token = csrf(client, "/people/P100234")
    empty = client.post("/people/P100234/notes", data={"csrf_token": token, "note": "  "})
    assert empty.status_code == 422 and "Enter a note" in empty.text
    assert db.session.query(CaseNote).count() == 0
    done = client.post("/people/P100234/notes", data={
        "csrf_token": token, "note": "Daughter rang:\nwill send the bank letter"})
    assert done.status_code == 302
    assert done.location == "/people/P100234/notes#notes"
    page = client.get("/people/P100234/notes").text
    assert "Daughter rang:\nwill send the bank letter" in page and "Note added" in page
    event = db.session.query(AuditEvent).filter_by(action="note_added").one()
    assert "Daughter" not in str(event.summary)  # the timeline says a note was added, not what


def test_documents_are_checked_by_their_bytes_and_size(alice, client, monkeypatch):
    from io import BytesIO

    from app.models import CaseDocument
    from app.services.records import notes_and_documents

    # A small limit keeps the upload in memory (the real one is 4 MB; the message reads it).
    monkeypatch.setattr(notes_and_documents, "DOCUMENT_MAX_BYTES", 4 * 1024)

    signed_in(client, "fa")
    token = csrf(client, "/people/P100234")

    def attach(content: bytes, name: str, description: str = "Signed agreement"):
        return client.post("/people/P100234/documents", content_type="multipart/form-data",
                           data={"csrf_token": token, "description": description,
                                 "document": (BytesIO(content), name)})

    renamed = attach(b"MZ\x90\x00 not a pdf", "agreement.pdf")
    assert renamed.status_code == 422 and "must be a PDF" in renamed.text
    too_big = attach(PDF + b"0" * 4 * 1024, "big.pdf")
    assert too_big.status_code == 422 and "4 KB or smaller" in too_big.text
    no_description = attach(PDF, "agreement.pdf", "")
    assert no_description.status_code == 422 and "Say what the document is" in no_description.text
    assert db.session.query(CaseDocument).count() == 0
    assert attach(PDF, "../../agreement.pdf").status_code == 302
    document = db.session.query(CaseDocument).one()
    assert (document.filename, document.content_type, document.size) == (
        "agreement.pdf", "application/pdf", len(PDF))
    download = client.get(f"/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    south = client.application.test_client()
    signed_in(south, "fa_south")
    assert south.get(f"/documents/{document.id}").status_code == 403


def test_a_long_form_saves_a_draft_and_shows_it_again(alice, client):
    from app.models import HumanTask
    from app.services.processes import instances
    from tests.workflows.test_direct_payment_agreement import user

    chase = instances.start_instance("direct_payment_agreement", "P100234", {}, user("fa"))
    instances.deliver_message(chase.id, "paperwork_received", {}, user("fa"))
    db.session.commit()
    task = next(t for t in instances.open_tasks(chase) if t.name == "validate_agreement")
    state_before = chase.state
    signed_in(client, "fa")
    token = csrf(client, f"/tasks/{task.id}")
    saved = client.post(f"/tasks/{task.id}", data={
        "csrf_token": token, "action": "draft", "signatures_complete": "true",
        "missing_items": "Bank letter"})
    assert saved.status_code == 302
    db.session.expire_all()
    row = db.session.get(HumanTask, task.id)
    assert row.draft == {"signatures_complete": True, "missing_items": "Bank letter"}
    assert row.status == "open" and row.claimed_by_id == user("fa").id
    assert instances.get_instance(chase.id).state == state_before  # the process did not move
    page = client.get(f"/tasks/{task.id}").text
    assert "Draft saved" in page and "Bank letter" in page and 'value="true" checked' in page


def test_a_signing_date_in_the_future_is_refused_beside_its_field(alice, client):
    from app.services.processes import instances
    from tests.workflows.test_direct_payment_agreement import user

    chase = instances.start_instance("direct_payment_agreement", "P100234", {}, user("fa"))
    instances.deliver_message(chase.id, "paperwork_received", {}, user("fa"))
    db.session.commit()
    task = next(t for t in instances.open_tasks(chase) if t.name == "validate_agreement")
    signed_in(client, "fa")
    response = client.post(f"/tasks/{task.id}", data={
        "csrf_token": csrf(client, f"/tasks/{task.id}"), "action": "complete",
        "signatures_complete": "true", "dedicated_account": "true",
        "contribution_set_up": "true", "recipient_signed_on-day": "3",
        "recipient_signed_on-month": "3", "recipient_signed_on-year": "2026"})  # clock: 2 March
    assert response.status_code == 422
    assert 'id="recipient_signed_on-error"' in response.text
    assert ("Date the recipient signed the agreement must be today or in the past"
            in response.text) and 'value="3"' in response.text
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).status == "open"


def test_the_case_page_shows_the_money(alice, client):
    from datetime import date
    from decimal import Decimal

    from app.models import Account, Invoice, Payment

    account = Account(number="AC100234", person_id=alice.id)
    db.session.add(account)
    db.session.flush()
    db.session.add_all([
        Invoice(number="INV-1", account_id=account.id, invoice_date=date(2026, 1, 5),
                due_date=date(2026, 1, 26), total=Decimal("412.50"), paid=Decimal("100.00"),
                status="part_paid"),
        Invoice(number="INV-0", account_id=account.id, invoice_date=date(2025, 12, 8),
                due_date=date(2025, 12, 29), total=Decimal("60.00"), status="written_off"),
        Payment(bank_reference="AC100234 JAN", paid_on=date(2026, 1, 30), amount=Decimal("100.00"),
                account_number="AC100234", account_id=account.id,
                imported_at=datetime(2026, 1, 30, tzinfo=timezone.utc))])
    db.session.commit()
    signed_in(client, "fa")
    page = client.get("/people/P100234/money").text
    assert "Balance owed on all accounts: <strong>£312.50</strong>" in page  # not the write-off
    assert "INV-1" in page and "AC100234 JAN" in page and "£412.50" in page


# --- review fixes: redirects, headers, roles, forms -----------------------------------------------
@pytest.mark.parametrize("target", ["/\\evil.example", "//evil.example", "https://evil.example",
                                    "/%0a/evil", "javascript:alert(1)"])
def test_sign_in_never_sends_you_to_another_site(staff, client, target):
    response = client.post(f"/sign-in?next={target}", data={
        "username": "fa", "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 302 and response.location == "/"


def test_after_sign_in_you_go_back_to_the_page_you_asked_for(staff, client):
    asked = client.get("/people?postcode=EX1")
    assert asked.status_code == 302
    token = csrf(client)
    response = client.post(asked.location, data={"username": "fa", "password": PASSWORD,
                                                 "csrf_token": token})
    assert response.location == "/people?postcode=EX1"


def test_pages_cannot_be_framed(staff, client):
    response = client.get("/sign-in")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def _returned(person_reference: str = "P100234"):
    from tests.workflows.test_direct_payment_agreement import user

    return returned_agreement(person_reference, user("fa"))


def test_claim_unclaim_and_only_managers_assign(alice, client):
    _, task = _returned()
    signed_in(client, "fa")
    token = csrf(client, "/")
    back = "https://evil.example/"
    claimed = client.post(f"/tasks/{task.id}/claim", data={"csrf_token": token, "back": back})
    assert claimed.status_code == 302 and claimed.location == f"/tasks/{task.id}"
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).claimed_by.username == "fa"
    assert client.post(f"/tasks/{task.id}/assign", data={
        "csrf_token": token, "username": "fa"}).status_code == 403
    client.post(f"/tasks/{task.id}/unclaim", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).claimed_by_id is None
    manager = client.application.test_client()
    signed_in(manager, "fm")
    manager.post(f"/tasks/{task.id}/assign", data={"csrf_token": csrf(manager, "/?tab=all"),
                                                   "username": "fa"})
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).claimed_by.username == "fa"


def test_another_teams_letters_and_diagrams_are_not_served(alice, client):
    from app.models import Letter
    from app.services.correspondence import letter_worker

    _, task = _returned()
    letter_worker.render_all_pending()  # as the scheduler's letter worker does
    letter = db.session.query(Letter).filter_by(person_id=alice.id).first()
    south = client
    signed_in(south, "fa_south")
    assert south.get(f"/letters/{letter.id}.docx").status_code == 403
    assert south.get(f"/tasks/{task.id}/diagram.bpmn").status_code == 404
    north = client.application.test_client()
    signed_in(north, "fa")
    diagram = north.get(f"/tasks/{task.id}/diagram.bpmn")
    assert diagram.status_code == 200 and b"validate_agreement" in diagram.data
    assert "sandbox" in diagram.headers["Content-Security-Policy"]
    assert diagram.headers["Content-Disposition"].startswith("attachment")
    download = north.get(f"/letters/{letter.id}.docx")
    assert download.status_code == 200 and download.headers["X-Content-SHA256"] == letter.sha256


def test_every_problem_on_the_form_is_shown_at_once(alice, client):
    _, task = _returned()
    signed_in(client, "fa")
    response = client.post(f"/tasks/{task.id}", data={
        "csrf_token": csrf(client, f"/tasks/{task.id}"), "action": "complete",
        "signatures_complete": "true", "recipient_signed_on-day": "2",
        "recipient_signed_on-month": "3", "recipient_signed_on-year": "26"})  # a 2-digit year
    assert response.status_code == 422
    text = response.text
    assert "must be a real date" in text
    assert "Select yes if a dedicated account or card is in place" in text  # not only the date
    assert 'href="#recipient_signed_on-day"' in text  # the summary links to the first box


def test_a_manager_may_complete_what_the_service_lets_them(alice, client):
    _, task = _returned()
    manager = client
    signed_in(manager, "fm")
    page = manager.get(f"/tasks/{task.id}").text
    assert 'id="task-form"' in page


def test_completing_clears_the_draft(alice, client):
    _, task = _returned()
    signed_in(client, "fa")
    token = csrf(client, f"/tasks/{task.id}")
    client.post(f"/tasks/{task.id}", data={"csrf_token": token, "action": "draft",
                                           "missing_items": "Bank letter"})
    client.post(f"/tasks/{task.id}", data={
        "csrf_token": token, "action": "complete", "signatures_complete": "true",
        "dedicated_account": "true", "contribution_set_up": "true",
        "recipient_signed_on-day": "2", "recipient_signed_on-month": "3",
        "recipient_signed_on-year": "2026"})
    db.session.expire_all()
    done = db.session.get(HumanTask, task.id)
    assert done.status == "completed" and done.draft is None


def test_the_person_filter_matches_every_word_of_a_name(staff, client):

    for reference, name in (("P1", "Mary-Jane O'Neil"), ("P2", "Mary Smith")):
        dp_person(reference, name)
        _returned(reference)
    signed_in(client, "fa")
    page = client.get("/?tab=team&person=Mary-Jane O'Neil").text
    assert "Mary-Jane O&#39;Neil" in page and "Mary Smith" not in page
    both = client.get("/?tab=team&person=mary").text
    assert "Mary Smith" in both and "Mary-Jane" in both


def test_search_by_date_of_birth_in_three_boxes(staff, client):
    from app.services.records import people

    people.create_person({
        "reference": "P9", "name": "Edith Born", "team": "North", "caseworker": "cw",
        "date_of_birth": date(1941, 3, 27),
        "address": {"lines": ["1 High Street"], "postcode": "EX1 2AB"},
        "representative": None}, None)
    db.session.commit()
    signed_in(client, "fa")
    found = client.get("/people?dob-day=27&dob-month=3&dob-year=1941")
    assert found.status_code == 200 and "Edith Born" in found.text
    wrong = client.get("/people?dob-day=30&dob-month=2&dob-year=1941")
    assert wrong.status_code == 422 and "must be a real date" in wrong.text
    assert 'href="#dob-day"' in wrong.text and 'value="30"' in wrong.text


def test_the_header_names_the_council_from_settings_on_the_next_page(staff, client):
    from app.services import settings

    signed_in(client, "fa")
    assert "Example County Council" in client.get("/").text
    assert "Council name" not in client.get("/").text
    header = dict(settings.get("council"), name="Hampshire County Council")
    settings.change("council", header, _user("admin"))
    db.session.commit()
    g.pop("council_name", None)  # one app context for every request here (see csrf above)
    page = client.get("/").text
    assert "Hampshire County Council" in page and "Example County Council" not in page


def _user(username: str):
    from sqlalchemy import select

    from app.models import User
    return db.session.scalar(select(User).where(User.username == username))


def test_the_inbox_says_taken_by_with_full_names(alice, client):
    _, task = _returned()
    signed_in(client, "fa")
    client.post(f"/tasks/{task.id}/claim", data={"csrf_token": csrf(client, "/")})
    page = client.get("/").text
    assert ">Taken by<" in page and "Claimed by" not in page
    assert ">Fa<" in page  # the full name (the fixture's users are "Fa", "Fm", ...)
    manager = client.application.test_client()
    signed_in(manager, "fm")
    listing = manager.get("/?tab=all").text
    assert '<option value="fa">Fa</option>' in listing  # full names, the username as the value
    response = manager.post(f"/tasks/{task.id}/assign", data={
        "csrf_token": csrf(manager, "/?tab=all"), "username": "fa"}, follow_redirects=True)
    assert "Task assigned to Fa." in response.text


def test_take_goes_to_the_task(alice, client):
    _, task = _returned()
    signed_in(client, "fa")
    taken = client.post(f"/tasks/{task.id}/claim", data={"csrf_token": csrf(client, "/"),
                                                         "back": "/?tab=team"})
    assert taken.status_code == 302 and taken.location == f"/tasks/{task.id}"
    assert "You have taken this task" in client.get(taken.location).text


def test_complete_goes_to_the_persons_next_task_then_the_inbox(staff, client):
    from .test_inbox_service import add_tasks

    person = dp_person("P1", "Nina Next")
    db.session.commit()
    first, second = add_tasks(person, [1, 3])
    signed_in(client, "fa")
    token = csrf(client, f"/tasks/{first.id}")
    done = client.post(f"/tasks/{first.id}", data={"csrf_token": token, "action": "complete"})
    assert done.status_code == 302 and done.location == f"/tasks/{second.id}"
    page = html.unescape(client.get(done.location).text)
    assert f"Completed: {first.title}. Next for Nina Next: {second.title}." in page
    last = client.post(f"/tasks/{second.id}", data={"csrf_token": token, "action": "complete"})
    assert last.status_code == 302 and last.location == "/"
    assert "no more tasks for Nina Next" in html.unescape(client.get("/").text)


def test_the_team_tab_names_who_took_a_task_and_offers_take_only_on_the_others(staff, client):
    from .test_inbox_service import add_tasks

    person = dp_person("P1", "Tess Team")
    db.session.commit()
    free, held = add_tasks(person, [1, 2])
    held.claimed_by_id = _user("fm").id
    db.session.commit()
    signed_in(client, "fa")
    page = client.get("/?tab=team").text
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r'<tr class="govuk-table__row" data-task="check">.*?/tasks/(\d+)"(.*?)</tr>', page, re.S)}
    assert set(rows) == {str(free.id), str(held.id)}
    assert f"/tasks/{free.id}/claim" in rows[str(free.id)] and "Nobody yet" in rows[str(free.id)]
    assert "/claim" not in rows[str(held.id)] and ">Fm<" in rows[str(held.id)]


def test_find_a_person_by_invoice_or_nhs_number(alice, client):
    from decimal import Decimal

    from app.models import Account, Invoice

    account = Account(number="AC100234", person_id=alice.id)
    db.session.add(account)
    db.session.flush()
    db.session.add(Invoice(number="INV-7731", account_id=account.id,
                           invoice_date=date(2026, 1, 5), due_date=date(2026, 1, 26),
                           total=Decimal("412.50")))
    alice.nhs_number = "4857773456"
    db.session.commit()
    signed_in(client, "fa")
    found = client.get("/people?invoice_number=INV-7731")
    assert found.status_code == 200 and "Alice Example" in found.text
    assert "1 person found" in found.text
    assert "Alice Example" in client.get("/people?nhs_number=485+777+3456").text
    none = client.get("/people?invoice_number=INV-773")
    assert "0 people found" in none.text
    wrong = client.get("/people?nhs_number=12345")
    assert wrong.status_code == 422
    assert "Enter an NHS number with 10 digits" in wrong.text and 'href="#nhs_number"' in wrong.text
    assert 'value="12345"' in wrong.text


def test_take_selected_says_how_many_and_names_those_left(staff, client):
    from .test_inbox_service import add_tasks

    person = dp_person("P1", "Bea Bulk")
    db.session.commit()
    tasks = add_tasks(person, [1, 2, 3, 4])
    tasks[3].claimed_by_id = _user("fm").id
    db.session.commit()
    signed_in(client, "fa")
    page = client.get("/?tab=team").text
    assert 'form="selected-tasks"' in page and "Take selected" in page
    assert "Assign selected to" not in page  # managers only
    done = client.post("/tasks/selected", data={
        "csrf_token": csrf(client, "/"), "action": "take", "back": "/?tab=team",
        "task_id": [str(t.id) for t in tasks]}, follow_redirects=True)
    text = html.unescape(done.text)
    assert "3 tasks taken" in text
    assert f"Not taken: {tasks[3].title} for Bea Bulk (Fm took it first)" in text
    assert client.post("/tasks/selected", data={
        "csrf_token": csrf(client, "/"), "action": "assign", "username": "fa",
        "task_id": [str(tasks[0].id)]}).status_code == 403
    nothing = client.post("/tasks/selected", data={"csrf_token": csrf(client, "/"),
                                                    "action": "take"}, follow_redirects=True)
    assert "Select at least one task" in nothing.text


def test_a_manager_assigns_selected_tasks_to_a_named_person(staff, client):
    from .test_inbox_service import add_tasks

    tasks = add_tasks(dp_person("P1", "Bea Bulk"), [1, 2])
    signed_in(client, "fm")
    page = client.get("/?tab=all").text
    assert "Assign selected to" in page
    # Those who may do the tasks (finance assistants here), named, with the role that lets them;
    # not the officer, the caseworker or the legal team.
    offered = re.search(r'id="assign-selected"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", offered) == ["Fa (finance assistant)",
                                                          "Fa_South (finance assistant)"]
    done = client.post("/tasks/selected", data={
        "csrf_token": csrf(client, "/?tab=all"), "action": "assign", "username": "fa",
        "task_id": [str(t.id) for t in tasks]}, follow_redirects=True)
    assert "2 tasks assigned to Fa" in done.text
    db.session.expire_all()
    assert {db.session.get(HumanTask, t.id).claimed_by.username for t in tasks} == {"fa"}


def test_the_accessibility_statement_is_public_and_linked_from_every_page(staff, client):
    statement = client.get("/accessibility")
    assert statement.status_code == 200
    text = statement.get_data(as_text=True)
    assert "ascfinance@example.gov.uk" in text  # the council's contact, from its settings
    assert "partially compliant" in text and "WCAG" in text.replace("Web Content", "WCAG")
    assert 'href="/accessibility"' in client.get("/sign-in").get_data(as_text=True)
