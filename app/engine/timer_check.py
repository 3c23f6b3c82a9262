"""The save-time check of a diagram's timers, each problem a sentence a manager can act on.

A manager sets a timer in the modeler's words ("10 working days after the date the pack was
sent", written as `add_working_days(sent_date, 10)`) or, under Advanced, as an expression. Either
way a problem is said in plain English on the timer, without the parser's detail ("syntax error at
line 1, column 3" becomes "check its brackets, commas and quotation marks"). The expression layer
(expressions.py) still decides what is allowed; this module only words its answer for a timer.
Pure: lxml nodes in, Problems out.
"""
from __future__ import annotations

import ast
import re
from typing import Collection

from app.calendar import COUNT_LIMITS
from app.domain import settings_catalogue

from . import expressions
from .bpmn import BPMN
from .scripting import is_iso_literal, to_python
from .types import Problem

DATE_FUNCTIONS = frozenset({
    "add_working_days", "add_calendar_days", "next_working_day", "add_months",
    "deemed_service_cpr_6_26", "deemed_service_cpr_6_14", "today", "date_of",
})
KINDS = ("timeDate", "timeDuration", "timeCycle")
# The timer types as the modeler's Timer group names them.
TYPE_WORDS = {"timeDate": "Date", "timeDuration": "Duration", "timeCycle": "Cycle"}
_COUNTED = {"add_working_days": "working days", "add_calendar_days": "days",
            "add_months": "months"}
CALENDAR_WORDS = "add_working_days, add_calendar_days, add_months or next_working_day"

UNREADABLE = ("The timer could not be read: check its brackets, commas and quotation marks, or "
              "choose one of the simple forms in the panel")
TOO_COMPLICATED = "The timer is too long or complicated to check: write it more simply"
NOT_A_DATE_OR_LENGTH = ("Write when the timer is due as a date worked out from the case, such as "
                        "add_working_days(sent_date, 10), or as a length of time such as P10D")
NUMBER_NOT_DATE = ("The timer gives a number of days, not a date: say which date to count them "
                   "from, for example 10 working days after the date the pack was sent")
WHOLE_NUMBER = "Write the number of {unit} as a whole number"
NOT_NEGATIVE = "Write the number of {unit} as 0 or more"
AT_MOST = "Write a number of {unit} no more than {limit:,}"
NO_SUCH_SETTING = "There is no setting called '{key}': choose one from the settings list"
NOT_DAYS_SETTING = "The setting '{key}' is not a number of days, so a timer cannot count with it"
COUNT_AND_DATE = "Give the date to count from and the number of {unit}, and nothing else"
SETTING_IN_QUOTES = "Name the setting in quotation marks, for example setting(\"{example}\")"


def timer_problems(timer, element_id: str | None, functions: Collection[str]) -> list[Problem]:
    """The problems of one timerEventDefinition, on the element it belongs to."""
    problems: list[Problem] = []
    for kind in KINDS:
        node = timer.find(f"{BPMN}{kind}")
        if node is None:
            continue
        text = (node.text or "").strip()
        if not text:
            messages = [f"Choose when the timer is due: its {TYPE_WORDS[kind]} is empty"]
        elif is_iso_literal(text):
            messages = _literal_problems(kind, text)
        else:
            messages = expression_problems(kind, text, functions)
        problems.extend(Problem(message, element_id) for message in messages)
    return problems


def _literal_problems(kind: str, text: str) -> list[str]:
    is_cycle, is_duration = text.startswith("R"), text.startswith("P")
    if kind == "timeDate" and (is_cycle or is_duration):
        what = "a repeating cycle" if is_cycle else "a length of time"
        return [f"'{text}' is {what}, but the timer's type is Date: choose the type "
                f"{'Cycle' if is_cycle else 'Duration'}, or give a date"]
    if kind == "timeDuration" and not is_duration:
        return [f"'{text}' is not a length of time, but the timer's type is Duration: write one "
                "such as P10D, or choose another type"]
    if kind == "timeCycle" and not is_cycle:
        return [f"'{text}' does not repeat, but the timer's type is Cycle: write a cycle such as "
                "R3/PT1H, or choose another type"]
    return []


