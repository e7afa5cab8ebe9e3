"""The dosing day's models, one module per concern; import them from here."""

from dosing.models.arrival import (
    CNS_DEPRESSANTS,
    Arrival,
    GateOverride,
    NotDosed,
    PreDoseReading,
    Pregnancy,
)
from dosing.models.care import (
    AdverseEvent,
    AdverseEventKind,
    Discharge,
    Dose,
    DoseUnit,
    Medication,
    MonitorPresence,
    Route,
    Sedation,
    Severity,
    Vitals,
)
from dosing.models.entries import Entry, EntryQuerySet
from dosing.models.protocol import (
    BOUNDS,
    LIMIT_SETS,
    DosingProtocol,
    limit_field,
    reading_outside,
)

__all__ = [
    "BOUNDS",
    "CNS_DEPRESSANTS",
    "LIMIT_SETS",
    "AdverseEvent",
    "AdverseEventKind",
    "Arrival",
    "Discharge",
    "Dose",
    "DoseUnit",
    "DosingProtocol",
    "Entry",
    "EntryQuerySet",
    "GateOverride",
    "Medication",
    "MonitorPresence",
    "NotDosed",
    "PreDoseReading",
    "Pregnancy",
    "Route",
    "Sedation",
    "Severity",
    "Vitals",
    "limit_field",
    "reading_outside",
]
