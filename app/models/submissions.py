"""Form submissions already acted on: the key each action page's form carries, kept once used."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

from .types import UtcDateTime


class FormSubmission(Model):
    # The key is random and single-use: a second post of the same form (a double click, the
    # browser's back button then submit) finds it here and changes nothing.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    used_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
