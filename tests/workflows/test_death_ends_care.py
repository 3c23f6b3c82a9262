"""A death recorded raises a task to end each of the person's care packages still running, and the
date the finance assistant gives ends the package (issue 15 item 5)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import CarePackage, HumanTask, Provider, TaskStatus
from app.roles import Role
from app.services.estates import deaths
from app.services.inbox import task_actions
from tests.integration.test_web_pages import signed_in

from .debt_helpers import person_account, sweep, user


def packages_for(person_id: int) -> tuple[CarePackage, CarePackage, CarePackage]:
    provider = Provider(reference="PRV-1", name="Kind Care Ltd")
    db.session.add(provider)
    db.session.flush()

    def package(reference: str, service: str, end: date | None) -> CarePackage:
        row = CarePackage(reference=reference, person_id=person_id, provider_id=provider.id,
                          service=service, weekly_cost=Decimal("350.00"),
                          purchase_order=f"PO-{reference}", start_date=date(2025, 6, 2),
                          end_date=end)
        db.session.add(row)
        return row

    running = package("CP-1", "Home care", None)
    booked_to_run_on = package("CP-2", "Day centre", date(2026, 12, 31))
    ended = package("CP-3", "Respite", date(2026, 1, 9))
    db.session.commit()
    return running, booked_to_run_on, ended


def end_tasks(person_id: int) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(
        HumanTask.person_id == person_id, HumanTask.name == "end_care_package")
        .order_by(HumanTask.id)))


def test_a_death_raises_a_task_to_end_each_care_package_still_running(staff):
    account = person_account("P5501", "Elsie End")
    running, booked, ended = packages_for(account.person_id)
    sweep("2026-03-02", "10:00")

    deaths.record_death(account.person, date(2026, 2, 27), user("fa"))

    tasks = end_tasks(account.person_id)
    assert [t.title for t in tasks] == [
        "End care package CP-1 (Home care): the person has died",
        "End care package CP-2 (Day centre): the person has died"]
    assert {(t.role, t.status, t.instance_id) for t in tasks} == {
        (Role.FINANCE_ASSISTANT, TaskStatus.OPEN, None)}
    assert tasks[0].due_at is not None

    with pytest.raises(ValidationFailed):
        task_actions.complete(tasks[0].id, {"end_date": "2025-05-01"}, user("fa"))  # before it began
    task_actions.complete(tasks[0].id, {"end_date": "2026-02-27"}, user("fa"))
    db.session.expire_all()
    assert db.session.get(CarePackage, running.id).end_date == date(2026, 2, 27)
    assert db.session.get(CarePackage, booked.id).end_date == date(2026, 12, 31)  # still open
    assert db.session.get(CarePackage, ended.id).end_date == date(2026, 1, 9)
    assert end_tasks(account.person_id)[0].status == TaskStatus.COMPLETED


def test_the_end_task_has_its_own_page_without_a_diagram(staff, client):
    account = person_account("P5502", "Ernest End")
    packages_for(account.person_id)
    sweep("2026-03-02", "10:00")
    deaths.record_death(account.person, date(2026, 2, 27), user("fa"))
    task = end_tasks(account.person_id)[0]
    signed_in(client, "fa")

    page = client.get(f"/tasks/{task.id}")
    assert page.status_code == 200
    assert "What date did the care end?" in page.text and "app-bpmn-viewer" not in page.text
    assert client.get(f"/tasks/{task.id}/diagram.bpmn").status_code == 404
