"""The legal stage and write-offs as pages: propose a write-off and decide one, record the
deferred payment test, a Reply Form, the documents sent and the decision on an offer.

Each page calls the service the API calls (app/api/legal_routes.py), for the same role group,
and is offered on the Debts page (partials/legal_actions.html) only when that service would
take it now: the services say when (write_offs.may_propose, pap_replies.what_can_be_recorded,
deferred_payment_test.outcomes_open), so the templates never repeat a rule.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.domain.legal_words import (
    BOX_WORDS,
    DPA_SAID,
    DPA_WORDS,
    OFFER_FREQUENCIES,
    REASON_WORDS,
)
from app.domain.queries import TYPE_WORDS, WHAT_WAS_SAID_MAX
from app.errors import Conflict, ValidationFailed
from app.roles import RECOVERY_OFFICERS, WRITE_OFF_DECIDERS
from app.services.debts import cases, write_offs
from app.services.legal import deferred_payment_test, pap_replies

from .. import bp
from ..auth import page_requires
from ..case_pages import visible_person
from ..filters import long_date, pounds
from ..header import role_words
from .forms import Answers, act_once, errors_by_field, fingerprint, render_action

if TYPE_CHECKING:  # the types only: pages never touch a model themselves
    from app.models import DebtCase, Person

NOTES_MAX = 2000
T = TypeVar("T")
REASON_LINE_MAX = 500


# --- shared --------------------------------------------------------------------------------
def _debt_of(reference: str, debt_id: int) -> tuple[Person, DebtCase]:
    person = visible_person(reference)
    debt = cases.get_debt(debt_id)
    if debt.person_id != person.id:
        abort(404)
    return person, debt


def _debts_page(person: Person) -> str:
    return url_for("web.case_debts", reference=person.reference)


def _act(render: Callable[..., Any], answers: Answers, seen_now: str,
         action: Callable[[], Any], success: Callable[[Any], str], person: Person):
    """The POST half every page shares: the page again with its problems (422), or with the
    conflict (409, nothing changed); else the service's change, a banner, the Debts page."""
    if answers.errors:
        return render(errors=answers.errors, values=answers.shown)
    try:
        result = act_once(request.form, seen_now, action)
    except ValidationFailed as exc:
        return render(errors=errors_by_field(exc), values=answers.shown)
    except Conflict as exc:
        message = exc.message[:1].upper() + exc.message[1:]
        return render(errors={"form": message}, values=answers.shown, status=409)
    flash(success(result), "success")
    return redirect(_debts_page(person))


def _given(value: T | None) -> T:
    """An answer Answers required: present once the page has no errors."""
    assert value is not None
    return value


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- what the Debts page offers ------------------------------------------------------------
@bp.app_context_processor
def _legal_actions_context() -> dict[str, Any]:
    return {"legal_actions": legal_actions}


def legal_actions(debt_id: int, reference: str) -> dict[str, Any]:
    """For the debt partial on the case `reference`: what the signed-in user may record on this
    debt now (links), a write-off waiting for approval, and the Letter of Claim and deferred
    payment test so far."""
    debt = cases.get_debt(debt_id)
    links: list[tuple[str, str]] = []
    pap = pap_replies.what_can_be_recorded(debt)
    if current_user.has_role(*RECOVERY_OFFICERS):
        ids: dict[str, Any] = {"reference": reference, "debt_id": debt.id}
        if deferred_payment_test.outcomes_open(debt):
            links.append(("Record the deferred payment test",
                          url_for("web.record_dpa_test_page", **ids)))
        if pap.reply:
            links.append(("Record a Reply Form", url_for("web.record_reply_page", **ids)))
        if pap.documents:
            links.append(("Record the documents sent",
                          url_for("web.documents_sent_page", **ids)))
        if pap.offer:
            links.append(("Decide on the offer of payment",
                          url_for("web.decide_offer_page", **ids)))
        if write_offs.may_propose(debt):
            links.append(("Propose a write-off", url_for("web.propose_write_off_page", **ids)))
    return {"links": links, "write_off": _waiting_write_off(debt, reference),
            "loc": pap.loc, "dpa_outcome": DPA_SAID.get(debt.dpa_outcome or "")}


