"""The case: a person, their details and history, representatives, and assessments."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

from .users import Team, User

# Which representative letters go to when several are on file (the addressing rule decides
# whether that one may be written to about a given matter).
REPRESENTATIVE_PRIORITY = ("personal_representative", "deputy", "attorney", "appointee",
                           "authorised_person", "nominated_person", "litigation_friend")


class Person(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # social-care person id
    name: Mapped[str] = mapped_column(String(200))  # full name as letters print it
    title: Mapped[str | None] = mapped_column(String(20))
    given_names: Mapped[str | None] = mapped_column(String(120))
    family_name: Mapped[str | None] = mapped_column(String(120))
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    nhs_number: Mapped[str | None] = mapped_column(String(12), index=True)  # stored as digits
    address_lines: Mapped[list] = mapped_column(JSON, default=list)  # the current address
    postcode: Mapped[str] = mapped_column(String(10), default="")
    postcode_key: Mapped[str] = mapped_column(String(10), default="", index=True)
    contact_preference: Mapped[str] = mapped_column(String(20), default="post")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    accessible_format: Mapped[str | None] = mapped_column(String(40))  # large_print, braille...
    language: Mapped[str | None] = mapped_column(String(40))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deceased: Mapped[bool] = mapped_column(default=False)
    date_of_death: Mapped[date | None] = mapped_column(Date)
    # Facts the deferred-payment test (Care Act s69(2)) needs.
    in_care_home: Mapped[bool] = mapped_column(default=False)
    owns_property: Mapped[bool] = mapped_column(default=False)
    property_disregarded: Mapped[bool] = mapped_column(default=False)
    team: Mapped[Team] = relationship()
    caseworker: Mapped[User | None] = relationship()
    representatives: Mapped[list["Representative"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Representative.id")

    @property
    def representative(self) -> "Representative | None":
        """The representative letters go to: active, by the authority their type carries."""
        active = [r for r in self.representatives if r.end_date is None]
        active.sort(key=lambda r: (REPRESENTATIVE_PRIORITY.index(r.type)
                                   if r.type in REPRESENTATIVE_PRIORITY else 99, r.id or 0))
        return active[0] if active else None


class PersonAddress(Model):
    """Address history; the person row holds the current one."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    address_lines: Mapped[list] = mapped_column(JSON)
    postcode: Mapped[str] = mapped_column(String(10))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class PersonNameToken(Model):
    """Each word of a person's name, lower-cased: a prefix search becomes an index range scan
    on SQLite and PostgreSQL alike.

    The range `token >= 'liz' AND token < 'li{'` is only right in byte order, so on PostgreSQL
    the column uses the C collation whatever the database's locale (under en_GB "lizzie" sorts
    after "li{" and would be missed). The index covers (token, person_id): no table reads.
    """
    __table_args__ = (Index("ix_person_name_token_covering", "token", "person_id"),)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    token: Mapped[str] = mapped_column(
        String(60).with_variant(String(60, collation="C"), "postgresql"), primary_key=True)


class CapacityAssessment(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    decision: Mapped[str] = mapped_column(String(30))  # finance, litigation, property
    has_capacity: Mapped[bool]
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(String(200))


class Representative(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(40))
    address_lines: Mapped[list] = mapped_column(JSON, default=list)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    # How to reach them, as for the person: staff phone the deputy, not the person they act for.
    contact_preference: Mapped[str] = mapped_column(String(20), default="post")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    accessible_format: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(40))
    evidence: Mapped[str | None] = mapped_column(String(200))  # OPG ref, court order, DWP letter
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_on: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    person: Mapped[Person] = relationship(back_populates="representatives")


class FinancialAssessment(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    weekly_contribution: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    capital_including_home: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    capital_excluding_home: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    full_cost: Mapped[bool] = mapped_column(default=False)
    next_review: Mapped[date | None] = mapped_column(Date)


class DirectPaymentAgreement(Model):
    """What the first direct-payment letters need; the full agreement comes with A.1/A.2."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    variant: Mapped[str] = mapped_column(String(40))  # standard, nominated_authorised, carer
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    frequency: Mapped[str] = mapped_column(String(20))  # weekly, four_weekly, monthly
    client_contribution: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    gross_or_net: Mapped[str] = mapped_column(String(5), default="net")
    account_type: Mapped[str] = mapped_column(String(10), default="card")  # AccountType
    start_date: Mapped[date | None] = mapped_column(Date)
    support_plan_ref: Mapped[str] = mapped_column(String(40), default="")
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # After the agreement (A.2, app/models/direct_payments.py): the monitoring counts from these;
    # monitoring_id is its process instance.
    status: Mapped[str] = mapped_column(String(20), default="proposed",
                                        server_default="proposed", index=True)
    contingency_weeks: Mapped[int | None] = mapped_column()  # None: the setting
    card_id: Mapped[str | None] = mapped_column(String(40), index=True)
    first_payment_date: Mapped[date | None] = mapped_column(Date)
    last_review_date: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(20))  # notice, council, death
    monitoring_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    person: Mapped[Person] = relationship()
    caseworker: Mapped[User | None] = relationship()
