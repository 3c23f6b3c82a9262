"""Statuses are StrEnums with their allowed transitions beside them (STYLE.md principle 11).

The status columns stay strings of the same values (a StrEnum member equals its value), so the
checks here are on the source: every status value the code writes or compares with is a member
of that model's enum, and every change of status the code makes is allowed by the model's
transition table. Each place that moves a status is listed in MOVES with the states it moves
from (read from the code around it); a new one fails until it is listed, so its table is
looked at when the code changes.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pytest

from app import models
from app.models import (
    AUDIT_TRANSITIONS,
    COURT_CLAIM_TRANSITIONS,
    CREDIT_NOTE_TRANSITIONS,
    DEBT_CASE_TRANSITIONS,
    DIRECT_PAYMENT_TRANSITIONS,
    INSTALMENT_PLAN_TRANSITIONS,
    LETTER_OF_CLAIM_TRANSITIONS,
    LETTER_TRANSITIONS,
    QUERY_TRANSITIONS,
    REVIEW_TRANSITIONS,
    WRITE_OFF_TRANSITIONS,
    AuditStatus,
    CourtClaimStatus,
    CreditNoteStatus,
    DebtCaseStatus,
    DirectPaymentStatus,
    InstalmentPlanStatus,
    InstanceStatus,
    InvoiceStatus,
    LetterOfClaimStatus,
    LetterStatus,
    QueryStatus,
    ReviewStatus,
    TaskStatus,
    WriteOffStatus,
    can_move,
)
from app.models.workflow import INSTANCE_TRANSITIONS

REPO = Path(__file__).resolve().parents[2]

# The model each status enum belongs to.
STATUSES: dict[str, type[StrEnum]] = {
    "DebtCase": DebtCaseStatus, "InstalmentPlan": InstalmentPlanStatus,
    "LetterOfClaim": LetterOfClaimStatus, "CourtClaim": CourtClaimStatus,
    "WriteOff": WriteOffStatus, "Letter": LetterStatus,
    "Invoice": InvoiceStatus, "ProcessInstance": InstanceStatus, "HumanTask": TaskStatus,
    "CreditNote": CreditNoteStatus, "InvoiceQuery": QueryStatus,
    "DirectPaymentAgreement": DirectPaymentStatus, "DirectPaymentReview": ReviewStatus,
    "DirectPaymentAudit": AuditStatus,
}
ENUMS = {enum.__name__: model for model, enum in STATUSES.items()}
TRANSITIONS = {
    DebtCaseStatus: DEBT_CASE_TRANSITIONS, InstalmentPlanStatus: INSTALMENT_PLAN_TRANSITIONS,
    LetterOfClaimStatus: LETTER_OF_CLAIM_TRANSITIONS, CourtClaimStatus: COURT_CLAIM_TRANSITIONS,
    WriteOffStatus: WRITE_OFF_TRANSITIONS, LetterStatus: LETTER_TRANSITIONS,
    InstanceStatus: INSTANCE_TRANSITIONS, CreditNoteStatus: CREDIT_NOTE_TRANSITIONS,
    QueryStatus: QUERY_TRANSITIONS, DirectPaymentStatus: DIRECT_PAYMENT_TRANSITIONS,
    ReviewStatus: REVIEW_TRANSITIONS, AuditStatus: AUDIT_TRANSITIONS,
}
# What a variable holding a row is called where the code writes a status as a plain string.
RECEIVERS = {
    "debt": "DebtCase", "plan": "InstalmentPlan", "loc": "LetterOfClaim", "claim": "CourtClaim",
    "proposal": "WriteOff", "letter": "Letter", "row": "Letter", "invoice": "Invoice",
    "i": "Invoice", "instance": "ProcessInstance", "task": "HumanTask", "gone": "HumanTask",
    "note": "CreditNote", "query": "InvoiceQuery", "agreement": "DirectPaymentAgreement",
    "review": "DirectPaymentReview", "audit": "DirectPaymentAudit",
}

_DP = "app/services/direct_payments/monitoring.py"
_DPM = "app/services/direct_payments/monitoring_steps.py"
_DPA = "app/services/direct_payments/audit_steps.py"
# Every change of a free-string status the code makes: (file, model, new status) -> the states it
# moves from. Creating a row is not a move (its first status is checked as a member).
MOVES: dict[tuple[str, str, str], set[str]] = {
    # close_paid: debts still open that payments cleared (after_payments picks open ones).
    ("app/services/debts/opening.py", "DebtCase", "closed"): {"open"},
    # decide: an approved write-off leaves nothing owed.
    ("app/services/debts/write_offs.py", "DebtCase", "closed"): {"open"},
    # close_paid: the plan in force (recovery.current_plan) is kept to the end.
    ("app/services/debts/opening.py", "InstalmentPlan", "completed"): {"active", "behind"},
    # review (the plan in force): completed, an instalment (or a later one) missed, caught up;
    # _break: broken; cancel_plan: cancelled with the debt's route.
    ("app/services/debts/instalment_plans.py", "InstalmentPlan", "completed"): {"active", "behind"},
    ("app/services/debts/instalment_plans.py", "InstalmentPlan", "behind"): {"active", "behind"},
    ("app/services/debts/instalment_plans.py", "InstalmentPlan", "active"): {"behind"},
    ("app/services/debts/instalment_plans.py", "InstalmentPlan", "broken"): {"active", "behind"},
    ("app/services/debts/instalment_plans.py", "InstalmentPlan", "cancelled"): {"active", "behind"},
    # post_letter_of_claim: the pack's letter waits for approval (legal letters always do);
    # approved late or after the debt changed it is superseded and made again.
    ("app/services/legal/letter_of_claim.py", "Letter", "print_batch"): {"awaiting_approval"},
    ("app/services/legal/letter_of_claim.py", "Letter", "superseded"): {"awaiting_approval"},
    ("app/services/legal/letter_of_claim.py", "LetterOfClaim", "posted"): {"awaiting_approval"},
    # record_claim on the referred claim; record_judgment on the issued one.
    ("app/services/legal/claims.py", "CourtClaim", "issued"): {"referred"},
    ("app/services/legal/judgments.py", "CourtClaim", "judgment"): {"issued"},
    # decide: only a proposal still waiting (checked with can_move).
    ("app/services/debts/write_offs.py", "WriteOff", "approved"): {"proposed"},
    ("app/services/debts/write_offs.py", "WriteOff", "rejected"): {"proposed"},
    # decide / _issue: a note waiting for approval (checked with can_move); one under the
    # threshold is issued as it is raised, from the status it was created with.
    ("app/services/queries/credit_notes.py", "CreditNote", "rejected"): {"awaiting_approval"},
    ("app/services/queries/credit_notes.py", "CreditNote", "issued"): {"awaiting_approval"},
    # record_closing: an open query (checked with can_move).
    ("app/services/queries/records.py", "InvoiceQuery", "closed"): {"open"},
    # Direct-payment monitoring, each checked with can_move first: start_monitoring from the
    # agreement, restart_payments after a suspension; notice (record_ending); its end or a
    # death; a s33(5) suspension.
    (_DP, "DirectPaymentAgreement", "active"): {"proposed", "suspended"},
    (_DPM, "DirectPaymentAgreement", "ending"): {"active", "suspended"},
    (_DPM, "DirectPaymentAgreement", "ended"): {"active", "suspended", "ending"},
    (_DPA, "DirectPaymentAgreement", "suspended"): {"active"},
    # record_review (checked), the concern reviews a decision closes and the reviews an ending
    # cancels (both select only due ones).
    (_DPM, "DirectPaymentReview", "done"): {"due"},
    (_DPA, "DirectPaymentReview", "done"): {"due"},
    (_DPM, "DirectPaymentReview", "cancelled"): {"due"},
    # The audit's steps, each checked with can_move.
    (_DPA, "DirectPaymentAudit", "reminded"): {"requested"},
    (_DPA, "DirectPaymentAudit", "escalated"): {"reminded"},
    (_DPA, "DirectPaymentAudit", "deciding"): {"requested", "reminded", "escalated"},
    (_DPA, "DirectPaymentAudit", "closed"): {"requested", "reminded", "escalated", "deciding"},
}
FREE_STRING_MODELS = {"DebtCase", "InstalmentPlan", "LetterOfClaim", "CourtClaim", "WriteOff",
                      "Letter", "CreditNote", "InvoiceQuery", "DirectPaymentAgreement",
                      "DirectPaymentReview", "DirectPaymentAudit"}


# --- reading the source -----------------------------------------------------------------------
Names = dict[str, list[ast.expr]]  # a module's names -> every value assigned to them
@dataclass(frozen=True)
class Use:
    path: str
    line: int
    write: bool  # an assignment or a constructor's status=, not a comparison
    created: bool  # a constructor's status=
    model: str | None  # None: the row's variable is not in RECEIVERS
    values: tuple[str, ...] | None  # None: not a literal or an enum member
    enum: str | None  # the status enum named, if the value was written as a member
    receiver: str | None  # the model the row's variable or class name says


def _values(node: ast.expr, names: Names | None = None
            ) -> tuple[tuple[str, ...] | None, str | None]:
    """The status values an expression stands for, and the enum it names them by; a name is
    looked up in the module's own assignments to it (`decision = A if ok else B`)."""
    if isinstance(node, ast.Name) and names and node.id in names:
        return _join(names[node.id])
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,), None
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in ENUMS):
        enum = STATUSES[ENUMS[node.value.id]]
        member = enum.__members__.get(node.attr)
        return ((member.value,) if member else (f"<no member {node.attr}>",)), node.value.id
    if isinstance(node, ast.IfExp):
        return _join([node.body, node.orelse])
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return _join(node.elts)
    return None, None


