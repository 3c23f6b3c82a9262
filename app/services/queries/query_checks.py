"""What the invoice-query process needs before a person or an API client starts it, and the
check on its outcome before the task completes."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, InvoiceQuery, Person, QueryStatus
from app.services.queries import query_letters
from app.services.queries.query_contract import DECIDE_OUTCOME, KEY

_MAX_ID = 2**31 - 1  # the id column is a 32-bit integer


def check_query_start(person: Person, data: Mapping[str, Any]) -> list[dict]:
    """`query_id` names an open query of this person that no process works on yet; opening a
    query from its page starts the process itself (records.open_query)."""
    query_id = data.get("query_id")
    problem = [{"field": "query_id", "message": "Enter the id of an open query of this person"}]
    if isinstance(query_id, bool) or not isinstance(query_id, int) or not 0 < query_id <= _MAX_ID:
        return problem
    query = db.session.get(InvoiceQuery, query_id)
    if query is None or query.person_id != person.id or query.status != QueryStatus.OPEN:
        return problem
    if query.instance_id is not None:
        return [{"field": "query_id", "message": f"Query {query.reference} already has a process "
                 f"working on it (instance {query.instance_id}): carry on with that one"}]
    return []


def _credit(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    # The form says credit "only for an upheld or partly upheld query"; this check stays because
    # a manager may edit the form, and a credit note must never follow a query not upheld.
    given = str(form.get("credit_amount") or "").strip()
    if not given:
        return []
    if form.get("outcome") not in ("upheld", "partly_upheld"):
        return [{"field": "credit_amount", "message": "Leave the amount to credit empty: a "
                 "query that is not upheld is not credited"}]
    try:
        amount = query_letters.credit_to_raise(form)
    except InvalidOperation:
        amount = None
    if amount is None or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        return [{"field": "credit_amount",
                 "message": "Amount to credit must be more than £0.00, in pounds and pence"}]
    query = db.session.scalar(select(InvoiceQuery).where(
        InvoiceQuery.instance_id == task.instance_id))
    if query is None or not query.items:
        return []  # the step that raises the note reports it
    invoice = query_letters.credited_invoice(query)
    if amount > invoice.outstanding:
        return [{"field": "credit_amount", "message": f"Amount to credit must be no more than "
                 f"£{invoice.outstanding:,.2f}, what is left to pay on invoice {invoice.number}"}]
    return []


START_CHECKS = {KEY: check_query_start}
TASK_CHECKS = {(KEY, DECIDE_OUTCOME): _credit}
