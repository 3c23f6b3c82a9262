"""Words every page needs: the council's name (from settings) for the header, and staff words
for roles, debt stages and letters (docs/content.md).

The council's name is read once per request, when a template first asks for it, so a change
in settings shows on the next page (docs/content.md: never "Council name").
"""
from __future__ import annotations

from flask import Flask, g

from app.domain.debt_stages import stage_words
from app.errors import end_failed_request, is_unreachable_database
from app.letters.catalogue import TEMPLATES
from app.roles import Role
from app.services import settings

FALLBACK_NAME = "Adult Social Care Finance"

# docs/content.md: a job title in words, never the role's id.
ROLE_WORDS: dict[str, str] = {
    Role.FINANCE_ASSISTANT: "finance assistant",
    Role.FINANCE_OFFICER: "finance officer",
    Role.FINANCE_MANAGER: "finance manager",
    Role.CASEWORKER: "social worker",
    Role.CARE_MANAGER: "care manager",
    Role.LEGAL: "Legal",
    Role.ADMIN: "administrator",
}


def council_name() -> str:
    """The council's name from the "council" setting (the letters' header), once a request."""
    if "council_name" not in g:
        try:
            header = settings.get("council")
        except Exception as exc:
            # The sign-in page needs no database: while it is away, a generic name will do.
            if not is_unreachable_database(exc):
                raise
            end_failed_request(exc)
            header = None
        name = header.get("name") if isinstance(header, dict) else None
        g.council_name = (name or "").strip() or FALLBACK_NAME
    return g.council_name


def role_words(role: str) -> str:
    """A role as staff say it ("finance assistant"); an unknown one without its underscores."""
    return ROLE_WORDS.get(role, role.replace("_", " "))


def letter_title(template: str) -> str:
    """A letter by its name ("Direct payment agreement: reminder"), never its template code."""
    info = TEMPLATES.get(template)
    return info.title if info else "Letter"


def register(app: Flask) -> None:
    app.jinja_env.globals.update(council_name=council_name)
    for words in (role_words, stage_words, letter_title):
        app.add_template_filter(words)
