"""A call or contact logged on a case without a task: who, how, what was said, and a promise to
pay when one was made (issue 19)."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

from .people import Representative
from .types import UtcDateTime
from .users import User


class ContactMethod(StrEnum):
    PHONE_IN = "phone_in"
    PHONE_OUT = "phone_out"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"
    OTHER = "other"


class ContactWith(StrEnum):
    PERSON = "person"
    REPRESENTATIVE = "representative"
    PROVIDER = "provider"
    SOMEONE_ELSE = "someone_else"


class ContactOutcome(StrEnum):
    # The debt phone call's outcomes (workflows/debt_recovery.bpmn, phone_contact), in the words
    # staff use there, so a call logged here reads like one recorded on the task.
    WILL_PAY = "will_pay"
    WANTS_ARRANGEMENT = "wants_arrangement"
    DISPUTES = "disputes"
    HARDSHIP = "hardship"
    MESSAGE_LEFT = "message_left"
    NO_ANSWER = "no_answer"
    WRONG_DETAILS = "wrong_details"
    OTHER = "other"


class ContactRecord(Model):
    __table_args__ = (
        # A promise belongs to "will pay" only, and its amount is a real sum of money.
        CheckConstraint("promised_on IS NULL OR outcome = 'will_pay'", name="promise_will_pay"),
        CheckConstraint("promised_amount IS NULL OR promised_amount > 0",
                        name="positive_promised_amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    contacted_on: Mapped[date] = mapped_column(Date)  # a Europe/London business date
    contacted_time: Mapped[time | None] = mapped_column(Time)  # local time, when staff gave one
    method: Mapped[str] = mapped_column(String(20))
    with_whom: Mapped[str] = mapped_column(String(20))
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("representative.id"))
    other_name: Mapped[str | None] = mapped_column(String(200))  # a provider or someone else
    outcome: Mapped[str] = mapped_column(String(30))
    promised_on: Mapped[date | None] = mapped_column(Date)
    promised_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    representative: Mapped[Representative | None] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship(lazy="joined")
