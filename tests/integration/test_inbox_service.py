"""The inbox service: which tab shows what, the capped counts, keyset pages that hold still while
tasks come and go, cursors, and the due-date tags."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import clock
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import HumanTask, Person, TaskStatus, User
from app.services.inbox import task_list as inbox_service
from app.services.inbox.task_list import Cursor, InboxQuery, TaskQuery
from tests.dp_helpers import dp_person, returned_agreement

DAY = datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)
_numbers = itertools.count(1)


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def returned(reference: str, team: str = "North"):
    dp_person(reference, f"Person {reference}", team)
    return returned_agreement(reference, user("fa"))[1]


def add_tasks(person: Person, dues: list[int | None]) -> list[HumanTask]:
    """Open finance-assistant tasks due `n` days after DAY (None: no due date), committed."""
    tasks = []
    for days in dues:
        number = next(_numbers)
        tasks.append(HumanTask(
            engine_task_id=f"t-{number}", source="service", name="check", title=f"Task {number}",
            role="finance_assistant", team_id=person.team_id, person_id=person.id,
            process_key="care_package", form=[], status=TaskStatus.OPEN,
            created_at=clock.now(),
            due_at=None if days is None else DAY + timedelta(days=days)))
    db.session.add_all(tasks)
    db.session.commit()
    return tasks


def in_order(tasks: list[HumanTask], latest_first: bool = False) -> list[int]:
    """The inbox's order: due date then id, undated last; "latest first" is its exact reverse."""
    ordered = sorted(tasks, key=lambda t: (t.due_at is None, t.due_at or DAY, t.id))
    return [t.id for t in (ordered[::-1] if latest_first else ordered)]


@pytest.fixture
def person(staff):
    person = dp_person("P1", "Person P1")
    db.session.commit()
    return person


def test_tabs_counts_and_pages(staff):
    north = [returned(f"N{i}") for i in range(3)]
    returned("S1", team="South")
    north[0].claimed_by_id = user("fa").id
    db.session.commit()
    fa, fm = user("fa"), user("fm")
    assert inbox_service.counts(fa) == {"mine": 1, "team": 3}  # my role, my team, taken or not
    assert inbox_service.counts(fm) == {"mine": 0, "team": 0, "all": 4}
    with pytest.raises(Forbidden):
        inbox_service.inbox(fa, InboxQuery(tab="all"))
    # The officer's role has none of these; South's assistant sees only South's.
    assert inbox_service.counts(user("fo"))["team"] == 0
    assert inbox_service.counts(user("fa_south")) == {"mine": 0, "team": 1}
    first = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=3))
    second = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=3, cursor=first.next))
    assert first.total == second.total == 4 and len(first.rows) == 3 and len(second.rows) == 1
    assert not {t.id for t in first.rows} & {t.id for t in second.rows}
    assert (first.previous, second.next) == (None, None)
    assert second.previous == Cursor.of(second.rows[0], back=True)


def walk(fm: User, query: InboxQuery) -> list[list[int]]:
    """Every page from the first by Next, then back to the first by Previous."""
    pages, page = [], inbox_service.inbox(fm, query)
    while True:
        pages.append([t.id for t in page.rows])
        if page.next is None:
            break
        page = inbox_service.inbox(fm, InboxQuery(**{**query.__dict__, "cursor": page.next}))
    back = [pages[-1]]
    while page.previous is not None:
        page = inbox_service.inbox(fm, InboxQuery(**{**query.__dict__, "cursor": page.previous}))
        back.append([t.id for t in page.rows])
    assert back[::-1] == pages  # Previous retraces the same pages
    return pages


@pytest.mark.parametrize("latest_first", [False, True])
def test_walking_every_page_yields_every_task_once_in_order(person, latest_first):
    # Ties on the due date, and tasks with none, which come last (first when latest first).
    tasks = add_tasks(person, [3, None, 1, 3, 2, None, 3, 1, 0, None, 5])
    pages = walk(user("fm"), InboxQuery(tab="all", latest_due_first=latest_first, per_page=3))
    assert [len(p) for p in pages] == [3, 3, 3, 2]
    assert [i for p in pages for i in p] == in_order(tasks, latest_first)


@pytest.mark.parametrize("latest_first", [False, True])
def test_a_task_added_before_the_cursor_neither_shifts_nor_repeats_a_row(person, latest_first):
    tasks = add_tasks(person, [1, 2, 3, 4, 5, None, 6, None])
    fm = user("fm")
    query = InboxQuery(tab="all", latest_due_first=latest_first, per_page=3)
    first = inbox_service.inbox(fm, query)
    # Ahead of the cursor in either order: one due before all (after all when latest first),
    # one beside the cursor's row on the same due date, and one with no due date.
    edge = first.rows[-1]
    days = (edge.due_at - DAY).days if edge.due_at else None
    added = add_tasks(person, [-9 if not latest_first else 99, days])
    second = inbox_service.inbox(fm, InboxQuery(**{**query.__dict__, "cursor": first.next}))
    expected = in_order(tasks, latest_first)
    assert [t.id for t in first.rows] == expected[:3]
    # The one on the cursor's due date has a higher id: on the next page going forwards, on
    # the page before when latest first.
    after = in_order(tasks + added, latest_first)
    assert [t.id for t in second.rows] == after[after.index(edge.id) + 1:][:3]
    assert not {t.id for t in second.rows} & {t.id for t in first.rows}
    assert added[0].id not in {t.id for t in second.rows}


