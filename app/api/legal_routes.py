"""The legal stage over HTTP: the deferred payment test, the Reply Form, documents, offers,
write-offs. Thin: validation of shape here, the law in app/services."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.domain.queries import TYPE_WORDS, WHAT_WAS_SAID_MAX
from app.domain.write_off import REASONS
from app.roles import (
    COURT_RECORDERS,
    LETTER_OF_CLAIM_READERS,
    RECOVERY_OFFICERS,
    WRITE_OFF_DECIDERS,
)
from app.services.debts import cases, write_offs
from app.services.estates import estate_stage
from app.services.legal import claims, deferred_payment_test, letter_of_claim, pap_replies
from app.services.records import people

from . import bp
from .auth import current_user, requires
from .schemas import StrictSchema, load_json


class DpaTestIn(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(
        deferred_payment_test.DPA_OUTCOMES))
    evidence = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=500))


class ReplyIn(StrictSchema):
    received_on = fields.Date(required=True)
    box = fields.String(load_default=None, allow_none=True,
                        validate=validate.OneOf(pap_replies.REPLY_BOXES))
    offer_amount = fields.Decimal(load_default=None, allow_none=True, allow_nan=False,
                                  validate=validate.Range(min=0, min_inclusive=False))
    offer_frequency = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=20))
    documents_requested = fields.Boolean(load_default=False)
    seeking_advice = fields.Boolean(load_default=False)
    disputes_invoices = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "Box D: is the dispute about whether the invoices are right? Required "
                       "with box D. If so, an invoice query is opened on the debt's "
                       "outstanding invoices; if not, a finance manager reviews the dispute"})
    dispute = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=WHAT_WAS_SAID_MAX), metadata={
                                "description": "What they dispute (the query's what was said); "
                                               "required when disputes_invoices"})
    dispute_type = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(tuple(TYPE_WORDS)), metadata={
                                     "description": "The query's type; rate_wrong if left out"})


class DocumentsIn(StrictSchema):
    provided_on = fields.Date(required=True)
    documents = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                            required=True, validate=validate.Length(min=1, max=20))


class OfferDecisionIn(StrictSchema):
    accept = fields.Boolean(required=True)
    reasons = fields.List(fields.String(validate=validate.Length(max=500)), load_default=list)
    counter_proposal = fields.String(load_default=None, allow_none=True)
    income_expenditure_summary = fields.String(load_default=None, allow_none=True)


class WriteOffIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.OneOf(sorted(REASONS)))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class WriteOffDecisionIn(StrictSchema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, allow_none=True)  # required to reject


class LetterOfClaimOut(Schema):
    id = fields.Integer()
    status = fields.String()
    amount = fields.Decimal(as_string=True, places=2)
    letter_date = fields.Date(allow_none=True)
    deemed_service = fields.Date(allow_none=True)
    earliest_issue = fields.Date(allow_none=True)
    reply_received_on = fields.Date(allow_none=True)
    reply_box = fields.String(allow_none=True)
    documents_provided_on = fields.Date(allow_none=True)
    offer_decision = fields.String(allow_none=True)


class WriteOffOut(Schema):
    id = fields.Integer()
    debt_case_id = fields.Integer()
    reason = fields.String()
    amount = fields.Decimal(as_string=True, places=2)
    approver_role = fields.String()
    status = fields.String()


def _debt(debt_id: int):
    debt = cases.get_debt(debt_id)
    people.require_visible(people.get_person_by_id(debt.person_id), current_user())
    return debt


@bp.post("/debts/<int:debt_id>/dpa-test")
@requires(*RECOVERY_OFFICERS)
def record_dpa_test(debt_id):
    """Record the deferred payment test (Care Act s69(2)): offer accepted or refused, or
    evidence that no agreement could be entered into."""
    body = load_json(DpaTestIn())
    debt = deferred_payment_test.record_dpa_test(_debt(debt_id), body["outcome"], body["evidence"],
                                                 current_user())
    return {"id": debt.id, "dpa_outcome": debt.dpa_outcome, "stage": debt.stage}


@bp.post("/debts/<int:debt_id>/letter-of-claim/reply")
@requires(*RECOVERY_OFFICERS)
def record_reply(debt_id):
    """A Reply Form: recomputes the earliest claim date and moves its timer."""
    body = load_json(ReplyIn())
    loc = pap_replies.record_reply(_debt(debt_id), actor=current_user(), **body)
    return LetterOfClaimOut().dump(loc)


@bp.post("/debts/<int:debt_id>/letter-of-claim/documents")
@requires(*RECOVERY_OFFICERS)
def documents_provided(debt_id):
    """Documents the person asked for were sent: 30 more days from then."""
    body = load_json(DocumentsIn())
    loc = pap_replies.documents_provided(_debt(debt_id), body["provided_on"],
                                         body["documents"], current_user())
    return LetterOfClaimOut().dump(loc)


@bp.post("/debts/<int:debt_id>/letter-of-claim/offer")
@requires(*RECOVERY_OFFICERS)
def decide_offer(debt_id):
    """Accept or refuse the offer on the Reply Form; a refusal needs written reasons."""
    body = load_json(OfferDecisionIn())
    loc = pap_replies.decide_offer(_debt(debt_id), body["accept"], body["reasons"],
                                   body["counter_proposal"],
                                   body["income_expenditure_summary"], current_user())
    return LetterOfClaimOut().dump(loc)


@bp.get("/debts/<int:debt_id>/letter-of-claim")
@requires(*LETTER_OF_CLAIM_READERS)
def get_letter_of_claim(debt_id):
    """The posted Letter of Claim and its window."""
    loc = letter_of_claim.current_loc(_debt(debt_id))
    if loc is None:
        from app.errors import NotFound

        raise NotFound("no Letter of Claim has been posted for this debt")
    return LetterOfClaimOut().dump(loc)


@bp.post("/debts/<int:debt_id>/write-off")
@requires(*RECOVERY_OFFICERS)
def propose_write_off(debt_id):
    """Propose a write-off with a reason code; the approver is set by the amount."""
    body = load_json(WriteOffIn())
    proposal = write_offs.propose(_debt(debt_id), body["reason"], body["notes"], current_user())
    return WriteOffOut().dump(proposal), 201


@bp.post("/write-offs/<int:write_off_id>/decision")
@requires(*WRITE_OFF_DECIDERS)
def decide_write_off(write_off_id):
    """Approve (the debt closes) or reject a write-off, with a reason to reject; needs the
    level the amount requires, and someone other than the proposer."""
    proposal = write_offs.get(write_off_id)
    _debt(proposal.debt_case_id)
    body = load_json(WriteOffDecisionIn())
    return WriteOffOut().dump(write_offs.decide(proposal, body["approve"], current_user(),
                                                body["reason"]))


record_dpa_test.openapi = {"body": DpaTestIn}
record_reply.openapi = {"body": ReplyIn, "response": LetterOfClaimOut}
documents_provided.openapi = {"body": DocumentsIn, "response": LetterOfClaimOut}
decide_offer.openapi = {"body": OfferDecisionIn, "response": LetterOfClaimOut}
get_letter_of_claim.openapi = {"response": LetterOfClaimOut}
propose_write_off.openapi = {"body": WriteOffIn, "response": WriteOffOut}
decide_write_off.openapi = {"body": WriteOffDecisionIn, "response": WriteOffOut}


class AcknowledgmentIn(StrictSchema):
    filed_on = fields.Date(required=True)


class GrantIn(StrictSchema):
    grant_type = fields.String(required=True,
                               validate=validate.OneOf(("probate", "administration")))
    grant_date = fields.Date(required=True)


@bp.post("/debts/<int:debt_id>/claim/acknowledgment")
@requires(*COURT_RECORDERS)
def record_acknowledgment(debt_id):
    """An acknowledgment of service was filed: the defence is due 28 days after service."""
    claim = claims.record_acknowledgment(_debt(debt_id),
                                         load_json(AcknowledgmentIn())["filed_on"],
                                         current_user())
    return {"claim_number": claim.claim_number, "defence_by": claim.defence_by.isoformat()}


@bp.post("/people/<reference>/estate/grant")
@requires(*RECOVERY_OFFICERS)
def record_grant(reference):
    """A grant of probate or letters of administration for a person who has died."""
    person = people.get_person(reference)
    people.require_visible(person, current_user())
    body = load_json(GrantIn())
    estate = estate_stage.record_grant(person, body["grant_type"], body["grant_date"],
                                       current_user())
    return {"reference": reference, "grant_type": estate.grant_type,
            "grant_date": estate.grant_date.isoformat()}


record_acknowledgment.openapi = {"body": AcknowledgmentIn}
record_grant.openapi = {"body": GrantIn}
