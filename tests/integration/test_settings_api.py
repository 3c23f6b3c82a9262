"""Settings over HTTP: read by everyone, changed by managers and admins, validated and audited."""
from __future__ import annotations

import base64
import copy
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import settings_catalogue as catalogue
from app.extensions import db
from app.models import AuditEvent, Setting
from app.services import settings

from .api_helpers import count, create_person, error_of, fields_of, fresh, start_dp

DP_KEY = "dp_reminder_1_working_days"
PNG_URI = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 30).decode()


def audit_of(key: str, action: str = "setting_changed") -> list[AuditEvent]:
    fresh()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id))
    return [e for e in events if e.summary.get("key") == key]


def timer_due(instance: dict) -> datetime:
    return datetime.fromisoformat(instance["next_timer_due"])


# --- reading -------------------------------------------------------------------------------------
def test_any_signed_in_user_lists_every_setting(as_user):
    response = as_user("cw").get("/settings")
    assert response.status_code == 200
    body = response.json
    assert [s["key"] for s in body["items"]] == catalogue.keys()
    assert (body["total"], body["page"], body["per_page"]) == (len(catalogue.keys()), 1,
                                                               len(catalogue.keys()))
    dp = next(s for s in body["items"] if s["key"] == DP_KEY)
    assert dp | {"description": None} == {
        "key": DP_KEY, "value": 10, "default": 10, "type": "working_days",
        "description": None, "source": "A.1 step 3", "design_assumption": True,
        "minimum": 1, "maximum": 60, "is_default": True, "updated_at": None, "updated_by": None}
    assert "DOMAIN.md A.1 step 3" in dp["description"]
    assert "DESIGN ASSUMPTION" in dp["description"]


def test_reading_needs_a_token(client, staff):
    error_of(client.get("/api/v1/settings"), 401, "unauthenticated")
    error_of(client.get(f"/api/v1/settings/{DP_KEY}"), 401, "unauthenticated")


def test_one_setting_with_its_structured_default(as_user):
    response = as_user("fa").get("/settings/court_fee_tables")
    assert response.status_code == 200
    [table] = response.json["value"]
    assert table["effective_from"] == "2021-09-16"
    assert {"from": "3000.01", "to": "5000.00", "fee": "205.00"} in table["bands"]
    council = as_user("fa").get("/settings/council").json["value"]
    assert council["name"] == "Example County Council" and council["logo"] == ""


def test_unknown_key_is_404(as_user):
    error_of(as_user("fm").get("/settings/no_such_setting"), 404, "not_found")
    error_of(as_user("fm").put("/settings/no_such_setting", json={"value": 1}), 404, "not_found")
    error_of(as_user("fm").delete("/settings/no_such_setting"), 404, "not_found")


def test_the_frozen_clock_is_not_a_setting(as_user):
    fm, admin = as_user("fm"), as_user("admin")
    fresh()
    before = db.session.get(Setting, settings.CLOCK_KEY).value
    assert settings.CLOCK_KEY not in [s["key"] for s in fm.get("/settings").json["items"]]
    error_of(fm.get(f"/settings/{settings.CLOCK_KEY}"), 404, "not_found")
    later = {"value": "2030-01-01T00:00:00+00:00"}
    error_of(admin.put(f"/settings/{settings.CLOCK_KEY}", json=later), 404, "not_found")
    error_of(admin.delete(f"/settings/{settings.CLOCK_KEY}"), 404, "not_found")
    fresh()
    assert db.session.get(Setting, settings.CLOCK_KEY).value == before


# --- changing ------------------------------------------------------------------------------------
def test_a_manager_changes_a_setting_and_it_is_audited(as_user):
    response = as_user("fm").put(f"/settings/{DP_KEY}", json={"value": 5})
    assert response.status_code == 200, response.json
    assert response.json["value"] == 5 and response.json["default"] == 10
    assert response.json["is_default"] is False and response.json["updated_by"] == "fm"
    assert response.json["updated_at"] == "2026-03-02T09:00:00+00:00"  # the frozen clock
    assert as_user("fa").get(f"/settings/{DP_KEY}").json["value"] == 5

    [event] = audit_of(DP_KEY)
    assert event.actor.username == "fm"
    assert event.summary == {"key": DP_KEY, "old": 10, "new": 5}


def test_an_admin_may_change_settings_too(as_user):
    response = as_user("admin").put("/settings/post_judgment_interest_threshold",
                                    json={"value": "5000"})
    assert response.status_code == 200
    assert response.json["value"] == "5000.00"  # stored to the penny


@pytest.mark.parametrize("username", ["fa", "fo", "cw", "cm", "legal"])
def test_other_roles_may_not_change_or_reset(as_user, username):
    error_of(as_user(username).put(f"/settings/{DP_KEY}", json={"value": 5}), 403, "forbidden")
    error_of(as_user(username).delete(f"/settings/{DP_KEY}"), 403, "forbidden")
    assert as_user("fm").get(f"/settings/{DP_KEY}").json["value"] == 10
    assert audit_of(DP_KEY) == []


