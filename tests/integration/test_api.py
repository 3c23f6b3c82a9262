"""The JSON API over HTTP: tokens, the OpenAPI document, role checks, malformed bodies and the
demo clock routes. Cases, tasks and diagrams have their own files (test_api_*.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app import create_app
from app.extensions import db
from app.models import Person
from tests.conftest import PASSWORD, Api, _config, add_user

from .api_helpers import PROCESS, count, error_of, fields_of, open_case, person_body

PREFIX = "/api/v1"


# --- tokens and authentication --------------------------------------------------------------------
def test_token_is_issued_for_good_credentials_and_opens_protected_routes(client, staff):
    before = datetime.now(timezone.utc)
    response = client.post(f"{PREFIX}/tokens", json={"username": "fa", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"token", "expires_at"}
    assert len(body["token"]) >= 40
    # Twelve hours (TOKEN_TTL_HOURS) from now: real time, as the frozen clock is in the past.
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert before + timedelta(hours=12) <= expires_at <= datetime.now(timezone.utc) + timedelta(
        hours=12, seconds=5)
    listed = client.get(f"{PREFIX}/processes",
                        headers={"Authorization": f"Bearer {body['token']}"})
    assert listed.status_code == 200
    assert [p["key"] for p in listed.json["items"]] == [
        "debt_decision", "debt_recovery", PROCESS, "direct_payment_audit",
        "direct_payment_monitoring", "estate_recovery", "invoice_query", "legal_recovery"]


@pytest.mark.parametrize("username, password", [
    ("fa", "wrong password!"), ("nobody", PASSWORD), ("fa", ""),
])
def test_bad_credentials_are_401_and_do_not_say_which_part_was_wrong(client, staff, username,
                                                                      password):
    response = client.post(f"{PREFIX}/tokens", json={"username": username, "password": password})
    error = error_of(response, 401, "unauthenticated")
    assert error["message"] == "wrong username or password"
    assert "token" not in response.json


def test_token_request_missing_fields_is_422_naming_them(client, staff):
    error = error_of(client.post(f"{PREFIX}/tokens", json={}), 422, "validation_failed")
    assert fields_of(error) == ["password", "username"]


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer"}, {"Authorization": "Bearer not-a-real-token"},
    {"Authorization": f"Basic {'ZmE6' + 'eA=='}"}, {"Authorization": "not-a-scheme"},
])
def test_protected_route_without_a_valid_token_is_401(client, staff, headers):
    error = error_of(client.get(f"{PREFIX}/processes", headers=headers), 401, "unauthenticated")
    assert "token" in error["message"]
    error_of(client.post(f"{PREFIX}/people", json=person_body(), headers=headers), 401,
             "unauthenticated")
    assert count(Person) == 0


ISSUE_OPERATIONS = {
    ("post", "/tokens"),
    ("get", "/processes"), ("get", "/processes/{key}"),
    ("get", "/processes/{key}/versions/{number}/bpmn"),
    ("get", "/processes/{key}/draft"), ("put", "/processes/{key}/draft"),
    ("post", "/processes/{key}/draft/publish"),
    ("post", "/people"), ("get", "/people/{reference}"),
    ("post", "/instances"), ("get", "/instances/{instance_id}"),
    ("get", "/instances/{instance_id}/history"),
    ("post", "/instances/{instance_id}/messages/{name}"),
    ("post", "/instances/{instance_id}/retry"),
    ("get", "/tasks"), ("get", "/tasks/{task_id}"),
    ("post", "/tasks/{task_id}/claim"), ("post", "/tasks/{task_id}/unclaim"),
    ("post", "/tasks/{task_id}/assign"), ("post", "/tasks/{task_id}/complete"),
    ("get", "/letters/{letter_id}"),
    ("post", "/clock"), ("post", "/timers/run-due"),
}


def test_openapi_lists_every_issue_path_and_protected_operations_need_the_bearer(client, staff):
    response = client.get(f"{PREFIX}/openapi.json")  # public: no token
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http",
                                                                "scheme": "bearer"}
    operations = {(method, path.removeprefix(PREFIX)): op
                  for path, ops in spec["paths"].items() for method, op in ops.items()}
    missing = ISSUE_OPERATIONS - operations.keys()
    assert not missing, missing
    for key, op in operations.items():
        if key == ("post", "/tokens"):
            assert "security" not in op
        else:
            assert op["security"] == [{"bearer": []}], key
    assert operations[("post", "/people")]["description"] == (
        "Roles: finance_assistant, finance_officer, finance_manager, admin")
    assert "requestBody" in operations[("put", "/processes/{key}/draft")]
    path_params = {p["name"]: p["schema"]["type"]
                   for p in operations[("post", "/instances/{instance_id}/messages/{name}")][
                       "parameters"]}
    assert path_params == {"instance_id": "integer", "name": "string"}


# --- role checks ----------------------------------------------------------------------------------
@pytest.mark.parametrize("username, method, path, body", [
    ("cw", "post", "/people", person_body()),
    ("legal", "post", "/people", person_body()),
    ("fa", "put", f"/processes/{PROCESS}/draft", None),
    ("fa", "get", f"/processes/{PROCESS}/draft", None),
    ("fa", "post", f"/processes/{PROCESS}/draft/publish", None),
    ("fo", "post", f"/processes/{PROCESS}/draft/publish", None),
    ("fa", "post", "/tasks/1/assign", {"username": "fa"}),
    ("fo", "post", "/tasks/1/assign", {"username": "fa"}),
    ("fm", "post", "/clock", {"advance": "P1D"}),
    ("fa", "post", "/timers/run-due", None),
    ("legal", "post", "/instances", {"process": PROCESS, "person_reference": "P1"}),
    ("cm", "post", "/instances/1/messages/paperwork_received", {}),
    ("fa", "post", "/instances/1/retry", None),
])
def test_roles_are_checked_before_anything_happens(as_user, username, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    if path.endswith("/draft") and method == "put":
        kwargs = {"data": b"<x/>", "content_type": "application/xml"}
    error = error_of(getattr(as_user(username), method)(path, **kwargs), 403, "forbidden")
    assert "role" in error["message"]


def test_forbidden_person_creation_writes_nothing(as_user):
    error_of(as_user("cw").post("/people", json=person_body()), 403, "forbidden")
    error_of(as_user("fa").get("/people/P100234"), 404, "not_found")


def test_another_team_cannot_see_a_north_case_or_its_instance(as_user):
    fa = as_user("fa")
    instance = open_case(fa, "P100234")
    letter_id = instance["letters"][0]["id"]
    south = as_user("fa_south")
    for path in ("/people/P100234", f"/instances/{instance['id']}",
                 f"/instances/{instance['id']}/history", f"/letters/{letter_id}"):
        error = error_of(south.get(path), 404, "not_found")
        assert "P100234" not in error["message"] and "Alice" not in error["message"]
    error_of(south.post(f"/instances/{instance['id']}/messages/paperwork_received", json={}),
             404, "not_found")
    error_of(south.post("/instances", json={"process": PROCESS,
                                            "person_reference": "P100234"}), 404, "not_found")
    # The instance was not touched by the refused message, and a manager sees every team.
    assert fa.get(f"/instances/{instance['id']}").json["updated_at"] == instance["updated_at"]
    assert as_user("fm").get("/people/P100234").status_code == 200


# --- malformed bodies -----------------------------------------------------------------------------
@pytest.mark.parametrize("data, content_type", [
    (b'{"reference": "P1", ', "application/json"),
    (b"reference=P1", "application/x-www-form-urlencoded"),
    (b"\xff\xfe not utf-8", "application/json"),
    (b'["a", "list"]', "application/json"),
])
def test_body_that_is_not_a_json_object_is_400_malformed(as_user, data, content_type):
    response = as_user("fa").post("/people", data=data, content_type=content_type)
    error_of(response, 400, "malformed")
    assert count(Person) == 0


def test_malformed_token_request_is_400(client, staff):
    response = client.post(f"{PREFIX}/tokens", data=b"username=fa", content_type="text/plain")
    error_of(response, 400, "malformed")


def test_unknown_route_and_method_use_the_envelope(as_user):
    fa = as_user("fa")
    error_of(fa.get("/nothing-here"), 404, "not_found")
    response = fa.delete("/people/P1")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


# --- the demo clock -------------------------------------------------------------------------------
def test_admin_advances_the_frozen_clock_and_runs_due_timers(as_user):
    fa, admin = as_user("fa"), as_user("admin")
    instance = open_case(fa, "P100234")  # started Mon 2 March 2026 09:00 UTC
    assert instance["next_timer_due"] == "2026-03-16T07:00:00+00:00"

    ran = admin.post("/timers/run-due").json
    assert (ran["items"], ran["total"]) == ([], 0)
    assert ran["daily"]["debts_opened"] == 0
    response = admin.post("/clock", json={"advance": "P15D"})
    assert response.status_code == 200
    assert response.json == {"now": "2026-03-17T09:00:00+00:00"}
    assert admin.get("/clock").json == {"now": "2026-03-17T09:00:00+00:00"}

    fired = admin.post("/timers/run-due")
    assert fired.status_code == 200
    assert fired.json["total"] == 1
    (item,) = fired.json["items"]
    assert item["instance_id"] == instance["id"] and item["incident"] is False
    assert item["steps"][:2] == ["reminder_1_due", "send_reminder_1"]
    assert admin.post("/timers/run-due").json["total"] == 0  # never twice

    after = fa.get(f"/instances/{instance['id']}").json
    assert [t["name"] for t in after["ready_tasks"]] == ["phone_call"]
    assert [letter["template"] for letter in after["letters"]] == ["dp_agreement",
                                                                   "dp_reminder_1"]


def test_admin_can_set_the_clock_and_bad_clock_requests_are_422(as_user):
    admin = as_user("admin")
    response = admin.post("/clock", json={"set": "2026-04-01T12:30:00+01:00"})
    assert response.json == {"now": "2026-04-01T11:30:00+00:00"}
    error = error_of(admin.post("/clock", json={"advance": "15 days"}), 422, "validation_failed")
    assert fields_of(error) == ["advance"]
    error_of(admin.post("/clock", json={"set": "2026-04-01T12:30:00"}), 422, "validation_failed")
    error_of(admin.post("/clock", json={}), 422, "validation_failed")
    error_of(admin.post("/clock", json={"advance": "P1D", "set": "2026-04-01T12:30:00+00:00"}),
             422, "validation_failed")
    assert admin.get("/clock").json == {"now": "2026-04-01T11:30:00+00:00"}


@pytest.fixture
def real_clock_client(database_url, staff):
    """A second app on the same database, running on the real clock."""
    real_app = create_app({**_config(database_url), "CASEWORK_CLOCK": "real"})
    yield real_app.test_client()
    with real_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_clock_routes_do_not_exist_with_the_real_clock(real_clock_client):
    token = real_clock_client.post(f"{PREFIX}/tokens", json={"username": "admin",
                                                             "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    for method, path, kwargs in [("post", "/clock", {"json": {"advance": "P15D"}}),
                                 ("get", "/clock", {}),
                                 ("post", "/timers/run-due", {})]:
        response = getattr(real_clock_client, method)(f"{PREFIX}{path}", headers=headers,
                                                      **kwargs)
        error_of(response, 404, "not_found")
    # The token works: it is the routes that are missing, not the admin's rights.
    assert real_clock_client.get(f"{PREFIX}/processes", headers=headers).status_code == 200


def test_openapi_leaves_out_the_clock_routes_with_the_real_clock(real_clock_client, client):
    real_paths = real_clock_client.get(f"{PREFIX}/openapi.json").json["paths"]
    frozen_paths = client.get(f"{PREFIX}/openapi.json").json["paths"]
    assert f"{PREFIX}/clock" in frozen_paths and f"{PREFIX}/timers/run-due" in frozen_paths
    assert f"{PREFIX}/clock" not in real_paths and f"{PREFIX}/timers/run-due" not in real_paths


def test_a_user_with_several_roles_keeps_them_all_through_the_token(client, staff):
    add_user("multi", "finance_officer", "legal", "finance_manager")
    api = Api(client, "multi")
    # Publishing needs finance_manager, which is the last of the three roles.
    assert api.get("/processes/direct_payment_agreement/draft").status_code == 200
