"""The settings pages for managers: every setting in words with its value, default and whether a
change reaches running cases; a change page per setting with GOV.UK errors that change nothing,
audited as the API is; 403 and no link for everyone else; double and stale forms refused (409)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain import settings_catalogue as catalogue
from app.domain.settings_guide import GROUPS, GUIDE, Effect
from app.extensions import db
from app.models import AuditEvent, User
from app.services import settings
from tests.integration.action_pages import open_form, signed_in, submit

KEY = "dp_reminder_1_working_days"
URL = f"/settings/{KEY}"


def audited() -> list[dict]:
    """The settings changes audited (the frozen test clock is stored as one too)."""
    return [e.summary for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "setting_changed"))
        if e.summary["key"] != settings.CLOCK_KEY]


def test_every_setting_has_words_a_group_and_an_effect():
    assert set(GUIDE) == set(catalogue.keys())
    for key, words in GUIDE.items():
        assert words.group in GROUPS and words.title and "_" not in words.title, key
        if words.effect in (Effect.NEXT_USE, Effect.NOT_USED):
            assert words.when, key


@pytest.mark.parametrize("username", ["fm", "admin"])
def test_managers_see_every_setting_in_words(staff, client, username):
    signed_in(client, username)
    inbox = client.get("/").text
    assert 'href="/settings"' in inbox
    page = client.get("/settings")
    assert page.status_code == 200
    text = page.text
    assert "First reminder after the agreement pack" in text
    assert ("Reminder 1 when the signed agreement is not back this many working days after "
            "the pack was sent.") in text
    assert "10 working days" in text and "This is the default." in text
    assert "Changes cases already running: No: steps already waiting keep their date." in text
    assert "Changes cases already running: No: nothing uses it yet." in text
    assert "up to £1,000.00: finance officer; any amount: finance manager" in text
    for key in catalogue.keys():
        assert f'id="{key}"' in text  # in attributes only
        assert f">{key}<" not in text
    for group in GROUPS:
        assert group.replace("'", "&#39;") in text


def test_a_manager_changes_a_reminder_interval(staff, client):
    signed_in(client, "fm")
    form_page = client.get(URL).text
    assert "First reminder after the agreement pack" in form_page
    assert "Steps already waiting keep the date they were given" in form_page
    response = submit(client, URL, {"value": "7"})
    assert response.status_code == 302 and response.location.endswith("/settings#" + KEY)
    assert settings.get(KEY) == 7
    assert audited() == [{"key": KEY, "old": 10, "new": 7}]
    page = client.get("/settings").text
    assert ("First reminder after the agreement pack changed to 7 working days. Steps already "
            "waiting keep the date they were given.") in page
    assert "Default: 10 working days." in page


@pytest.mark.parametrize(("key", "answer", "stored"), [
    ("deferred_payment_upper_capital_limit", "£24,000", "24000.00"),
    ("post_judgment_interest_rate_percent", "4.5%", "4.5"),
    ("allow_placeholder_enclosures", "yes", True),
    ("dp_records_to_keep", "bank statements\n\nreceipts\n", ["bank statements", "receipts"]),
    ("complaints_route_text", "Write to the complaints team.", "Write to the complaints team."),
])
def test_each_kind_of_value_can_be_changed(staff, client, key, answer, stored):
    signed_in(client, "admin")
    response = submit(client, f"/settings/{key}", {"value": answer})
    assert response.status_code == 302, response.text
    assert settings.get(key) == stored


ERRORS = [
    (KEY, "", "Enter the number of working days"),
    (KEY, "7.5", "Enter the number of working days as a whole number, like 10"),
    (KEY, "ten", "Enter the number of working days as a whole number, like 10"),
    (KEY, "0", "The number of working days must be between 1 and 60"),
    (KEY, "61", "The number of working days must be between 1 and 60"),
    ("limitation_warning_second_months", "12",
     "The number of months must be fewer than “First warning before a debt is too old to "
     "recover” (12 months)"),
    ("deferred_payment_upper_capital_limit", "12.345",
     "The amount must not have more than 2 decimal places"),
    ("deferred_payment_upper_capital_limit", "lots",
     "The amount must be an amount of money, like 23,250.00"),
    ("post_judgment_interest_rate_percent", "101",
     "The percentage must be a number from 0 to 100, like 8 or 4.65"),
    ("allow_placeholder_enclosures", "", "Select yes or no"),
    ("dp_records_to_keep", " \n ", "Enter at least one item, one on each line"),
    ("complaints_route_text", "", "Enter the text"),
]


@pytest.mark.parametrize(("key", "answer", "message"), ERRORS)
def test_each_error_says_what_to_do_and_changes_nothing(staff, client, key, answer, message):
    signed_in(client, "fm")
    before = settings.get(key)
    response = submit(client, f"/settings/{key}", {"value": answer})
    assert response.status_code == 422
    assert message in response.text and 'href="#value"' in response.text
    assert settings.get(key) == before and audited() == []


@pytest.mark.parametrize("username", ["fa", "fo", "cw", "cm", "legal"])
def test_others_are_refused_and_see_no_link(staff, client, username):
    signed_in(client, username)
    assert 'href="/settings"' not in client.get("/").text
    assert client.get("/settings").status_code == 403
    assert client.get(URL).status_code == 403
    token = open_form(client, "/people")["csrf_token"]
    assert client.post(URL, data={"value": "7", "csrf_token": token}).status_code == 403
    assert settings.get(KEY) == 10


def test_settings_with_several_parts_have_no_change_page(staff, client):
    signed_in(client, "fm")
    assert client.get("/settings/council").status_code == 404
    assert client.get("/settings/clock.frozen_at").status_code == 404
    assert client.get("/settings/no_such_setting").status_code == 404


def test_a_double_submission_changes_nothing_the_second_time(staff, client):
    signed_in(client, "fm")
    form = open_form(client, URL)
    assert submit(client, URL, {"value": "7"}, form=form).status_code == 302
    again = submit(client, URL, {"value": "8"}, form=form)
    assert again.status_code == 409
    assert settings.get(KEY) == 7 and len(audited()) == 1


def test_a_stale_submission_changes_nothing(staff, client):
    signed_in(client, "fm")
    form = open_form(client, URL)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    settings.change(KEY, 12, admin)
    stale = submit(client, URL, {"value": "7"}, form=form)
    assert stale.status_code == 409
    assert "Someone changed this setting while you were on this page" in stale.text
    assert settings.get(KEY) == 12 and len(audited()) == 1
