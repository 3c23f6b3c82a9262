"""All models, imported here so Alembic and the app see every table."""
from .letters import Letter, Setting
from .people import DirectPaymentAgreement, Person, Representative
from .users import ROLES, ApiToken, Role, Team, User, UserRole
from .workflow import (
    AuditEvent,
    HumanTask,
    Incident,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    TaskStatus,
)

__all__ = [
    "ApiToken", "AuditEvent", "DirectPaymentAgreement", "HumanTask", "Incident", "InstanceStatus",
    "Letter", "Person", "ProcessDefinition", "ProcessInstance", "ProcessVersion", "ROLES",
    "Representative", "Role", "Setting", "TaskStatus", "Team", "User", "UserRole",
]
