"""The managers' process pages through the test client: who may open them, Save draft with the
server's check, Publish refused while problems remain, versions, changes and the guide."""
from __future__ import annotations

from pathlib import Path

from flask import g

from tests.dp_helpers import dp_person
from tests.integration.test_web_pages import csrf, signed_in

DP = (Path(__file__).resolve().parents[2] / "workflows" / "direct_payment_agreement.bpmn"
      ).read_bytes()
NO_ROLE = DP.replace(b'id="validate_agreement" name="Validate the returned agreement" '
                     b'camunda:candidateGroups="finance_assistant"',
                     b'id="validate_agreement" name="Validate the returned agreement"', 1)
RENAMED = DP.replace(b'name="Validate the returned agreement"',
                     b'name="Check the returned agreement"', 1)


def manager(client):
    signed_in(client, "fm")
    g.pop("csrf_token", None)
    return client, csrf(client, "/processes/direct_payment_agreement/modeler")


def test_only_managers_and_admins_open_the_process_pages(staff, client):
    signed_in(client, "fa")
    for path in ("/processes", "/processes/direct_payment_agreement",
                 "/processes/direct_payment_agreement/modeler",
                 "/processes/direct_payment_agreement/draft.bpmn", "/processes/guide"):
        assert client.get(path).status_code == 403, path
    fm, _ = manager(client.application.test_client())
    listing = fm.get("/processes")
    assert listing.status_code == 200 and "Direct payment agreement" in listing.text
    assert fm.get("/processes/guide").status_code == 200
    # Each version's diagram can be downloaded from the process page (workflows sync points there).
    page = fm.get("/processes/direct_payment_agreement").text
    assert 'href="/processes/direct_payment_agreement/versions/1.bpmn"' in page
    assert fm.get("/processes/direct_payment_agreement/versions/1.bpmn").status_code == 200


def test_save_draft_returns_the_problems_and_publish_waits_for_none(staff, client):
    fm, token = manager(client)
    headers = {"X-CSRFToken": token, "Content-Type": "application/xml"}
    saved = fm.post("/processes/direct_payment_agreement/draft", data=NO_ROLE, headers=headers)
    assert saved.status_code == 200
    problems = saved.json["problems"]
    assert [p["element_id"] for p in problems] == ["validate_agreement"]
    refused = fm.post("/processes/direct_payment_agreement/publish",
                      headers={"X-CSRFToken": token})
    assert refused.status_code == 422 and refused.json["error"]["details"]
    opened = fm.get("/processes/direct_payment_agreement/draft.bpmn")
    assert opened.data == NO_ROLE and "sandbox" in opened.headers["Content-Security-Policy"]
    assert fm.post("/processes/direct_payment_agreement/draft", data=RENAMED,
                   headers=headers).json["problems"] == []
    published = fm.post("/processes/direct_payment_agreement/publish",
                        headers={"X-CSRFToken": token})
    assert published.status_code == 200 and published.json["version"] == 2
    changes = fm.get("/processes/direct_payment_agreement/changes?from=1&to=2").text
    assert "name “Validate the returned agreement” → “Check the returned agreement”" in changes


def test_without_the_csrf_header_nothing_is_saved(staff, client):
    fm, _ = manager(client)
    response = fm.post("/processes/direct_payment_agreement/draft", data=RENAMED,
                       headers={"Content-Type": "application/xml"})
    assert response.status_code == 400
    assert fm.get("/processes/direct_payment_agreement/draft.bpmn").data == DP


def test_malformed_or_unsafe_xml_is_refused_as_json(staff, client):
    fm, token = manager(client)
    headers = {"X-CSRFToken": token, "Content-Type": "application/xml"}
    bad = fm.post("/processes/direct_payment_agreement/draft", data=b"<bpmn:definitions",
                  headers=headers)
    assert bad.status_code == 422 and bad.json["error"]["message"]
    xxe = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b"<d>&x;</d>")
    refused = fm.post("/processes/direct_payment_agreement/draft", data=xxe, headers=headers)
    assert refused.status_code == 422 and "root:" not in refused.text