def _waiting_write_off(debt: DebtCase, reference: str) -> dict[str, Any] | None:
    proposal = write_offs.pending(debt)
    if proposal is None:
        return None
    may_decide = (current_user.has_role(*WRITE_OFF_DECIDERS)
                  and write_offs.why_not_decide(proposal, current_user) is None)
    return {"amount": proposal.amount, "reason": REASON_WORDS[proposal.reason][0],
            "proposed_by": write_offs.proposer_name(proposal),
            "proposed_on": long_date(proposal.proposed_at),
            "approver": role_words(proposal.approver_role),
            "decide_url": url_for("web.decide_write_off_page", reference=reference,
                                  write_off_id=proposal.id) if may_decide else None}


def _me():
    """The signed-in user as the services take it (not Flask-Login's proxy)."""
    return current_user._get_current_object()


# --- propose a write-off -------------------------------------------------------------------
def _write_off_options(debt: DebtCase) -> tuple[list[tuple[str, str, str]], str | None]:
    """The reasons the service would take today, and what a write-off of everything still owed
    would be, with who must approve it, in words. A statute-barred write-off takes only the
    barred invoices: its option says its own amount and approver."""
    options, whole = [], None
    for reason, (label, hint) in REASON_WORDS.items():
        would = write_offs.amount_for(debt, reason)
        if would.amount <= 0 or would.approver_role is None:
            continue
        who = f"a {role_words(would.approver_role)} must approve it"
        if reason == "statute_barred":
            hint = (f"{hint} That is {pounds(would.amount)} (invoice "
                    f"{', '.join(would.invoice_numbers)}): {who}.")
        else:
            whole = f"everything still owed, {pounds(would.amount)}: {who}."
        options.append((reason, label, hint))
    if whole:
        whole = ("For any other reason the write-off is for " if options[0][0] ==
                 "statute_barred" else "The write-off is for ") + whole
    return options, whole


@bp.route("/people/<reference>/debts/<int:debt_id>/write-off", methods=["GET", "POST"])
@page_requires(*RECOVERY_OFFICERS)
def propose_write_off_page(reference: str, debt_id: int):
    """Propose a write-off: the reason, notes for the approver; the amount and approver shown."""
    person, debt = _debt_of(reference, debt_id)
    if request.method == "GET" and not write_offs.may_propose(debt):
        raise Conflict("a write-off is already waiting for approval" if write_offs.pending(debt)
                       else "this debt is closed")
    options, whole = _write_off_options(debt)
    pending = write_offs.pending(debt)
    seen_now = fingerprint(debt.status, options, whole, pending.id if pending else None)

    def render(status: int = 200, **shown: Any):
        return render_action("actions/write_off_propose.html", status=status, person=person,
                             back_url=_debts_page(person), seen=seen_now, options=options,
                             whole=whole, owed=cases.balance(debt), **shown)

    if request.method == "GET":
        return render()
    answers = Answers(request.form)
    reason = answers.choice("reason", [o[0] for o in options],
                            required="Select why the debt should be written off")
    notes = answers.text("notes", max_length=NOTES_MAX,
                         too_long=f"Notes must be {NOTES_MAX:,} characters or fewer")
    return _act(render, answers, seen_now,
                lambda: write_offs.propose(debt, reason or "", notes, _me()),
                lambda p: f"Write-off of {pounds(p.amount)} proposed. It now waits for a "
                          f"{role_words(p.approver_role)} to approve it; recovery carries on "
                          "until then.", person)


# --- decide a write-off --------------------------------------------------------------------
def _what_happens(debt: DebtCase, amount) -> dict[str, str]:
    """What approving and rejecting would do, as write_offs.decide does it."""
    left = cases.balance(debt) - amount
    if debt.status != "open":
        approve = ("The debt has been closed since the write-off was proposed, so there is "
                   "nothing left to write off: you can only reject it.")
    elif left <= 0:
        approve = "If you approve it, the debt is closed as written off and recovery stops."
    else:
        approve = (f"If you approve it, {pounds(amount)} is written off and {pounds(left)} is "
                   "still owed: recovery carries on for that.")
    reject = ("If you reject it, the debt stays open and recovery carries on. Your reason is "
              "kept in the case notes.")
    if debt.stage == "awaiting_decision":
        reject += " A finance officer will be asked again to decide what to do next."
    return {"approve": approve, "reject": reject}


