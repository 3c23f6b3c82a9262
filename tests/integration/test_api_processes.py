"""Process definitions over HTTP: listing, published XML, the manager's draft (refused when it is
malformed or unsafe, kept with its problems otherwise), publishing, and versions of instances."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ProcessDefinition, ProcessVersion
from tests.conftest import REPO

from .api_helpers import PROCESS, count, error_of, fresh, open_case, sweep_at, task_named

SHIPPED = (REPO / "workflows" / f"{PROCESS}.bpmn").read_bytes()
DRAFT = f"/processes/{PROCESS}/draft"


SHIPPED_COUNT = len(list((REPO / "workflows").glob("*.bpmn")))


def edited(*replacements: tuple[str, str]) -> bytes:
    """The shipped diagram with each (old, new) text replaced exactly once."""
    xml = SHIPPED.decode()
    for old, new in replacements:
        assert xml.count(old) == 1, old
        xml = xml.replace(old, new)
    return xml.encode()


def put_draft(api, xml: bytes):
    return api.put(DRAFT, data=xml, content_type="application/xml")


def process(api) -> dict:
    response = api.get(f"/processes/{PROCESS}")
    assert response.status_code == 200
    return response.json


def problems_on(body: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for problem in body:
        out.setdefault(problem.get("element_id"), []).append(problem["message"])
    return out


def draft_row() -> ProcessDefinition:
    fresh()
    return db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == PROCESS))


# --- reading --------------------------------------------------------------------------------------
def test_list_and_read_processes(as_user):
    fa = as_user("fa")
    listed = fa.get("/processes").json
    assert listed == {"items": [
        {"key": key, "name": name, "latest_version": 1, "has_draft": False}
        for key, name in (("debt_decision", "Debt awaiting a decision"),
                          ("debt_recovery", "Debt recovery"),
                          (PROCESS, "Direct payment agreement"),
                          ("direct_payment_audit", "Direct payment audit"),
                          ("direct_payment_monitoring", "Direct payment monitoring"),
                          ("estate_recovery", "Estate recovery"),
                          ("invoice_query", "Invoice query"),
                          ("legal_recovery", "Legal recovery"))],
        "total": 8, "page": 1, "per_page": 8}
    detail = process(fa)
    assert [(v["number"], v["source"]) for v in detail["versions"]] == [(1, "file")]
    assert datetime.fromisoformat(detail["versions"][0]["published_at"]).utcoffset() == (
        timedelta(0))
    assert detail["has_draft"] is False and detail["draft_problems"] == []
    error_of(fa.get("/processes/no_such_process"), 404, "not_found")


def test_published_version_xml(as_user):
    fa = as_user("fa")
    response = fa.get(f"/processes/{PROCESS}/versions/1/bpmn")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.get_data() == SHIPPED
    error_of(fa.get(f"/processes/{PROCESS}/versions/2/bpmn"), 404, "not_found")
    error_of(fa.get("/processes/no_such_process/versions/1/bpmn"), 404, "not_found")


def test_draft_reads_the_latest_version_until_one_is_saved(as_user):
    fm = as_user("fm")
    response = fm.get(DRAFT)
    assert response.status_code == 200
    assert response.get_data() == SHIPPED and response.headers["X-Draft"] == "no"
    xml = edited(("Phone the person about", "Ring the person about"))
    assert put_draft(fm, xml).status_code == 200
    response = fm.get(DRAFT)
    assert response.get_data() == xml and response.headers["X-Draft"] == "yes"


# --- refused: malformed or unsafe XML -------------------------------------------------------------
def test_malformed_xml_is_422_with_the_line_and_nothing_is_saved(as_user):
    fm = as_user("fm")
    xml = edited(("</bpmn:process>", "</bpmn:proces>"))
    lines = xml.decode().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "</bpmn:proces>" in text)
    error = error_of(put_draft(fm, xml), 422, "validation_failed")
    (detail,) = error["details"]
    assert detail["line"] == line
    assert "malformed XML" in detail["message"]
    assert process(fm)["has_draft"] is False
    assert draft_row().draft_xml is None
    assert count(AuditEvent, action="draft_saved") == 0


@pytest.mark.parametrize("body", [b"", b"   ", b"not xml at all", b"<a><b></a>"])
def test_empty_or_garbage_draft_is_422(as_user, body):
    fm = as_user("fm")
    error_of(put_draft(fm, body), 422, "validation_failed")
    assert process(fm)["has_draft"] is False


def test_xxe_is_refused_and_the_secret_goes_nowhere(as_user, tmp_path):
    secret = f"SECRET-{uuid.uuid4().hex}"
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(secret)
    fm = as_user("fm")
    xml = edited(
        ('<?xml version="1.0" encoding="UTF-8"?>\n',
         '<?xml version="1.0" encoding="UTF-8"?>\n'
         f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret_file}">]>\n'),
        ("<bpmn:documentation>DOMAIN.md A.1", "<bpmn:documentation>&e; DOMAIN.md A.1"),
    )
    responses = [put_draft(fm, xml)]
    error = error_of(responses[0], 422, "validation_failed")
    assert error["details"][0]["line"] == 1  # the DOCTYPE itself is refused
    responses += [fm.get(f"/processes/{PROCESS}"), fm.get(DRAFT), fm.get("/processes"),
                  fm.post(f"{DRAFT}/publish")]
    for response in responses:
        assert secret.encode() not in response.get_data()
    assert process(fm)["has_draft"] is False
    row = draft_row()
    assert row.draft_xml is None and row.draft_problems == []
    assert all(secret.encode() not in v.xml for v in row.versions)
    assert count(AuditEvent, action="draft_saved") == 0


def test_billion_laughs_is_refused(as_user):
    fm = as_user("fm")
    xml = edited(
        ('<?xml version="1.0" encoding="UTF-8"?>\n',
         '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
         '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'),
        ("<bpmn:documentation>DOMAIN.md A.1", "<bpmn:documentation>&c; DOMAIN.md A.1"),
    )
    error_of(put_draft(fm, xml), 422, "validation_failed")
    assert draft_row().draft_xml is None


# --- kept with problems: unsafe expressions and lint errors ---------------------------------------
UNSAFE = edited(
    # a gateway condition that imports os
    ("decision == 'withdraw'", "__import__('os').system('id') == 0"),
    # a timer that climbs the object graph
    ('add_working_days(sent_date, setting("dp_reminder_1_working_days"))',
     "sent_date.__class__"),
    # a script task that reads a file, placed on the start flow
    ('<bpmn:sequenceFlow id="flow_start" sourceRef="dp_agreed" targetRef="send_agreement">'
     '</bpmn:sequenceFlow>',
     '<bpmn:scriptTask id="read_file" name="Read a file"><bpmn:script>'
     "data = open('/etc/passwd')</bpmn:script></bpmn:scriptTask>"
     '<bpmn:sequenceFlow id="flow_start" sourceRef="dp_agreed" targetRef="read_file">'
     '</bpmn:sequenceFlow><bpmn:sequenceFlow id="flow_start_2" sourceRef="read_file" '
     'targetRef="send_agreement"></bpmn:sequenceFlow>'),
)


def test_unsafe_expressions_are_reported_on_their_elements_and_the_draft_is_kept(as_user):
    fm = as_user("fm")
    response = put_draft(fm, UNSAFE)
    assert response.status_code == 200
    assert response.json["valid"] is False
    found = problems_on(response.json["errors"])
    assert any("'__import__'" in m for m in found["flow_withdraw"]), found
    assert any("'.system'" in m for m in found["flow_withdraw"]), found
    assert any("'.__class__'" in m for m in found["reminder_1_due"]), found
    assert any("'open'" in m for m in found["read_file"]), found
    assert set(found) == {"flow_withdraw", "reminder_1_due", "read_file"}, found

    detail = process(fm)
    assert detail["has_draft"] is True
    assert problems_on(detail["draft_problems"]) == found
    assert fm.get(DRAFT).get_data() == UNSAFE

    error = error_of(fm.post(f"{DRAFT}/publish"), 422, "validation_failed")
    assert problems_on(error["details"]) == found
    assert [v["number"] for v in process(fm)["versions"]] == [1]
    assert count(ProcessVersion) == SHIPPED_COUNT  # one per shipped diagram
    assert process(fm)["has_draft"] is True  # still there to be fixed


@pytest.mark.parametrize("old, new, element_id, message", [
    (' camunda:candidateGroups="finance_assistant" camunda:dueDate="add_working_days(r1_date, setting(&quot;dp_phone_call_due_working_days&quot;))"',
     ' camunda:dueDate="add_working_days(r1_date, setting(&quot;dp_phone_call_due_working_days&quot;))"',
     "phone_call", "a user task needs a role (candidate group or lane)"),
    ('<bpmn:userTask id="phone_call" name="Phone the person about the agreement" '
     'camunda:candidateGroups="finance_assistant"',
     '<bpmn:userTask id="phone_call" name="Phone the person about the agreement" '
     'camunda:candidateGroups="tea_maker"',
     "phone_call", "unknown role 'tea_maker'"),
    ('<bpmn:serviceTask id="send_reminder_1" name="Send reminder 1" camunda:type="external" '
     'camunda:topic="send_letter">',
     '<bpmn:serviceTask id="send_reminder_1" name="Send reminder 1" camunda:type="external" '
     'camunda:topic="nope">',
     "send_reminder_1", "no handler named 'nope'"),
    ('add_working_days(r1_date, setting("dp_reminder_2_working_days"))',
     'system("rm -rf /")',
     "reminder_2_due", "'system' is not a calendar function: count days with "
     "add_working_days, add_calendar_days, add_months or next_working_day"),
    ('add_working_days(r1_date, setting("dp_reminder_2_working_days"))',
     "P10X",
     "reminder_2_due", "Write when the timer is due as a date worked out from the case, such "
     "as add_working_days(sent_date, 10), or as a length of time such as P10D"),
    ('add_working_days(r1_date, setting("dp_reminder_2_working_days"))',
     "P10D",
     "reminder_2_due", "'P10D' is a length of time, but the timer's type is Date: choose the "
     "type Duration, or give a date"),
    ('add_working_days(r1_date, setting("dp_reminder_2_working_days"))',
     'add_working_days(r1_date, setting("dp_reminder_2_working_days")',
     "reminder_2_due", "The timer could not be read: check its brackets, commas and quotation "
     "marks, or choose one of the simple forms in the panel"),
    ('add_working_days(r1_date, setting("dp_reminder_2_working_days"))',
     "add_working_days(r1_date, 2.5)",
     "reminder_2_due", "Write the number of working days as a whole number"),
    ('add_working_days(r1_date, setting("dp_reminder_2_working_days"))',
     'add_working_days(r1_date, setting("dp_reminder_2_workingdays"))',
     "reminder_2_due", "There is no setting called 'dp_reminder_2_workingdays': choose one from "
     "the settings list"),
], ids=["user_task_without_role", "unknown_role", "unknown_handler", "timer_calls_system",
        "timer_not_iso", "timer_of_the_wrong_kind", "timer_unreadable", "timer_half_a_day",
        "timer_misspelt_setting"])
def test_lint_problems_are_reported_on_their_element(as_user, old, new, element_id, message):
    fm = as_user("fm")
    response = put_draft(fm, edited((old, new)))
    assert response.status_code == 200
    assert response.json["valid"] is False
    found = problems_on(response.json["errors"])
    assert found == {element_id: [message]}

    assert process(fm)["has_draft"] is True
    error = error_of(fm.post(f"{DRAFT}/publish"), 422, "validation_failed")
    assert problems_on(error["details"]) == found
    assert count(ProcessVersion) == SHIPPED_COUNT  # one per shipped diagram


def test_draft_for_another_process_id_is_reported(as_user):
    fm = as_user("fm")
    xml = SHIPPED.replace(b'"direct_payment_agreement"', b'"something_else"')
    response = put_draft(fm, xml)
    assert response.status_code == 200 and response.json["valid"] is False
    assert "something_else" in problems_on(response.json["errors"])
    error_of(fm.post(f"{DRAFT}/publish"), 422, "validation_failed")


def test_publish_without_a_draft_is_404_and_unknown_process_is_404(as_user):
    fm = as_user("fm")
    error_of(fm.post(f"{DRAFT}/publish"), 404, "not_found")
    error_of(fm.put("/processes/no_such_process/draft", data=SHIPPED,
                    content_type="application/xml"), 404, "not_found")
    assert count(ProcessVersion) == SHIPPED_COUNT  # one per shipped diagram


# --- a valid edit, published ----------------------------------------------------------------------
def test_valid_draft_publishes_as_version_2_and_running_instances_keep_version_1(as_user):
    fa, fm, admin = as_user("fa"), as_user("fm"), as_user("admin")
    old = open_case(fa, "P1")
    assert old["version"] == 1

    xml = edited(("Phone the person about the agreement", "Ring the person about the agreement"))
    saved = put_draft(fm, xml)
    assert saved.status_code == 200
    assert saved.json == {"valid": True, "errors": []}
    assert process(fm)["has_draft"] is True
    assert open_case(fa, "P2")["version"] == 1  # a draft is not used until it is published

    published = fm.post(f"{DRAFT}/publish")
    assert published.status_code == 201
    assert published.json["number"] == 2 and published.json["source"] == "modeler"
    detail = process(fm)
    assert detail["latest_version"] == 2 and detail["has_draft"] is False
    assert [v["number"] for v in detail["versions"]] == [1, 2]
    assert fm.get(f"/processes/{PROCESS}/versions/2/bpmn").get_data() == xml
    error_of(fm.post(f"{DRAFT}/publish"), 404, "not_found")  # the draft became version 2

    new = open_case(fa, "P3")
    assert new["version"] == 2
    assert fa.get(f"/instances/{old['id']}").json["version"] == 1

    # Each instance runs its own version's diagram.
    sweep_at(admin, "2026-03-16T07:30:00+00:00")
    assert task_named(fa, old["id"], "phone_call")["title"] == (
        "Phone the person about the agreement")
    assert task_named(fa, new["id"], "phone_call")["title"] == (
        "Ring the person about the agreement")
    assert fa.get("/people/P3").json["instances"][0]["version"] == 2


def test_admin_can_also_edit_and_publish(as_user):
    admin = as_user("admin")
    assert put_draft(admin, edited(("Send reminder 1", "Send first reminder"))).json["valid"]
    assert admin.post(f"{DRAFT}/publish").json["number"] == 2