def test_a_task_completed_before_the_cursor_loses_no_row(person):
    tasks = add_tasks(person, [1, 2, 3, 4, 5, 6])
    fm = user("fm")
    first = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=3))
    tasks[0].status = TaskStatus.COMPLETED
    db.session.commit()
    second = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=3, cursor=first.next))
    assert [t.id for t in second.rows] == [t.id for t in tasks[3:]]  # offset would skip one


def test_pages_at_the_ends_when_the_rows_around_the_cursor_went(person):
    tasks = add_tasks(person, [1, 2, 3, 4, 5])
    fm = user("fm")
    query = InboxQuery(tab="all", per_page=2)
    first = inbox_service.inbox(fm, query)
    second = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=2, cursor=first.next))
    # Previous from the second page once the first page's first task is done: the first page,
    # full, rather than one task with a gap.
    tasks[0].status = TaskStatus.COMPLETED
    db.session.commit()
    back = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=2, cursor=second.previous))
    assert [t.id for t in back.rows] == [tasks[1].id, tasks[2].id] and back.previous is None
    # Next from a page whose following tasks were all completed: the last page, not nothing.
    for task in tasks[4:]:
        task.status = TaskStatus.COMPLETED
    db.session.commit()
    last = inbox_service.inbox(fm, InboxQuery(tab="all", per_page=2, cursor=second.next))
    assert [t.id for t in last.rows] == [tasks[2].id, tasks[3].id] and last.next is None
    assert last.previous is not None


@pytest.mark.parametrize("text", [
    "", "not base64!", "bm90IGpzb24", Cursor(None, 5).encode()[:-2], "W10",  # [] in base64
    "WyJhIiwiMjAyNi0wMy0xMCIsNV0",                 # ["a","2026-03-10",5]: no time zone
    "WyJ4IixudWxsLDVd",                            # ["x",null,5]
    "WyJhIixudWxsLCI1Il0",                         # ["a",null,"5"]
    "WyJhIixudWxsLHRydWVd",                        # ["a",null,true]
    "WyJhIixudWxsLC01XQ",                          # ["a",null,-5]
    "A" * 400,
])
def test_a_cursor_the_list_did_not_give_is_refused(text):
    with pytest.raises(ValidationFailed) as refused:
        inbox_service.decode_cursor(text)
    assert [d["field"] for d in refused.value.details] == ["cursor"]


@pytest.mark.parametrize("cursor", [Cursor(None, 7), Cursor(DAY, 12, back=True),
                                    Cursor(datetime(2026, 7, 1, 6, 0, 0, 123456,
                                                    tzinfo=timezone.utc), 2**62)])
def test_a_cursor_survives_its_round_trip(cursor):
    text = cursor.encode()
    assert text.isascii() and "=" not in text and "/" not in text and "+" not in text
    assert inbox_service.decode_cursor(text) == cursor


def test_counts_stop_past_the_cap_unless_all_are_asked_for(person, monkeypatch):
    monkeypatch.setattr(inbox_service, "COUNT_CAP", 4)
    add_tasks(person, [1, 2, 3, 4, 5, 6, None])
    fa, fm = user("fa"), user("fm")
    assert inbox_service.counts(fm) == {"mine": 0, "team": 0, "all": 5}  # 5: more than 4
    assert inbox_service.counts(fa)["team"] == 5
    assert inbox_service.inbox(fm, InboxQuery(tab="all", per_page=2)).total == 5
    assert inbox_service.inbox(fm, InboxQuery(tab="all", count_all=True)).total == 7
    assert inbox_service.inbox(fm, InboxQuery(tab="all", due_before=date(2026, 3, 13))
                               ).total == 2  # under the cap: exact


def test_the_api_list_walks_by_cursor_and_counts_on_its_first_page(person):
    tasks = add_tasks(person, [2, None, 1, 3, 1])
    fm = user("fm")
    first = inbox_service.list_tasks(fm, TaskQuery(per_page=2))
    second = inbox_service.list_tasks(fm, TaskQuery(per_page=2, cursor=first.next))
    third = inbox_service.list_tasks(fm, TaskQuery(per_page=2, cursor=second.next))
    assert [t.id for p in (first, second, third) for t in p.rows] == in_order(tasks)
    assert (first.total, second.total, third.total, third.next) == (5, None, None, None)
    assert inbox_service.list_tasks(fm, TaskQuery(), with_total=False).total is None
    # Numbered pages, for older clients: the same rows, a total each time.
    numbered = inbox_service.list_tasks(fm, TaskQuery(per_page=2, page=2))
    assert ([t.id for t in numbered.rows], numbered.total) == ([t.id for t in second.rows], 5)
    assert numbered.next == second.next