@bp.route("/people/<reference>/write-offs/<int:write_off_id>", methods=["GET", "POST"])
@page_requires(*WRITE_OFF_DECIDERS)
def decide_write_off_page(reference: str, write_off_id: int):
    """Approve or reject a proposed write-off: someone other than its proposer, at the level
    its amount needs (write_offs.why_not_decide)."""
    person = visible_person(reference)
    proposal = write_offs.get(write_off_id)
    debt = cases.get_debt(proposal.debt_case_id)
    if debt.person_id != person.id:
        abort(404)
    if write_offs.why_not_decide(proposal, _me()):
        abort(403)
    if request.method == "GET" and proposal.status != "proposed":
        raise Conflict(f"this write-off was already {proposal.status}")
    seen_now = fingerprint(proposal.id, proposal.status, proposal.amount, debt.status,
                           cases.balance(debt))
    next_steps = _what_happens(debt, proposal.amount)
    shown_proposal = {
        "amount": proposal.amount, "invoices": ", ".join(proposal.invoice_numbers),
        "reason": REASON_WORDS[proposal.reason][0], "notes": proposal.notes,
        "proposed_by": write_offs.proposer_name(proposal),
        "proposed_on": long_date(proposal.proposed_at),
        "approver": role_words(proposal.approver_role)}

    def render(status: int = 200, **shown: Any):
        return render_action("actions/write_off_decide.html", status=status, person=person,
                             back_url=_debts_page(person), seen=seen_now,
                             proposal=shown_proposal, next_steps=next_steps, **shown)

    if request.method == "GET":
        return render()
    answers = Answers(request.form)
    decision = answers.choice("decision", ("approve", "reject"),
                              required="Select yes if you approve the write-off")
    reason = answers.text("reason", max_length=NOTES_MAX,
                          too_long=f"The reason must be {NOTES_MAX:,} characters or fewer")
    if decision == "reject" and not reason:
        answers.add_error("reason", "Enter why you are rejecting the write-off")
    was_waiting = debt.stage == "awaiting_decision"
    return _act(render, answers, seen_now,
                lambda: write_offs.decide(proposal, decision == "approve", _me(),
                                          reason if decision == "reject" else None),
                lambda p: _decided(p, debt, was_waiting), person)


def _decided(proposal, debt: DebtCase, was_waiting: bool) -> str:
    if proposal.status == "rejected":
        return ("Write-off rejected. The debt stays open and recovery carries on; your reason "
                "is in the case notes." + (" A finance officer will be asked again to decide "
                                           "what to do next." if was_waiting else ""))
    if debt.status != "open":
        return "Write-off approved. The debt is closed as written off and recovery has stopped."
    return (f"Write-off approved. {pounds(proposal.amount)} is written off; "
            f"{pounds(cases.balance(debt))} is still owed and recovery carries on.")


# --- the deferred payment test -------------------------------------------------------------
@bp.route("/people/<reference>/debts/<int:debt_id>/deferred-payment-test",
          methods=["GET", "POST"])
@page_requires(*RECOVERY_OFFICERS)
def record_dpa_test_page(reference: str, debt_id: int):
    """The deferred payment test and, once the offer went, the offer's outcome: accepted or
    refused (there is no other record of an offer's outcome for a deferred payment agreement)."""
    person, debt = _debt_of(reference, debt_id)
    allowed = deferred_payment_test.outcomes_open(debt)
    if request.method == "GET" and not allowed:
        raise Conflict("this debt is closed")
    options = [(o, *DPA_WORDS[o]) for o in DPA_WORDS if o in allowed]
    offer_sent = deferred_payment_test.offer_sent(debt)
    seen_now = fingerprint(debt.status, debt.dpa_outcome, debt.dpa_evidence, allowed)

    def render(status: int = 200, **shown: Any):
        return render_action("actions/dpa_test.html", status=status, person=person,
                             back_url=_debts_page(person), seen=seen_now, options=options,
                             offer_sent=offer_sent, recorded=DPA_SAID.get(debt.dpa_outcome or ""),
                             evidence_max=deferred_payment_test.EVIDENCE_MAX, **shown)

    if request.method == "GET":
        return render()
    answers = Answers(request.form)
    outcome = answers.choice("outcome", [o[0] for o in options],
                             required="Select the outcome of the deferred payment test")
    evidence = answers.text("evidence", max_length=deferred_payment_test.EVIDENCE_MAX,
                            too_long=f"The evidence must be "
                                     f"{deferred_payment_test.EVIDENCE_MAX} characters or fewer")
    return _act(render, answers, seen_now,
                lambda: deferred_payment_test.record_dpa_test(debt, outcome or "", evidence,
                                                              _me()),
                lambda _: _dpa_recorded(outcome or ""), person)


