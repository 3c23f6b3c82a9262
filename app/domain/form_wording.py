"""GOV.UK content design for task forms, as checks a diagram's wording can fail (pure).

The modeler warns a manager with these when a diagram is saved (app/engine/form_rules.py), and a
test holds the shipped diagrams to them. Each check answers in words what to write instead.
"""
from __future__ import annotations

import re

# A statute, regulation, rule or form code, or a checklist's own lettering: staff words say
# what it means, and the hint may say where it comes from.
_CODES = re.compile(
    r"\b(?:s|ss|reg|regs|r|para|art|sch)\.?\s?\d+[a-z]?(?:\(\d+\))?"
    r"|\b(?:section|regulation|article|schedule|rule)\s+\d+"
    r"|\bCPR\b|\bPA1S?\b|\bN\d{2,3}[A-Z]?\b|^\s*\([a-z0-9]{1,3}\)",
    re.IGNORECASE)
_ID = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
_NEGATIVE = re.compile(r"\b(?:no|not|never|none|nobody|without)\b|n't\b", re.IGNORECASE)
_VERB_FOR = {"boolean": "Select yes if ", "enum": "Select "}


def label_problems(label: str, kind: str, *, questions: bool = True) -> list[str]:
    """What is wrong with a field's label (its question), for a field of type `kind`.
    Without `questions`, a label that is not a question passes (the modeler's save warns of
    the rest only: a short label such as "Notes" is a choice a manager may make)."""
    text = " ".join(label.split())
    problems = []
    if text.lower().endswith("is required"):
        problems.append("Write the label as the question, not as a message that it is needed")
    if _CODES.search(text):
        problems.append("Leave statute, rule and form codes and checklist letters out of the "
                        "label: say what it means, and put where it comes from in the hint")
    if _ID.search(text):
        problems.append("Leave ids out of the label: use the words staff use")
    if questions and not text.endswith("?"):
        problems.append("Write the label as a question staff answer, ending with a question "
                        "mark")
    if kind == "boolean" and _NEGATIVE.search(text):
        problems.append("Ask a yes or no question without a negative (no, not, without), so "
                        "that yes means yes")
    return problems


def error_problem(message: str, kind: str) -> str | None:
    """What is wrong with the message shown when the question is not answered, or None."""
    text = " ".join(message.split())
    start = _VERB_FOR.get(kind, "Enter ")
    if not text.startswith(start) or len(text) <= len(start):
        example = {"boolean": "Select yes if all the required signatures are present",
                   "enum": "Select the outcome of the call"}.get(kind, "Enter the claim number")
        return f"Start the error message with '{start.strip()}', like '{example}'"
    if text.endswith((".", "!")) or text.lower().endswith("is required"):
        return "End the error message without a full stop or 'is required'"
    return None
