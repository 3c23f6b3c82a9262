"""The accessibility statement: public, as the Public Sector Bodies Accessibility Regulations
2018 ask, and honest about what does not yet work for everyone."""
from __future__ import annotations

from flask import render_template

from app.services import settings

from . import bp

# When the service was last checked (axe in the browser tests on every page; keyboard and
# 320 px by hand). Change it with each full check.
LAST_CHECKED = "6 December 2026"


@bp.get("/accessibility")
def accessibility_statement():
    contact = settings.get("council")
    return render_template("accessibility.html", contact=contact, last_checked=LAST_CHECKED)
