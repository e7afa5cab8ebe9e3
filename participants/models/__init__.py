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
from participants.models.instruments import Instrument, InstrumentTranslation
from participants.models.screening import (
    INTERPRETER_NEEDED,
    INTERPRETER_RECORDED,
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
    "INTERPRETER_NEEDED",
    "INTERPRETER_RECORDED",
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
    "Instrument",
    "InstrumentTranslation",
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