def _join(nodes: list[ast.expr]) -> tuple[tuple[str, ...] | None, str | None]:
    parts = [_values(n) for n in nodes]  # a name's value is not followed further
    if any(values is None for values, _ in parts):
        return None, None
    enums = {enum for _, enum in parts}
    return tuple(v for values, _ in parts for v in values or ()), (
        enums.pop() if len(enums) == 1 else None)


def _receiver(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id if node.id in STATUSES else RECEIVERS.get(node.id)
    return None


def _use(path: str, line: int, receiver: ast.expr, value: ast.expr, write: bool,
         created: bool = False, names: Names | None = None) -> Use:
    values, enum = _values(value, names)
    row = _receiver(receiver)
    return Use(path, line, write, created, ENUMS[enum] if enum else row, values, enum, row)


def uses_in(source: str, path: str) -> Iterator[Use]:
    """Every status written or compared with in one module."""
    tree = ast.parse(source)
    names: Names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, []).append(node.value)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (zip(target.elts, node.value.elts, strict=True)
                         if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                         else [(target, node.value)])
                for left, right in pairs:
                    if isinstance(left, ast.Attribute) and left.attr == "status":
                        yield _use(path, node.lineno, left.value, right, True, names=names)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in STATUSES:
                for keyword in node.keywords:
                    if keyword.arg == "status":
                        yield _use(path, node.lineno, func, keyword.value, True, True, names)
            if (isinstance(func, ast.Attribute) and func.attr == "in_"
                    and isinstance(func.value, ast.Attribute) and func.value.attr == "status"):
                for arg in node.args:
                    yield _use(path, node.lineno, func.value.value, arg, False, names=names)
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for left, right in zip(sides, sides[1:], strict=False):
                for status, other in ((left, right), (right, left)):
                    if isinstance(status, ast.Attribute) and status.attr == "status":
                        use = _use(path, node.lineno, status.value, other, False, names=names)
                        if use.values is not None and not all(
                                isinstance(v, int) for v in use.values):
                            yield use


