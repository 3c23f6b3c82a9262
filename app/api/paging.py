"""Query-string paging shared by every list endpoint."""
from __future__ import annotations

from flask import request

from app.errors import ValidationFailed

MAX_PER_PAGE = 100


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationFailed(f"'{name}' must be a whole number from {low} to {high}",
                               [{"field": name, "message": "out of range"}])
    return int(raw)


def page_args(default_per_page: int = 25) -> tuple[int, int]:
    """(page, per_page) from the query string, 422 when out of range."""
    return (int_arg("page", 1, 1, 10**6),
            int_arg("per_page", default_per_page, 1, MAX_PER_PAGE))
