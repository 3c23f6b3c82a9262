"""Opening the legal stage (workflows/legal_recovery.bpmn) for a debt."""
from __future__ import annotations

from app.models import DebtCase, ProcessInstance
from app.services.debts import cases
from app.services.legal.legal_contract import LEGAL_KEY


class LegalStepRefused(Exception):
    """A legal step that must not run as things stand (an operator or officer must act)."""


def open_legal_stage(debt: DebtCase) -> ProcessInstance:
    return cases.start_stage(debt, LEGAL_KEY, "letter_of_claim")
