"""The browser pages: server-rendered Jinja on the same services the API calls.

Pages never call the JSON API; their forms post to these routes with the session cookie and a
CSRF token. The API keeps its bearer tokens and is exempt from CSRF (no cookies there).
"""
from __future__ import annotations

from flask import Blueprint, Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from app.roles import OPERATORS, PROCESS_EDITORS

bp = Blueprint("web", __name__)


@bp.after_request
def _page_headers(response):
    # No page may be framed by another site (claim and assign buttons could be clickjacked).
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_web(app: Flask) -> None:
    from flask_wtf.csrf import CSRFProtect

    from app.api import bp as api_bp

    from . import (  # noqa: F401  (routes)
        auth,
        case_pages,
        direct_payment_pages,
        errors,
        filters,
        header,
        inbox_pages,
        operations_pages,
        process_pages,
        statement_pages,
        task_pages,
    )
    from .actions import (  # noqa: F401  (routes)
        contact_pages,
        debt_pages,
        legal_pages,
        query_pages,
        settings_pages,
    )

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(app.root_path + "/templates"),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    csrf = CSRFProtect(app)
    csrf.exempt(api_bp)
    auth.init_login(app)
    errors.register(app)
    filters.register(app)
    header.register(app)
    # Pages ask who may see a link by the role groups, never by a role's name.
    app.jinja_env.globals.update(PROCESS_EDITORS=PROCESS_EDITORS, OPERATORS=OPERATORS)
    app.register_blueprint(bp)
