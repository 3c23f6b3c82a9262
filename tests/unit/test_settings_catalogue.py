"""The settings catalogue (pure): DOMAIN.md defaults, validation, court fees, write-off levels."""
from __future__ import annotations

import base64
import copy
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import settings_catalogue as catalogue
from app.errors import NotFound, ValidationFailed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def data_uri(kind: str, raw: bytes) -> str:
    return f"data:image/{kind};base64,{base64.b64encode(raw).decode()}"


def problems(key: str, value) -> list[dict]:
    with pytest.raises(ValidationFailed) as caught:
        catalogue.clean(key, value)
    assert caught.value.status == 422
    assert all(set(d) == {"field", "message"} and d["message"] for d in caught.value.details)
    return caught.value.details


def fields(key: str, value) -> list[str]:
    return sorted(d["field"] for d in problems(key, value))


def header(**changes) -> dict:
    return {**copy.deepcopy(catalogue.COUNCIL_HEADER), **changes}


# --- the catalogue and its defaults --------------------------------------------------------------
@pytest.mark.parametrize("key", catalogue.keys())
def test_every_default_validates_and_is_stored_as_it_is(key):
    default = catalogue.defaults()[key]
    assert catalogue.clean(key, default) == default


@pytest.mark.parametrize("entry", catalogue.CATALOGUE, ids=lambda e: e.key)
def test_every_setting_says_where_its_default_comes_from(entry):
    assert entry.summary and entry.source
    assert "DOMAIN.md " + entry.source in entry.description
    assert ("DESIGN ASSUMPTION" in entry.description) == entry.design_assumption
    if entry.type in catalogue.UNITS:
        assert entry.minimum <= entry.default <= entry.maximum


def test_defaults_are_the_figures_of_domain_md():
    d = catalogue.defaults()
    # A.1 chase; A.3 ladder (and the assumed configuration of the acceptance scenarios).
    assert [d[f"dp_{k}_working_days"] for k in ("reminder_1", "reminder_2", "decision")] == [10] * 3
    assert (d["debt_invoice_due_days"], d["debt_reminder_1_days"], d["debt_final_demand_days"],
            d["debt_phone_contact_working_days"], d["debt_referral_days"]) == (21, 28, 14, 5, 60)
    assert d["instalment_missed_payment_grace_days"] == 7
    assert d["breathing_space_review_task_days"] == 20
    assert (d["breathing_space_standard_days"], d["breathing_space_mental_health_extra_days"]
            ) == (60, 30)
    assert (d["limitation_warning_first_months"], d["limitation_warning_second_months"]) == (12, 6)
    assert (d["query_acknowledgment_working_days"], d["query_resolution_target_working_days"],
            d["query_manager_escalation_working_days"]) == (3, 10, 20)
    assert d["post_judgment_interest_threshold"] == "5000.00"
    assert d["post_judgment_interest_rate_percent"] == "8"
    assert d["pap_earliest_issue_days"] == 31


def test_design_assumptions_are_flagged_and_law_is_not():
    flagged = {e.key for e in catalogue.CATALOGUE if e.design_assumption}
    assert {"dp_reminder_1_working_days", "debt_reminder_1_days", "write_off_approval_levels",
            "query_acknowledgment_working_days", "instalment_minimum_amount"} <= flagged
    assert not {"court_fee_tables", "post_judgment_interest_threshold",
                "breathing_space_standard_days", "debt_referral_days"} & flagged


def test_defaults_are_copies():
    catalogue.defaults()["council"]["name"] = "Changed"
    assert catalogue.defaults()["council"]["name"] == "Example County Council"


@pytest.mark.parametrize("key", ["clock.frozen_at", "no_such_setting", ""])
def test_unknown_and_internal_keys_are_not_found(key):
    with pytest.raises(NotFound):
        catalogue.spec(key)
    with pytest.raises(NotFound):
        catalogue.clean(key, 1)


def test_write_off_roles_are_real_roles():
    from app.models import ROLES

    assert set(catalogue.WRITE_OFF_ROLES) <= ROLES


# --- court fees ----------------------------------------------------------------------------------
def test_scenario_5_fee_band_under_the_shipped_table():
    assert catalogue.court_fee(Decimal("3250.00"), date(2026, 5, 8)) == Decimal("205.00")


@pytest.mark.parametrize("amount, fee", [
    ("0.01", "35.00"), ("300.00", "35.00"), ("300.01", "50.00"), ("1500.00", "80.00"),
    ("3000.00", "115.00"), ("3000.01", "205.00"), ("5000.00", "205.00"), ("5000.01", "455.00"),
    ("10000.00", "455.00"),
    ("10000.01", "500.00"),      # 5% = £500.0005, rounded down to the penny
    ("123456.78", "6172.83"),    # 5% = £6,172.839
    ("200000.00", "10000.00"), ("200000.01", "10000.00"), ("1000000.00", "10000.00"),
])
def test_fee_bands_and_their_boundaries(amount, fee):
    assert catalogue.court_fee(Decimal(amount), date(2026, 5, 8)) == Decimal(fee)


