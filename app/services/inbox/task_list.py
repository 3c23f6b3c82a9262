"""The task inbox the browser shows (three tabs, filters, two orders, pages and a count per tab)
and the API's task list.

My tasks are the ones I took; my team's are open tasks for my roles on my team's cases, taken or
not (with who holds them);
managers (and admins) also see every open task. Pages are read from a cursor (keyset), not by
OFFSET: page 500 costs what page 1 does, and a task added or completed meanwhile neither shifts
nor repeats a row on the next page. Counts stop at COUNT_CAP, so a tab holding a hundred thousand
tasks is as quick as one holding fifty; the exact number is counted only when asked for
(bench/inbox.py measures all of it).
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import Select, and_, false, func, or_, select, true, tuple_
from sqlalchemy.orm import selectinload

from app import clock
from app.calendar import LOCAL_TZ
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import HumanTask, Person, PersonNameToken, TaskStatus, User
from app.services.records.people import name_tokens

TABS = ("mine", "team", "all")
TAB_TITLES = {"mine": "My tasks", "team": "My team's tasks", "all": "All open tasks"}
# Counting stops one past this: the inbox then says "more than 1,000".
COUNT_CAP = 1000


@dataclass(frozen=True)
class Cursor:
    """A place in the due-date order: a row's sort key (its due date, None when it has none, and
    its id), and whether the page is the rows after it (Next) or before it (Previous)."""
    due_at: datetime | None
    task_id: int
    back: bool = False

    @classmethod
    def of(cls, task: HumanTask, back: bool = False) -> Cursor:
        return cls(task.due_at, task.id, back)

    def encode(self) -> str:
        """Opaque to clients: urlsafe base64, unpadded, of a short JSON list."""
        due = self.due_at.astimezone(timezone.utc).isoformat() if self.due_at else None
        text = json.dumps(["b" if self.back else "a", due, self.task_id], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The cursor a page link or the API's `next` carries; anything else is refused (422)."""
    try:
        if len(text) > 200:
            raise ValueError("too long")
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        way, due, task_id = _cursor_parts(json.loads(raw))
        due_at = None if due is None else datetime.fromisoformat(due)
        if due_at is not None and due_at.tzinfo is None:
            raise ValueError("naive due date")
    except (ValueError, TypeError):  # binascii, JSON and Unicode errors are ValueErrors
        raise ValidationFailed("'cursor' is not one this list gave", [
            {"field": "cursor", "message": "use the cursor from the last page, as it was"}],
        ) from None
    return Cursor(due_at, task_id, back=way == "b")


def _cursor_parts(value: object) -> tuple[str, str | None, int]:
    if not isinstance(value, list) or len(value) != 3:
        raise ValueError("not a cursor")
    way, due, task_id = value
    if (way not in ("a", "b") or not (due is None or isinstance(due, str))
            or type(task_id) is not int or not 0 < task_id < 2**63):
        raise ValueError("not a cursor")
    return way, due, task_id


@dataclass(frozen=True)
class Page:
    rows: list[HumanTask]
    next: Cursor | None              # after the last row, when rows follow it
    previous: Cursor | None = None   # before the first row, when rows come before it
    total: int | None = None         # COUNT_CAP + 1 means "more than COUNT_CAP"; None: not counted


@dataclass(frozen=True)
class InboxQuery:
    tab: str = "mine"
    process: str | None = None
    overdue: bool = False
    due_before: date | None = None
    person: str | None = None      # a person id, or a word starting one of their names
    latest_due_first: bool = False
    cursor: Cursor | None = None
    per_page: int = 25
    count_all: bool = False        # the exact number, however many; else capped


def tabs_for(user: User) -> tuple[str, ...]:
    return TABS if user.sees_all_teams else TABS[:2]


def _tab_filter(user: User, tab: str):
    if tab not in tabs_for(user):
        raise Forbidden("only managers see all open tasks")
    if tab == "mine":
        return HumanTask.claimed_by_id == user.id
    if tab == "team":
        # Taken or not: the team sees who holds what ("Taken by"), and Take is offered only on
        # the untaken ones. The API's list (_visible_to) still hides others' taken tasks.
        return and_(HumanTask.role.in_(user.roles), HumanTask.team_id == user.team_id)
    return True


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ)


