"""Invoice queries and the recovery ladder's clock (DOMAIN.md A.4 steps 1 and 5, scenario 8).
Pure: dates and units, no database.

The ladder runs per debt, over all the debt's invoices, and its timers count from the debt's
first invoice (R1 = next working day of invoice date + 28 days). A queried invoice is left out of
the ladder's letters while its query is open; the ladder's clock stands still only while every
unpaid invoice of the debt is under an open query: a "held span", from the day the hold went on
(the day the query was recorded) to the query's outcome date (None while still open).

- While a span lasts, each waiting timer keeps the time it had left at the span's start, in its
  own unit (calendar days stay calendar days, working days stay working days), exactly as a
  Breathing Space pauses it (app/domain/breathing_space.py: `time_left`, `resume_on`).
- When the span ends, the timer falls due that time after the outcome date (a calendar-day
  timer's date then moves to the next working day).
- An invoice queried before any reminder went out, even before it fell due and joined a debt:
  the debt opens after the due date as always (the due date is printed on the invoice, and is
  not moved), and the spans held before the debt opened are applied to the new ladder's timers
  when it starts. So the first reminder comes the time it had left at the query's start after
  the outcome date (scenario 8: invoice Mon 6 Jul 2026, queried Mon 20 Jul, R1 otherwise Mon 3
  Aug, 14 days left; not upheld on Mon 10 Aug: R1 on Mon 24 Aug 2026).
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

from app.domain.breathing_space import TimerUnit, resume_on, time_left

Span = tuple[date, date | None]  # [start, end): end None while the query is open
_OPEN = date.max


def _merged(spans: Sequence[Span]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for start, end in sorted((s, e or _OPEN) for s, e in spans):
        if end <= start:
            continue  # recorded and decided the same day: nothing was held overnight
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def held_together(per_invoice: Sequence[Sequence[Span]]) -> list[Span]:
    """The spans during which every one of the invoices was under query (oldest first): the
    intersection, over the invoices, of each invoice's queries' spans."""
    if not per_invoice:
        return []
    common = _merged(per_invoice[0])
    for spans in per_invoice[1:]:
        other = _merged(spans)
        both: list[tuple[date, date]] = []
        for a_start, a_end in common:
            for b_start, b_end in other:
                start, end = max(a_start, b_start), min(a_end, b_end)
                if start < end:
                    both.append((start, end))
        common = both
    return [(start, None if end == _OPEN else end) for start, end in common]


def either(first: Sequence[Span], second: Sequence[Span]) -> list[Span]:
    """The spans during which one or the other held the ladder (a query's, a Breathing
    Space's), merged, oldest first."""
    return [(start, None if end == _OPEN else end)
            for start, end in _merged([*first, *second])]


def after_spans(unit: TimerUnit, due: date, spans: Sequence[Span]) -> tuple[date, int | None]:
    """Where a timer due on `due` stands after the held spans (oldest first): its new due date,
    and, when the last span is still open, the time it had left when that span began (None when
    it runs). A span that began on or after the day the timer fell due does not touch it."""
    for start, end in spans:
        if start >= due:
            break
        left = time_left(unit, start, due)
        if end is None:
            return due, left
        due = resume_on(unit, end, left)
    return due, None
