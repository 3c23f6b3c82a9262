"""All models, imported here so Alembic and the app see every table."""
from .case_records import CaseDocument, CaseNote
from .finance import (
    Account,
    BreathingSpace,
    CarePackage,
    DebtCase,
    InstalmentPlan,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    JobRun,
    Payment,
    PausedTimer,
    PaymentAllocation,
    Provider,
)
from .legal import (
    CourtClaim,
    EnforcementAction,
    Estate,
    LetterOfClaim,
    PropertyCharge,
    WriteOff,
)
from .letters import Letter, Setting
from .people import (
    CapacityAssessment,
    DirectPaymentAgreement,
    FinancialAssessment,
    Person,
    PersonAddress,
    PersonNameToken,
    Representative,
)
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
    "Account", "BreathingSpace", "CaseDocument", "CaseNote", "CapacityAssessment", "CarePackage", "DebtCase",
    "FinancialAssessment", "Invoice", "InvoiceLine", "InvoiceStatus", "Payment",
    "PaymentAllocation", "InstalmentPlan", "JobRun", "PausedTimer", "PersonAddress",
    "PersonNameToken", "Provider", "CourtClaim", "EnforcementAction", "Estate",
    "LetterOfClaim", "PropertyCharge", "WriteOff",
    "ApiToken", "AuditEvent", "DirectPaymentAgreement", "HumanTask", "Incident", "InstanceStatus",
    "Letter", "Person", "ProcessDefinition", "ProcessInstance", "ProcessVersion", "ROLES",
    "Representative", "Role", "Setting", "TaskStatus", "Team", "User", "UserRole",
]
