"""All models, imported here so Alembic and the app see every table."""
from .case_records import CaseDocument, CaseNote
from .contacts import ContactMethod, ContactOutcome, ContactRecord, ContactWith
from .direct_payments import (
    AUDIT_TRANSITIONS,
    DIRECT_PAYMENT_TRANSITIONS,
    REVIEW_TRANSITIONS,
    AccountType,
    AuditOutcome,
    AuditReason,
    AuditStatus,
    CardBalance,
    CardTransaction,
    CardTransactionKind,
    DirectPaymentAudit,
    DirectPaymentDecision,
    DirectPaymentPayment,
    DirectPaymentReview,
    DirectPaymentStatus,
    InstructionKind,
    PaymentInstruction,
    ReviewKind,
    ReviewStatus,
    Section33Decision,
)
from .finance import (
    DEBT_CASE_TRANSITIONS,
    INSTALMENT_PLAN_TRANSITIONS,
    Account,
    BreathingSpace,
    CarePackage,
    DebtCase,
    DebtCaseStatus,
    InstalmentPlan,
    InstalmentPlanStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    JobRun,
    PausedTimer,
    Payment,
    PaymentAllocation,
    Provider,
)
from .legal import (
    COURT_CLAIM_TRANSITIONS,
    LETTER_OF_CLAIM_TRANSITIONS,
    WRITE_OFF_TRANSITIONS,
    CourtClaim,
    CourtClaimStatus,
    EnforcementAction,
    Estate,
    LetterOfClaim,
    LetterOfClaimStatus,
    PropertyCharge,
    WriteOff,
    WriteOffStatus,
)
from .letters import (
    LETTER_TRANSITIONS,
    RENDER_TRANSITIONS,
    Letter,
    LetterStatus,
    RenderStatus,
    Setting,
)
from .people import (
    CapacityAssessment,
    DirectPaymentAgreement,
    FinancialAssessment,
    Person,
    PersonAddress,
    PersonNameToken,
    Representative,
)
from .queries import (
    CREDIT_NOTE_TRANSITIONS,
    QUERY_TRANSITIONS,
    CreditNote,
    CreditNoteStatus,
    InvoiceQuery,
    ProviderAdjustment,
    QueriedInvoice,
    QueryChannel,
    QueryFrom,
    QueryOutcome,
    QueryStatus,
    QueryType,
)
from .submissions import FormSubmission
from .types import can_move
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
    "ContactMethod", "ContactOutcome", "ContactRecord", "ContactWith",
    "FinancialAssessment", "FormSubmission", "Invoice", "InvoiceLine", "InvoiceStatus", "Payment",
    "PaymentAllocation", "InstalmentPlan", "JobRun", "PausedTimer", "PersonAddress",
    "PersonNameToken", "Provider", "CourtClaim", "EnforcementAction", "Estate",
    "LetterOfClaim", "PropertyCharge", "WriteOff",
    "ApiToken", "AuditEvent", "DirectPaymentAgreement", "HumanTask", "Incident", "InstanceStatus",
    "Letter", "Person", "ProcessDefinition", "ProcessInstance", "ProcessVersion", "ROLES",
    "Representative", "Role", "Setting", "TaskStatus", "Team", "User", "UserRole",
    # Statuses and the moves allowed between them (can_move(TABLE, current, new)).
    "can_move", "CourtClaimStatus", "DebtCaseStatus", "InstalmentPlanStatus", "LetterStatus",
    "RenderStatus", "RENDER_TRANSITIONS", "LetterOfClaimStatus", "WriteOffStatus", "COURT_CLAIM_TRANSITIONS", "DEBT_CASE_TRANSITIONS",
    "INSTALMENT_PLAN_TRANSITIONS", "LETTER_TRANSITIONS", "LETTER_OF_CLAIM_TRANSITIONS",
    "WRITE_OFF_TRANSITIONS",
    # Invoice queries and credit notes (issue 20).
    "CREDIT_NOTE_TRANSITIONS", "QUERY_TRANSITIONS", "CreditNote", "CreditNoteStatus",
    "InvoiceQuery", "ProviderAdjustment", "QueriedInvoice", "QueryChannel", "QueryFrom",
    "QueryOutcome", "QueryStatus", "QueryType",
    # Direct payments after the agreement (issue 21).
    "AUDIT_TRANSITIONS", "DIRECT_PAYMENT_TRANSITIONS", "REVIEW_TRANSITIONS", "AccountType",
    "AuditOutcome", "AuditReason", "AuditStatus", "CardBalance", "CardTransaction",
    "CardTransactionKind", "DirectPaymentAudit", "DirectPaymentDecision", "DirectPaymentPayment",
    "DirectPaymentReview", "DirectPaymentStatus", "InstructionKind", "PaymentInstruction",
    "ReviewKind", "ReviewStatus", "Section33Decision",
]