def later_table(effective_from: str, band_fee: str) -> list[dict]:
    new = copy.deepcopy(catalogue.COURT_FEES_2021)
    new["effective_from"] = effective_from
    new["bands"][5]["fee"] = band_fee  # £3,000.01–£5,000
    # Given newest first on purpose: the stored order does not decide which is in force.
    return catalogue.clean("court_fee_tables", [new, catalogue.COURT_FEES_2021])


def test_a_later_table_takes_over_from_its_date():
    tables = later_table("2026-06-01", "230.00")
    assert [t["effective_from"] for t in tables] == ["2021-09-16", "2026-06-01"]
    claim = Decimal("3250.00")
    assert catalogue.court_fee(claim, date(2026, 5, 31), tables) == Decimal("205.00")
    assert catalogue.court_fee(claim, date(2026, 6, 1), tables) == Decimal("230.00")
    assert catalogue.court_fee(claim, date(2030, 1, 1), tables) == Decimal("230.00")


def test_no_table_before_the_first_effective_date():
    with pytest.raises(LookupError):
        catalogue.court_fee(Decimal("100.00"), date(2021, 9, 15))


@pytest.mark.parametrize("amount, on, error", [
    (3250.0, date(2026, 5, 8), TypeError),
    (Decimal("0.00"), date(2026, 5, 8), ValueError),
    (Decimal("3250.00"), datetime(2026, 5, 8, 9), TypeError),
])
def test_court_fee_refuses_floats_nothing_and_instants(amount, on, error):
    with pytest.raises(error):
        catalogue.court_fee(amount, on)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500000"), places=2),
       st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500000"), places=2))
def test_a_larger_claim_never_costs_less_to_issue(a, b):
    low, high = sorted((a, b))
    on = date(2026, 5, 8)
    assert Decimal("35.00") <= catalogue.court_fee(low, on) <= catalogue.court_fee(high, on)
    assert catalogue.court_fee(high, on) <= Decimal("10000.00")


# --- write-off approval --------------------------------------------------------------------------
@pytest.mark.parametrize("amount, role", [
    ("0.01", "finance_officer"), ("1000.00", "finance_officer"),
    ("1000.01", "finance_manager"), ("250000.00", "finance_manager"),
])
def test_write_off_approver_under_the_default_levels(amount, role):
    assert catalogue.write_off_approver(Decimal(amount)) == role


def test_write_off_approver_under_configured_levels():
    levels = catalogue.clean("write_off_approval_levels", [
        {"up_to": "500", "role": "finance_officer"}, {"up_to": None, "role": "finance_manager"}])
    assert levels[0] == {"up_to": "500.00", "role": "finance_officer"}
    assert catalogue.write_off_approver(Decimal("500.00"), levels) == "finance_officer"
    assert catalogue.write_off_approver(Decimal("500.01"), levels) == "finance_manager"
    with pytest.raises(TypeError):
        catalogue.write_off_approver(500.0, levels)  # type: ignore[arg-type]


# --- validation ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0, 61, 10.0, 10.5, True, "10", None, [10]])
def test_working_days_must_be_a_whole_number_within_bounds(value):
    assert fields("dp_reminder_1_working_days", value) == ["value"]


def test_bounds_are_named_and_the_legal_minimum_holds():
    [detail] = problems("dp_reminder_1_working_days", 0)
    assert detail["message"] == "must be between 1 and 60 working days"
    assert fields("pap_earliest_issue_days", 30) == ["value"]  # PAP: never under 30 days
    assert fields("breathing_space_standard_days", 59) == ["value"]
    assert catalogue.clean("debt_invoice_due_days", 0) == 0  # "due immediately" [S7]


@pytest.mark.parametrize("value", [5000.0, 5000, 0.1])
def test_money_refuses_json_numbers(value):
    [detail] = problems("post_judgment_interest_threshold", value)
    assert "string" in detail["message"] and "not a number" in detail["message"]


@pytest.mark.parametrize("value", ["5,000.00", "£5000", "-1.00", "1.234", "", " 5000", "1e3",
                                   None, True])
def test_money_must_be_pounds_and_pence(value):
    assert fields("post_judgment_interest_threshold", value) == ["value"]


def test_money_is_stored_to_the_penny():
    assert catalogue.clean("post_judgment_interest_threshold", "5000") == "5000.00"
    assert catalogue.clean("instalment_minimum_amount", "12.5") == "12.50"


@pytest.mark.parametrize("value", [8.0, 8, "101", "8%", "-1", "abc"])
def test_percentage_is_a_string_from_0_to_100(value):
    assert fields("post_judgment_interest_rate_percent", value) == ["value"]


def test_percentage_keeps_its_decimals():
    assert catalogue.clean("post_judgment_interest_rate_percent", "4.65") == "4.65"


@pytest.mark.parametrize("key, value", [
    ("complaints_route_text", ""), ("complaints_route_text", "   "), ("complaints_route_text", 5),
    ("complaints_route_text", "x" * 2001), ("dp_records_to_keep", []),
    ("dp_records_to_keep", "bank statements"), ("dp_records_to_keep", ["x"] * 21),
])
def test_texts_and_lists_of_texts(key, value):
    assert fields(key, value) == ["value"]