def _dpa_recorded(outcome: str) -> str:
    if outcome == "offered_accepted":
        return ("Deferred payment test recorded: the offer was accepted. The agreement secures "
                "the debt, so no Letter of Claim or court claim is made for it.")
    return ("Deferred payment test recorded. It no longer stops recovery going on to a Letter "
            "of Claim and court; anything else that holds the debt is shown below.")


# --- the Reply Form ------------------------------------------------------------------------
def _loc_print(loc) -> tuple | None:
    """What a Letter of Claim page shows and depends on, for its `seen` fingerprint."""
    if loc is None:
        return None
    return (loc.id, loc.reply_received_on, loc.reply_box, loc.offer_amount, loc.offer_frequency,
            loc.documents_requested, loc.seeking_advice, loc.documents_provided_on,
            loc.offer_decision, loc.earliest_issue)


def _loc_page(reference: str, debt_id: int, may: str, refused: str):
    """The debt, what may be recorded on its Letter of Claim, and the fingerprint; on GET a 409
    (refused) when the service would not take this record now."""
    person, debt = _debt_of(reference, debt_id)
    pap = pap_replies.what_can_be_recorded(debt)
    if request.method == "GET" and not getattr(pap, may):
        raise Conflict(refused)
    return person, debt, pap.loc, fingerprint(debt.status, _loc_print(pap.loc))


@bp.route("/people/<reference>/debts/<int:debt_id>/reply-form", methods=["GET", "POST"])
@page_requires(*RECOVERY_OFFICERS)
def record_reply_page(reference: str, debt_id: int):
    """The Pre-Action Protocol Reply Form: when it came, the box, an offer, documents, advice."""
    person, debt, loc, seen_now = _loc_page(reference, debt_id, "reply",
                                            "no Letter of Claim has been posted for this debt")

    def render(status: int = 200, **shown: Any):
        return render_action("actions/reply_form.html", status=status, person=person,
                             back_url=_debts_page(person), seen=seen_now, loc=loc,
                             boxes=[(k, *v) for k, v in BOX_WORDS.items()],
                             frequencies=list(OFFER_FREQUENCIES.items()),
                             dispute_types=[(k, v[:1].upper() + v[1:])
                                            for k, v in TYPE_WORDS.items()], **shown)

    if request.method == "GET":
        return render(values={"dispute_type": pap_replies.DISPUTE_TYPE.value})
    answers = Answers(request.form)
    received_on = answers.date("received_on", "the date the Reply Form was received")
    box = answers.choice("box", list(BOX_WORDS), required="Select which box they ticked, or that "
                         "no box was ticked")
    offered = answers.yes_no("offered", required="Select yes if they offered to pay")
    amount = answers.money("offer_amount", "the amount they offer", required=bool(offered))
    frequency = answers.choice("offer_frequency", OFFER_FREQUENCIES,
                               required="Select how often they offer to pay" if offered
                               else None)
    documents = answers.yes_no("documents_requested",
                               required="Select yes if they asked for documents")
    advice = answers.yes_no("seeking_advice",
                            required="Select yes if they are getting debt advice")
    disputes, dispute, dispute_type = _dispute_answers(answers, box == "D")
    return _act(render, answers, seen_now, lambda: pap_replies.record_reply(
        debt, received_on=_given(received_on), box=None if box == "none" else box,
        offer_amount=amount if offered else None,
        offer_frequency=frequency if offered else None,
        documents_requested=bool(documents), seeking_advice=bool(advice), actor=_me(),
        disputes_invoices=disputes, dispute=dispute, dispute_type=dispute_type),
        lambda loc: _reply_recorded(loc, disputes), person)


def _dispute_answers(answers: Answers, box_d: bool) -> tuple[bool | None, str | None,
                                                             str | None]:
    """Box D's questions: whether the dispute is about whether the invoices are right (then
    what they say and the query's type); asked only when box D is ticked."""
    if not box_d:
        for name in ("disputes_invoices", "dispute", "dispute_type"):
            answers.shown[name] = request.form.get(name) or ""
        return None, None, None
    disputes = answers.yes_no("disputes_invoices", required="Select yes if the dispute is about "
                                                            "whether the invoices are right")
    dispute = answers.text("dispute", required="Enter what they say is wrong with the invoices"
                           if disputes else None, max_length=WHAT_WAS_SAID_MAX,
                           too_long=f"What they say must be {WHAT_WAS_SAID_MAX:,} characters "
                                    "or fewer")
    dispute_type = answers.choice("dispute_type", TYPE_WORDS, required=None)
    return disputes, dispute if disputes else None, dispute_type if disputes else None


