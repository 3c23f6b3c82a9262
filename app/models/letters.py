"""Letters as sent (bytes and hash), and settings."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

from .types import UtcDateTime


class LetterStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # legal letters, and any a manager chose to check
    PRINT_BATCH = "print_batch"  # goes out in its letter date's print batch
    SUPERSEDED = "superseded"  # approved too late or after the debt changed: made again


LETTER_TRANSITIONS: dict[str, frozenset[str]] = {
    LetterStatus.AWAITING_APPROVAL: frozenset({LetterStatus.PRINT_BATCH,
                                               LetterStatus.SUPERSEDED}),
    LetterStatus.PRINT_BATCH: frozenset(),
    LetterStatus.SUPERSEDED: frozenset(),
}


class Letter(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    template: Mapped[str] = mapped_column(String(60))
    template_ref: Mapped[str] = mapped_column(String(40))
    letter_date: Mapped[date] = mapped_column(Date)
    recipient_name: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    merge_data_hash: Mapped[str | None] = mapped_column(String(64))  # of the merge context
    status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Setting(Model):
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