def _filtered(user: User, query: InboxQuery) -> Select:
    stmt = select(HumanTask).where(HumanTask.status == TaskStatus.OPEN,
                                   _tab_filter(user, query.tab))
    if query.process:
        stmt = stmt.where(HumanTask.process_key == query.process)
    if query.overdue:
        stmt = stmt.where(HumanTask.due_at < local_midnight(clock.today()))
    if query.due_before:
        stmt = stmt.where(HumanTask.due_at < local_midnight(query.due_before))
    if query.person:
        stmt = _for_person(stmt, query.person.strip())
    return stmt


def _for_person(stmt: Select, text: str) -> Select:
    """The person with this id, else people with a name word starting with each word given
    ("Mary-Jane O'Neil" is cut up as the names are). The id is looked up first: one OR
    across two subqueries makes SQLite scan every task."""
    exact = db.session.scalar(select(Person.id).where(Person.reference == text))
    if exact is not None:
        return stmt.where(HumanTask.person_id == exact)
    words = sorted(name_tokens(text))
    if not words:
        return stmt.where(false())
    for word in words:
        stmt = stmt.where(HumanTask.person_id.in_(select(PersonNameToken.person_id).where(
            PersonNameToken.token >= word, PersonNameToken.token < word + "\uffff")))
    return stmt


def assignable_users() -> list[User]:
    """Who a manager can give a task to (the list shows those with the task's role)."""
    return list(db.session.scalars(select(User).where(User.active)
                                   .order_by(User.full_name, User.username)))


def inbox(user: User, query: InboxQuery) -> Page:
    """A page of a tab from the query's cursor, with the number of tasks the tab and filters
    hold (capped at COUNT_CAP + 1 unless the query asks for them all to be counted)."""
    stmt = _filtered(user, query)
    page = _page(stmt.options(selectinload(HumanTask.person),
                              selectinload(HumanTask.claimed_by)),
                 query.latest_due_first, query.cursor, query.per_page)
    total = _count(stmt) if query.count_all else _capped_count(stmt)
    return Page(page.rows, page.next, page.previous, total)


def counts(user: User) -> dict[str, int]:
    """Open tasks in each tab the user has, without the filters, capped at COUNT_CAP + 1."""
    return {tab: _capped_count(_filtered(user, InboxQuery(tab=tab))) for tab in tabs_for(user)}


def _capped_count(stmt: Select) -> int:
    """Counts at most COUNT_CAP + 1 rows: an index range that stops early, where a full count
    of a manager's hundred thousand open tasks read them all on every page."""
    capped = stmt.with_only_columns(HumanTask.id).order_by(None).limit(COUNT_CAP + 1)
    return db.session.scalar(select(func.count()).select_from(capped.subquery())) or 0


def _count(stmt: Select) -> int:
    whole = stmt.with_only_columns(HumanTask.id).order_by(None)
    return db.session.scalar(select(func.count()).select_from(whole.subquery())) or 0


# Keyset paging. The order is (due_at, id) with tasks that have no due date after all the others;
# "latest due first" is the exact reverse (no due date first, then latest due, higher id first).
def _page(stmt: Select, latest_first: bool, cursor: Cursor | None, size: int) -> Page:
    back = cursor is not None and cursor.back
    rows = _read(stmt, latest_first != back, cursor, size + 1)
    more, rows = len(rows) > size, rows[:size]
    if back:
        if not more:  # back at the top: the first page, full
            return _page(stmt, latest_first, None, size)
        rows.reverse()
        return Page(rows, Cursor.of(rows[-1]), Cursor.of(rows[0], back=True))
    if cursor is not None and not rows:  # the rows after it went meanwhile: the last page
        tail = _read(stmt, not latest_first, None, size + 1)
        rows = tail[:size][::-1]
        return Page(rows, None, Cursor.of(rows[0], back=True) if len(tail) > size else None)
    return Page(rows, Cursor.of(rows[-1]) if more else None,
                Cursor.of(rows[0], back=True) if cursor is not None else None)


def _read(stmt: Select, descending: bool, key: Cursor | None, limit: int) -> list[HumanTask]:
    """Up to `limit` rows of `stmt` strictly after `key` in the order, read backwards when
    `descending`. Dated and undated tasks are read by separate queries, each a plain row
    comparison that an index ending (due_at, id) answers by seeking: one predicate with an OR
    for the NULLs makes both databases filter row by row from the top of the list instead."""
    zones = [True, False] if descending else [False, True]  # undated?
    if key is not None:
        zones = zones[zones.index(key.due_at is None):]
    order = ((HumanTask.due_at.desc(), HumanTask.id.desc()) if descending
             else (HumanTask.due_at.asc(), HumanTask.id.asc()))
    rows: list[HumanTask] = []
    for undated in zones:
        part = stmt.where(HumanTask.due_at.is_(None) if undated
                          else HumanTask.due_at.is_not(None))
        if key is not None and undated == (key.due_at is None):
            part = part.where(_beyond(key, descending))
        rows += db.session.scalars(part.order_by(*order).limit(limit - len(rows)))
        if len(rows) == limit:
            break
    return rows


