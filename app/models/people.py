"""The case: a person, their representative, and their direct-payment agreement."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .users import Team, User


class Person(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # social-care person id
    name: Mapped[str] = mapped_column(String(200))
    address_lines: Mapped[list] = mapped_column(JSON, default=list)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deceased: Mapped[bool] = mapped_column(default=False)
    team: Mapped[Team] = relationship()
    caseworker: Mapped[User | None] = relationship()
    representative: Mapped["Representative | None"] = relationship(
        back_populates="person", uselist=False, cascade="all, delete-orphan")


class Representative(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(40))
    address_lines: Mapped[list] = mapped_column(JSON, default=list)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    person: Mapped[Person] = relationship(back_populates="representative")


class DirectPaymentAgreement(db.Model):
    """What the first direct-payment letters need; the full agreement comes with A.1/A.2."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    variant: Mapped[str] = mapped_column(String(40))  # standard, nominated_authorised, carer
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    frequency: Mapped[str] = mapped_column(String(20))  # weekly, four_weekly, monthly
    client_contribution: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    gross_or_net: Mapped[str] = mapped_column(String(5), default="net")
    account_type: Mapped[str] = mapped_column(String(10), default="card")  # card | bank
    start_date: Mapped[date | None] = mapped_column(Date)
    support_plan_ref: Mapped[str] = mapped_column(String(40), default="")
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    person: Mapped[Person] = relationship()
    caseworker: Mapped[User | None] = relationship()
