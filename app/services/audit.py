"""Append-only audit events."""
from __future__ import annotations

from typing import Any

from app import clock
from app.extensions import db
from app.models import AuditEvent, User


def record(action: str, *, actor: User | None, person_id: int | None = None,
           instance_id: int | None = None, task_id: int | None = None,
           element_id: str | None = None, summary: dict[str, Any] | None = None) -> AuditEvent:
    """Add an audit event to the current transaction. Summaries hold ids and names, not values."""
    event = AuditEvent(at=clock.now(), actor_id=actor.id if actor else None, action=action,
                       person_id=person_id, instance_id=instance_id, task_id=task_id,
                       element_id=element_id, summary=summary or {})
    db.session.add(event)
    return event
