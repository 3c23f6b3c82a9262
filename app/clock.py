"""The one source of "now" for the whole service.

Services, the scheduler and the engine's timer module all read time through `now()`, so a test or
a demo can freeze or advance time and every timer sees the same instant. In frozen mode the instant
is kept in the database (the app factory installs a `StoredClock`), so the web and scheduler
processes agree on it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Callable, Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime: ...


class RealClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """An in-memory frozen clock for unit tests."""

    def __init__(self, instant: datetime):
        self.instant = _aware(instant)

    def now(self) -> datetime:
        return self.instant

    def set(self, instant: datetime) -> None:
        self.instant = _aware(instant)

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


class StoredClock:
    """A frozen clock whose instant lives in shared storage (the settings table).

    `load` returns the stored instant (or None when nothing is stored yet, meaning real time);
    it is called on every read so that separate processes never disagree.
    """

    def __init__(self, load: Callable[[], datetime | None]):
        self._load = load

    def now(self) -> datetime:
        stored = self._load()
        return _aware(stored) if stored is not None else datetime.now(timezone.utc)


_current: Clock = RealClock()


def install(clock: Clock) -> None:
    """Make `clock` the source of now() for this process."""
    global _current
    _current = clock


def current() -> Clock:
    return _current


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _current.now()


def today() -> date:
    """Today's business date in England (Europe/London), not the UTC date."""
    return now().astimezone(LONDON).date()


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("clock instants must be timezone-aware")
    return instant.astimezone(timezone.utc)
