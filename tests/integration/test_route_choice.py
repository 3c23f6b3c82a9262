"""A case stopped at a gateway whose conditions overlapped: an operator chooses one of the routes
that held on the Operations page, and the case goes on (audited); nothing else can be chosen."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, InstanceStatus
from app.services.inbox import task_actions
from app.services.processes import definitions, instances
from tests.integration.test_process_pages import manager
from tests.integration.test_scheduler import add_person, user
from tests.unit.test_gateway_routes import choice


@pytest.fixture
def stopped(app, staff, tmp_path: Path):
    return stop_at_overlapping_conditions(tmp_path)


def stop_at_overlapping_conditions(tmp_path: Path) -> int:
    """Case P-R answered both 'deceased' and 'concern': stopped at the gateway; its id."""
    (tmp_path / "snippet.bpmn").write_bytes(choice())
    definitions.sync_workflows(tmp_path)
    add_person("P-R")
    instance = instances.start_instance("snippet", "P-R", {}, user("fo"))
    ask = instances.open_tasks(instance)[0]
    task_actions.complete(ask.id, {"deceased": True, "concern": True}, user("fo"))
    db.session.expire_all()
    assert instance.status == InstanceStatus.INCIDENT
    return instance.id


def test_the_operator_chooses_a_route_that_held_and_the_case_goes_on(stopped, client):
    fm, token = manager(client)
    page = fm.get("/operations").text
    assert "Which route does the work for Test Person (person id P-R) take?" in page
    assert 'value="estate"' in page and 'value="review"' in page and 'value="clear"' not in page

    response = fm.post(f"/operations/instances/{stopped}/route",
                       data={"route": "review", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    instance = instances.get_instance(stopped)
    assert instance.status == InstanceStatus.ACTIVE
    assert [t.name for t in instances.open_tasks(instance)] == ["review"]
    chosen = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "route_chosen"))
    assert (chosen.element_id, chosen.summary["route"]) == ("outcome", "review")


@pytest.mark.parametrize("route", ["", "clear", "nowhere"])
def test_no_route_or_one_that_did_not_hold_changes_nothing(stopped, client, route):
    fm, token = manager(client)
    response = fm.post(f"/operations/instances/{stopped}/route",
                       data={"route": route, "csrf_token": token}, follow_redirects=True)
    assert "The route was not taken" in response.text
    db.session.expire_all()
    instance = instances.get_instance(stopped)
    assert instance.status == InstanceStatus.INCIDENT
    assert instances.open_incidents(instance)


def test_assistants_cannot_choose_a_route(stopped, client):
    from tests.integration.test_web_pages import csrf, signed_in

    signed_in(client, "fa")
    token = csrf(client, "/")
    assert client.post(f"/operations/instances/{stopped}/route",
                       data={"route": "review", "csrf_token": token}).status_code == 403
