"""The Letter of Claim approval on its task page: the letter, its recipient, amount, enclosures
and holds (app/services/legal/approval_view.py), and the "Approve and send" action, for the
partial templates/partials/letter_approval.html."""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from flask import url_for
from flask_login import current_user

from app.services.inbox import task_actions
from app.services.legal import approval_view as service

if TYPE_CHECKING:  # the type only: pages never touch a model themselves
    from app.models import HumanTask

SUBMIT_LABEL = "Approve and send"
DECLINE_LABEL = "Do not approve"


def approval_view(task: HumanTask) -> dict | None:
    """What the partial shows for a letter-approval task; None for any other task.

    With `may_complete`, the partial carries the task's own form (the diagram's yes/no as two
    buttons), so task.html shows it instead of the generic form.
    """
    shown = service.approval_of(task)
    if shown is None:
        return None
    view = asdict(shown)
    may_complete = task_actions.may_complete(task, current_user)
    # Only its own buttons replace the generic form: someone who may only read the task (or a
    # completed one) gets the page's usual words and the recorded answers.
    view.update(
        submit_label=SUBMIT_LABEL, decline_label=DECLINE_LABEL, may_complete=may_complete,
        form_action=url_for("web.task_page", task_id=task.id), replaces_form=may_complete)
    return view
