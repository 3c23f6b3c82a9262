"""Column types shared by the models."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timezone

from sqlalchemy import DateTime, TypeDecorator


def can_move(transitions: Mapping[str, Collection[str]], current: str, new: str) -> bool:
    """Whether a status may go from `current` to `new` by its table (state -> the states it may
    go to next), which sits beside its StrEnum. Writing the same status again is a move like
    any other: allowed only where the table lists it."""
    return new in transitions.get(current, ())


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite too (which stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
