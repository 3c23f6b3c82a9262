"""Rescheduling a waiting timer: the seam Breathing Space and Pre-Action Protocol replies use."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db
from app.models import User
from app.services.processes import instances, timers
from app.services.records import people
from tests.conftest import set_clock


def test_a_rescheduled_timer_fires_at_its_new_time_and_is_audited(staff):
    people.create_person({
        "reference": "R1", "name": "Rita Example", "team": "North", "caseworker": None,
        "address": {"lines": ["5 Lane"], "postcode": "EX5 5EE"}, "representative": None,
        "direct_payment": {"variant": "standard", "amount": "80.00", "frequency": "weekly",
                           "client_contribution": "0"}}, None)
    fm = db.session.scalar(select(User).where(User.username == "fm"))
    chase = instances.start_instance("direct_payment_agreement", "R1", {}, fm)
    later = datetime.fromisoformat("2026-04-01T07:00:00+01:00")

    instances.reschedule_timer(chase.id, "reminder_1_due", later, fm, "hold")

    assert chase.next_timer_due == later
    set_clock(datetime.fromisoformat("2026-03-20T09:00:00+00:00"))
    assert timers.fire_due_timers() == []  # the old due date has no effect any more
    set_clock(datetime.fromisoformat("2026-04-01T06:30:00+00:00"))
    assert [f.instance_id for f in timers.fire_due_timers()] == [chase.id]
    event = next(e for e in instances.history(chase.id) if e.action == "timer_rescheduled")
    assert event.summary["reason"] == "hold" and event.actor_id == fm.id
    with pytest.raises(Conflict):
        instances.reschedule_timer(chase.id, "reminder_1_due", later, fm, "again")