def all_uses() -> list[Use]:
    found = []
    for path in sorted((REPO / "app").rglob("*.py")):
        if "models" in path.parts:
            continue  # the enums themselves
        where = path.relative_to(REPO).as_posix()
        found.extend(uses_in(path.read_text(encoding="utf-8"), where))
    return found


# --- the enums and their tables ---------------------------------------------------------------
@pytest.mark.parametrize("enum, table", TRANSITIONS.items(), ids=lambda x: getattr(x, "__name__", ""))
def test_each_table_names_every_state_and_only_its_own(enum, table):
    assert set(table) == set(enum), "a state with no row: give it one (frozenset() ends there)"
    for state, following in table.items():
        assert set(following) <= set(enum), state


def test_can_move_follows_the_table_only():
    assert can_move(WRITE_OFF_TRANSITIONS, "proposed", WriteOffStatus.APPROVED)
    assert can_move(WRITE_OFF_TRANSITIONS, WriteOffStatus.PROPOSED, "rejected")
    assert not can_move(WRITE_OFF_TRANSITIONS, "approved", "approved")  # no silent re-write
    assert not can_move(WRITE_OFF_TRANSITIONS, "approved", "rejected")
    assert not can_move(WRITE_OFF_TRANSITIONS, "pending", "approved")  # not a state at all
    assert can_move(INSTALMENT_PLAN_TRANSITIONS, "behind", "behind")  # a later one missed too


