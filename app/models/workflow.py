"""Process definitions and versions, running instances, human tasks, incidents, audit events."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

from .people import Person
from .types import UtcDateTime
from .users import Team, User


class InstanceStatus(StrEnum):
    ACTIVE = "active"
    INCIDENT = "incident"
    # A recovery guard (Breathing Space, an instalment plan...) holds the instance: its timers
    # are paused and a held step waits until the guard lifts.
    HELD = "held"
    COMPLETED = "completed"


INSTANCE_TRANSITIONS = {
    InstanceStatus.ACTIVE: {InstanceStatus.INCIDENT, InstanceStatus.HELD,
                            InstanceStatus.COMPLETED},
    InstanceStatus.INCIDENT: {InstanceStatus.ACTIVE, InstanceStatus.COMPLETED},
    InstanceStatus.HELD: {InstanceStatus.ACTIVE, InstanceStatus.COMPLETED},
    InstanceStatus.COMPLETED: set(),
}


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProcessDefinition(Model):
    """A process key with at most one draft and numbered published versions."""
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    draft_xml: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    draft_problems: Mapped[list] = mapped_column(JSON, default=list)
    draft_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    draft_updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    source_file: Mapped[str | None] = mapped_column(String(200))
    last_synced_hash: Mapped[str | None] = mapped_column(String(64))
    versions: Mapped[list["ProcessVersion"]] = relationship(
        back_populates="definition", order_by="ProcessVersion.number")


class ProcessVersion(Model):
    __table_args__ = (UniqueConstraint("definition_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    number: Mapped[int]
    # Deferred: 20 KB or more that a request needs only the first time a process builds the
    # version's model (app/services/processes/instances.py model_of).
    xml: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # file | modeler
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    definition: Mapped[ProcessDefinition] = relationship(back_populates="versions")


class ProcessInstance(Model):
    __table_args__ = (Index("ix_instance_due", "status", "next_timer_due"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=InstanceStatus.ACTIVE)
    state: Mapped[str] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(default=1)
    next_timer_due: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[ProcessVersion] = relationship()
    person: Mapped[Person] = relationship()
    # Optimistic locking: UPDATE ... WHERE lock_version = :v; a lost race raises StaleDataError.
    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Model):
    """One row per user task, upserted by the engine's task id so a claim survives engine steps."""
    __table_args__ = (
        Index("ix_task_inbox", "status", "role", "team_id", "due_at"),
        Index("ix_task_claimed", "status", "claimed_by_id", "due_at"),
        # The inbox's keyset: "all open tasks" in (due_at, id) order from any cursor.
        Index("ix_task_due", "status", "due_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a task a use case raised on its own (source "service").
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    engine_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    # "diagram": a user task of the instance's diagram; "guard": raised by a service (a recovery
    # guard's representation, review or write-off task), completed without the engine;
    # "service": raised by a use case with no process (end a care package after a death), its
    # process_key naming what it is about.
    source: Mapped[str] = mapped_column(String(10), default="diagram")
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(40))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    form: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    outcome: Mapped[dict | None] = mapped_column(JSON)
    draft: Mapped[dict | None] = mapped_column(JSON)  # answers saved before completing
    draft_saved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lock_version: Mapped[int] = mapped_column(default=1)
    instance: Mapped[ProcessInstance | None] = relationship()
    person: Mapped[Person] = relationship()
    team: Mapped[Team] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    # Optimistic locking, as on ProcessInstance: of two changes made from the same reading (a
    # claim and a completion), the second's UPDATE matches no row and becomes a 409.
    __mapper_args__ = {"version_id_col": lock_version}


class Incident(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(100))
    handler: Mapped[str] = mapped_column(String(100))
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class AuditEvent(Model):
    """Append-only: who did what, when. Summaries carry ids and field names, not personal data."""
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None = the system
    action: Mapped[str] = mapped_column(String(60))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    element_id: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    actor: Mapped[User | None] = relationship(lazy="joined")
