"""Issue 18 part 5, a diagram that helps: on a task page the debt-recovery diagram is drawn with
readable text (scale 1 or more: bpmn-js's 12 px labels), scrolls sideways inside its box rather
than off the page, has Zoom in / Zoom out / Fit to width buttons, names the current step in
words, is one image with a name (no Tab stop of its own) and keeps the bpmn.io link out of the
tab order. Checked at 1280 and 320 px wide with axe (no violations of any impact)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import HumanTask
from tests.integration.test_no_engine_words import demo_weeks_on

from .conftest import axe_violations, screenshot, sign_in

DIAGRAM = ".app-bpmn-viewer[data-bpmn-state='ready']"


@pytest.fixture
def debt_phone_task(app) -> int:
    demo_weeks_on()
    task_id = db.session.scalar(select(HumanTask.id).where(
        HumanTask.name == "phone_contact", HumanTask.status == "open").order_by(HumanTask.id))
    db.session.commit()
    assert task_id is not None
    return task_id



def open_task(page, live_url, task_id: int, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_url, "alex", DEMO_PASSWORD)
    page.goto(f"{live_url}/tasks/{task_id}")
    expect(page.locator(DIAGRAM)).to_have_count(1)


def scale(page) -> float:
    return float(page.locator(DIAGRAM).get_attribute("data-bpmn-scale"))


@pytest.mark.parametrize("width", [1280, 320])
def test_the_task_diagram_is_readable_named_and_zooms(debt_phone_task, live_url, page, width):
    open_task(page, live_url, debt_phone_task, width)
    diagram = page.locator(DIAGRAM)

    # Readable: never drawn smaller than scale 1; its box stays inside the page and scrolls.
    assert scale(page) >= 1
    box = page.locator("[data-bpmn-box]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    label = page.locator(f"{DIAGRAM} .djs-label tspan").first
    assert label.bounding_box()["height"] >= 11  # about 12 px text on the screen

    # The current step in words beside the diagram, and an image with a name.
    expect(page.locator(".app-bpmn-current")).to_have_text(
        "This task: Phone the person about the overdue charges")
    expect(diagram).to_have_attribute("role", "group")
    expect(diagram).to_have_attribute("aria-label", "Process diagram")
    drawing = page.locator(f"{DIAGRAM} svg[role=img]")
    expect(drawing).to_have_attribute("role", "img")
    assert "Phone the person about the overdue charges" in drawing.get_attribute("aria-label")
    expect(page.locator(f"{DIAGRAM} .djs-element.highlight")).to_have_count(1)

    # Not a Tab stop of its own; the bpmn.io link is visible but out of the tab order.
    assert diagram.get_attribute("tabindex") is None
    assert page.locator(f"{DIAGRAM} [tabindex]:not([tabindex='-1'])").count() == 0
    logo = page.locator(".app-bpmn-credit a.bjs-powered-by")
    expect(logo).to_be_visible()
    assert logo.bounding_box()["x"] + logo.bounding_box()["width"] <= width  # in view
    expect(logo).to_have_attribute("tabindex", "-1")
    expect(logo).to_have_attribute("aria-hidden", "true")

    assert axe_violations(page) == []
    screenshot(page, f"task-diagram-{width}")

    # Zoom buttons are buttons, and they zoom.
    before = scale(page)
    page.get_by_role("button", name="Zoom in").click()
    assert scale(page) > before
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    assert scale(page) < before
    page.get_by_role("button", name="Fit to width").click()
    box = page.locator("[data-bpmn-box]")
    assert abs(box.evaluate("b => b.scrollWidth - b.clientWidth")) <= 2  # the whole width shows
    screenshot(page, f"task-diagram-{width}-fitted")


def test_a_diagram_wider_than_its_box_scrolls_inside_it_by_keyboard(debt_phone_task, live_url,
                                                                     page):
    open_task(page, live_url, debt_phone_task, 1280)
    box = page.locator("[data-bpmn-box]")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the debt diagram is wide
    # A box that scrolls must be reachable by keyboard, and says what it is.
    expect(box).to_have_attribute("tabindex", "0")
    expect(box).to_have_attribute("role", "region")
    # It opens on the current step: the marked task is inside the visible part of the box.
    marked = page.locator(f"{DIAGRAM} .djs-element.highlight").bounding_box()
    shown = box.bounding_box()
    assert shown["x"] <= marked["x"] and marked["x"] + marked["width"] <= shown["x"] + shown["width"]
    box.focus()
    start = box.evaluate("b => b.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([b, s]) => b.scrollLeft !== s", arg=[box.element_handle(), start])
