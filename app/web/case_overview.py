"""What the case pages show, in staff words: the Current work card, debts by their dates and
accounts (never "Debt 1"), letters by their names and processes by what happens next."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app import calendar, clock
from app.domain.debt_stages import stage_words
from app.letters.catalogue import TEMPLATES
from app.services.debts import views
from app.services.processes import next_steps
from app.services.queries import records
from app.services.records import case_file

from .filters import long_date

if TYPE_CHECKING:  # the types only: pages never touch a model themselves
    from app.models import Letter, Person, ProcessInstance

NOT_TAKEN = "Not yet taken"

LETTER_PLACES = {"awaiting_approval": "Waiting for approval",
                 "print_batch": "In its date's print batch",
                 "superseded": "Replaced by a newer copy"}
INSTANCE_STATES = {"active": "running", "held": "on hold", "incident": "stopped by a problem",
                   "completed": "finished"}


def words(value: str | None, table: dict[str, str]) -> str:
    """A stored status in words: from `table`, else without its underscores."""
    if not value:
        return ""
    return table.get(value, value.replace("_", " ").capitalize())


def debts(person: Person) -> list[dict[str, Any]]:
    """Each debt's summary with its title, stage and status in words."""
    out = []
    for debt in case_file.debts_of(person):
        summary = views.summary(debt)
        summary.update(
            title=f"Debt from {long_date(summary['opened_on'])}, account "
                  f"{summary['account_number']}",
            stage_words=stage_words(summary["stage"]),
            status_words=words(summary["status"], {}))
        out.append(summary)
    return out


def current_work(person: Person, debt_summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """The Summary's Current work card: open tasks, what happens next, what holds recovery."""
    now = clock.now()
    tasks = [{"id": t.id, "title": t.title,
              "who": (t.claimed_by.full_name or "A member of staff") if t.claimed_by
              else NOT_TAKEN,
              "due": next_steps.day_in_words(calendar.to_local_date(t.due_at))
              if t.due_at else None,
              "overdue": t.due_at is not None and t.due_at < now}
             for t in case_file.open_tasks_of(person)]
    holds = [{"what": d["title"], "reason": g["reason"]}
             for d in debt_summaries for g in d["guards"]]
    # A query holds its invoices whether or not they are in a debt yet (a debt's guards say
    # nothing of an invoice not in it).
    holds += [{"what": f"Query {q.reference}",
               "reason": f"no recovery of {_invoice_list(q)} while the query is open"}
              for q in records.open_queries_of(person)]
    return {"tasks": tasks, "processes": running_processes(person), "holds": holds}


def _invoice_list(query) -> str:
    numbers = sorted({item.invoice.number for item in query.items})
    words = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return f"invoice{'s' if len(numbers) > 1 else ''} {words}"


def running_processes(person: Person, key_prefix: str = "") -> list[dict[str, Any]]:
    """Every process not finished, by name, with its sentences of what happens next."""
    return [process_view(i) for i in case_file.running_instances_of(person)
            if i.version.definition.key.startswith(key_prefix)]


def process_view(instance: ProcessInstance) -> dict[str, Any]:
    return {"name": instance.version.definition.name,
            "started": long_date(instance.created_at),
            "state": words(instance.status, INSTANCE_STATES),
            "sentences": next_steps.what_happens_next(instance)}


def letters(person: Person) -> list[dict[str, Any]]:
    """Each letter by its name, with the recipient, its date and where it is."""
    out = []
    for letter in case_file.letters_of(person):
        out.append({"id": letter.id, "name": letter_name(letter),
                    "recipient": letter.recipient_name, "date": long_date(letter.letter_date),
                    "render_status": letter.render_status, "where": _where(letter)})
    return out


def letter_name(letter: Letter) -> str:
    info = TEMPLATES.get(letter.template)
    if info is None:
        return "Letter"
    return info.display_name


def _where(letter: Letter) -> str:
    if letter.render_status == "failed":
        return "Could not be made: an operator has been told"
    if letter.render_status != "rendered":
        return "Being made"
    return words(letter.status, LETTER_PLACES)