def test_a_bad_item_in_a_list_is_named():
    assert fields("dp_records_to_keep", ["receipts", ""]) == ["value[1]"]
    assert catalogue.clean("dp_records_to_keep", ["  receipts "]) == ["receipts"]


# --- the letter header ---------------------------------------------------------------------------
def test_header_with_a_logo_of_each_kind():
    for kind, raw in (("png", PNG), ("jpeg", JPEG)):
        clean = catalogue.clean("council", header(logo=data_uri(kind, raw)))
        assert clean["logo"] == data_uri(kind, raw)


def test_header_optional_parts_default_to_empty():
    value = header()
    del value["logo"], value["hours"]
    assert catalogue.clean("council", value) == header(hours="", logo="")
    assert catalogue.clean("council", header(logo=None))["logo"] == ""


@pytest.mark.parametrize("changes, bad", [
    ({"name": ""}, "value.name"),
    ({"postcode": "not a postcode"}, "value.postcode"),
    ({"email": "nobody"}, "value.email"),
    ({"phone": "call us"}, "value.phone"),
    ({"address_lines": []}, "value.address_lines"),
    ({"address_lines": ["ok"] * 7}, "value.address_lines"),
    ({"motto": "Serving you"}, "value.motto"),
    ({"logo": "https://example.org/logo.png"}, "value.logo"),
    ({"logo": "data:image/gif;base64,R0lGODlh"}, "value.logo"),
    ({"logo": "data:image/png;base64,%%%"}, "value.logo"),
    ({"logo": data_uri("png", JPEG)}, "value.logo"),            # declared PNG, JPEG bytes
    ({"logo": data_uri("png", PNG + b"\x00" * 100_000)}, "value.logo"),  # too big
])
def test_header_problems_name_the_part(changes, bad):
    assert fields("council", header(**changes)) == [bad]


def test_header_names_every_missing_part():
    assert fields("council", {"name": "Example County Council"}) == [
        "value.address_lines", "value.email", "value.phone", "value.postcode", "value.team_name"]
    assert fields("council", "Example County Council") == ["value"]


# --- write-off levels and fee tables -------------------------------------------------------------
@pytest.mark.parametrize("levels, bad", [
    ([], ["value"]),
    ([{"up_to": "1000.00", "role": "finance_manager"}], ["value[0].up_to"]),       # not open-ended
    ([{"up_to": None, "role": "finance_officer"},
      {"up_to": None, "role": "finance_manager"}], ["value[0].up_to"]),
    ([{"up_to": "1000.00", "role": "finance_officer"}, {"up_to": "500.00", "role": "admin"},
      {"up_to": None, "role": "finance_manager"}], ["value[1].role", "value[1].up_to"]),
    ([{"up_to": 1000.0, "role": "finance_officer"},
      {"up_to": None, "role": "finance_manager"}], ["value[0].up_to"]),
    ([{"up_to": None, "role": "finance_manager", "note": "x"}], ["value[0].note"]),
])
def test_write_off_level_problems(levels, bad):
    assert fields("write_off_approval_levels", levels) == bad


def tables_with(**band_changes) -> list[dict]:
    table = copy.deepcopy(catalogue.COURT_FEES_2021)
    for index, change in band_changes.items():
        table["bands"][int(index.removeprefix("b"))] = change
    return [table]


@pytest.mark.parametrize("tables, bad", [
    (tables_with(b1={"from": "300.02", "to": "500.00", "fee": "50.00"}),
     ["value[0].bands[1].from"]),
    (tables_with(b8={"from": "200000.01", "to": "999999.99", "fee": "10000.00"}),
     ["value[0].bands[8].to"]),
    (tables_with(b2={"from": "500.01", "to": "1000.00", "fee": "70.00", "percent": "5"}),
     ["value[0].bands[2]"]),
    (tables_with(b2={"from": "500.01", "to": "1000.00", "fee": 70.0}),
     ["value[0].bands[2].fee"]),
    (tables_with(b0={"from": "1.00", "to": "300.00", "fee": "35.00"}), ["value[0].bands[0].from"]),
    ([{"effective_from": "16/09/2021", "bands": catalogue.COURT_FEES_2021["bands"]}],
     ["value[0].effective_from"]),
    ([catalogue.COURT_FEES_2021, catalogue.COURT_FEES_2021], ["value[1].effective_from"]),
    ([{"effective_from": "2026-06-01", "bands": []}], ["value[0].bands"]),
    ([], ["value"]),
])
def test_court_fee_table_problems(tables, bad):
    assert fields("court_fee_tables", tables) == bad


def test_related_settings_keep_their_order():
    current = catalogue.defaults().__getitem__
    assert catalogue.order_problems("limitation_warning_second_months", 12, current)
    assert catalogue.order_problems("limitation_warning_first_months", 6, current)
    assert not catalogue.order_problems("limitation_warning_second_months", 11, current)
    assert catalogue.order_problems("query_resolution_target_working_days", 20, current)
    assert not catalogue.order_problems("dp_reminder_1_working_days", 60, current)
