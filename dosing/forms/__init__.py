"""The dosing day's forms, one module per part of the day; import them from here.

Forms collect and shape input; the rules (the gate, the monitor's presence, the minimum time
before discharge, the escort) are the services' (``dosing/services/day.py``).
"""

from dosing.forms.arrival import ArrivalForm, NotDosedForm, OverrideForm, ReadingForm
from dosing.forms.care import (
    AdverseEventForm,
    DischargeForm,
    DoseForm,
    ResolveForm,
    VitalsForm,
    prescribers,
)
from dosing.forms.corrections import CorrectionReasonForm
from dosing.forms.fields import ClockTimeField, EntryForm, instant_near

__all__ = [
    "AdverseEventForm",
    "ArrivalForm",
    "ClockTimeField",
    "CorrectionReasonForm",
    "DischargeForm",
    "DoseForm",
    "EntryForm",
    "NotDosedForm",
    "OverrideForm",
    "ReadingForm",
    "ResolveForm",
    "VitalsForm",
    "instant_near",
    "prescribers",
]
