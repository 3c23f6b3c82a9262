"""Demo and test controls for the frozen clock; they do not exist with the real clock."""
import functools

from flask import current_app

from app import clock
from app.errors import NotFound
from app.roles import CLOCK_OPERATORS
from app.services.correspondence import letter_worker
from app.services.debts.daily_jobs import run_due
from app.services.operations import clock_control

from . import bp
from .auth import current_user, requires
from .schemas import ClockIn, load_json


def frozen_only(view):
    """Outermost, so that with the real clock the route is simply not there (404)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_app.config["CASEWORK_CLOCK"] != "frozen":
            raise NotFound("the requested URL was not found on the server")
        return view(*args, **kwargs)

    wrapper.frozen_only = True  # left out of the OpenAPI document with the real clock
    return wrapper


@bp.post("/clock")
@frozen_only
@requires(*CLOCK_OPERATORS)
def move_clock():
    """Advance ({"advance": "P15D"}) or set ({"set": ISO}) the shared frozen clock."""
    body = load_json(ClockIn())
    if "advance" in body:
        now = clock_control.advance_clock(body["advance"], current_user())
    else:
        now = clock_control.set_clock(body["set"], current_user())
    return {"now": now.isoformat()}


@bp.get("/clock")
@frozen_only
@requires()
def read_clock():
    """The service's current time (frozen mode only)."""
    return {"now": clock.now().isoformat()}


@bp.post("/timers/run-due")
@frozen_only
@requires(*CLOCK_OPERATORS)
def run_due_timers():
    """Do now what the scheduler would: fire every due timer, then make the letters waiting
    for the letter worker; say what fired and how many letters were made."""
    daily, fired = run_due()
    made = letter_worker.render_all_pending()
    return {"items": [{"instance_id": f.instance_id, "steps": list(f.steps),
                       "incident": f.incident, "held": f.held} for f in fired],
            "total": len(fired),
            "letters": {"made": made.rendered, "failed": made.failed},
            "daily": None if daily is None else {
                "day": daily.day.isoformat(), "debts_opened": daily.debts_opened,
                "invoices_joined": daily.invoices_joined,
                "breathing_spaces_lifted": daily.breathing_spaces_lifted,
                "plans_checked": daily.plans_checked}}


move_clock.openapi = {"body": ClockIn}
