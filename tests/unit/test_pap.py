"""The Pre-Action Protocol window (app/domain/pap.py; DOMAIN.md §2.3, A.3 steps 7–8, scenario 5).

2026 bank holidays used below: Good Friday 3 Apr, Easter Monday 6 Apr, early May Mon 4 May,
spring Mon 25 May, Christmas Fri 25 Dec and the substitute Boxing Day Mon 28 Dec.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendar import (
    add_calendar_days,
    deemed_service_cpr_6_26,
    is_working_day,
    next_working_day,
)
from app.domain.pap import (
    MIN_ISSUE_DAYS,
    IssueCheck,
    day_text,
    earliest_issue,
    letter_of_claim_stale,
    may_issue,
    pap_day_30,
)

D = date.fromisoformat
FAST = settings(max_examples=150, deadline=None)
SCENARIO_5_LETTER = D("2026-04-01")  # Wed, posted first class the same day

letter_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
offsets = st.integers(min_value=0, max_value=120)


# --- scenario 5 ----------------------------------------------------------------------------------

def test_scenario_5_day_30_is_friday_1_may():
    assert pap_day_30(SCENARIO_5_LETTER) == D("2026-05-01")


def test_scenario_5_deemed_service_is_tuesday_7_april_over_easter():
    # The second day after posting is Good Friday; Easter Monday is closed too.
    assert deemed_service_cpr_6_26(SCENARIO_5_LETTER) == D("2026-04-07")


def test_scenario_5_earliest_issue_is_friday_8_may():
    assert earliest_issue(SCENARIO_5_LETTER) == D("2026-05-08")


def test_scenario_5_a_pap_only_rule_would_have_allowed_tuesday_5_may():
    # The contrast: the next working day after day 30 skips Sat 2, Sun 3 and the Mon 4 May bank
    # holiday, three days earlier than the house rule, which counts from deemed service.
    pap_only = next_working_day(pap_day_30(SCENARIO_5_LETTER) + timedelta(days=1))
    assert pap_only == D("2026-05-05")
    assert earliest_issue(SCENARIO_5_LETTER) - pap_only == timedelta(days=3)
    assert not may_issue(pap_only, earliest_issue(SCENARIO_5_LETTER)).allowed


def test_scenario_5_issuing_on_thursday_7_may_is_refused_with_the_reason():
    check = may_issue(D("2026-05-07"), earliest_issue(SCENARIO_5_LETTER))
    assert check == IssueCheck(
        False,
        "no claim may be issued before Fri 8 May 2026 (Pre-Action Protocol: 30 days from the "
        "Letter of Claim, counted from deemed service and from any Reply Form or documents "
        "provided)")


@pytest.mark.parametrize("on", ["2026-05-08", "2026-05-11", "2026-06-30"])
def test_scenario_5_issuing_on_or_after_friday_8_may_is_allowed(on):
    assert may_issue(D(on), D("2026-05-08")) == IssueCheck(True, None)


# --- more worked examples ------------------------------------------------------------------------

def test_an_ordinary_week_counts_from_deemed_service():
    # Letter Mon 2 Feb 2026, deemed served Wed 4 Feb; +31 = Sat 7 Mar -> Mon 9 Mar.
    # The letter date alone would give Thu 5 Mar.
    assert deemed_service_cpr_6_26(D("2026-02-02")) == D("2026-02-04")
    assert earliest_issue(D("2026-02-02")) == D("2026-03-09")


def test_a_reply_form_received_later_puts_the_date_back():
    # Reply received Mon 20 Apr: +31 = Thu 21 May, later than Fri 8 May.
    assert earliest_issue(SCENARIO_5_LETTER, reply_received=D("2026-04-20")) == D("2026-05-21")


def test_documents_provided_landing_on_the_spring_bank_holiday_move_to_tuesday():
    # Documents provided Fri 24 Apr: +31 = Mon 25 May (spring bank holiday) -> Tue 26 May.
    assert earliest_issue(SCENARIO_5_LETTER,
                          documents_provided=D("2026-04-24")) == D("2026-05-26")


def test_the_later_of_reply_and_documents_wins():
    both = earliest_issue(SCENARIO_5_LETTER, reply_received=D("2026-04-20"),
                          documents_provided=D("2026-04-24"))
    assert both == D("2026-05-26")
    swapped = earliest_issue(SCENARIO_5_LETTER, reply_received=D("2026-04-24"),
                             documents_provided=D("2026-04-20"))
    assert swapped == D("2026-05-26")


def test_an_early_reply_does_not_bring_the_date_forward():
    # A reply on Thu 2 Apr gives Mon 4 May (a bank holiday) -> Tue 5 May: deemed service wins.
    assert earliest_issue(SCENARIO_5_LETTER, reply_received=D("2026-04-02")) == D("2026-05-08")


def test_christmas_and_the_substitute_boxing_day_are_skipped():
    # Letter Wed 25 Nov 2026, deemed served Fri 27 Nov; +31 = Mon 28 Dec (substitute Boxing Day)
    # -> Tue 29 Dec. The letter date +31 is Sat 26 Dec, which also comes to Tue 29 Dec.
    assert deemed_service_cpr_6_26(D("2026-11-25")) == D("2026-11-27")
    assert earliest_issue(D("2026-11-25")) == D("2026-12-29")


def test_prior_is_never_brought_forward():
    # A recomputation never brings the date forward of what was already decided.
    assert earliest_issue(SCENARIO_5_LETTER, prior=D("2026-05-21")) == D("2026-05-21")
    assert earliest_issue(SCENARIO_5_LETTER, prior=D("2026-05-01")) == D("2026-05-08")


def test_a_prior_on_a_bank_holiday_counts_as_the_next_working_day():
    assert earliest_issue(SCENARIO_5_LETTER, prior=D("2026-05-25")) == D("2026-05-26")


def test_more_days_from_the_setting_push_the_date_back():
    # 35 days from deemed service Tue 7 Apr = Tue 12 May.
    assert earliest_issue(SCENARIO_5_LETTER, days=35) == D("2026-05-12")
    assert earliest_issue(SCENARIO_5_LETTER, days=35, reply_received=D("2026-04-20")) == D(
        "2026-05-26")  # Mon 25 May is the spring bank holiday


@pytest.mark.parametrize("days", [30, 0, -31])
def test_fewer_than_31_days_is_refused(days):
    with pytest.raises(ValueError, match="at least 31"):
        earliest_issue(SCENARIO_5_LETTER, days=days)


@pytest.mark.parametrize("days", [31.0, "31", True])
def test_days_must_be_a_whole_int(days):
    with pytest.raises(ValueError, match="whole number"):
        earliest_issue(SCENARIO_5_LETTER, days=days)


@pytest.mark.parametrize("field", ["reply_received", "documents_provided"])
def test_a_reply_or_documents_before_the_letter_is_refused(field):
    with pytest.raises(ValueError, match=f"{field} \\(2026-03-31\\) is before the letter date"):
        earliest_issue(SCENARIO_5_LETTER, **{field: D("2026-03-31")})


def test_datetimes_are_refused():
    with pytest.raises(TypeError, match="letter_date must be a datetime.date"):
        earliest_issue(datetime(2026, 4, 1, 9, 0))
    with pytest.raises(TypeError, match="on must be a datetime.date"):
        may_issue(datetime(2026, 5, 8, 9, 0), D("2026-05-08"))


def test_day_text_uses_english_names():
    assert day_text(D("2026-05-08")) == "Fri 8 May 2026"
    assert day_text(D("2026-12-28")) == "Mon 28 December 2026"


# --- stale letters -------------------------------------------------------------------------------

def test_a_letter_is_valid_for_three_months_then_stale():
    assert not letter_of_claim_stale(SCENARIO_5_LETTER, D("2026-06-30"), 3)
    assert letter_of_claim_stale(SCENARIO_5_LETTER, D("2026-07-01"), 3)


def test_a_month_end_letter_goes_stale_on_the_clamped_day():
    # 31 Mar + 3 months = 30 Jun (June has 30 days): stale from then, not from 1 Jul.
    assert not letter_of_claim_stale(D("2026-03-31"), D("2026-06-29"), 3)
    assert letter_of_claim_stale(D("2026-03-31"), D("2026-06-30"), 3)


def test_validity_follows_the_setting():
    assert letter_of_claim_stale(SCENARIO_5_LETTER, D("2026-05-01"), 1)
    assert not letter_of_claim_stale(SCENARIO_5_LETTER, D("2026-05-01"), 2)


@pytest.mark.parametrize("months", [0, -1, 1.5, True])
def test_validity_must_be_at_least_a_month(months):
    with pytest.raises(ValueError, match="valid_months"):
        letter_of_claim_stale(SCENARIO_5_LETTER, D("2026-05-01"), months)


# --- properties ----------------------------------------------------------------------------------

@FAST
@given(letter_dates, st.one_of(st.none(), offsets), st.one_of(st.none(), offsets))
def test_earliest_issue_is_always_a_working_day_after_day_30(letter, reply_after, docs_after):
    reply = None if reply_after is None else letter + timedelta(days=reply_after)
    docs = None if docs_after is None else letter + timedelta(days=docs_after)
    earliest = earliest_issue(letter, reply_received=reply, documents_provided=docs)
    assert is_working_day(earliest)
    assert earliest > pap_day_30(letter)
    assert earliest >= deemed_service_cpr_6_26(letter) + timedelta(days=MIN_ISSUE_DAYS)
    for start in filter(None, (reply, docs)):
        assert earliest >= start + timedelta(days=MIN_ISSUE_DAYS)
    assert not may_issue(earliest - timedelta(days=1), earliest).allowed
    assert may_issue(earliest, earliest).allowed


@FAST
@given(letter_dates)
def test_earliest_issue_is_the_first_working_day_allowed(letter):
    # Tight, not just late enough: every day from deemed service + 31 up to the answer is closed.
    earliest = earliest_issue(letter)
    first_possible = add_calendar_days(deemed_service_cpr_6_26(letter), MIN_ISSUE_DAYS)
    assert first_possible <= earliest
    day = first_possible
    while day < earliest:
        assert not is_working_day(day)
        day += timedelta(days=1)


@FAST
@given(letter_dates, offsets, offsets, st.sampled_from(["reply_received", "documents_provided"]))
def test_earliest_issue_is_monotone_in_reply_and_documents_dates(letter, a, b, field):
    sooner, later = sorted((letter + timedelta(days=a), letter + timedelta(days=b)))
    without = earliest_issue(letter)
    at_sooner = earliest_issue(letter, **{field: sooner})
    at_later = earliest_issue(letter, **{field: later})
    assert without <= at_sooner <= at_later


@FAST
@given(letter_dates, offsets, st.integers(min_value=MIN_ISSUE_DAYS, max_value=90))
def test_earliest_issue_never_precedes_prior_and_grows_with_days(letter, prior_after, days):
    prior = letter + timedelta(days=prior_after)
    assert earliest_issue(letter, days=days, prior=prior) >= prior
    assert earliest_issue(letter, days=days) <= earliest_issue(letter, days=days + 1)


@FAST
@given(letter_dates, st.integers(min_value=0, max_value=400), st.integers(1, 12))
def test_stale_exactly_from_letter_plus_months(letter, days_later, months):
    on = letter + timedelta(days=days_later)
    stale = letter_of_claim_stale(letter, on, months)
    # Once stale, always stale; and it happens between 28 and 31 days a month after the letter.
    assert not stale or letter_of_claim_stale(letter, on + timedelta(days=1), months)
    assert not letter_of_claim_stale(letter, letter + timedelta(days=28 * months - 1), months)
    assert letter_of_claim_stale(letter, letter + timedelta(days=31 * months), months)
