"""Care packages after a death: a task to end each one still running, and the end date it gives.

Nothing ends a package by itself: the finance assistant confirms with the provider the day the
care stopped, so the provider is paid, and the person charged, for care given and no more.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from sqlalchemy import or_, select

from app import calendar, clock
from app.domain.forms import as_date
from app.extensions import db
from app.models import CarePackage, HumanTask, Person, TaskStatus
from app.roles import Role
from app.services import audit, settings

PROCESS_KEY = "care_package"  # not a diagram: what these tasks are about, shown in the inbox
END_TASK = "end_care_package"
END_FORM = [
    {"id": "end_date", "label": "What date did the care end?", "type": "date",
     "required": True, "options": []},
    {"id": "notes", "label": "Notes", "type": "note", "required": False, "options": []},
]


def raise_end_tasks(person: Person, date_of_death: date) -> list[HumanTask]:
    """A task for each package running on the day of death (a later end date booked, or none)."""
    packages = db.session.scalars(select(CarePackage).where(
        CarePackage.person_id == person.id, CarePackage.start_date <= date_of_death,
        or_(CarePackage.end_date.is_(None), CarePackage.end_date > date_of_death))
        .order_by(CarePackage.start_date, CarePackage.id))
    return [_end_task(person, package, date_of_death) for package in packages]


def _end_task(person: Person, package: CarePackage, date_of_death: date) -> HumanTask:
    engine_task_id = f"care-end-{package.id}"  # one per package, however often a death is redone
    existing = db.session.scalar(select(HumanTask).where(
        HumanTask.engine_task_id == engine_task_id))
    if existing is not None:
        return existing
    due = calendar.add_working_days(clock.today(),
                                    settings.integer("care_end_task_due_working_days"))
    task = HumanTask(instance_id=None, engine_task_id=engine_task_id, source="service",
                     name=END_TASK, process_key=PROCESS_KEY, role=Role.FINANCE_ASSISTANT,
                     title=f"End care package {package.reference} ({package.service}): "
                           "the person has died",
                     team_id=person.team_id, person_id=person.id,
                     due_at=calendar.at_local_hour(due),
                     form=[{**END_FORM[0], "default": date_of_death.isoformat()}, END_FORM[1]],
                     status=TaskStatus.OPEN, created_at=clock.now())
    db.session.add(task)
    db.session.flush()
    audit.record("care_end_task_raised", actor=None, person_id=person.id, task_id=task.id,
                 summary={"care_package": package.reference})
    return task


def check_end_date(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    package = _package_of(task)
    ended = as_date(form.get("end_date"))
    if ended is not None and ended < package.start_date:
        started = f"{package.start_date.day} {package.start_date:%B %Y}"
        return [{"field": "end_date",
                 "message": f"The end date must be on or after the day the care began, {started}"}]
    return []


def record_end(task: HumanTask) -> None:
    """The task's answer ends the package (its completion and this are one transaction)."""
    package = _package_of(task)
    assert task.outcome is not None  # set when the task is completed
    package.end_date = date.fromisoformat(task.outcome["end_date"])
    audit.record("care_package_ended", actor=None, person_id=task.person_id, task_id=task.id,
                 summary={"care_package": package.reference,
                          "end_date": package.end_date.isoformat()})


def _package_of(task: HumanTask) -> CarePackage:
    return db.session.get_one(CarePackage, int(task.engine_task_id.removeprefix("care-end-")))


CHECKS = {(PROCESS_KEY, END_TASK): check_end_date}