@pytest.mark.parametrize(("due_utc", "tag"), [
    ("2026-06-30T22:59:00+00:00", "overdue"),   # 23:59 on 30 June in London
    ("2026-06-30T23:00:00+00:00", "today"),     # midnight starting 1 July in London (BST)
    ("2026-07-01T22:59:00+00:00", "today"),
    ("2026-07-01T23:00:00+00:00", None),
])
def test_due_tags_follow_the_london_date(due_utc, tag):
    task = SimpleNamespace(due_at=datetime.fromisoformat(due_utc).astimezone(timezone.utc))
    assert inbox_service.due_badge(task, date(2026, 7, 1)) == tag


def test_the_next_task_for_a_person_is_one_the_user_may_do_soonest_due_first(person):
    done, later, sooner, undated = add_tasks(person, [0, 5, 2, None])
    fa, fo = user("fa"), user("fo")
    assert inbox_service.next_task_for(person.id, fa, done.id) == sooner
    sooner.claimed_by_id = user("fm").id  # someone else holds it: not offered
    db.session.commit()
    assert inbox_service.next_task_for(person.id, fa, done.id) == later
    later.claimed_by_id = fa.id  # mine
    db.session.commit()
    assert inbox_service.next_task_for(person.id, fa, done.id) == later
    later.status = TaskStatus.COMPLETED
    db.session.commit()
    assert inbox_service.next_task_for(person.id, fa, done.id) == undated  # undated last
    assert inbox_service.next_task_for(person.id, fo, done.id) is None  # not the officer's role
    assert inbox_service.next_task_for(person.id, user("fa_south"), done.id) is None
    assert inbox_service.next_task_for(person.id, user("fm"), done.id) == sooner  # managers: any


def test_the_team_tab_shows_taken_tasks_with_who_holds_them(person):
    free, mine, theirs = add_tasks(person, [1, 2, 3])
    mine.claimed_by_id, theirs.claimed_by_id = user("fa").id, user("fm").id
    db.session.commit()
    page = inbox_service.inbox(user("fa"), InboxQuery(tab="team"))
    assert [t.id for t in page.rows] == [free.id, mine.id, theirs.id] and page.total == 3
    assert [t.claimed_by and t.claimed_by.username for t in page.rows] == [None, "fa", "fm"]
    # The API's list keeps its meaning: someone else's taken task is not in it.
    listed = inbox_service.list_tasks(user("fa"), TaskQuery()).rows
    assert {t.id for t in listed} == {free.id, mine.id}


@pytest.mark.parametrize(("due_utc", "days"), [
    ("2026-06-27T23:30:00+00:00", 3),   # 28 June in London (BST), not 27 June as in UTC
    ("2026-06-30T22:59:00+00:00", 1),   # 23:59 on 30 June in London
    ("2026-06-30T23:00:00+00:00", 0),   # due today
    ("2026-07-05T09:00:00+00:00", 0),   # not yet due
])
def test_days_overdue_count_from_the_london_date(due_utc, days):
    task = SimpleNamespace(due_at=datetime.fromisoformat(due_utc))
    assert inbox_service.days_overdue(task, date(2026, 7, 1)) == days
    assert inbox_service.days_overdue(SimpleNamespace(due_at=None), date(2026, 7, 1)) == 0


def test_taking_several_leaves_alone_and_names_one_someone_else_took_first(person):
    from app.services.inbox import bulk

    first, second, third = add_tasks(person, [1, 2, 3])
    second.claimed_by_id = user("fm").id
    db.session.commit()
    outcome = bulk.take_tasks([first.id, second.id, third.id, first.id], user("fa"))
    assert [t.id for t in outcome.done] == [first.id, third.id]
    assert [(t.id, why) for t, why in outcome.left] == [(second.id, "Fm took it first")]
    db.session.expire_all()
    assert [db.session.get(HumanTask, t.id).claimed_by.username
            for t in (first, second, third)] == ["fa", "fm", "fa"]


def test_assigning_several_is_for_managers_and_each_task_is_its_own_change(person):
    from app.services.inbox import bulk

    first, second = add_tasks(person, [1, 2])
    refused = bulk.assign_tasks([first.id], "fa", user("fa"))
    assert refused.done == [] and refused.left[0][1] == "you cannot assign it"
    outcome = bulk.assign_tasks([first.id, second.id], "fa", user("fm"))
    assert [t.id for t in outcome.done] == [first.id, second.id] and outcome.left == []
    wrong = bulk.assign_tasks([first.id], "fo", user("fm"))  # an officer: not their work
    assert wrong.left[0][1] == "the person you chose does not do this kind of task"
