"""The frozen clock of demos and tests, kept in the database so every process sees it."""
from __future__ import annotations

from datetime import datetime, timedelta

from app import clock
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Setting, User

from . import settings
from .transaction import use_case


def load_frozen_instant() -> datetime | None:
    with db.session.no_autoflush:  # read on every now(): must not flush half-built rows
        row = db.session.get(Setting, settings.CLOCK_KEY)
    return None if row is None or not row.value else datetime.fromisoformat(row.value)


def parse_duration(text: str) -> timedelta:
    """An ISO-8601 duration of days, hours, minutes and seconds (P15D, PT2H, P1DT30M)."""
    import re

    match = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text or "")
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValidationFailed("advance must be an ISO-8601 duration such as P15D or PT2H",
                               [{"field": "advance", "message": "not a duration"}])
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


@use_case
def set_clock(instant: datetime, actor: User) -> datetime:
    if instant.tzinfo is None:
        raise ValidationFailed("the instant needs a UTC offset",
                               [{"field": "set", "message": "add an offset, e.g. +00:00"}])
    settings.put(settings.CLOCK_KEY, instant.isoformat(), actor)
    return clock.now()


@use_case
def advance_clock(duration: str, actor: User) -> datetime:
    target = clock.now() + parse_duration(duration)
    settings.put(settings.CLOCK_KEY, target.isoformat(), actor)
    db.session.flush()
    return clock.now()