def expression_problems(kind: str, text: str, functions: Collection[str]) -> list[str]:
    """What is wrong with a timer written as an expression, in words (empty when it is fine)."""
    try:
        source = to_python(text)
        messages = expressions.check_expression(source, allowed_names=functions)
        if messages:
            return list(dict.fromkeys(in_words(m) for m in messages))
        tree = ast.parse(source, mode="eval").body
    except expressions.ExpressionError as exc:
        return [in_words(exc.message)]
    except (RecursionError, MemoryError, ValueError, SyntaxError):
        return [TOO_COMPLICATED]
    if not isinstance(tree, ast.Call) or not isinstance(tree.func, ast.Name):
        return [NOT_A_DATE_OR_LENGTH]
    # Only dates are computed: a duration or cycle is written as it is (P10D, R3/PT1H), and
    # anything else would be accepted here and fail when a case reached the timer.
    if kind != "timeDate":
        return [f"A {TYPE_WORDS[kind]} timer takes a length of time such as P10D: to count days "
                "from a date, choose the type Date"]
    if tree.func.id == "setting":
        return [NUMBER_NOT_DATE]
    if tree.func.id not in DATE_FUNCTIONS:
        return [f"'{tree.func.id}' does not work out a date: a Date timer counts from a date "
                f"with {CALENDAR_WORDS}"]
    return _argument_problems(tree)


def in_words(message: str) -> str:
    """The expression check's message (expressions.py, juel.py) as a sentence for a timer."""
    if message.startswith(("syntax error", "unsupported JUEL")):
        return UNREADABLE
    if any(words in message for words in ("limit of", "nested", "larger than", "must be text")):
        return TOO_COMPLICATED
    unknown = re.match(r"unknown function '([^']*)'", message)
    if unknown:
        return (f"'{unknown.group(1)}' is not a calendar function: count days with "
                f"{CALENDAR_WORDS}")
    quoted = re.search(r"'([^']+)'", message)
    what = quoted.group(1) if quoted else message.removesuffix(" is not allowed")
    return ("A timer works out a date from the case's dates, numbers and settings only: take "
            f"out '{what}'")


def _argument_problems(tree: ast.AST) -> list[str]:
    """Counts and settings that would fail when a case reached the timer, said at save."""
    problems: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id == "setting":
            problems.extend(_setting_problems(node))
        unit = _COUNTED.get(node.func.id)
        if unit is None:
            continue
        counts = node.args[1:2] + [k.value for k in node.keywords if k.arg == "n"]
        if len(node.args) + len(node.keywords) != 2:
            problems.append(COUNT_AND_DATE.format(unit=unit))
        for count in counts:
            problem = _count_problem(count, unit, COUNT_LIMITS[node.func.id])
            if problem:
                problems.append(problem)
    return list(dict.fromkeys(problems))


def _count_problem(count: ast.AST, unit: str, limit: int) -> str | None:
    """A count written as a number that the calendar would refuse (app/calendar.py _count)."""
    sign = 1
    if isinstance(count, ast.UnaryOp) and isinstance(count.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(count.op, ast.USub) else 1
        count = count.operand
    if not isinstance(count, ast.Constant):
        return None  # a variable or a setting: known only when a case reaches the timer
    value = count.value
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return WHOLE_NUMBER.format(unit=unit)
    if isinstance(value, float) and not value.is_integer():
        return WHOLE_NUMBER.format(unit=unit)
    if sign * value < 0:
        return NOT_NEGATIVE.format(unit=unit)
    if value > limit:
        return AT_MOST.format(unit=unit, limit=limit)
    return None


def _setting_problems(call: ast.Call) -> list[str]:
    example = "dp_reminder_1_working_days"
    if len(call.args) != 1 or call.keywords or not (
            isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
        return [SETTING_IN_QUOTES.format(example=example)]
    key = call.args[0].value
    if key not in settings_catalogue.keys():
        return [NO_SUCH_SETTING.format(key=key)]
    default = settings_catalogue.spec(key).default
    if isinstance(default, bool) or not isinstance(default, int):
        return [NOT_DAYS_SETTING.format(key=key)]
    return []
