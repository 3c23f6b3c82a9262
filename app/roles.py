"""The roles a user may hold, and the named groups of them that pages, API routes and services
check (ARCHITECTURE.md "Cases, people, roles and teams").

The one place a role is named: everything else says `Role.LEGAL` or a group below, so widening
who may do something is one line here (tests/unit/test_house_rules.py refuses a role's name
written as a string elsewhere). Pure, with no SQLAlchemy, so app/web, app/api, app/services and
app/models may all import it.

Groups are tuples, not sets: their order is the order the API's error messages and the OpenAPI
document list them in.
"""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FINANCE_ASSISTANT = "finance_assistant"
    FINANCE_OFFICER = "finance_officer"
    FINANCE_MANAGER = "finance_manager"
    CASEWORKER = "caseworker"
    CARE_MANAGER = "care_manager"
    LEGAL = "legal"
    ADMIN = "admin"


ROLES: frozenset[str] = frozenset(r.value for r in Role)

_MANAGERS = (Role.FINANCE_MANAGER, Role.ADMIN)

# Managers and admins see every team's work (the others see their own team's).
ALL_TEAMS: frozenset[str] = frozenset(_MANAGERS)
# Edit, save and publish process diagrams (the modeler pages and the API).
PROCESS_EDITORS = _MANAGERS
# The operations page, and retrying an instance stopped by an incident.
OPERATORS = _MANAGERS
# Change a policy setting.
SETTINGS_EDITORS = _MANAGERS
# Give a task to someone (the others claim their own).
TASK_ASSIGNERS = _MANAGERS
# Move the shared frozen clock and run due timers by hand (demos and tests).
CLOCK_OPERATORS = (Role.ADMIN,)

# Everyone in the finance team, plus admins: who imports, opens cases, sees debt reports and
# delivers messages to running processes.
FINANCE_STAFF = (Role.FINANCE_ASSISTANT, Role.FINANCE_OFFICER, Role.FINANCE_MANAGER, Role.ADMIN)
# Start a process for a person: the finance team, caseworkers and admins.
PROCESS_STARTERS = (Role.FINANCE_ASSISTANT, Role.FINANCE_OFFICER, Role.FINANCE_MANAGER,
                    Role.CASEWORKER, Role.ADMIN)
# Record what the council is told about a debtor: a Breathing Space, a death, a query.
NOTIFIERS = (Role.FINANCE_ASSISTANT, Role.FINANCE_OFFICER, Role.FINANCE_MANAGER)
# Own and close an invoice query: the finance assistant who resolves it, and the senior officer
# and team manager it escalates to (DOMAIN.md A.4).
QUERY_RESOLVERS = (Role.FINANCE_ASSISTANT, Role.FINANCE_OFFICER, Role.FINANCE_MANAGER)

# Recover debts: instalment plans, the deferred payment test, the Reply Form, offers, write-off
# proposals.
RECOVERY_OFFICERS = (Role.FINANCE_OFFICER, Role.FINANCE_MANAGER)
# Approve or reject a proposed write-off (the amount's level in settings decides who exactly).
WRITE_OFF_DECIDERS = (*RECOVERY_OFFICERS, Role.ADMIN)
# The roles a write-off approval level may name (the write_off_levels setting).
WRITE_OFF_LEVEL_ROLES = RECOVERY_OFFICERS
# Read a debt's Letter of Claim: recovery, Legal and admins.
LETTER_OF_CLAIM_READERS = (*RECOVERY_OFFICERS, Role.LEGAL, Role.ADMIN)
# Record a court claim's steps (an acknowledgment of service).
COURT_RECORDERS = (Role.LEGAL, *RECOVERY_OFFICERS)
# Export credit notes and re-issued invoices for the council's finance system.
FINANCE_EXPORTERS = _MANAGERS
# Direct payments after the agreement (DOMAIN.md A.2): ask for an audit of the account (the
# finance assistant who audits, the officer, and the caseworker with a concern); record notice
# that ends a direct payment (the caseworker and care manager who decide with the person, and
# the officer who hears it first); read the returns report (managers).
DP_AUDIT_REQUESTERS = (Role.FINANCE_ASSISTANT, Role.FINANCE_OFFICER, Role.CASEWORKER)
DP_NOTICE_RECORDERS = (Role.CASEWORKER, Role.CARE_MANAGER, Role.FINANCE_OFFICER)
DP_REPORT_READERS = _MANAGERS
# Lifting a s33(5) suspension is the care manager's decision, as the suspension was.
DP_RESTARTERS = (Role.CARE_MANAGER,)
