"""Issue 18 "Must show": no engine id in what staff read (docs/content.md).

With the demo data and the clock moved on (reminders sent, timers fired, tasks raised), each
page of each demo case, every open task page of those cases, the inbox's tabs and the History
are rendered as the demo users who use them; the visible text (attributes, scripts and styles
left out) must hold no BPMN element id with an underscore, no letter template code, no role id
with an underscore and no demo username.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import select

from app.demo import DEMO_PASSWORD, DEMO_PEOPLE, DEMO_USERS, seed
from app.extensions import db
from app.letters.catalogue import TEMPLATES
from app.models import DirectPaymentAgreement, HumanTask, Person, User
from app.roles import ROLES
from app.services.debts import daily_jobs
from app.services.inbox import task_actions
from app.services.operations.dashboard import LADDER_ORDER
from app.tasks import HANDLERS
from tests.conftest import set_clock

REPO = Path(__file__).resolve().parents[2]
START = datetime.fromisoformat("2026-03-02T09:00:00+00:00")


# --- what counts as an engine id ---------------------------------------------------------------
def bpmn_ids() -> set[str]:
    """Every element id with an underscore in the shipped diagrams (plain words like "review"
    are ordinary English too, so they cannot count)."""
    ids = set()
    for path in sorted((REPO / "workflows").glob("*.bpmn")):
        for element in ET.parse(path).iter():
            element_id = element.get("id")
            if element_id and "_" in element_id:
                ids.add(element_id)
    return ids


def engine_ids() -> dict[str, str]:
    """Each id staff must never read, with what kind of id it is."""
    found = {i: "diagram id" for i in bpmn_ids()}
    found |= {operation: "step handler" for operation in HANDLERS}
    found |= {stage: "debt stage id" for stage in LADDER_ORDER if "_" in stage}
    for info in TEMPLATES.values():
        found[info.name] = "letter template"
        found[info.ref] = "letter template code"
    # "legal", "admin" and "caseworker" are words staff use; the ids with an underscore are not.
    found |= {role: "role id" for role in ROLES if "_" in role}
    found |= {username: "username" for username, _, _ in DEMO_USERS}
    return found


ENGINE_IDS = engine_ids()
# Whole ids only: "alex" is not in "Alexander", DR-R1 is not in DR-R10. Case matters, so the
# username "lee" is not found in the full name "Lee Legal".
PATTERN = re.compile("|".join(rf"(?<![\w-]){re.escape(i)}(?![\w-])"
                              for i in sorted(ENGINE_IDS, key=len, reverse=True)))


class VisibleText(HTMLParser):
    """The text a person reads (screen-reader-only text included): no attributes, no scripts,
    styles or templates, no element marked hidden."""

    SKIP = {"script", "style", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if self.skipping or tag in self.SKIP or any(name == "hidden" for name, _ in attrs):
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = VisibleText()
    parser.feed(page)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def engine_words_in(page: str) -> list[str]:
    return sorted(set(PATTERN.findall(visible_text(page))))


# --- the demo, some weeks on -------------------------------------------------------------------
def demo_weeks_on() -> None:
    """Seed the demo and move the clock on a week at a time for eight weeks, running the daily
    jobs and the due timers each time: reminders and the final demand go, tasks are raised."""
    seed()
    db.session.commit()
    for week in range(9):
        set_clock(START + timedelta(days=7 * week))
        daily_jobs.run_due()
        db.session.commit()
    # Someone has taken a task, so "taken by" has a name to show (never the username).
    alex = db.session.scalar(select(User).where(User.username == "alex"))
    task_actions.claim(db.session.scalar(select(HumanTask.id).where(
        HumanTask.status == "open", HumanTask.role.in_(list(alex.roles))).order_by(HumanTask.id)), alex)
    db.session.commit()


def sign_in(app, username: str):
    client = app.test_client()
    g.pop("csrf_token", None)  # one app context for every request (see test_web_pages.csrf)
    form = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/sign-in", data={"username": username, "password": DEMO_PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 302, response.text
    return client


def open_task_ids() -> list[int]:
    references = [p["reference"] for p in DEMO_PEOPLE]
    return list(db.session.scalars(
        select(HumanTask.id).join(Person, Person.id == HumanTask.person_id)
        .where(Person.reference.in_(references), HumanTask.status == "open")
        .order_by(HumanTask.id)))


CASE_PAGES = {"case summary": "", "case money": "/money", "case debts": "/debts",
              "case direct payments": "/direct-payments", "case letters": "/letters",
              "case notes": "/notes", "history": "/history"}
SYSTEM_STEPS = "history with system steps"
INBOX_TABS = {"inbox my tasks": "mine", "inbox my team's tasks": "team",
              "inbox all open tasks": "all"}
MANAGER_PAGES = {"operations": "/operations", "processes": "/processes",
                 "direct payment returns": "/reports/direct-payments"}
DIRECT_PAYMENT = "direct payment"  # the page of each demo direct payment being paid


def paths_of(page: str) -> list[str]:
    if page in CASE_PAGES:
        return [f"/people/{p['reference']}{CASE_PAGES[page]}" for p in DEMO_PEOPLE]
    if page == SYSTEM_STEPS:
        return [f"/people/{p['reference']}/history?timeline=all&show_system=1"
                for p in DEMO_PEOPLE]
    if page in INBOX_TABS:
        return [f"/?tab={INBOX_TABS[page]}"]
    if page in MANAGER_PAGES:
        return [MANAGER_PAGES[page]]
    if page == DIRECT_PAYMENT:
        return [f"/people/{reference}/direct-payment" for reference in db.session.scalars(
            select(Person.reference).join(DirectPaymentAgreement,
                                          DirectPaymentAgreement.person_id == Person.id)
            .where(DirectPaymentAgreement.status != "proposed").distinct())]
    assert page == "task pages"
    return [f"/tasks/{task_id}" for task_id in open_task_ids()]


# Who reads each page: the finance team and the social worker on the case pages and tasks;
# every tab of the inbox for those it is offered to.
READERS = {
    **{page: ("alex", "olu", "mina", "sam") for page in CASE_PAGES},
    SYSTEM_STEPS: ("alex", "mina"),
    "task pages": ("alex", "olu", "mina"),
    "inbox my tasks": ("alex", "olu", "mina", "sam", "lee"),
    "inbox my team's tasks": ("alex", "olu", "mina", "sam", "lee"),
    "inbox all open tasks": ("mina", "ada"),
    "operations": ("mina", "ada"),
    "processes": ("mina",),
    "direct payment returns": ("mina", "ada"),
    DIRECT_PAYMENT: ("alex", "olu", "mina", "sam"),
}

def test_no_engine_id_in_what_staff_read(app):
    """Every page of READERS as each of its readers, on one demo moved eight weeks on (seeding
    it once per page and reader cost minutes of the suite for the same pages)."""
    demo_weeks_on()
    shown: dict[str, list[str]] = {}
    for page, users in READERS.items():
        paths = paths_of(page)
        assert paths, f"the demo has nothing for {page}"
        for username in users:
            client = sign_in(app, username)
            for path in paths:
                response = client.get(path)
                assert response.status_code == 200, f"{path} as {username}: {response.status_code}"
                if words := engine_words_in(response.text):
                    shown[f"{page}: {path} as {username}"] = [
                        f"{w} ({ENGINE_IDS[w]})" for w in words]
    assert shown == {}


# --- the test's own parts ----------------------------------------------------------------------
def test_the_ids_come_from_every_source():
    assert {"legal_step", "after_reminder_1", "final_demand"} <= set(ENGINE_IDS)
    assert {"DP-AGR-R1", "dp_reminder_1", "finance_assistant", "alex"} <= set(ENGINE_IDS)
    assert "legal" not in ENGINE_IDS  # a word staff use


@pytest.mark.parametrize(("page", "found"), [
    ('<p title="legal_step">Prepare the <b>Letter of Claim</b></p>', []),
    ('<input type="hidden" name="x" value="alex"><p>Alex Assistant</p>', []),
    ("<script>var a = 'dp_reminder_1';</script><p>Reminder</p>", []),
    ("<p hidden>olu</p><p>Olu Officer</p>", []),
    ("<p>Claimed by alex</p>", ["alex"]),
    ("<td>DP-AGR-R1 v1</td><td>for the role finance_assistant</td>",
     ["DP-AGR-R1", "finance_assistant"]),
    ('<span class="govuk-visually-hidden">step after_reminder_1</span>', ["after_reminder_1"]),
    ("<p>Alexander, DR-R10</p>", []),
])
def test_only_visible_text_counts(page, found):
    assert engine_words_in(page) == found
