"""Forms of the staff scheduling pages; each renders with crispy-forms (Bootstrap 5).

Forms only collect and shape input: the scheduling rules live in ``services/scheduling.py``,
whose ``SchedulingError`` the forms place at the field it is about (``add_scheduling_errors``).
A date and a wall-clock time become an instant through ``clinic_datetime`` alone, whose
``ClinicTimeError`` (a time skipped or repeated by a clock change) the forms place at the time's
field, or answer with the "which one?" choice it asks for (``ClinicTimesMixin``).
"""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from journease.clinic_time import (
    ClinicTimeError,
    clinic_datetime,
    clinic_span_end_day,
    clinic_zone,
)
from journease.hostile import validate_date_in_range
from sessions_app.models import EnrollmentStatus, Room, SessionStatus, SessionType
from sessions_app.selectors import staff_members
from sessions_app.services.scheduling import (
    MAX_SERIES_WEEKS,
    NON_FIELD,
    SchedulingError,
    SessionDetails,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _zone_help() -> str:
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


def _time_row(*names: str) -> Div:
    return Div(*(Div(name, css_class="col-sm-4") for name in names), css_class="row")


class SessionForm(ClinicTimesMixin, forms.Form):
    """One session's details. Blank end time, capacity and minimum take the type's defaults."""

    session_type = forms.ModelChoiceField(
        label=_("Session type"), queryset=SessionType.objects.none()
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        required=False,
        help_text=_("Staff and participants see it. Blank: the session type's name."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[validate_date_in_range])
    start_time = forms.TimeField(label=_("Starts"), widget=TimeInput())
    end_time = forms.TimeField(
        label=_("Ends"),
        widget=TimeInput(),
        required=False,
        help_text=_(
            "Blank: the session type's length. A time before the start is on the next day "
            "(a session past midnight)."
        ),
    )
    start_fold = FoldField(label=_("Which start time?"))
    end_fold = FoldField(label=_("Which end time?"))
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        required=False,
        help_text=_("Blank: the type's default, within the room's maximum."),
    )
    min_participants = forms.IntegerField(
        label=_("Minimum participants"),
        min_value=0,
        required=False,
        help_text=_("Blank: the type's default."),
    )
    facilitators = StaffMultipleChoiceField(
        label=_("Facilitators"),
        queryset=staff_members().none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    medical_monitor = StaffChoiceField(
        label=_("Medical monitor"),
        queryset=staff_members().none(),
        required=False,
        help_text=_("Required to publish a dosing session; needs the monitor dosing permission."),
        empty_label=_("None"),
    )
    publish = forms.BooleanField(
        label=_("Publish now"),
        required=False,
        help_text=_("Otherwise it is saved as a draft that participants do not see."),
    )

    submit_label = _("Save session")

    def __init__(self, *args, show_publish: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session_type"].queryset = SessionType.objects.filter(is_active=True)
        self.fields["room"].queryset = Room.objects.filter(is_active=True)
        self.fields["facilitators"].queryset = staff_members()
        self.fields["medical_monitor"].queryset = staff_members()
        for name in ("date", "start_time", "end_time"):
            self.fields[name].help_text = (
                f"{self.fields[name].help_text} {_zone_help()}".strip()
                if name == "end_time"
                else _zone_help()
            )
        if not show_publish:
            del self.fields["publish"]
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.layout_parts())
        self.helper.add_input(Submit("submit", self.submit_label))

    def layout_parts(self) -> list:
        parts = [
            Fieldset(
                _("What"),
                Div(
                    Div("session_type", css_class="col-md-6"),
                    Div("title", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("When"),
                _time_row("date", "start_time", "end_time"),
                *self.time_choice_rows(),
            ),
            Fieldset(
                _("Where and how many"),
                Div(
                    Div("room", css_class="col-md-6"),
                    Div("capacity", css_class="col-6 col-md-3"),
                    Div("min_participants", css_class="col-6 col-md-3"),
                    css_class="row",
                ),
            ),
            Fieldset(_("Staff"), Field("facilitators"), "medical_monitor"),
        ]
        if "publish" in self.fields:
            parts.append("publish")
        return parts

    @classmethod
    def initial_for(cls, session) -> dict:
        start = timezone.localtime(session.starts_at, clinic_zone())
        end = timezone.localtime(session.ends_at, clinic_zone())
        return {
            "session_type": session.session_type_id,
            "title": session.title,
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "room": session.room_id,
            "capacity": session.capacity,
            "min_participants": session.min_participants,
            "facilitators": [f.pk for f in session.facilitators.all()],
            "medical_monitor": session.medical_monitor_id,
            **cls.initial_folds(start, end),
        }

    def details(self) -> SessionDetails:
        """The cleaned input as ``SessionDetails``, with the session type's defaults filled in."""
        data = self.cleaned_data
        session_type: SessionType = data["session_type"]
        room: Room = data["room"]
        starts_at, ends_at = self.starts_at, self.ends_at
        if ends_at is None:
            ends_at = starts_at + datetime.timedelta(minutes=session_type.duration_minutes)
        capacity = data.get("capacity") or min(session_type.default_capacity, room.capacity)
        minimum = data.get("min_participants")
        return SessionDetails(
            session_type=session_type,
            title=(data.get("title") or "").strip() or session_type.name,
            starts_at=starts_at,
            ends_at=ends_at,
            room=room,
            capacity=capacity,
            min_participants=session_type.min_participants if minimum is None else minimum,
            facilitators=tuple(data.get("facilitators") or ()),
            medical_monitor=data.get("medical_monitor"),
        )


class SeriesForm(SessionForm):
    """A weekly series: the first session's details, and how many weeks."""

    weeks = forms.IntegerField(
        label=_("Number of weeks"),
        min_value=1,
        max_value=MAX_SERIES_WEEKS,
        initial=6,
        help_text=_("Same weekday and local time each week; dates that conflict are skipped."),
    )
    submit_label = _("Create the series")

    error_fields = {**SessionForm.error_fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].label = _("First date")

    def layout_parts(self) -> list:
        parts = super().layout_parts()
        parts.insert(
            2, Fieldset(_("Repeat"), Div(Div("weeks", css_class="col-sm-4"), css_class="row"))
        )
        return parts


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Participants holding a seat are told. Keep it short and neutral."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Cancel the session"), css_class="btn-danger"))

    def add_scheduling_errors(self, error: SchedulingError) -> None:
        for name, messages in error.errors.items():
            for message in messages:
                self.add_error("reason" if name == "reason" else None, message)


class RescheduleForm(ClinicTimesMixin, forms.Form):
    date = forms.DateField(
        label=_("New date"), widget=DateInput(), validators=[validate_date_in_range]
    )
    start_time = forms.TimeField(label=_("Starts"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends"), widget=TimeInput())
    start_fold = FoldField(label=_("Which start time?"))
    end_fold = FoldField(label=_("Which end time?"))
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(is_active=True)
        for name in ("date", "start_time", "end_time"):
            self.fields[name].help_text = _zone_help()
        self.fields["end_time"].help_text = _(
            "A time before the start is on the next day (a session past midnight). %(zone)s"
        ) % {"zone": _zone_help()}
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.layout_parts())
        self.helper.add_input(Submit("submit", _("Move the session")))

    def layout_parts(self) -> list:
        return [_time_row("date", "start_time", "end_time"), *self.time_choice_rows(), "room"]

    @classmethod
    def initial_for(cls, session) -> dict:
        initial = SessionForm.initial_for(session)
        keys = ("date", "start_time", "end_time", "start_fold", "end_fold", "room")
        return {key: initial[key] for key in keys}

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        return self.starts_at, self.ends_at


class DuplicateForm(ClinicTimesMixin, forms.Form):
    date = forms.DateField(
        label=_("Date of the copy"), widget=DateInput(), validators=[validate_date_in_range]
    )
    start_time = forms.TimeField(label=_("Starts"), widget=TimeInput())
    start_fold = FoldField(label=_("Which start time?"))

    error_fields = {"starts_at": "start_time", "ends_at": "start_time"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date", "start_time"):
            self.fields[name].help_text = _zone_help()
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.layout_parts())
        self.helper.add_input(Submit("submit", _("Create the copy as a draft")))

    def layout_parts(self) -> list:
        return [_time_row("date", "start_time"), *self.time_choice_rows()]

    @classmethod
    def initial_for(cls, session) -> dict:
        start = timezone.localtime(session.starts_at, clinic_zone())
        return {"date": start.date() + datetime.timedelta(weeks=1), "start_time": start.time()}


class SessionFilterForm(forms.Form):
    """Filters of the calendar and the list (GET); bad values are ignored, not errors."""

    session_type = forms.ModelChoiceField(
        label=_("Type"), queryset=SessionType.objects.none(), required=False, empty_label=_("All")
    )
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, empty_label=_("All")
    )
    staff = StaffChoiceField(
        label=_("Staff member"),
        queryset=staff_members().none(),
        required=False,
        empty_label=_("Anyone"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + list(SessionStatus.choices),
        required=False,
    )

    def __init__(self, *args, hidden: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session_type"].queryset = SessionType.objects.all()
        self.fields["room"].queryset = Room.objects.all()
        self.fields["staff"].queryset = staff_members()
        self.hidden = hidden or {}
        if self.is_bound and self.hidden:
            self.data = self.data.copy()
        for name, value in self.hidden.items():
            # Where the page is (view, date) is kept by the form, whatever was submitted.
            self.fields[name] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.initial[name] = value
            if self.is_bound:
                self.data[name] = value
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row g-2 align-items-end filter-form"
        self.helper.form_show_labels = True
        self.helper.layout = Layout(
            *(
                Div(Field(name, css_class="form-select-sm"), css_class="col-6 col-md-3")
                for name in ("session_type", "room", "staff", "status")
            ),
            *self.hidden.keys(),
        )
        self.helper.add_input(Submit("filter", _("Show"), css_class="btn-sm"))

    def filters(self) -> dict:
        """Selector keyword arguments for the valid filters."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "session_type_id": data["session_type"].pk if data.get("session_type") else None,
            "room_id": data["room"].pk if data.get("room") else None,
            "staff_id": data["staff"].pk if data.get("staff") else None,
            "status": data.get("status") or None,
        }


class AttendanceForm(forms.Form):
    """One attended / no-show choice per seat of the session."""

    # Prefixed like the roster's other forms, so no id on the page repeats.
    prefix = "attendance"

    CHOICES = [
        (EnrollmentStatus.ATTENDED, _("Attended")),
        (EnrollmentStatus.NO_SHOW, _("No-show")),
    ]

    def __init__(self, *args, enrollments, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for enrollment in enrollments:
            name = f"enrollment_{enrollment.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Attendance of %(name)s")
                % {"name": enrollment.participant.get_full_name()},
                choices=self.CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial=enrollment.status
                if enrollment.status in (EnrollmentStatus.ATTENDED, EnrollmentStatus.NO_SHOW)
                else None,
            )
            self.rows.append((enrollment, name))
        self.helper = FormHelper()
        self.helper.form_tag = False
        # Each row's choices sit in a fieldset whose legend names the person: the row shows the
        # name already, so the legend is for screen readers only.
        self.helper.label_class = "visually-hidden"

    def bound_rows(self):
        return [(enrollment, self[name]) for enrollment, name in self.rows]

    def marks(self) -> dict[int, str]:
        return {
            enrollment.pk: self.cleaned_data[name]
            for enrollment, name in self.rows
            if self.cleaned_data.get(name)
        }
