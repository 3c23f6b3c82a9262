"""Letters as sent (bytes and hash), and settings."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

from .types import UtcDateTime

if TYPE_CHECKING:
    from .people import Person


class LetterStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # legal letters, and any a manager chose to check
    PRINT_BATCH = "print_batch"  # goes out in its letter date's print batch
    SUPERSEDED = "superseded"  # approved too late or after the debt changed: made again


class RenderStatus(StrEnum):
    """Whether the document exists yet. A routine letter is recorded with its merge context in
    its step and made by the letter worker; a letter that starts a legal period is made in its
    step (rendered at once)."""
    PENDING = "pending"  # recorded, waiting for the letter worker
    RENDERING = "rendering"  # a worker has claimed it (until its lease runs out)
    RENDERED = "rendered"
    FAILED = "failed"  # an incident on the letter: kept out of print, retried by an operator


RENDER_TRANSITIONS: dict[str, frozenset[str]] = {
    RenderStatus.PENDING: frozenset({RenderStatus.RENDERING}),
    # A worker that died leaves its claim to lapse: another takes the letter again.
    RenderStatus.RENDERING: frozenset({RenderStatus.RENDERED, RenderStatus.FAILED,
                                       RenderStatus.RENDERING}),
    RenderStatus.RENDERED: frozenset(),
    RenderStatus.FAILED: frozenset({RenderStatus.PENDING}),
}


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
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # None until rendered
    sha256: Mapped[str | None] = mapped_column(String(64))
    merge_data_hash: Mapped[str | None] = mapped_column(String(64))  # of the merge context
    status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    render_status: Mapped[str] = mapped_column(String(20), default=RenderStatus.RENDERED,
                                               index=True)
    # The merge context (app/letters/merge_codec.py) until the worker has made the document.
    merge_context: Mapped[dict | None] = mapped_column(JSON)
    render_claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rendered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    render_error: Mapped[str | None] = mapped_column(Text)
    person: Mapped[Person] = relationship()


class Setting(Model):
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
