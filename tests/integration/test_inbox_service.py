"""The inbox service: which tab shows what, the counts, paging, and the due-date tags."""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.errors import Forbidden
from app.extensions import db
from app.models import User
from app.services.inbox import task_list as inbox_service
from app.services.inbox.task_list import InboxQuery
from tests.dp_helpers import dp_person, returned_agreement


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def returned(reference: str, team: str = "North"):
    dp_person(reference, f"Person {reference}", team)
    return returned_agreement(reference, user("fa"))[1]


def test_tabs_counts_and_pages(staff):
    north = [returned(f"N{i}") for i in range(3)]
    returned("S1", team="South")
    north[0].claimed_by_id = user("fa").id
    db.session.commit()
    fa, fm = user("fa"), user("fm")
    assert inbox_service.counts(fa) == {"mine": 1, "team": 2}  # unclaimed, my role, my team
    assert inbox_service.counts(fm) == {"mine": 0, "team": 0, "all": 4}
    with pytest.raises(Forbidden):
        inbox_service.inbox(fa, InboxQuery(tab="all"))
    # The officer's role has none of these; South's assistant sees only South's.
    assert inbox_service.counts(user("fo"))["team"] == 0
    assert inbox_service.counts(user("fa_south")) == {"mine": 0, "team": 1}
    first, total = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=3))
    second, _ = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=3, page=2))
    assert total == 4 and len(first) == 3 and len(second) == 1
    assert not {t.id for t in first} & {t.id for t in second}


@pytest.mark.parametrize(("due_utc", "tag"), [
    ("2026-06-30T22:59:00+00:00", "overdue"),   # 23:59 on 30 June in London
    ("2026-06-30T23:00:00+00:00", "today"),     # midnight starting 1 July in London (BST)
    ("2026-07-01T22:59:00+00:00", "today"),
    ("2026-07-01T23:00:00+00:00", None),
])
def test_due_tags_follow_the_london_date(due_utc, tag):
    task = SimpleNamespace(due_at=datetime.fromisoformat(due_utc).astimezone(timezone.utc))
    assert inbox_service.due_badge(task, date(2026, 7, 1)) == tag