@pytest.mark.parametrize("key, value, bad", [
    (DP_KEY, 0, ["value"]),
    (DP_KEY, 7.0, ["value"]),
    (DP_KEY, "7", ["value"]),
    (DP_KEY, None, ["value"]),
    ("post_judgment_interest_threshold", 5000.0, ["value"]),
    ("post_judgment_interest_rate_percent", "120", ["value"]),
    ("council", {"name": "Example County Council"},
     ["value.address_lines", "value.email", "value.phone", "value.postcode", "value.team_name"]),
    ("write_off_approval_levels", [{"up_to": "1000.00", "role": "finance_officer"}],
     ["value[0].up_to"]),
    ("limitation_warning_second_months", 12, ["value"]),  # must stay below the first warning
])
def test_bad_values_are_422_and_change_nothing(as_user, key, value, bad):
    fm = as_user("fm")
    before = fm.get(f"/settings/{key}").json
    error = error_of(fm.put(f"/settings/{key}", json={"value": value}), 422, "validation_failed")
    assert fields_of(error) == bad
    assert fm.get(f"/settings/{key}").json == before
    assert count(Setting, key=key) == 0 and audit_of(key) == []


def test_money_as_a_json_number_is_refused_with_the_reason(as_user):
    error = error_of(as_user("fm").put("/settings/mcol_claim_limit", json={"value": 100000.0}),
                     422, "validation_failed")
    assert "string" in error["details"][0]["message"]


@pytest.mark.parametrize("body, bad", [({}, ["value"]), ({"value": 5, "extra": 1}, ["extra"])])
def test_the_body_needs_exactly_a_value(as_user, body, bad):
    error = error_of(as_user("fm").put(f"/settings/{DP_KEY}", json=body), 422, "validation_failed")
    assert fields_of(error) == bad


def test_a_body_that_is_not_json_is_400(as_user):
    error_of(as_user("fm").put(f"/settings/{DP_KEY}", data="value=5",
                               headers={"Content-Type": "application/json"}), 400, "malformed")


def test_a_bad_value_after_a_good_one_keeps_the_good_one(as_user):
    fm = as_user("fm")
    assert fm.put(f"/settings/{DP_KEY}", json={"value": 7}).status_code == 200
    error_of(fm.put(f"/settings/{DP_KEY}", json={"value": 99}), 422, "validation_failed")
    assert fm.get(f"/settings/{DP_KEY}").json["value"] == 7
    assert len(audit_of(DP_KEY)) == 1


def test_structured_settings_round_trip_and_drive_the_rules(as_user):
    fm = as_user("fm")
    council = copy.deepcopy(catalogue.COUNCIL_HEADER) | {"logo": PNG_URI, "postcode": "ex1 1aa"}
    response = fm.put("/settings/council", json={"value": council})
    assert response.status_code == 200, response.json
    assert response.json["value"]["logo"] == PNG_URI
    assert response.json["value"]["postcode"] == "EX1 1AA"
    [event] = audit_of("council")
    assert event.summary["new"]["logo"].startswith("image sha256:")  # not the image itself

    newer = copy.deepcopy(catalogue.COURT_FEES_2021) | {"effective_from": "2026-06-01"}
    newer["bands"][5]["fee"] = "230.00"
    tables = [catalogue.COURT_FEES_2021, newer]
    assert fm.put("/settings/court_fee_tables", json={"value": tables}).status_code == 200
    levels = [{"up_to": "250.00", "role": "finance_officer"},
              {"up_to": None, "role": "finance_manager"}]
    assert fm.put("/settings/write_off_approval_levels", json={"value": levels}).status_code == 200
    fresh()
    assert settings.court_fee(Decimal("3250.00"), date(2026, 5, 8)) == Decimal("205.00")
    assert settings.court_fee(Decimal("3250.00"), date(2026, 6, 1)) == Decimal("230.00")
    assert settings.write_off_approver(Decimal("250.01")) == "finance_manager"


# --- resetting -----------------------------------------------------------------------------------
def test_reset_goes_back_to_the_default_and_is_audited(as_user):
    fm = as_user("fm")
    fm.put(f"/settings/{DP_KEY}", json={"value": 5})
    response = as_user("admin").delete(f"/settings/{DP_KEY}")
    assert response.status_code == 200
    assert (response.json["value"], response.json["is_default"]) == (10, True)
    assert response.json["updated_by"] is None
    assert count(Setting, key=DP_KEY) == 0
    [event] = audit_of(DP_KEY, "setting_reset")
    assert event.actor.username == "admin"
    assert event.summary == {"key": DP_KEY, "old": 5, "new": 10}
    # Resetting what is already the default changes nothing and records nothing.
    assert fm.delete(f"/settings/{DP_KEY}").status_code == 200
    assert len(audit_of(DP_KEY, "setting_reset")) == 1


# --- timers --------------------------------------------------------------------------------------
def test_a_changed_dp_interval_applies_to_timers_set_after_it(as_user):
    fa, fm = as_user("fa"), as_user("fm")
    create_person(fa, "P1")
    create_person(fa, "P2")
    before = start_dp(fa, "P1")  # pack sent Mon 2 March 2026: T1 = 10 working days later
    assert timer_due(before) == datetime.fromisoformat("2026-03-16T07:00:00+00:00")

    assert fm.put(f"/settings/{DP_KEY}", json={"value": 5}).status_code == 200
    after = start_dp(fa, "P2")
    # 5 working days after Mon 2 March 2026 is Mon 9 March, 07:00 London (GMT) = 07:00 UTC.
    assert timer_due(after) == datetime.fromisoformat("2026-03-09T07:00:00+00:00")
    # A timer already waiting keeps the due time it was set with.
    assert timer_due(fa.get(f"/instances/{before['id']}").json) == datetime.fromisoformat(
        "2026-03-16T07:00:00+00:00")


def test_settings_are_in_the_openapi_document(client, staff):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/settings/{key}"]) == {"get", "put", "delete"}
    assert "requestBody" in paths["/api/v1/settings/{key}"]["put"]
    assert "finance_manager" in paths["/api/v1/settings/{key}"]["put"]["description"]
