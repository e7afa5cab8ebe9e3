"""Forms of the staff scheduling pages, one module per page family; import them from here.

Forms only collect and shape input: the scheduling rules live in ``services/scheduling.py``.
The forms of enrolling and of the roster's seat actions are ``enrollment_forms.py``.
"""

from sessions_app.forms.attendance import AttendanceForm
from sessions_app.forms.fields import (
    FOLDS,
    ClinicTimesMixin,
    DateInput,
    FoldField,
    SchedulingErrorsMixin,
    StaffChoiceField,
    StaffMultipleChoiceField,
    TimeInput,
)
from sessions_app.forms.filters import SessionFilterForm
from sessions_app.forms.sessions import (
    CancelForm,
    DuplicateForm,
    RescheduleForm,
    SeriesForm,
    SessionForm,
)

__all__ = [
    "FOLDS",
    "AttendanceForm",
    "CancelForm",
    "ClinicTimesMixin",
    "DateInput",
    "DuplicateForm",
    "FoldField",
    "RescheduleForm",
    "SchedulingErrorsMixin",
    "SeriesForm",
    "SessionFilterForm",
    "SessionForm",
    "StaffChoiceField",
    "StaffMultipleChoiceField",
    "TimeInput",
]
