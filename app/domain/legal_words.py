"""The legal stage's codes in the words staff use (docs/content.md): write-off reasons, the
deferred payment test's outcomes, the Reply Form's boxes and how often an offer would be paid.
No statute codes: the law behind each is in app/domain/write_off.py and DOMAIN.md."""
from __future__ import annotations

from app.domain.instalments import FREQUENCIES, frequency_text

# The write-off reasons (app/domain/write_off.REASONS): (label, hint).
REASON_WORDS: dict[str, tuple[str, str]] = {
    "statute_barred": ("Statute-barred", "More than 6 years have passed since the invoice was "
                       "due. Only the invoices that old are written off."),
    "deceased_no_estate": ("The person has died and there is no estate", ""),
    "uneconomic": ("Uneconomic to pursue", "Recovering it would cost more than it is worth."),
    "gone_away": ("Gone away and cannot be traced", ""),
    "bankruptcy_or_dro": ("Bankruptcy or a debt relief order", ""),
    "court_remitted": ("Remitted by the court", "The court has cancelled the debt."),
}
# deferred_payment_test.DPA_OUTCOMES in words; "ineligible" means the same as "not_eligible"
# (app/domain/deferred_payment.py), so the page offers one of them.
DPA_WORDS: dict[str, tuple[str, str]] = {
    "offered_accepted": ("Offered and accepted", "The agreement secures the debt, so it is not "
                         "taken to court."),
    "offered_refused": ("Offered and refused", "Recovery can go on to a Letter of Claim and "
                        "court. Give the evidence of the refusal."),
    "not_eligible": ("They cannot have a deferred payment agreement", "For example, the home "
                     "is disregarded or the council cannot secure the debt on it. Give the "
                     "evidence."),
}
DPA_SAID = {**{k: v[0] for k, v in DPA_WORDS.items()},
            "ineligible": DPA_WORDS["not_eligible"][0]}
# pap_replies.REPLY_BOXES as the Reply Form means them to staff (DOMAIN.md §2.3).
BOX_WORDS: dict[str, tuple[str, str]] = {
    "A": ("Box A: they agree they owe the debt", ""),
    "B": ("Box B: they agree they owe part of the debt", ""),
    "C": ("Box C: they do not know yet, and need documents or advice", ""),
    "D": ("Box D: they dispute the debt", "If they say the invoices are wrong, an invoice "
          "query is opened. Otherwise a finance manager will be asked to review the dispute."),
    "none": ("No box was ticked", "The form is incomplete: a finance officer will be asked to "
             "contact them for what is missing."),
}
ONE_PAYMENT = "once"
OFFER_FREQUENCIES = {**{f: frequency_text(f).capitalize() for f in
                        ("weekly", "fortnightly", "four_weekly", "monthly")},
                     ONE_PAYMENT: "In one payment"}
assert set(OFFER_FREQUENCIES) - {ONE_PAYMENT} <= FREQUENCIES