def test_a_member_equals_the_string_stored_today():
    # What lets the columns stay strings with no migration.
    assert DebtCaseStatus.OPEN == "open" and f"{LetterStatus.PRINT_BATCH}" == "print_batch"
    assert "write_off_" + WriteOffStatus.APPROVED == "write_off_approved"


def test_the_defaults_of_the_columns_are_members():
    for model, enum in STATUSES.items():
        default = getattr(models, model).__table__.c.status.default
        if default is not None:
            assert default.arg in set(enum), model


# --- the code against them ---------------------------------------------------------------------
def test_every_status_the_code_writes_or_compares_is_a_member():
    problems = []
    for use in all_uses():
        where = f"{use.path}:{use.line}"
        if use.values is None:
            if use.write:
                problems.append(f"{where}: write a status as a literal or an enum member")
            continue
        if use.enum and use.receiver and use.receiver != use.model:
            problems.append(f"{where}: a {use.receiver}'s status set to or compared with a "
                            f"{use.enum}")
            continue
        if use.model is None:
            problems.append(f"{where}: which model's status is this? add the variable to "
                            "RECEIVERS or write the value as an enum member")
            continue
        unknown = set(use.values) - {m.value for m in STATUSES[use.model]}
        if unknown:
            problems.append(f"{where}: {sorted(unknown)} is not a {STATUSES[use.model].__name__}")
    assert not problems, "\n".join(problems)


def test_the_scan_sees_the_writes():
    # Guards the tests above and below from passing because they read nothing.
    writes = {(u.path, u.model) for u in all_uses() if u.write}
    assert {("app/services/legal/claims.py", "CourtClaim"),
            ("app/services/correspondence/letters.py", "Letter"),
            ("app/services/debts/write_offs.py", "WriteOff")} <= writes


def test_every_change_of_status_the_code_makes_is_listed_and_allowed():
    found: dict[tuple[str, str, str], list[int]] = {}
    for use in all_uses():
        if use.write and not use.created and use.model in FREE_STRING_MODELS:
            for value in use.values or ():
                found.setdefault((use.path, use.model, value), []).append(use.line)
    unlisted = [f"{path}:{lines[0]}: {model} -> {to}: add it to MOVES with the states it "
                "moves from" for (path, model, to), lines in found.items()
                if (path, model, to) not in MOVES]
    assert not unlisted, "\n".join(unlisted)
    stale = sorted(set(MOVES) - set(found))
    assert not stale, f"no longer in the code, remove from MOVES: {stale}"
    refused = [f"{path}: {model} {old} -> {to}"
               for (path, model, to), olds in MOVES.items() for old in sorted(olds)
               if not can_move(TRANSITIONS[STATUSES[model]], old, to)]
    assert not refused, "moves the transition tables do not allow:\n" + "\n".join(refused)


@pytest.mark.parametrize("source, expected", [
    ('debt.status = "closed"\n', [("DebtCase", ("closed",), True)]),
    ('plan.status, plan.ended_on = "gone", today\n', [("InstalmentPlan", ("gone",), True)]),
    ("p.status = LetterStatus.SUPERSEDED\n", [("Letter", ("superseded",), True)]),
    ('x = WriteOff(status="approved" if ok else "rejected")\n',
     [("WriteOff", ("approved", "rejected"), True)]),
    ('q = Letter.status.in_(("print_batch", "sent"))\n',
     [("Letter", ("print_batch", "sent"), False)]),
    ('if thing.status == "open": pass\n', [(None, ("open",), False)]),
    ("debt.status = LetterStatus.PRINT_BATCH\n", [("Letter", ("print_batch",), True)]),
    ("if exc.status in (403, 404): pass\n", []),
    ("new = WriteOffStatus.APPROVED if ok else WriteOffStatus.REJECTED\nproposal.status = new\n",
     [("WriteOff", ("approved", "rejected"), True)]),
    ('HOLDING = ("active", "behind")\nq = InstalmentPlan.status.in_(HOLDING)\n',
     [("InstalmentPlan", ("active", "behind"), False)]),
])
def test_the_scan_reads_writes_and_comparisons(source, expected):
    assert [(u.model, u.values, u.write) for u in uses_in(source, "x.py")] == expected