def _beyond(key: Cursor, descending: bool):
    if key.due_at is None:
        return HumanTask.id < key.task_id if descending else HumanTask.id > key.task_id
    row, at = tuple_(HumanTask.due_at, HumanTask.id), tuple_(key.due_at, key.task_id)
    return row < at if descending else row > at


def due_badge(task: HumanTask, today: date) -> str | None:
    if task.due_at is None:
        return None
    due = task.due_at.astimezone(LOCAL_TZ).date()
    return "overdue" if due < today else "today" if due == today else None


def next_task_for(person_id: int, user: User, after_task_id: int) -> HumanTask | None:
    """The open task for this person, other than the one just done, that the user has taken or
    may take (their role, their team's case, nobody holding it): soonest due first, undated
    last. None when there is none, and the page goes back to the inbox."""
    mine = HumanTask.claimed_by_id == user.id
    takeable = and_(HumanTask.claimed_by_id.is_(None),
                    true() if user.sees_all_teams else and_(
                        HumanTask.role.in_(user.roles), HumanTask.team_id == user.team_id))
    return db.session.scalars(
        select(HumanTask).where(HumanTask.person_id == person_id,
                                HumanTask.id != after_task_id,
                                HumanTask.status == TaskStatus.OPEN, or_(mine, takeable))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id).limit(1)).first()


def days_overdue(task: HumanTask, today: date) -> int:
    """Whole days since the UK local date it was due (0 when not overdue or never due)."""
    if task.due_at is None:
        return 0
    return max(0, (today - task.due_at.astimezone(LOCAL_TZ).date()).days)


# The API's task list: the same visibility as the inbox's tabs, with the API's filters.
@dataclass(frozen=True)
class TaskQuery:
    assignee_me: bool = False
    role: str | None = None
    team_id: int | None = None
    overdue: bool = False
    process: str | None = None
    person_reference: str | None = None
    cursor: Cursor | None = None
    page: int | None = None        # the old numbered pages (OFFSET), kept for older clients
    per_page: int = 25


def _visible_to(user: User):
    """My claimed tasks, and open tasks for my roles on my team's cases (managers: all)."""
    if user.sees_all_teams:
        return True
    return or_(HumanTask.claimed_by_id == user.id,
               and_(HumanTask.claimed_by_id.is_(None), HumanTask.role.in_(user.roles),
                    HumanTask.team_id == user.team_id))


def inbox_query(user: User, query: TaskQuery) -> Select:
    stmt = select(HumanTask).where(HumanTask.status == TaskStatus.OPEN, _visible_to(user))
    if query.assignee_me:
        stmt = stmt.where(HumanTask.claimed_by_id == user.id)
    if query.role:
        stmt = stmt.where(HumanTask.role == query.role)
    if query.team_id:
        stmt = stmt.where(HumanTask.team_id == query.team_id)
    if query.overdue:
        stmt = stmt.where(HumanTask.due_at < local_midnight(clock.today()))
    if query.process:
        stmt = stmt.where(HumanTask.process_key == query.process)
    if query.person_reference:
        stmt = stmt.join(Person, Person.id == HumanTask.person_id).where(
            Person.reference == query.person_reference)
    return stmt


def list_tasks(user: User, query: TaskQuery, with_total: bool = True) -> Page:
    """Soonest due first, from the query's cursor (or its numbered page). The exact total is
    counted only when asked for and the list is read from its top: a client walking on with
    `next` has it from the first page, and each later page stays one index seek."""
    stmt = inbox_query(user, query).options(
        selectinload(HumanTask.person), selectinload(HumanTask.team),
        selectinload(HumanTask.claimed_by))
    if query.page is not None:
        page = _numbered_page(stmt, query.page, query.per_page)
    else:
        page = _page(stmt, False, query.cursor, query.per_page)
    counted = with_total and query.cursor is None
    return Page(page.rows, page.next, total=_count(stmt) if counted else None)


def _numbered_page(stmt: Select, number: int, size: int) -> Page:
    rows = list(db.session.scalars(
        stmt.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
        .limit(size + 1).offset((number - 1) * size)))
    return Page(rows[:size], Cursor.of(rows[size - 1]) if len(rows) > size else None)
