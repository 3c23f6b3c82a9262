"""Issue 19 part 5: a manager sets a timer in words in the modeler's properties panel, with no
code to type. "When the timer is due" offers working days, calendar days or a setting's number
of days after a date the process declares, and reads an existing timer back into those words; a
slip is said in a sentence, by the panel and by the server's check at save."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from app.engine import diagrams
from app.extensions import db
from app.services.processes import definitions, instances
from tests.conftest import PASSWORD

from .conftest import axe_violations, screenshot, sign_in
from .test_modeler import MODELER, open_group, save
from .test_modeler import running_case  # noqa: F401 (the fixture: a case on version 1)

pytestmark = pytest.mark.usefixtures("running_case")

KEY = "direct_payment_agreement"
GROUP = "When it is due"
SETTING_WORDS = ("T1: reminder 1 when the signed agreement is not back this many working days "
                 "after the pack was sent (now 10 working days)")


def open_modeler(page, live_url) -> None:
    sign_in(page, live_url, "fm", PASSWORD)
    page.goto(live_url + MODELER)
    expect(page.locator("#modeler[data-modeler-state='ready']")).to_have_count(1)


def select_timer(page, element_id: str) -> None:
    page.evaluate("""id => {
        const modeler = window.caseworkModeler;
        modeler.get('selection').select(modeler.get('elementRegistry').get(id));
    }""", element_id)
    open_group(page, GROUP)
    expect(page.locator(".app-timer-words")).to_be_visible()


def timer_text(page, element_id: str) -> str:
    return page.evaluate("""id => {
        const timer = window.caseworkModeler.get('elementRegistry').get(id)
            .businessObject.eventDefinitions[0];
        return timer.timeDate ? timer.timeDate.body : null;
    }""", element_id)


def saved_timer(element_id: str) -> str:
    db.session.expire_all()
    xml = definitions.get_definition(KEY).draft_xml
    tree = diagrams.parse_xml(xml)
    B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    node = tree.getroot().find(f".//{B}*[@id='{element_id}']/{B}timerEventDefinition/{B}timeDate")
    return node.text


def test_ten_working_days_after_the_pack_was_sent_without_typing_code(live_url, page):
    open_modeler(page, live_url)
    select_timer(page, "reminder_1_due")
    # Read back: the shipped timer is the setting's number of days after the pack was sent.
    expect(page.locator("#timer-words-form-setting")).to_be_checked()
    expect(page.locator("#timer-words-setting option:checked")).to_have_text(SETTING_WORDS)
    expect(page.locator("#timer-words-date option:checked")).to_have_text(
        "the date the pack was sent")
    expect(page.locator("#timer-words-summary")).to_have_text(
        "Due: 10 working days, from the setting “T1: reminder 1 when the signed agreement is not "
        "back this many working days after the pack was sent”, after the date the pack was sent")

    # By keyboard: the radio, then the number; the date is chosen from the list in words.
    page.focus("#timer-words-form-setting")
    page.keyboard.press("ArrowUp")  # a radio group moves with the arrows
    page.keyboard.press("ArrowUp")
    expect(page.locator("#timer-words-form-working")).to_be_checked()
    expect(page.locator("label[for='timer-words-count']")).to_have_text("Number of working days")
    page.focus("#timer-words-count")
    page.keyboard.type("10")
    page.keyboard.press("Tab")
    expect(page.locator("#timer-words-date")).to_be_focused()
    expect(page.locator("#timer-words-date option:checked")).to_have_text(
        "the date the pack was sent")
    expect(page.locator("#timer-words-summary")).to_have_text(
        "Due: 10 working days after the date the pack was sent")
    assert timer_text(page, "reminder_1_due") == "add_working_days(sent_date, 10)"
    assert axe_violations(page) == []
    screenshot(page, "modeler-timer-in-words")

    save(page)
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "0")
    assert saved_timer("reminder_1_due") == "add_working_days(sent_date, 10)"
    xml = definitions.get_definition(KEY).draft_xml
    assert [p for p in definitions.lint(xml, KEY) if not p.warning] == []

    # Published, a new case waits 10 working days from the pack: Mon 2 March -> Mon 16 March.
    page.click("#publish")
    expect(page).to_have_url(re.compile(rf"/processes/{KEY}\?published=2"))
    from tests.workflows.test_direct_payment_agreement import user

    db.session.expire_all()
    new = instances.start_instance(KEY, "P2", {}, user("fa"))
    db.session.commit()
    assert new.version.number == 2
    assert new.next_timer_due == datetime(2026, 3, 16, 7, tzinfo=timezone.utc)


def test_a_slip_is_said_in_words_and_changes_nothing(live_url, page):
    open_modeler(page, live_url)
    select_timer(page, "reminder_2_due")
    before = timer_text(page, "reminder_2_due")
    page.check("#timer-words-form-calendar")
    page.fill("#timer-words-count", "2.5")
    page.keyboard.press("Tab")
    error = page.locator("#timer-words-count-error")
    expect(error).to_have_text("Error: Write the number of days as a whole number")
    expect(page.locator("#timer-words-count")).to_have_attribute(
        "aria-describedby", "timer-words-count-error")
    assert timer_text(page, "reminder_2_due") == before
    expect(page.locator("#timer-words-summary")).to_contain_text(
        "Not changed yet. The timer is still due: 10 working days, from the setting")
    assert axe_violations(page) == []
    screenshot(page, "modeler-timer-slip")

    page.fill("#timer-words-count", "-3")
    page.keyboard.press("Tab")
    expect(error).to_have_text("Error: The number of days must be 0 or more")
    page.fill("#timer-words-count", "14")
    page.keyboard.press("Tab")
    expect(error).to_have_count(0)
    page.check("#timer-words-next")
    assert timer_text(page, "reminder_2_due") == "next_working_day(add_calendar_days(r1_date, 14))"
    expect(page.locator("#timer-words-summary")).to_have_text(
        "Due: 14 calendar days after the date the letter from ‘Send reminder 1’ was sent, or the "
        "next working day after it")


def test_an_expression_the_server_cannot_read_is_said_in_a_sentence(live_url, page):
    open_modeler(page, live_url)
    select_timer(page, "decision_due")
    page.check("#timer-words-form-advanced")
    expression = page.locator("#timer-words-expression")
    expect(expression).to_have_value('add_working_days(r2_date, setting("dp_decision_working_days"))')
    expression.fill("add_working_days(r2_date, 10")
    page.keyboard.press("Tab")
    save(page)
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "1")
    problems = page.locator("#problems")
    expect(problems).to_contain_text(
        "T3: decision due: The timer could not be read: check its brackets, commas and "
        "quotation marks, or choose one of the simple forms in the panel")
    assert "syntax error" not in problems.inner_text()
    assert axe_violations(page) == []


def test_a_new_timer_is_set_in_words_from_nothing(live_url, page):
    open_modeler(page, live_url)
    page.evaluate("""() => {
        const modeler = window.caseworkModeler;
        const factory = modeler.get('bpmnFactory'), registry = modeler.get('elementRegistry');
        const timer = factory.create('bpmn:TimerEventDefinition');
        const event = factory.create('bpmn:IntermediateCatchEvent', {
            id: 'new_wait', name: 'Wait', eventDefinitions: [timer]});
        timer.$parent = event;
        const shape = modeler.get('elementFactory').createShape({
            type: 'bpmn:IntermediateCatchEvent', businessObject: event});
        const parent = registry.get('reminder_1_due').parent;
        modeler.get('modeling').createShape(shape, {x: 900, y: 60}, parent);
    }""")
    select_timer(page, "new_wait")
    expect(page.locator(".app-timer-words input[type=radio]:checked")).to_have_count(0)
    page.check("#timer-words-form-working")
    page.fill("#timer-words-count", "5")
    page.keyboard.press("Tab")
    assert timer_text(page, "new_wait") is None  # no date yet: nothing written
    page.select_option("#timer-words-date", label="the day the case reaches this timer")
    assert timer_text(page, "new_wait") == "add_working_days(today(), 5)"
    expect(page.locator("#timer-words-summary")).to_have_text(
        "Due: 5 working days after the day the case reaches this timer")


def test_each_shipped_timer_reads_back_in_words(live_url, page):
    open_modeler(page, live_url)
    summaries = {
        "reminder_1_due": "after the date the pack was sent",
        "reminder_2_due": "after the date the letter from ‘Send reminder 1’ was sent",
        "decision_due": "after the date the letter from ‘Send reminder 2’ was sent",
        "extension_ends": "after the day the case reaches this timer",
    }
    for element_id, words in summaries.items():
        select_timer(page, element_id)
        expect(page.locator(".app-timer-words")).to_have_attribute("data-timer-form", "setting")
        expect(page.locator("#timer-words-summary")).to_contain_text(words)


# (as written, as read back, as the panel writes it again)
PARSED = [
    ("add_working_days(sent_date, 10)",
     {"form": "working", "date": "sent_date", "count": "10", "nextWorkingDay": False},
     "add_working_days(sent_date, 10)"),
    (" add_working_days( sent_date ,10 ) ",
     {"form": "working", "date": "sent_date", "count": "10", "nextWorkingDay": False},
     "add_working_days(sent_date, 10)"),
    ("add_calendar_days(today( ), 0)",
     {"form": "calendar", "date": "today()", "count": "0", "nextWorkingDay": False},
     "add_calendar_days(today(), 0)"),
    ("next_working_day(add_calendar_days(invoice_date, 28))",
     {"form": "calendar", "date": "invoice_date", "count": "28", "nextWorkingDay": True},
     "next_working_day(add_calendar_days(invoice_date, 28))"),
    ('add_working_days(r1_date, setting("dp_reminder_2_working_days"))',
     {"form": "setting", "date": "r1_date", "setting": "dp_reminder_2_working_days",
      "nextWorkingDay": False},
     'add_working_days(r1_date, setting("dp_reminder_2_working_days"))'),
    ("next_working_day(add_calendar_days(r1_date, setting('debt_final_demand_days')))",
     {"form": "setting", "date": "r1_date", "setting": "debt_final_demand_days",
      "nextWorkingDay": True},
     'next_working_day(add_calendar_days(r1_date, setting("debt_final_demand_days")))'),
]
NOT_SIMPLE = [
    "add_months(review_on, 1)",  # months: Advanced
    "add_working_days(sent_date, 2.5)",
    "add_working_days(sent_date, 010)",  # not a number Python reads
    "add_working_days(sent_date, 99999)",  # above the calendar's bound
    'add_working_days(sent_date, setting("debt_final_demand_days"))',  # a calendar-days setting
    'add_working_days(sent_date, setting("no_such_setting"))',
    "next_working_day(add_working_days(sent_date, 10))",
    "next_working_day(add_calendar_days(sent_date, 10)",
    "add_working_days(sent_date.x, 10)",
    "${add_working_days(sent_date, 10)}",
    "P10D",
    "",
]


def test_parse_back_reads_each_simple_form_and_writes_it_again(live_url, page):
    open_modeler(page, live_url)
    results = page.evaluate("""texts => texts.map(text => {
        const words = window.caseworkTimerWords, settings = words.choices.settings;
        const parsed = words.parseTimer(text, settings);
        return [parsed, parsed && words.composeTimer(parsed, settings)];
    })""", [expression for expression, _, _ in PARSED])
    assert results == [[parsed, written] for _, parsed, written in PARSED]


def test_parse_back_leaves_anything_else_to_advanced(live_url, page):
    open_modeler(page, live_url)
    parsed = page.evaluate("""texts => texts.map(text => window.caseworkTimerWords.parseTimer(
        text, window.caseworkTimerWords.choices.settings))""", NOT_SIMPLE)
    assert parsed == [None] * len(NOT_SIMPLE)


def test_the_timer_fields_fit_a_320_pixel_screen(live_url, page):
    page.set_viewport_size({"width": 320, "height": 800})
    open_modeler(page, live_url)
    select_timer(page, "reminder_1_due")
    page.check("#timer-words-form-working")
    panel_overflow = page.evaluate("""() => {
        const panel = document.querySelector('#properties');
        return panel.scrollWidth - panel.clientWidth;
    }""")
    assert panel_overflow <= 0
    for field in ("#timer-words-count", "#timer-words-date", "label[for='timer-words-date']"):
        box = page.locator(field).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, (field, box)
    screenshot(page, "modeler-timer-320")
