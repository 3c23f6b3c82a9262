"""The task inbox the browser shows: three tabs, filters, sorting, pages and a count per tab.

My tasks are the ones I claimed; my team's are unclaimed tasks for my roles on my team's cases;
managers (and admins) also see every open task. Paging and counts are done in SQL so the inbox
stays quick with a hundred thousand open tasks (bench/inbox.py measures it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.calendar import LOCAL_TZ
from app.errors import Forbidden
from app.extensions import db
from app.models import HumanTask, Person, PersonNameToken, TaskStatus, User
from app.services.records.people import name_tokens

TABS = ("mine", "team", "all")
TAB_TITLES = {"mine": "My tasks", "team": "My team's tasks", "all": "All open tasks"}


@dataclass(frozen=True)
class InboxQuery:
    tab: str = "mine"
    process: str | None = None
    overdue: bool = False
    due_before: date | None = None
    person: str | None = None      # a person id, or a word starting one of their names
    latest_due_first: bool = False
    page: int = 1
    per_page: int = 25


def tabs_for(user: User) -> tuple[str, ...]:
    return TABS if user.sees_all_teams else TABS[:2]


def _tab_filter(user: User, tab: str):
    if tab not in tabs_for(user):
        raise Forbidden("only managers see all open tasks")
    if tab == "mine":
        return HumanTask.claimed_by_id == user.id
    if tab == "team":
        return and_(HumanTask.claimed_by_id.is_(None), HumanTask.role.in_(user.roles),
                    HumanTask.team_id == user.team_id)
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
    return list(db.session.scalars(select(User).where(User.active).order_by(User.username)))


def inbox(user: User, query: InboxQuery) -> tuple[list[HumanTask], int]:
    stmt = _filtered(user, query)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    due = HumanTask.due_at.desc() if query.latest_due_first else HumanTask.due_at
    rows = db.session.scalars(
        stmt.options(selectinload(HumanTask.person), selectinload(HumanTask.claimed_by))
        .order_by(HumanTask.due_at.is_(None), due, HumanTask.id)
        .limit(query.per_page).offset((query.page - 1) * query.per_page))
    return list(rows), total


def counts(user: User) -> dict[str, int]:
    """Open tasks in each tab the user has, without the filters."""
    return {tab: db.session.scalar(select(func.count()).select_from(
        _filtered(user, InboxQuery(tab=tab)).subquery())) or 0 for tab in tabs_for(user)}


def due_badge(task: HumanTask, today: date) -> str | None:
    if task.due_at is None:
        return None
    due = task.due_at.astimezone(LOCAL_TZ).date()
    return "overdue" if due < today else "today" if due == today else None


# The API's task list: the same visibility as the inbox's tabs, with the API's filters.
@dataclass(frozen=True)
class TaskQuery:
    assignee_me: bool = False
    role: str | None = None
    team_id: int | None = None
    overdue: bool = False
    process: str | None = None
    person_reference: str | None = None
    page: int = 1
    per_page: int = 25


def _visible_to(user: User):
    """My claimed tasks, and open tasks for my roles on my team's cases (managers: all)."""
    if user.sees_all_teams:
        return True
    return or_(HumanTask.claimed_by_id == user.id,
               and_(HumanTask.claimed_by_id.is_(None), HumanTask.role.in_(user.roles),
                    HumanTask.team_id == user.team_id))


def _start_of_today():
    local_midnight = clock.now().astimezone(LOCAL_TZ).replace(hour=0, minute=0, second=0,
                                                              microsecond=0)
    return local_midnight


def inbox_query(user: User, query: TaskQuery) -> Select:
    stmt = select(HumanTask).where(HumanTask.status == TaskStatus.OPEN, _visible_to(user))
    if query.assignee_me:
        stmt = stmt.where(HumanTask.claimed_by_id == user.id)
    if query.role:
        stmt = stmt.where(HumanTask.role == query.role)
    if query.team_id:
        stmt = stmt.where(HumanTask.team_id == query.team_id)
    if query.overdue:
        stmt = stmt.where(HumanTask.due_at < _start_of_today())
    if query.process:
        stmt = stmt.where(HumanTask.process_key == query.process)
    if query.person_reference:
        stmt = stmt.join(Person, Person.id == HumanTask.person_id).where(
            Person.reference == query.person_reference)
    return stmt


def list_tasks(user: User, query: TaskQuery) -> tuple[list[HumanTask], int]:
    stmt = inbox_query(user, query)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(
        stmt.options(selectinload(HumanTask.person), selectinload(HumanTask.team),
                     selectinload(HumanTask.claimed_by))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
        .limit(query.per_page).offset((query.page - 1) * query.per_page))
    return list(rows), total or 0
