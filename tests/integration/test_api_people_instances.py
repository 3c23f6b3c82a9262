"""Cases over HTTP: people, process instances, messages, history and letters."""
from __future__ import annotations

import hashlib
import io

import pytest
from docx import Document

from app.services.correspondence import letter_worker
from app.models import DirectPaymentAgreement, Person, ProcessInstance

from .api_helpers import (
    PROCESS,
    audit_count,
    count,
    create_person,
    error_of,
    fields_of,
    instance_row,
    letter_count,
    open_case,
    person_body,
    sweep_at,
    task_named,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- people ---------------------------------------------------------------------------------------
def test_create_person_and_read_the_case_back(as_user):
    fa = as_user("fa")
    created = create_person(fa, "P100234")
    assert created["reference"] == "P100234"
    assert created["team"] == "North" and created["caseworker"] == "cw"
    assert created["address_lines"] == ["1 High Street", "Example Town"]
    assert created["postcode"] == "EX1 2AB" and created["representative"] is None
    assert count(DirectPaymentAgreement) == 1

    case = fa.get("/people/P100234")
    assert case.status_code == 200
    assert case.json["name"] == "Alice Example"
    assert (case.json["instances"], case.json["tasks"], case.json["letters"]) == ([], [], [])


def test_person_with_a_representative(as_user):
    body = person_body("P200", representative={
        "name": "Bob Example", "type": "deputy", "scope": "property_and_finance",
        "address": {"lines": ["2 Low Road"], "postcode": "EX2 3CD"},
        "phone": "01632 960 001", "contact_preference": "phone", "language": "Welsh"})
    response = as_user("fo").post("/people", json=body)
    assert response.status_code == 201
    assert response.json["representative"] == {
        "name": "Bob Example", "type": "deputy", "scope": "property_and_finance",
        "address_lines": ["2 Low Road"], "postcode": "EX2 3CD", "phone": "01632 960 001",
        "contact_preference": "phone", "email": None, "accessible_format": None,
        "language": "Welsh"}
    assert response.json["contact_preference"] == "post" and response.json["phone"] is None


def test_contact_details_are_checked(as_user):
    fo = as_user("fo")
    bad_phone = fo.post("/people", json=person_body("P201", phone="call me"))
    assert "phone" in fields_of(error_of(bad_phone, 422, "validation_failed"))
    no_email = fo.post("/people", json=person_body("P202", contact_preference="email"))
    assert "email" in fields_of(error_of(no_email, 422, "validation_failed"))
    rep_without_phone = fo.post("/people", json=person_body("P203", representative={
        "name": "Bob Example", "type": "deputy", "scope": "property_and_finance",
        "address": {"lines": ["2 Low Road"], "postcode": "EX2 3CD"},
        "contact_preference": "phone"}))
    assert rep_without_phone.status_code == 422
    assert count(Person) == 0  # nothing half-made


def test_date_of_birth_is_kept_and_a_bad_one_is_named(as_user):
    fo = as_user("fo")
    created = fo.post("/people", json=person_body("P300", date_of_birth="1941-07-19"))
    assert created.status_code == 201 and created.json["date_of_birth"] == "1941-07-19"
    assert created.json["deceased"] is False
    error = error_of(fo.post("/people", json=person_body("P301", date_of_birth="19/07/41")),
                     422, "validation_failed")
    assert fields_of(error) == ["date_of_birth"]


def test_missing_fields_are_each_named(as_user):
    error = error_of(as_user("fa").post("/people", json={}), 422, "validation_failed")
    assert fields_of(error) == ["address", "name", "reference", "team"]
    assert all(d["message"] for d in error["details"])
    assert count(Person) == 0


def test_invalid_fields_are_each_named_and_nothing_is_saved(as_user):
    body = person_body("bad ref!", name="", colour="blue",
                       address={"lines": [], "postcode": "X"},
                       direct_payment={"variant": "luxury", "amount": "-1", "frequency": "daily"},
                       representative={"name": "Bob", "type": "friend", "scope": "benefits",
                                       "address": {"lines": ["2 Low Road"], "postcode": "EX2"}})
    error = error_of(as_user("fa").post("/people", json=body), 422, "validation_failed")
    assert fields_of(error) == [
        "address.lines", "address.postcode", "colour", "direct_payment.amount",
        "direct_payment.frequency", "direct_payment.variant", "name", "reference",
        "representative.type"]
    assert count(Person) == 0 and count(DirectPaymentAgreement) == 0


def test_amount_must_be_a_number(as_user):
    body = person_body(direct_payment={"variant": "standard", "amount": "lots",
                                       "frequency": "weekly"})
    error = error_of(as_user("fa").post("/people", json=body), 422, "validation_failed")
    assert fields_of(error) == ["direct_payment.amount"]


def test_caseworker_must_be_a_caseworker(as_user):
    for name in ("fa", "ghost"):
        error = error_of(as_user("fa").post("/people", json=person_body(caseworker=name)), 422,
                         "validation_failed")
        assert fields_of(error) == ["caseworker"]
    assert count(Person) == 0


def test_duplicate_reference_is_409_and_keeps_the_first(as_user):
    fa = as_user("fa")
    create_person(fa, "P100234")
    second = person_body("P100234", name="Someone Else")
    error = error_of(fa.post("/people", json=second), 409, "conflict")
    assert "P100234" in error["message"]
    assert count(Person) == 1 and count(DirectPaymentAgreement) == 1
    assert fa.get("/people/P100234").json["name"] == "Alice Example"


def test_unknown_person_and_process_are_404(as_user):
    fa = as_user("fa")
    error_of(fa.get("/people/NOPE"), 404, "not_found")
    error = error_of(fa.post("/instances", json={"process": PROCESS, "person_reference": "NOPE"}),
                     404, "not_found")
    assert "NOPE" in error["message"]
    create_person(fa, "P100234")
    error = error_of(fa.post("/instances", json={"process": "no_such_process",
                                                 "person_reference": "P100234"}),
                     404, "not_found")
    assert "no_such_process" in error["message"]
    assert count(ProcessInstance) == 0
    error_of(fa.get("/instances/999"), 404, "not_found")
    error_of(fa.get("/instances/999/history"), 404, "not_found")
    error_of(fa.get("/letters/999"), 404, "not_found")


def test_instance_request_fields_are_checked(as_user):
    fa = as_user("fa")
    create_person(fa, "P100234")
    error = error_of(fa.post("/instances", json={"person_reference": "P100234",
                                                 "data": {"Bad Key": 1}, "extra": True}),
                     422, "validation_failed")
    assert fields_of(error) == ["data.Bad Key.key", "extra", "process"]
    assert count(ProcessInstance) == 0


# --- instances ------------------------------------------------------------------------------------
def test_start_sends_the_pack_and_waits_for_the_first_reminder(as_user):
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    assert instance["process"] == PROCESS and instance["version"] == 1
    assert instance["person_reference"] == "P100234" and instance["status"] == "active"
    assert instance["next_timer_due"] == "2026-03-16T07:00:00+00:00"
    assert instance["ready_tasks"] == [] and instance["incident"] is None
    assert [(x["template"], x["letter_date"]) for x in instance["letters"]] == [
        ("dp_agreement", "2026-03-02")]
    assert fa.get(f"/instances/{instance['id']}").json == instance

    case = fa.get("/people/P100234").json
    assert [(i["id"], i["version"], i["status"]) for i in case["instances"]] == [
        (instance["id"], 1, "active")]
    assert [x["template"] for x in case["letters"]] == ["dp_agreement"]


def test_history_lists_each_step_with_who(as_user):
    fa, admin = as_user("fa"), as_user("admin")
    instance = open_case(fa, "P100234")
    sweep_at(admin, "2026-03-16T07:30:00+00:00")
    history = fa.get(f"/instances/{instance['id']}/history")
    assert history.status_code == 200
    steps = [(e["action"], e["element_id"], e["actor"]) for e in history.json["items"]]
    assert steps[0] == ("instance_started", None, "fa")
    assert ("step_service_task", "send_agreement", "fa") in steps
    assert [e["summary"].get("template") for e in history.json["items"]
            if e["action"] == "letter_issued"] == ["dp_agreement", "dp_reminder_1"]
    assert ("step_timer", "reminder_1_due", "system") in steps
    assert ("step_service_task", "send_reminder_1", "system") in steps
    assert history.json["total"] == len(steps)
    times = [e["at"] for e in history.json["items"]]
    assert times == sorted(times)


def test_message_moves_the_case_to_validation(as_user):
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    response = fa.post(f"/instances/{instance['id']}/messages/paperwork_received",
                       json={"data": {"channel": "post"}})
    assert response.status_code == 200
    assert [t["name"] for t in response.json["ready_tasks"]] == ["validate_agreement"]
    assert response.json["next_timer_due"] is None
    actions = [e["action"] for e in fa.get(f"/instances/{instance['id']}/history").json["items"]]
    assert "message_received" in actions


def _snapshot(api, instance_id: int) -> tuple:
    return (api.get(f"/instances/{instance_id}").json, instance_row(instance_id),
            audit_count(instance_id), letter_count(instance_id))


@pytest.mark.parametrize("message", ["paperwork_received", "payment_received"])
def test_message_the_instance_is_not_waiting_for_is_409_and_changes_nothing(as_user, message):
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    path = f"/instances/{instance['id']}/messages/paperwork_received"
    assert fa.post(path, json={}).status_code == 200  # the chase is over: nothing waits any more
    before = _snapshot(fa, instance["id"])
    error = error_of(fa.post(f"/instances/{instance['id']}/messages/{message}", json={}), 409,
                     "conflict")
    assert message in error["message"]
    assert _snapshot(fa, instance["id"]) == before


def test_message_body_must_be_well_formed(as_user):
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    path = f"/instances/{instance['id']}/messages/paperwork_received"
    error_of(fa.post(path, data=b"{oops", content_type="application/json"), 400, "malformed")
    error = error_of(fa.post(path, json={"data": "post"}), 422, "validation_failed")
    assert fields_of(error) == ["data"]
    assert fa.get(f"/instances/{instance['id']}").json["ready_tasks"] == []


def _run_to_completion(as_user, instance_id: int) -> None:
    fa, fo = as_user("fa"), as_user("fo")
    fa.post(f"/instances/{instance_id}/messages/paperwork_received", json={})
    validate = task_named(fa, instance_id, "validate_agreement")
    assert fa.post(f"/tasks/{validate['id']}/complete", json={"data": {
        "signatures_complete": True, "dedicated_account": True,
        "contribution_set_up": True, "recipient_signed_on": "2026-03-02"}}).status_code == 200
    countersign = task_named(fo, instance_id, "countersign_agreement")
    assert fo.post(f"/tasks/{countersign['id']}/complete", json={"data": {
        "first_payment_date": "2026-03-23", "countersigned": True}}).status_code == 200


def test_messages_to_a_completed_instance_are_409(as_user):
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    _run_to_completion(as_user, instance["id"])
    done = fa.get(f"/instances/{instance['id']}").json
    assert done["status"] == "completed" and done["ready_tasks"] == []
    assert [x["template"] for x in done["letters"]] == ["dp_agreement", "dp_confirmation"]
    before = _snapshot(fa, instance["id"])
    error = error_of(fa.post(f"/instances/{instance['id']}/messages/paperwork_received",
                             json={}), 409, "conflict")
    assert "finished" in error["message"]
    assert _snapshot(fa, instance["id"]) == before


def test_retry_without_an_incident_is_409(as_user):
    instance = open_case(as_user("fa"), "P100234")
    error = error_of(as_user("fm").post(f"/instances/{instance['id']}/retry"), 409, "conflict")
    assert "incident" in error["message"]


# --- letters --------------------------------------------------------------------------------------
def test_letter_download_is_the_stored_docx_with_its_hash(as_user):
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    (waiting,) = instance["letters"]
    assert (waiting["render_status"], waiting["sha256"]) == ("pending", None)
    assert fa.get(f"/letters/{waiting['id']}").status_code == 409  # being made
    letter_worker.render_all_pending()  # the scheduler's letter worker
    (listed,) = fa.get(f"/instances/{instance['id']}").json["letters"]
    response = fa.get(f"/letters/{listed['id']}")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    content = response.get_data()
    assert content.startswith(b"PK")
    digest = hashlib.sha256(content).hexdigest()
    assert response.headers["X-Content-SHA256"] == digest == listed["sha256"]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="letter-{listed["id"]}-dp_agreement.docx"')
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Alice Example" in text
