"""The legal stage of a debt: the Pre-Action Protocol record, court claims, charges on
property, estates and write-offs (DOMAIN.md A.3 steps 7-12, A.3-D, A.3-WO, §F)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

from .finance import Money
from .types import UtcDateTime


class LetterOfClaimStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    POSTED = "posted"  # approved, dated and posted: its 30-day window runs


LETTER_OF_CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    LetterOfClaimStatus.AWAITING_APPROVAL: frozenset({LetterOfClaimStatus.POSTED}),
    LetterOfClaimStatus.POSTED: frozenset(),
}


class CourtClaimStatus(StrEnum):
    REFERRED = "referred"
    ISSUED = "issued"
    JUDGMENT = "judgment"


COURT_CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    CourtClaimStatus.REFERRED: frozenset({CourtClaimStatus.ISSUED}),
    CourtClaimStatus.ISSUED: frozenset({CourtClaimStatus.JUDGMENT}),
    CourtClaimStatus.JUDGMENT: frozenset(),
}


class WriteOffStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


WRITE_OFF_TRANSITIONS: dict[str, frozenset[str]] = {
    WriteOffStatus.PROPOSED: frozenset({WriteOffStatus.APPROVED, WriteOffStatus.REJECTED}),
    WriteOffStatus.APPROVED: frozenset(),
    WriteOffStatus.REJECTED: frozenset(),
}


class LetterOfClaim(Model):
    """One Letter of Claim and its 30-day window; replies recompute the earliest issue date."""
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_case_id: Mapped[int] = mapped_column(ForeignKey("debt_case.id"), index=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    # A stale one stays POSTED: a new one is sent, and the latest posted counts (current_loc).
    status: Mapped[str] = mapped_column(String(20),
                                        default=LetterOfClaimStatus.AWAITING_APPROVAL)
    amount: Mapped[Decimal] = mapped_column(Money)
    invoice_ids: Mapped[list] = mapped_column(JSON, default=list)  # barred ones left out
    letter_date: Mapped[date | None] = mapped_column(Date)  # = posting date
    deemed_service: Mapped[date | None] = mapped_column(Date)
    earliest_issue: Mapped[date | None] = mapped_column(Date)
    reply_received_on: Mapped[date | None] = mapped_column(Date)
    reply_box: Mapped[str | None] = mapped_column(String(1))  # A, B, C or D
    offer_amount: Mapped[Decimal | None] = mapped_column(Money)
    offer_frequency: Mapped[str | None] = mapped_column(String(20))
    documents_requested: Mapped[bool] = mapped_column(default=False)
    documents_provided_on: Mapped[date | None] = mapped_column(Date)
    seeking_advice: Mapped[bool] = mapped_column(default=False)
    offer_decision: Mapped[str | None] = mapped_column(String(20))  # accepted | refused
    refusal_reasons: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class CourtClaim(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_case_id: Mapped[int] = mapped_column(ForeignKey("debt_case.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=CourtClaimStatus.REFERRED)
    route: Mapped[str] = mapped_column(String(10))  # mcol | n1
    route_reasons: Mapped[list] = mapped_column(JSON, default=list)
    litigation_friend_needed: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[Decimal] = mapped_column(Money)
    fee: Mapped[Decimal] = mapped_column(Money)
    claim_number: Mapped[str | None] = mapped_column(String(40))
    issued_on: Mapped[date | None] = mapped_column(Date)
    deemed_served_on: Mapped[date | None] = mapped_column(Date)
    acknowledgment_by: Mapped[date | None] = mapped_column(Date)
    defence_by: Mapped[date | None] = mapped_column(Date)
    aos_filed_on: Mapped[date | None] = mapped_column(Date)
    defence_filed_on: Mapped[date | None] = mapped_column(Date)
    judgment_date: Mapped[date | None] = mapped_column(Date)
    judgment_amount: Mapped[Decimal | None] = mapped_column(Money)
    judgment_terms: Mapped[str | None] = mapped_column(String(200))
    judgment_interest: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EnforcementAction(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    court_claim_id: Mapped[int] = mapped_column(ForeignKey("court_claim.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    decided_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class PropertyCharge(Model):
    """A charge against a title: a DPA's legal charge, or an interim/final charging order."""
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_case_id: Mapped[int | None] = mapped_column(ForeignKey("debt_case.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    basis: Mapped[str] = mapped_column(String(30))
    title_number: Mapped[str] = mapped_column(String(40))
    court_claim_id: Mapped[int | None] = mapped_column(ForeignKey("court_claim.id"))
    registered_on: Mapped[date] = mapped_column(Date)
    discharged_on: Mapped[date | None] = mapped_column(Date)


class Estate(Model):
    """A deceased person's estate: who deals with it and what grant there is (A.3-D)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    notified_on: Mapped[date] = mapped_column(Date)
    has_will: Mapped[bool | None]
    solicitor: Mapped[str | None] = mapped_column(String(200))
    grant_type: Mapped[str | None] = mapped_column(String(30))  # probate | administration
    grant_date: Mapped[date | None] = mapped_column(Date)
    standing_search_lodged_on: Mapped[date | None] = mapped_column(Date)
    s27_notice_seen_on: Mapped[date | None] = mapped_column(Date)


class WriteOff(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_case_id: Mapped[int] = mapped_column(ForeignKey("debt_case.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    # The invoices written off: all outstanding ones, or (statute-barred) just those.
    invoice_numbers: Mapped[list] = mapped_column(JSON, default=list)
    amount: Mapped[Decimal] = mapped_column(Money)
    approver_role: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=WriteOffStatus.PROPOSED)
    notes: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    memo_letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
