"""The participants app's models, one module per concern; import them from here."""

from participants.models.accounts import (
    STAFF_ROLES,
    ParticipantProfile,
    Role,
    User,
    UserManager,
)
from participants.models.audit import AuditAction, AuditEvent, AuditLogError
from participants.models.consent import ConsentDocument, ConsentSignature
from participants.models.screening import (
    AlertStatus,
    FlagOperator,
    FlagRule,
    FlagSeverity,
    SafetyAlert,
    SafetyLevel,
    Screening,
    ScreeningDecision,
    ScreeningPolicy,
    ScreeningStatus,
    flag_number,
)

__all__ = [
    "STAFF_ROLES",
    "AuditAction",
    "AuditEvent",
    "AuditLogError",
    "AlertStatus",
    "ConsentDocument",
    "ConsentSignature",
    "FlagOperator",
    "FlagRule",
    "FlagSeverity",
    "ParticipantProfile",
    "Role",
    "SafetyAlert",
    "SafetyLevel",
    "Screening",
    "ScreeningDecision",
    "ScreeningPolicy",
    "ScreeningStatus",
    "User",
    "UserManager",
    "flag_number",
]
