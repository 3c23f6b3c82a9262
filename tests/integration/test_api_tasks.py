"""The task inbox and the work on a task over HTTP: visibility, filters, paging, claim, unclaim,
assign and complete, and bad form data that must leave everything as it was."""
from __future__ import annotations

import pytest

from app.models import AuditEvent
from tests.conftest import add_user

from .api_helpers import (
    audit_count,
    count,
    error_of,
    fields_of,
    instance_row,
    letter_count,
    open_case,
    set_clock,
    sweep_at,
    task_named,
)


@pytest.fixture
def inbox(as_user):
    """Three open tasks on Mon 30 March 2026, created in a different order than they are due:

    P1 started 2 March: phone_call (finance_assistant, due 18 March, overdue) on the 16th,
    caseworker_check (caseworker, due 8 April: Easter is not counted) on the 30th;
    P2 started and returned on the 30th: validate_agreement (finance_assistant, due 1 April).
    """
    fa, admin = as_user("fa"), as_user("admin")
    first = open_case(fa, "P1")
    sweep_at(admin, "2026-03-16T07:30:00+00:00")
    sweep_at(admin, "2026-03-30T07:30:00+00:00")
    second = open_case(fa, "P2")
    fa.post(f"/instances/{second['id']}/messages/paperwork_received", json={})
    return {
        "phone_call": task_named(fa, first["id"], "phone_call"),
        "caseworker_check": task_named(fa, first["id"], "caseworker_check"),
        "validate_agreement": task_named(fa, second["id"], "validate_agreement"),
        "first": first["id"], "second": second["id"],
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [t["name"] for t in response.json["items"]]


# --- the inbox ------------------------------------------------------------------------------------
def test_tasks_are_sorted_by_due_date_not_by_age(as_user, inbox):
    response = as_user("fm").get("/tasks")
    assert names(response) == ["phone_call", "validate_agreement", "caseworker_check"]
    assert [t["due_at"] for t in response.json["items"]] == [
        "2026-03-18T07:00:00+00:00", "2026-04-01T06:00:00+00:00", "2026-04-08T06:00:00+00:00"]
    assert (response.json["total"], response.json["page"], response.json["per_page"],
            response.json["next"]) == (3, 1, 25, None)
    assert inbox["phone_call"]["id"] < inbox["caseworker_check"]["id"] < inbox[
        "validate_agreement"]["id"]
    item = response.json["items"][0]
    assert (item["role"], item["team"], item["person_reference"], item["process"],
            item["status"], item["claimed_by"]) == (
        "finance_assistant", "North", "P1", "direct_payment_agreement", "open", None)


VISIBLE = {
    "fa": ["phone_call", "validate_agreement"],
    "cw": ["caseworker_check"],
    "fa_south": [],
    "legal": [],
    "fm": ["phone_call", "validate_agreement", "caseworker_check"],
    "admin": ["phone_call", "validate_agreement", "caseworker_check"],
}


def test_each_user_sees_their_roles_on_their_teams_cases(as_user, inbox):
    seen = {}
    for username in VISIBLE:
        response = as_user(username).get("/tasks")
        seen[username] = (names(response), response.json["total"])
    assert seen == {username: (expected, len(expected)) for username, expected in VISIBLE.items()}


FILTERS = {
    "overdue=true": ["phone_call"],
    "overdue=false": ["phone_call", "validate_agreement", "caseworker_check"],
    "role=caseworker": ["caseworker_check"],
    "role=finance_assistant": ["phone_call", "validate_agreement"],
    "process=direct_payment_agreement": ["phone_call", "validate_agreement", "caseworker_check"],
    "process=debt_recovery": [],
    "person_reference=P2": ["validate_agreement"],
    "person_reference=P1&role=finance_assistant": ["phone_call"],
    "team=North": ["phone_call", "validate_agreement", "caseworker_check"],
    "team=South": [],
}


def test_inbox_filters(as_user, inbox):
    fm = as_user("fm")
    seen = {}
    for query in FILTERS:
        response = fm.get(f"/tasks?{query}")
        seen[query] = (names(response), response.json["total"])
    assert seen == {query: (expected, len(expected)) for query, expected in FILTERS.items()}
    # fa's own view filtered: overdue work of my team only.
    assert names(as_user("fa").get("/tasks?overdue=true")) == ["phone_call"]
    assert names(as_user("cw").get("/tasks?role=finance_assistant")) == []


def test_inbox_pages_follow_the_next_cursor(as_user, inbox):
    fm = as_user("fm")
    first = fm.get("/tasks?per_page=2&overdue=false").json
    assert [t["name"] for t in first["items"]] == ["phone_call", "validate_agreement"]
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    # A task added meanwhile ahead of the cursor (P3's, due earlier) shifts nothing.
    fa = as_user("fa")
    set_clock(as_user("admin"), "2026-03-02T09:00:00+00:00")
    third = open_case(fa, "P3")
    fa.post(f"/instances/{third['id']}/messages/paperwork_received", json={})
    assert names(fm.get("/tasks?per_page=1"))[0] == "validate_agreement"  # due 4 March
    second = fm.get(f"/tasks?per_page=2&overdue=false&cursor={first['next']}").json
    assert [t["name"] for t in second["items"]] == ["caseworker_check"]
    # After a cursor: no total (the first page had it) and no page number; the end has no next.
    assert (second["total"], second["page"], second["per_page"], second["next"]) == (
        None, None, 2, None)


def test_numbered_pages_still_work_for_older_clients(as_user, inbox):
    fm = as_user("fm")
    pages = [fm.get(f"/tasks?per_page=2&page={n}").json for n in (1, 2, 3)]
    assert [[t["name"] for t in p["items"]] for p in pages] == [
        ["phone_call", "validate_agreement"], ["caseworker_check"], []]
    assert [(p["total"], p["page"], p["per_page"]) for p in pages] == [(3, 1, 2), (3, 2, 2),
                                                                        (3, 3, 2)]
    assert pages[0]["next"] is not None and pages[1]["next"] is None
    follow = fm.get(f"/tasks?per_page=2&cursor={pages[0]['next']}").json
    assert [t["name"] for t in follow["items"]] == ["caseworker_check"]


def test_the_openapi_document_describes_the_next_cursor(staff, client):
    spec = client.get("/api/v1/openapi.json").json
    listing = spec["paths"]["/api/v1/tasks"]["get"]
    assert "cursor" in listing["summary"]
    schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[1]
    assert set(spec["components"]["schemas"][name]["properties"]) == {
        "items", "next", "total", "page", "per_page"}


def test_assignee_me_lists_only_my_claimed_tasks(as_user, inbox):
    fa = as_user("fa")
    assert names(fa.get("/tasks?assignee=me")) == []
    fa.post(f"/tasks/{inbox['validate_agreement']['id']}/claim")
    response = fa.get("/tasks?assignee=me")
    assert names(response) == ["validate_agreement"]
    assert response.json["items"][0]["claimed_by"] == "fa"


@pytest.mark.parametrize("query, field", [
    ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("per_page=-1", "per_page"),
    ("page=abc", "page"), ("page=0", "page"), ("assignee=fa", "assignee"),
    ("overdue=yes", "overdue"), ("team=Nowhere", "team"), ("cursor=bm9wZQ", "cursor"),
    ("cursor=", "cursor"), ("cursor=WyJhIixudWxsLDFd&page=2", "page"),
])
def test_bad_inbox_parameters_are_422(as_user, query, field):
    error = error_of(as_user("fa").get(f"/tasks?{query}"), 422, "validation_failed")
    assert fields_of(error) == [field]


def test_task_detail_has_its_form(as_user, inbox):
    fa = as_user("fa")
    response = fa.get(f"/tasks/{inbox['phone_call']['id']}")
    assert response.status_code == 200
    form = {f["id"]: f for f in response.json["form"]}
    assert list(form) == ["outcome", "call_notes"]
    assert form["outcome"]["type"] == "enum" and form["outcome"]["required"] is True
    assert [o[0] for o in form["outcome"]["options"]] == [
        "spoke_will_return", "spoke_needs_help", "no_answer", "wrong_number"]
    assert response.json["title"] == "Phone the person about the agreement"
    error_of(fa.get("/tasks/99999"), 404, "not_found")
    error_of(as_user("fa_south").get(f"/tasks/{inbox['phone_call']['id']}"), 404, "not_found")


# --- claim, unclaim, assign -----------------------------------------------------------------------
def test_claim_and_unclaim(as_user, inbox):
    add_user("fa2", "finance_assistant")
    fa, fa2 = as_user("fa"), as_user("fa2")
    task_id = inbox["phone_call"]["id"]

    claimed = fa.post(f"/tasks/{task_id}/claim")
    assert claimed.status_code == 200 and claimed.json["claimed_by"] == "fa"
    assert fa.post(f"/tasks/{task_id}/claim").json["claimed_by"] == "fa"  # idempotent for me

    error = error_of(fa2.post(f"/tasks/{task_id}/claim"), 409, "conflict")
    assert "claimed" in error["message"]
    error_of(fa2.post(f"/tasks/{task_id}/unclaim"), 403, "forbidden")
    error_of(fa2.post(f"/tasks/{task_id}/complete", json={"data": {"outcome": "no_answer"}}),
             409, "conflict")
    assert fa.get(f"/tasks/{task_id}").json["claimed_by"] == "fa"

    released = fa.post(f"/tasks/{task_id}/unclaim")
    assert released.status_code == 200 and released.json["claimed_by"] is None
    error_of(fa.post(f"/tasks/{task_id}/unclaim"), 409, "conflict")
    assert fa2.post(f"/tasks/{task_id}/claim").json["claimed_by"] == "fa2"


def test_claiming_or_assigning_what_is_already_theirs_records_nothing(as_user, inbox):
    fa, fm = as_user("fa"), as_user("fm")
    task_id = inbox["phone_call"]["id"]
    assert fa.post(f"/tasks/{task_id}/claim").status_code == 200
    assert fa.post(f"/tasks/{task_id}/claim").status_code == 200  # a double click
    assert fm.post(f"/tasks/{task_id}/assign", json={"username": "fa"}).status_code == 200
    assert count(AuditEvent, task_id=task_id, action="task_claimed") == 1
    assert count(AuditEvent, task_id=task_id, action="task_assigned") == 0


def test_a_task_claimed_by_a_teammate_leaves_the_team_list(as_user, inbox):
    add_user("fa2", "finance_assistant")
    fa, fa2 = as_user("fa"), as_user("fa2")
    task_id = inbox["phone_call"]["id"]
    assert "phone_call" in names(fa2.get("/tasks"))
    fa.post(f"/tasks/{task_id}/claim")
    assert "phone_call" not in names(fa2.get("/tasks"))  # my team's tasks are the unclaimed ones
    assert "phone_call" in names(fa.get("/tasks"))
    assert "phone_call" in names(as_user("fm").get("/tasks"))  # managers see every open task


def test_claim_needs_the_tasks_role_and_team(as_user, inbox):
    task_id = inbox["phone_call"]["id"]
    error = error_of(as_user("cm").post(f"/tasks/{task_id}/claim"), 403, "forbidden")
    assert "finance_assistant" in error["message"]
    error_of(as_user("fa_south").post(f"/tasks/{task_id}/claim"), 404, "not_found")
    error_of(as_user("fa").post("/tasks/99999/claim"), 404, "not_found")
    assert as_user("fa").get(f"/tasks/{task_id}").json["claimed_by"] is None


def test_manager_assigns_only_to_a_user_with_the_role(as_user, inbox):
    fm = as_user("fm")
    task_id = inbox["phone_call"]["id"]
    error = error_of(fm.post(f"/tasks/{task_id}/assign", json={"username": "cw"}), 422,
                     "validation_failed")
    assert fields_of(error) == ["username"] and "finance_assistant" in error["message"]
    error = error_of(fm.post(f"/tasks/{task_id}/assign", json={"username": "ghost"}), 422,
                     "validation_failed")
    assert fields_of(error) == ["username"]
    error = error_of(fm.post(f"/tasks/{task_id}/assign", json={}), 422, "validation_failed")
    assert fields_of(error) == ["username"]
    assert fm.get(f"/tasks/{task_id}").json["claimed_by"] is None

    assigned = fm.post(f"/tasks/{task_id}/assign", json={"username": "fa"})
    assert assigned.status_code == 200 and assigned.json["claimed_by"] == "fa"
    assert names(as_user("fa").get("/tasks?assignee=me")) == ["phone_call"]
    error_of(as_user("fa").post(f"/tasks/{task_id}/assign", json={"username": "fa"}), 403,
             "forbidden")
    error_of(fm.post("/tasks/99999/assign", json={"username": "fa"}), 404, "not_found")


# --- complete -------------------------------------------------------------------------------------
def test_complete_records_the_outcome_and_the_second_completion_is_409(as_user, inbox):
    fa = as_user("fa")
    task_id, instance_id = inbox["phone_call"]["id"], inbox["first"]
    set_clock(as_user("admin"), "2026-03-30T10:15:00+00:00")
    done = fa.post(f"/tasks/{task_id}/complete",
                   json={"data": {"outcome": "no_answer", "call_notes": "  rang twice  "}})
    assert done.status_code == 200
    assert done.json["status"] == "completed"
    assert done.json["outcome"] == {"outcome": "no_answer", "call_notes": "rang twice"}
    assert done.json["completed_at"] == "2026-03-30T10:15:00+00:00"
    assert done.json["claimed_by"] == "fa"
    assert "phone_call" not in names(fa.get("/tasks"))

    before = (instance_row(instance_id), audit_count(instance_id))
    error = error_of(fa.post(f"/tasks/{task_id}/complete", json={"data": {"outcome": "no_answer"}}),
                     409, "conflict")
    assert "completed" in error["message"]
    assert (instance_row(instance_id), audit_count(instance_id)) == before
    history = fa.get(f"/instances/{instance_id}/history").json["items"]
    completions = [(e["actor"], e["task_id"]) for e in history if e["action"] == "task_completed"]
    assert completions == [("fa", task_id)]


def test_user_without_the_tasks_role_cannot_complete_it(as_user, inbox):
    task_id, instance_id = inbox["phone_call"]["id"], inbox["first"]
    before = (instance_row(instance_id), audit_count(instance_id))
    for username in ("cm", "cw", "legal"):
        error = error_of(as_user(username).post(f"/tasks/{task_id}/complete",
                                                json={"data": {"outcome": "no_answer"}}),
                         403, "forbidden")
        assert "finance_assistant" in error["message"]
    error_of(as_user("fa_south").post(f"/tasks/{task_id}/complete",
                                      json={"data": {"outcome": "no_answer"}}), 404, "not_found")
    assert as_user("fa").get(f"/tasks/{task_id}").json["status"] == "open"
    assert (instance_row(instance_id), audit_count(instance_id)) == before


@pytest.mark.parametrize("data, problems", [
    ({}, ["outcome"]),
    ({"outcome": ""}, ["outcome"]),
    ({"outcome": "maybe"}, ["outcome"]),
    ({"outcome": "no_answer", "colour": "red"}, ["colour"]),
    ({"outcome": "maybe", "call_notes": 42, "colour": "red"}, ["call_notes", "colour", "outcome"]),
], ids=["outcome_missing", "outcome_blank", "outcome_maybe", "unknown_field", "three_problems"])
def test_bad_form_data_is_422_per_field_and_nothing_changes(as_user, inbox, data, problems):
    fa = as_user("fa")
    task_id, instance_id = inbox["phone_call"]["id"], inbox["first"]
    before = (fa.get(f"/tasks/{task_id}").json, fa.get(f"/instances/{instance_id}").json,
              instance_row(instance_id), audit_count(instance_id), letter_count(instance_id))

    error = error_of(fa.post(f"/tasks/{task_id}/complete", json={"data": data}), 422,
                     "validation_failed")
    assert fields_of(error) == problems
    assert all(d["message"] for d in error["details"])

    after = (fa.get(f"/tasks/{task_id}").json, fa.get(f"/instances/{instance_id}").json,
             instance_row(instance_id), audit_count(instance_id), letter_count(instance_id))
    assert after == before
    assert after[0]["status"] == "open"


def test_complete_body_must_be_json_with_a_data_object(as_user, inbox):
    fa = as_user("fa")
    task_id = inbox["phone_call"]["id"]
    error_of(fa.post(f"/tasks/{task_id}/complete", data=b"outcome=no_answer",
                     content_type="application/json"), 400, "malformed")
    error = error_of(fa.post(f"/tasks/{task_id}/complete", json={"outcome": "no_answer"}), 422,
                     "validation_failed")
    assert fields_of(error) == ["outcome"]  # unknown top-level key: it belongs inside "data"
    assert fa.get(f"/tasks/{task_id}").json["status"] == "open"
