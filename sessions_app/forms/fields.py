"""What the staff scheduling forms share: date and time inputs, staff pickers, the placing of a
``SchedulingError``'s messages at their fields, and reading a date and wall-clock times as instants
through ``clinic_datetime`` alone, whose ``ClinicTimeError`` (a time skipped or repeated by a clock
change) is placed at the time's field or answered with the "which one?" choice it asks for
(``ClinicTimesMixin``).
"""

import datetime

from crispy_forms.layout import Div, Layout
from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from journease.clinic_time import ClinicTimeError, clinic_datetime, clinic_span_end_day
from sessions_app.services.scheduling import NON_FIELD, SchedulingError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def zone_help() -> str:
    return _("Clinic time (%(zone)s).") % {"zone": settings.CLINIC_TIME_ZONE}


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.email


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.email


class SchedulingErrorsMixin:
    """Place a ``SchedulingError``'s messages at this form's fields."""

    # Service field name -> form field name, where they differ.
    error_fields: dict[str, str] = {"starts_at": "start_time", "ends_at": "end_time"}

    def add_scheduling_errors(self, error: SchedulingError) -> None:
        for name, messages in error.errors.items():
            target = self.error_fields.get(name, name)
            if target == NON_FIELD or target not in self.fields:
                target = None
            for message in messages:
                self.add_error(target, message)


# The answers to "which 1:30 AM?" on the day clocks go back, as ``clinic_datetime``'s fold.
FOLDS = {"first": 0, "second": 1}


class FoldField(forms.ChoiceField):
    """Which of a wall-clock time that happens twice is meant. The form shows it only on the
    day it is needed (``ClinicTimesMixin``); any other value counts as no answer, so that a
    field the person never saw cannot refuse their form."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=[("first", _("first")), ("second", _("second"))],
            required=False,
            widget=forms.RadioSelect,
            **kwargs,
        )

    def to_python(self, value) -> str:
        value = super().to_python(value)
        return value if value in FOLDS else ""


class ClinicTimesMixin(SchedulingErrorsMixin):
    """Reads ``date``, ``start_time`` and (where the form has it) ``end_time`` as the instants
    ``self.starts_at`` and ``self.ends_at``, through ``clinic_datetime``: a time the clocks skip
    that day is refused at its field with the reason; one they repeat shows the form's
    ``start_fold`` / ``end_fold`` choice, refused until it is answered. The layout shows a
    choice only where it is needed (``time_choice_rows``): after such a time was entered, or
    when the session being changed already is at one."""

    fold_fields = {"start_time": "start_fold", "end_time": "end_fold"}

    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None

    def clean(self):
        cleaned = super().clean()
        self.starts_at, self.ends_at = self._read_times(cleaned, refuse=True)
        if self.asked:
            self.helper.layout = Layout(*self.layout_parts())
        return cleaned

    def _read_times(
        self, values: dict, *, refuse: bool
    ) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        self.asked: list[str] = []
        day, start, end = (values.get(name) for name in ("date", "start_time", "end_time"))
        starts_at = ends_at = None
        if isinstance(day, datetime.date) and isinstance(start, datetime.time):
            starts_at = self._instant("start_time", day, start, values, refuse=refuse)
            if isinstance(end, datetime.time):
                end_day = clinic_span_end_day(day, start, end)
                ends_at = self._instant("end_time", end_day, end, values, refuse=refuse)
        return starts_at, ends_at

    def _instant(
        self, name: str, day: datetime.date, time: datetime.time, values: dict, *, refuse: bool
    ) -> datetime.datetime | None:
        try:
            return clinic_datetime(day, time)
        except ClinicTimeError as error:
            if error.code != ClinicTimeError.AMBIGUOUS:
                if refuse:
                    self.add_error(name, error.message)
                return None
            choice = self.fold_fields[name]
            label = (
                _("Which %(time)s?") if name == "start_time" else _("Ends at which %(time)s?")
            ) % {"time": formats.time_format(time, "g:i A")}
            # The field and its bound field, which a bound form has made (and kept) already.
            self.fields[choice].label = self[choice].label = label
            self.fields[choice].choices = list(zip(FOLDS, error.choices, strict=True))
            self.asked.append(choice)
            answer = values.get(choice)
            if answer in FOLDS:
                return clinic_datetime(day, time, fold=FOLDS[answer])
            if refuse:
                self.add_error(choice, error.message)
            return None

    def time_choice_rows(self) -> list:
        """The "which one?" choices needed, each on its own row under the times."""
        if not hasattr(self, "asked"):
            if self.is_bound:
                return []  # until ``clean`` has read the times
            self._read_times(self.initial, refuse=False)
        return [Div(Div(name, css_class="col-sm-8"), css_class="row") for name in self.asked]

    @staticmethod
    def initial_folds(start: datetime.datetime, end: datetime.datetime) -> dict:
        """The answers that keep a session's local times as they are (``fold`` of each)."""
        return {
            "start_fold": "second" if start.fold else "first",
            "end_fold": "second" if end.fold else "first",
        }


def time_row(*names: str) -> Div:
    return Div(*(Div(name, css_class="col-sm-4") for name in names), css_class="row")
