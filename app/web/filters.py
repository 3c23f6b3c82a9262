"""Jinja filters for dates and money as the pages print them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask

from app.calendar import LOCAL_TZ


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return f"{value.day} {value:%B %Y}"


def date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LOCAL_TZ)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def pounds(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.2f}"


def register(app: Flask) -> None:
    app.add_template_filter(long_date)
    app.add_template_filter(date_time)
    app.add_template_filter(pounds)
