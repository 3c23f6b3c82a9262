"""The invoice-query pause arithmetic on its own (app/domain/query_pause.py): when every invoice
was held together, and where a ladder timer stands after those spans, in its own unit (England
and Wales bank holidays)."""
from __future__ import annotations

from datetime import date

from app.domain.breathing_space import TimerUnit
from app.domain.query_pause import after_spans, held_together

WORKING, CALENDAR = TimerUnit.WORKING_DAYS, TimerUnit.CALENDAR_DAYS
D = date


def test_one_invoice_held_is_held_together():
    assert held_together([[(D(2026, 7, 20), None)]]) == [(D(2026, 7, 20), None)]


def test_two_invoices_are_held_together_only_while_both_are_queried():
    # A: Mon 20 Jul to Mon 10 Aug; B: Mon 27 Jul, still open. Together: 27 Jul to 10 Aug.
    assert held_together([[(D(2026, 7, 20), D(2026, 8, 10))],
                          [(D(2026, 7, 27), None)]]) == [(D(2026, 7, 27), D(2026, 8, 10))]


def test_an_invoice_never_queried_means_never_held_together():
    assert held_together([[(D(2026, 7, 20), None)], []]) == []
    assert held_together([]) == []


def test_overlapping_queries_on_one_invoice_merge_and_a_same_day_query_holds_nothing():
    spans = [(D(2026, 7, 20), D(2026, 7, 24)), (D(2026, 7, 23), None), (D(2026, 7, 1),
                                                                         D(2026, 7, 1))]
    assert held_together([spans]) == [(D(2026, 7, 20), None)]


def test_scenario_8_r1_keeps_its_14_days_from_the_query_while_it_is_open():
    # Invoice Mon 6 Jul 2026; R1 otherwise Mon 3 Aug; queried Mon 20 Jul: 14 days left.
    assert after_spans(CALENDAR, D(2026, 8, 3), [(D(2026, 7, 20), None)]) == (D(2026, 8, 3), 14)


def test_scenario_8_not_upheld_on_mon_10_aug_r1_comes_mon_24_aug():
    assert after_spans(CALENDAR, D(2026, 8, 3), [(D(2026, 7, 20), D(2026, 8, 10))]) == (
        D(2026, 8, 24), None)


def test_decided_before_the_due_date_r1_comes_fri_7_aug_not_mon_3_aug():
    # Queried Mon 20 Jul, not upheld Fri 24 Jul: 14 days after 24 Jul is Fri 7 Aug.
    assert after_spans(CALENDAR, D(2026, 8, 3), [(D(2026, 7, 20), D(2026, 7, 24))]) == (
        D(2026, 8, 7), None)


def test_a_calendar_day_timer_moves_past_the_august_bank_holiday():
    # 14 days left, decided Mon 17 Aug: 31 Aug 2026 is the Summer bank holiday -> Tue 1 Sep.
    assert after_spans(CALENDAR, D(2026, 8, 3), [(D(2026, 7, 20), D(2026, 8, 17))]) == (
        D(2026, 9, 1), None)


def test_a_working_day_timer_keeps_working_days():
    # Due Fri 28 Aug; paused Mon 24 Aug with 4 working days left; resumed Tue 1 Sep (after the
    # bank holiday Mon 31 Aug): due Mon 7 Sep 2026.
    assert after_spans(WORKING, D(2026, 8, 28), [(D(2026, 8, 24), D(2026, 9, 1))]) == (
        D(2026, 9, 7), None)


def test_two_spans_in_turn_and_a_span_after_the_timer_fell_due_does_not_touch_it():
    spans = [(D(2026, 7, 20), D(2026, 7, 24)), (D(2026, 8, 3), D(2026, 8, 5)),
             (D(2026, 8, 20), None)]
    # 3 Aug -> (14 left after Fri 24 Jul) Fri 7 Aug -> (4 left on Mon 3 Aug, after Wed 5 Aug)
    # Sun 9 Aug -> next working day Mon 10 Aug; the span from 20 Aug began after that.
    assert after_spans(CALENDAR, D(2026, 8, 3), spans) == (D(2026, 8, 10), None)
