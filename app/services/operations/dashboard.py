"""What operators watch: open incidents, the scheduler's heartbeat, the timers coming due, and
the figures the charts draw (tasks due per day, debts by stage, outstanding debt by age)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import calendar, clock
from app.domain import ageing
from app.domain.debt_stages import stage_words
from app.extensions import db
from app.models import (
    DebtCase,
    DebtCaseStatus,
    HumanTask,
    Incident,
    Invoice,
    InvoiceStatus,
    JobRun,
    ProcessInstance,
    TaskStatus,
)
from app.models.workflow import InstanceStatus
from app.services.debts.daily_jobs import JOB

SWEEP = "timer_sweep"  # one JobRun row whose finished_at is the scheduler's latest sweep
HEARTBEAT_SECONDS = 30


def record_sweep() -> None:
    """The scheduler's heartbeat, after a sweep (its own transaction). Real time, not the case
    clock (a frozen demo clock would make a live scheduler look dead); written at most every
    HEARTBEAT_SECONDS so several schedulers do not queue on the row every sweep."""
    now = datetime.now(timezone.utc)
    row = db.session.scalar(select(JobRun).where(JobRun.name == SWEEP))
    if row is not None:
        if (now - row.finished_at).total_seconds() >= HEARTBEAT_SECONDS:
            row.finished_at = now
            db.session.commit()
        return
    try:
        db.session.add(JobRun(name=SWEEP, day=clock.today(), finished_at=now))
        db.session.commit()
    except IntegrityError:  # another scheduler wrote the row first: theirs will do
        db.session.rollback()


def last_sweep() -> datetime | None:
    return db.session.scalar(select(JobRun.finished_at).where(JobRun.name == SWEEP))


def scheduler_stale(last: datetime | None) -> bool:
    """No heartbeat for a few minutes: the scheduler is probably not running."""
    return last is None or (datetime.now(timezone.utc) - last) > timedelta(minutes=3)


def last_daily_run() -> JobRun | None:
    return db.session.scalar(select(JobRun).where(JobRun.name == JOB)
                             .order_by(JobRun.finished_at.desc()).limit(1))


def open_incidents() -> list[tuple[Incident, ProcessInstance]]:
    """Each unresolved incident with its instance (its person and process with it)."""
    return list(db.session.execute(
        select(Incident, ProcessInstance).join(ProcessInstance,
                                               ProcessInstance.id == Incident.instance_id)
        .where(Incident.resolved_at.is_(None)).order_by(Incident.created_at.desc())).all())


def timers_due(hours: int = 24) -> list[ProcessInstance]:
    now = clock.now()
    return list(db.session.scalars(
        select(ProcessInstance).where(
            ProcessInstance.status == InstanceStatus.ACTIVE,
            ProcessInstance.next_timer_due.is_not(None),
            ProcessInstance.next_timer_due <= now + timedelta(hours=hours))
        .order_by(ProcessInstance.next_timer_due).limit(500)))


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int


def tasks_due_per_day(days: int = 14) -> list[Bar]:
    """Open tasks falling due on each of the next `days` days (London dates), today first."""
    today = clock.today()
    start = calendar.at_local_hour(today).replace(hour=0)
    end = start + timedelta(days=days + 1)
    due = db.session.scalars(select(HumanTask.due_at).where(
        HumanTask.status == TaskStatus.OPEN, HumanTask.due_at >= start, HumanTask.due_at < end))
    counts: dict[date, int] = {}
    for moment in due:
        day = calendar.to_local_date(moment)
        counts[day] = counts.get(day, 0) + 1
    return [Bar(f"{d:%a} {d.day} {d:%b}", counts.get(d, 0))
            for d in (today + timedelta(days=i) for i in range(days))]


# The stages of an open debt in the order the ladder and the legal stage reach them.
LADDER_ORDER = ("opened", "reminder_1", "final_demand", "referral", "engagement",
                "instalment_plan", "letter_of_claim_pending", "letter_of_claim",
                "legal_referral", "claim_issued", "judgment", "enforcement", "estate",
                "awaiting_decision")


def debts_by_stage() -> list[Bar]:
    """Open debts at each stage, in ladder order, stages with none included (a gap shows)."""
    counts = dict(db.session.execute(
        select(DebtCase.stage, func.count(DebtCase.id))
        .where(DebtCase.status == DebtCaseStatus.OPEN).group_by(DebtCase.stage)).all())
    stages = list(LADDER_ORDER) + sorted(set(counts) - set(LADDER_ORDER))
    return [Bar(stage_words(stage), counts.get(stage, 0)) for stage in stages]


def outstanding_by_age() -> list[Bar]:
    """Unpaid invoices of open debts, by how long they are past due (the ageing bands)."""
    rows = db.session.execute(
        select(Invoice.due_date, Invoice.total, Invoice.paid, Invoice.credited)
        .join(DebtCase, DebtCase.id == Invoice.debt_case_id)
        .where(DebtCase.status == DebtCaseStatus.OPEN,
               Invoice.total > Invoice.paid + Invoice.credited,
               Invoice.status.in_((InvoiceStatus.OPEN, InvoiceStatus.PART_PAID))))
    aged = ageing.aged_amounts([(due, total - paid - credited)
                                for due, total, paid, credited in rows], clock.today())
    # Not yet due too, so the bars add up to what the open debts owe.
    return [Bar("Not yet due", aged.not_yet_due)] + [Bar(b.label, b.amount) for b in aged.bands]
