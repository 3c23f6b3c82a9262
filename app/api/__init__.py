"""The JSON API under /api/v1: thin handlers over app/services."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (routes register themselves on bp)
    clock_routes,
    contacts_routes,
    credit_notes_routes,
    debts_routes,
    direct_payments_routes,
    imports_routes,
    instances,
    legal_routes,
    openapi,
    payment_instructions_routes,
    people,
    processes,
    queries_routes,
    search_routes,
    settings_routes,
    tasks,
    tokens,
)
