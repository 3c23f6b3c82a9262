"""Driving an action page as a browser would: read its form's hidden values, post answers."""
from __future__ import annotations

import re

from flask import g

from tests.integration.test_web_pages import signed_in  # noqa: F401  (re-exported)

_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def hidden_fields(html: str) -> dict[str, str]:
    """The CSRF token, the single-use form key and the `seen` fingerprint of a page's form."""
    return dict(_HIDDEN.findall(html))


def date_boxes(name: str, day_month_year: str) -> dict[str, str]:
    """"27 3 2026" as the three boxes of the date input called `name`."""
    day, month, year = day_month_year.split()
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def open_form(client, url: str) -> dict[str, str]:
    g.pop("csrf_token", None)  # tests share one app context; see test_web_pages.csrf
    page = client.get(url)
    assert page.status_code == 200, page.text
    return hidden_fields(page.text)


def submit(client, url: str, answers: dict[str, str], *, form: dict[str, str] | None = None):
    """Post `answers` with the hidden values of the page as just opened (or `form`, to post a
    page opened earlier again: a double or a stale submission)."""
    return client.post(url, data={**(form if form is not None else open_form(client, url)),
                                  **answers})