def _reply_recorded(loc, disputes: bool | None = None) -> str:
    said = [f"Reply Form recorded. A claim cannot be issued before "
            f"{long_date(loc.earliest_issue)}."]
    if loc.reply_box is None:
        said.append("A finance officer will be asked to contact them for what is missing.")
    if loc.reply_box == "D":
        said.append("An invoice query is opened on the invoices they dispute. They are held "
                    "from recovery while it is looked into, and the query is on the Summary."
                    if disputes else "A finance manager will be asked to review the dispute.")
    if loc.documents_requested:
        said.append("Send the documents they asked for, then record them on the debt.")
    if loc.offer_amount is not None:
        said.append("Decide on their offer of payment: refusing it needs your reasons in "
                    "writing.")
    return " ".join(said)


# --- documents sent ------------------------------------------------------------------------
@bp.route("/people/<reference>/debts/<int:debt_id>/documents-sent", methods=["GET", "POST"])
@page_requires(*RECOVERY_OFFICERS)
def documents_sent_page(reference: str, debt_id: int):
    """The documents the Reply Form asked for were sent: 30 more days from then."""
    person, debt, loc, seen_now = _loc_page(reference, debt_id, "documents",
                                            "the Reply Form asked for no documents")

    def render(status: int = 200, **shown: Any):
        return render_action("actions/documents_sent.html", status=status, person=person,
                             back_url=_debts_page(person), seen=seen_now, loc=loc, **shown)

    if request.method == "GET":
        return render()
    answers = Answers(request.form)
    provided_on = answers.date("provided_on", "the date the documents were sent")
    listed = answers.text("documents", required="Enter the documents sent, one on each line",
                          max_length=pap_replies.DOCUMENTS_MAX
                          * (pap_replies.DOCUMENT_NAME_MAX + 2))
    return _act(render, answers, seen_now, lambda: pap_replies.documents_provided(
        debt, _given(provided_on), _lines(listed), _me()),
        lambda done: f"Documents recorded as sent on {long_date(done.documents_provided_on)}. "
                     "The letter listing them waits for approval before it goes. A claim "
                     f"cannot be issued before {long_date(done.earliest_issue)}.", person)


# --- the offer's outcome -------------------------------------------------------------------
@bp.route("/people/<reference>/debts/<int:debt_id>/offer", methods=["GET", "POST"])
@page_requires(*RECOVERY_OFFICERS)
def decide_offer_page(reference: str, debt_id: int):
    """Accept or refuse the offer on the Reply Form; a refusal goes with written reasons."""
    person, debt, loc, seen_now = _loc_page(reference, debt_id, "offer",
                                            "no offer is waiting for a decision")

    def render(status: int = 200, **shown: Any):
        often = (loc.offer_frequency or "") if loc else ""
        how_often = OFFER_FREQUENCIES.get(often, often)
        return render_action("actions/offer_decision.html", status=status, person=person,
                             back_url=_debts_page(person), seen=seen_now, loc=loc,
                             how_often=how_often.lower(), owed=cases.balance(debt), **shown)

    if request.method == "GET":
        return render()
    answers = Answers(request.form)
    accept = answers.yes_no("accept", required="Select yes if you accept the offer")
    reasons = _lines(answers.text("reasons", max_length=NOTES_MAX, too_long=(
        f"The reasons must be {NOTES_MAX:,} characters or fewer")))
    if any(len(r) > REASON_LINE_MAX for r in reasons):
        answers.add_error("reasons", f"Each reason must be {REASON_LINE_MAX} characters or fewer")
    counter = answers.text("counter_proposal", max_length=NOTES_MAX)
    summary = answers.text("income_expenditure_summary", max_length=NOTES_MAX)
    return _act(render, answers, seen_now, lambda: pap_replies.decide_offer(
        debt, bool(accept), [] if accept else reasons, None if accept else counter,
        None if accept else summary, _me()), _offer_decided, person)


def _offer_decided(loc) -> str:
    if loc.offer_decision == "accepted":
        return ("Offer accepted. No letter goes from this: record the instalment plan on the "
                "debt, as recovery carries on until a plan is recorded.")
    return "Offer refused. The letter giving your reasons waits for approval before it goes."