def test_todays_print_batch_downloads_as_one_pdf_and_the_letters(staff, client):
    import io
    import zipfile

    from app.extensions import db
    from app.services.correspondence import letter_worker
    from app.services.processes import instances
    from tests.workflows.test_direct_payment_agreement import user

    dp_person()
    instances.start_instance("direct_payment_agreement", "P100234", {}, user("fa"))
    db.session.commit()
    letter_worker.render_all_pending()
    fm, _ = manager(client)
    page = fm.get("/operations").text
    assert "Today's print batch (1 letter)" in page
    download = fm.get("/operations/print-batch.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".docx") for n in names)
    assert "manifest.csv" in names


def test_assistants_cannot_post_to_the_managers_routes(staff, client):
    signed_in(client, "fa")
    token = csrf(client, "/")
    headers = {"X-CSRFToken": token, "Content-Type": "application/xml"}
    assert client.post("/processes/direct_payment_agreement/draft", data=RENAMED,
                       headers=headers).status_code == 403
    for path in ("/processes/direct_payment_agreement/publish",
                 "/operations/instances/1/retry"):
        assert client.post(path, headers={"X-CSRFToken": token}).status_code == 403, path
    for path in ("/processes/direct_payment_agreement/versions/1.bpmn",
                 "/processes/direct_payment_agreement/changes", "/operations",
                 "/operations/print-batch.zip"):
        assert client.get(path).status_code == 403, path


def test_a_signed_out_modeler_save_gets_json_it_can_explain(staff, client):
    fm, token = manager(client)
    fm.post("/sign-out", data={"csrf_token": token})
    g.pop("csrf_token", None)
    response = fm.post("/processes/direct_payment_agreement/draft", data=RENAMED,
                       headers={"Content-Type": "application/xml"})
    assert response.status_code == 401  # signed out: the modeler offers the diagram as a file
    assert response.is_json and response.json["error"]["message"]


def test_the_modeler_page_carries_the_saved_drafts_problems(staff, client):
    fm, token = manager(client)
    fm.post("/processes/direct_payment_agreement/draft", data=NO_ROLE,
            headers={"X-CSRFToken": token, "Content-Type": "application/xml"})
    page = fm.get("/processes/direct_payment_agreement/modeler").text
    assert 'data-has-draft="yes"' in page
    assert "validate_agreement" in page.split("data-draft-problems=")[1].split(">")[0]


def test_retrying_an_instance_without_an_incident_says_so(staff, client):
    fm, token = manager(client)
    from app.extensions import db
    from app.services.processes import instances
    from tests.workflows.test_direct_payment_agreement import user

    dp_person("P1", "Person One")
    chase = instances.start_instance("direct_payment_agreement", "P1", {}, user("fa"))
    db.session.commit()
    response = fm.post(f"/operations/instances/{chase.id}/retry", data={"csrf_token": token},
                       follow_redirects=True)
    assert "Retry did not complete: this instance has no open incident" in response.text
    assert fm.post("/operations/instances/999999/retry",
                   data={"csrf_token": token}).status_code == 404


def test_the_scheduler_heartbeat_is_one_row_written_at_most_every_30_seconds(staff):
    from datetime import datetime, timedelta, timezone

    from app.extensions import db
    from app.models import JobRun
    from app.services.operations import dashboard

    assert dashboard.scheduler_stale(dashboard.last_sweep())
    dashboard.record_sweep()
    first = dashboard.last_sweep()
    dashboard.record_sweep()
    assert dashboard.last_sweep() == first  # not rewritten within 30 seconds
    row = db.session.query(JobRun).filter_by(name=dashboard.SWEEP).one()
    row.finished_at = datetime.now(timezone.utc) - timedelta(minutes=5)
    db.session.commit()
    assert dashboard.scheduler_stale(dashboard.last_sweep())
    dashboard.record_sweep()
    assert not dashboard.scheduler_stale(dashboard.last_sweep())
    assert db.session.query(JobRun).filter_by(name=dashboard.SWEEP).count() == 1


def test_the_chart_figures(staff):
    from datetime import date
    from decimal import Decimal

    from app.extensions import db
    from app.models import Account, DebtCase, Invoice
    from app.services.operations import dashboard
    from app.services.records import people

    person = people.create_person({
        "reference": "P1", "name": "Person One", "team": "North", "caseworker": "cw",
        "address": {"lines": ["1 High Street"], "postcode": "EX1 2AB"},
        "representative": None}, None)
    account = Account(number="AC1", person_id=person.id)
    db.session.add(account)
    db.session.flush()
    debt = DebtCase(account_id=account.id, person_id=person.id, status="open",
                    stage="final_demand", opened_on=date(2026, 1, 27))
    db.session.add(debt)
    db.session.flush()
    db.session.add_all([  # the clock: Mon 2 March 2026
        Invoice(number="I1", account_id=account.id, invoice_date=date(2025, 12, 1),
                due_date=date(2025, 12, 22), total=Decimal("100.00"), debt_case_id=debt.id),
        Invoice(number="I2", account_id=account.id, invoice_date=date(2026, 2, 23),
                due_date=date(2026, 3, 16), total=Decimal("40.00"), paid=Decimal("10.00"),
                status="part_paid", debt_case_id=debt.id)])
    db.session.commit()
    stages = {bar.label: bar.value for bar in dashboard.debts_by_stage()}
    assert stages["Final demand"] == 1 and stages["Reminder"] == 0  # docs/content.md stage words
    assert [b.label for b in dashboard.debts_by_stage()][:3] == [
        "New debt", "Reminder", "Final demand"]
    ages = dashboard.outstanding_by_age()
    assert ages[0].label == "Not yet due" and ages[0].value == Decimal("30.00")
    assert sum(b.value for b in ages) == Decimal("130.00")
    due = dashboard.tasks_due_per_day(14)
    assert len(due) == 14 and due[0].label == "Mon 2 Mar"


def test_publish_refuses_a_draft_someone_else_saved_since(staff, client):
    fm, token = manager(client)
    headers = {"X-CSRFToken": token, "Content-Type": "application/xml"}
    mine = fm.post("/processes/direct_payment_agreement/draft", data=RENAMED,
                   headers=headers).json["draft_hash"]
    other = client.application.test_client()
    signed_in(other, "admin")
    g.pop("csrf_token", None)
    other_token = csrf(other, "/processes/direct_payment_agreement/modeler")
    other.post("/processes/direct_payment_agreement/draft", data=DP.replace(
        b'name="Send reminder 1"', b'name="Send the first reminder"', 1),
        headers={"X-CSRFToken": other_token, "Content-Type": "application/xml"})
    refused = fm.post("/processes/direct_payment_agreement/publish",
                      json={"draft_hash": mine}, headers={"X-CSRFToken": token})
    assert refused.status_code == 409 and "someone else" in refused.json["error"]["message"]


def test_operations_lists_a_version_in_use_that_the_check_now_faults(staff, client):
    from datetime import datetime

    from app.extensions import db
    from app.models import ProcessVersion
    from app.services.processes import definitions
    from tests.unit.test_process_contracts import rename_id

    fm, _ = manager(client)
    assert 'id="versions"' not in fm.get("/operations").text  # the shipped versions are sound
    definition = definitions.get_definition("legal_recovery")
    xml = rename_id(definitions.latest_version(definition).xml, "issue_claim", "court_claim")
    db.session.add(ProcessVersion(definition=definition, number=2, source="modeler", xml=xml,
                                  content_hash="old", published_at=datetime.fromisoformat(
                                      "2026-11-01T10:00:00+00:00")))
    db.session.commit()
    page = fm.get("/operations").text
    assert 'data-version="legal_recovery-2"' in page and "new cases start on it" in page
    assert "must keep its id issue_claim" in page
