"""The frozen clock of demos and tests, kept in the database so every process sees it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from app import clock
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Setting, User
from app.services import settings
from app.services.transaction import use_case

_CACHE_KEY = "casework.frozen_at"


def load_frozen_instant() -> datetime | None:
    """The stored instant, read once per transaction (now() is called many times in one)."""
    info = db.session().info
    if _CACHE_KEY not in info:
        with db.session.no_autoflush:  # must not flush half-built rows
            row = db.session.get(Setting, settings.CLOCK_KEY)
        if row is None or not row.value:
            info[_CACHE_KEY] = None
        else:
            assert isinstance(row.value, str)  # freeze and move store the instant's isoformat
            info[_CACHE_KEY] = datetime.fromisoformat(row.value)
    return info[_CACHE_KEY]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_flush")
def _forget_instant(session, *args) -> None:
    # A new transaction (or a flushed change of the clock itself) reads the clock again.
    session.info.pop(_CACHE_KEY, None)


def parse_duration(text: str) -> timedelta:
    """An ISO-8601 duration of days, hours, minutes and seconds (P15D, PT2H, P1DT30M)."""
    match = re.fullmatch(
        r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text or "")
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
    db.session.flush()  # drops the instant cached for this transaction, as advance_clock does
    return clock.now()


@use_case
def advance_clock(duration: str, actor: User) -> datetime:
    target = clock.now() + parse_duration(duration)
    settings.put(settings.CLOCK_KEY, target.isoformat(), actor)
    db.session.flush()
    return clock.now()
