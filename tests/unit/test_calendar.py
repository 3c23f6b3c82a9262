"""Tests for app.calendar: E&W working days, deemed service, diagram-facing functions."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendar import (
    LETTER_HOUR,
    LOCAL_TZ,
    add_calendar_days,
    add_working_days,
    at_local_hour,
    deemed_service_cpr_6_14,
    deemed_service_cpr_6_26,
    diagram_functions,
    is_working_day,
    next_working_day,
    to_local_date,
)

D = date.fromisoformat
FAST = settings(max_examples=75, deadline=None)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
counts = st.integers(min_value=0, max_value=60)


def fns():
    return diagram_functions(lambda key: f"setting:{key}")


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]."""
    return sum(is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


def last_sunday(year: int, month: int) -> date:
    d = date(year, month + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def in_bst(d: date) -> bool:
    # UK summer time: from the last Sunday in March to the last Sunday in October.
    return last_sunday(d.year, 3) <= d < last_sunday(d.year, 10)


# --- bank holidays (DOMAIN.md §8) -------------------------------------------------------

BANK_HOLIDAYS = {
    2025: ["2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26",
           "2025-08-25", "2025-12-25", "2025-12-26"],
    2026: ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
           "2026-08-31", "2026-12-25", "2026-12-28"],
}


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_weekday_non_working_days_are_exactly_the_domain_bank_holidays(year):
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    closed = {d for d in days if d.year == year and d.weekday() < 5 and not is_working_day(d)}
    assert closed == {D(s) for s in BANK_HOLIDAYS[year]}


def test_key_holidays_and_weekends():
    assert not is_working_day(D("2026-04-03"))  # Good Friday
    assert not is_working_day(D("2026-12-25"))  # Christmas Day
    assert not is_working_day(D("2026-12-28"))  # Boxing Day substitute
    assert not is_working_day(D("2026-12-26"))  # Saturday (Boxing Day itself)
    assert not is_working_day(D("2026-03-15"))  # Sunday
    assert is_working_day(D("2026-12-29"))
    # One-off holidays come from the package, not from this code.
    assert not is_working_day(D("2022-09-19"))  # State funeral
    assert not is_working_day(D("2023-05-08"))  # Coronation


# --- worked examples ---------------------------------------------------------------------

@pytest.mark.parametrize("start, n, expected", [
    ("2026-03-02", 10, "2026-03-16"),  # scenario 9: Reminder 1
    ("2026-03-16", 2, "2026-03-18"),   # phone-call task
    ("2026-03-16", 10, "2026-03-30"),  # Reminder 2
    ("2026-03-30", 10, "2026-04-15"),  # TM decision: Good Friday + Easter Monday skipped
    ("2026-07-20", 3, "2026-07-23"),   # scenario 8: acknowledgment
    ("2026-03-16", 0, "2026-03-16"),
    ("2026-04-03", 0, "2026-04-03"),   # n=0 leaves even a holiday unchanged
])
def test_add_working_days_examples(start, n, expected):
    assert add_working_days(D(start), n) == D(expected)


def test_calendar_and_next_working_day_examples():
    assert add_calendar_days(D("2026-03-09"), 28) == D("2026-04-06")  # scenario 2
    assert next_working_day(D("2026-04-06")) == D("2026-04-07")
    assert next_working_day(D("2026-04-03")) == D("2026-04-07")
    assert next_working_day(D("2026-03-16")) == D("2026-03-16")
    assert add_calendar_days(D("2026-04-01"), 30) == D("2026-05-01")  # PAP day 30


@pytest.mark.parametrize("posted, cpr_6_26, cpr_6_14", [
    ("2026-04-02", "2026-04-07", "2026-04-08"),  # Thu before Easter
    ("2026-02-13", "2026-02-16", "2026-02-17"),  # Friday
    ("2026-04-01", "2026-04-07", "2026-04-07"),  # scenario 5: Thu 2 Apr, then Tue 7 Apr
    ("2026-03-16", "2026-03-18", "2026-03-18"),  # ordinary Monday: same answer
])
def test_deemed_service_examples(posted, cpr_6_26, cpr_6_14):
    assert deemed_service_cpr_6_26(D(posted)) == D(cpr_6_26)
    assert deemed_service_cpr_6_14(D(posted)) == D(cpr_6_14)


# --- diagram functions -------------------------------------------------------------------

def test_diagram_functions_keys_and_setting_passthrough():
    f = fns()
    assert set(f) == {"add_working_days", "add_calendar_days", "add_months", "next_working_day",
                      "deemed_service_cpr_6_26", "deemed_service_cpr_6_14", "setting", "date_of"}
    assert f["setting"]("dp.chase_days") == "setting:dp.chase_days"


def test_diagram_function_strings():
    f = fns()
    assert f["add_working_days"]("2026-03-02", 10) == "2026-03-16T07:00:00+00:00"
    assert f["add_working_days"]("2026-03-16T07:00:00+00:00", "10") == "2026-03-30T07:00:00+01:00"
    assert f["add_working_days"]("2026-03-30T07:00:00+01:00", 10) == "2026-04-15T07:00:00+01:00"
    assert f["add_calendar_days"](date(2026, 3, 9), "28") == "2026-04-06T07:00:00+01:00"
    assert f["next_working_day"]("2026-04-06") == "2026-04-07T07:00:00+01:00"
    assert f["deemed_service_cpr_6_26"]("2026-02-13") == "2026-02-16T07:00:00+00:00"
    assert f["deemed_service_cpr_6_14"]("2026-04-02") == "2026-04-08T07:00:00+01:00"
    assert f["date_of"]("2026-04-15T07:00:00+01:00") == "2026-04-15"


def test_date_times_use_the_london_date():
    f = fns()
    # 23:30 UTC on 1 June is 00:30 BST on 2 June.
    assert f["date_of"]("2026-06-01T23:30:00+00:00") == "2026-06-02"
    assert f["date_of"](datetime(2026, 6, 1, 23, 30, tzinfo=timezone.utc)) == "2026-06-02"
    assert f["date_of"]("2026-01-01T23:30:00+00:00") == "2026-01-01"
    assert to_local_date("2026-03-16T09:00:00") == D("2026-03-16")  # naive: London wall clock


def test_spiffworkflow_reads_the_timer_string_as_london_07_00():
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    value = fns()["add_working_days"]("2026-03-30", 10)
    assert TimerEventDefinition.get_datetime(value) == datetime(2026, 4, 15, 6, tzinfo=timezone.utc)


def test_at_local_hour():
    dt = at_local_hour(D("2026-07-01"))
    assert (dt.hour, dt.tzinfo, dt.utcoffset()) == (LETTER_HOUR, LOCAL_TZ, timedelta(hours=1))


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, word", [
    (lambda: add_working_days(D("2026-03-02"), -1), "n"),
    (lambda: add_working_days(D("2026-03-02"), True), "n"),
    (lambda: add_calendar_days(D("2026-03-02"), 1.5), "n"),
    (lambda: add_working_days("2026-03-02", 1), "d"),
    (lambda: add_working_days(datetime(2026, 3, 2, 9), 1), "d"),
    (lambda: deemed_service_cpr_6_26(None), "posted"),
    (lambda: fns()["add_working_days"]("2026-03-02", "-1"), "n"),
    (lambda: fns()["add_working_days"]("2026-03-02", "ten"), "n"),
    (lambda: fns()["add_working_days"]("2026-02-30", 1), "d"),
    (lambda: fns()["add_working_days"]("16/03/2026", 1), "d"),
    (lambda: fns()["add_calendar_days"](20260316, 1), "d"),
    (lambda: fns()["deemed_service_cpr_6_14"]("not a date"), "posted"),
    (lambda: fns()["date_of"](""), "value"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, word):
    with pytest.raises(ValueError, match=rf"\b{word}\b"):
        call()


# --- properties --------------------------------------------------------------------------

@FAST
@given(dates, st.integers(min_value=1, max_value=60))
def test_add_working_days_counts_exactly_n_and_lands_on_a_working_day(d, n):
    result = add_working_days(d, n)
    assert is_working_day(result)
    assert working_days_between(d, result) == n
    assert add_working_days(d, n - 1) < result


@FAST
@given(dates, counts, counts)
def test_add_working_days_composes(d, m, n):
    assert add_working_days(add_working_days(d, m), n) == add_working_days(d, m + n)


@FAST
@given(dates)
def test_next_working_day(d):
    result = next_working_day(d)
    assert result >= d and is_working_day(result)
    assert next_working_day(result) == result
    assert working_days_between(d - timedelta(days=1), result - timedelta(days=1)) == 0


@FAST
@given(dates)
def test_deemed_service_properties(posted):
    cpr_6_26, cpr_6_14 = deemed_service_cpr_6_26(posted), deemed_service_cpr_6_14(posted)
    assert cpr_6_26 >= posted + timedelta(days=2) and is_working_day(cpr_6_26)
    assert cpr_6_26 <= cpr_6_14
    assert is_working_day(cpr_6_14) and working_days_between(posted, cpr_6_14) == 2


@FAST
@given(dates, counts)
def test_add_calendar_days(d, n):
    assert add_calendar_days(d, n) == d + timedelta(days=n)


@FAST
@given(dates, counts, st.sampled_from(["date", "iso", "iso-datetime", "utc-datetime"]),
       st.booleans())
def test_diagram_round_trip_and_offsets(d, n, form, n_as_str):
    value = {
        "date": d,
        "iso": d.isoformat(),
        "iso-datetime": at_local_hour(d).isoformat(),
        "utc-datetime": at_local_hour(d).astimezone(timezone.utc),
    }[form]
    f = fns()
    out = f["add_working_days"](value, str(n) if n_as_str else n)
    expected = add_working_days(d, n)
    assert f["date_of"](out) == expected.isoformat()
    assert out == f"{expected.isoformat()}T07:00:00" + ("+01:00" if in_bst(expected) else "+00:00")
    assert f["next_working_day"](value) == at_local_hour(next_working_day(d)).isoformat()
    for name, pure in [("deemed_service_cpr_6_26", deemed_service_cpr_6_26),
                       ("deemed_service_cpr_6_14", deemed_service_cpr_6_14)]:
        assert f["date_of"](f[name](value)) == pure(d).isoformat()


def test_add_months_falls_to_the_month_end_on_the_safe_side():
    from app.calendar import add_months

    assert add_months(D("2026-08-31"), 6) == D("2027-02-28")
    assert add_months(D("2026-03-02"), 5) == D("2026-08-02")
