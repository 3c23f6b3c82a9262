"""A debt's stages in the words staff use (docs/content.md), never their stored ids."""
from __future__ import annotations

STAGE_WORDS: dict[str, str] = {
    "opened": "New debt",
    "reminder_1": "Reminder",
    "final_demand": "Final demand",
    "referral": "Referred to a finance officer",
    "engagement": "Talking to the person",
    "instalment_plan": "Paying by instalments",
    "letter_of_claim_pending": "Letter of Claim being prepared",
    "letter_of_claim": "Letter of Claim sent",
    "legal_referral": "Referred to Legal",
    "claim_issued": "Court claim issued",
    "judgment": "Judgment",
    "enforcement": "Enforcement",
    "estate": "Recovering from the estate",
    "awaiting_decision": "Waiting for a decision on what to do next",
}


def stage_words(stage: str | None) -> str:
    """A stage as staff say it ("Final demand"); one not in the table without underscores."""
    if not stage:
        return ""
    return STAGE_WORDS.get(stage, stage.replace("_", " ").capitalize())
