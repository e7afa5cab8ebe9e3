"""Forms of the staff pages that create and change sessions; each renders with crispy-forms
(Bootstrap 5).

Forms only collect and shape input: the scheduling rules live in ``services/scheduling.py``,
whose ``SchedulingError`` the forms place at the field it is about (``add_scheduling_errors``),
and what a blank detail takes from the session type is ``session_details_with_defaults``'.
"""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from journease.clinic_time import local
from journease.hostile import validate_date_in_range
from sessions_app.forms.fields import (
    ClinicTimesMixin,
    DateInput,
    FoldField,
    StaffChoiceField,
    StaffMultipleChoiceField,
    TimeInput,
    time_row,
    zone_help,
)
from sessions_app.models import Room, SessionType
from sessions_app.selectors import staff_members
from sessions_app.services.scheduling import (
    MAX_SERIES_WEEKS,
    SchedulingError,
    SessionDetails,
    session_details_with_defaults,
)


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
    title_es = forms.CharField(
        label=_("Title in Spanish"),
        max_length=160,
        required=False,
        help_text=_(
            "Shown to participants who read Spanish. Blank: the title (or the session type's "
            "Spanish name, when the title is the type's name)."
        ),
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
                f"{self.fields[name].help_text} {zone_help()}".strip()
                if name == "end_time"
                else zone_help()
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
                Div(Div("title_es", css_class="col-md-6 offset-md-6"), css_class="row"),
            ),
            Fieldset(
                _("When"),
                time_row("date", "start_time", "end_time"),
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
        start = local(session.starts_at)
        end = local(session.ends_at)
        return {
            "session_type": session.session_type_id,
            "title": session.title,
            "title_es": session.title_es,
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
        """The cleaned input as ``SessionDetails``, blanks taken from the session type."""
        data = self.cleaned_data
        return session_details_with_defaults(
            session_type=data["session_type"],
            room=data["room"],
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            title=data.get("title") or "",
            title_es=data.get("title_es") or "",
            capacity=data.get("capacity"),
            min_participants=data.get("min_participants"),
            facilitators=data.get("facilitators") or (),
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
            self.fields[name].help_text = zone_help()
        self.fields["end_time"].help_text = _(
            "A time before the start is on the next day (a session past midnight). %(zone)s"
        ) % {"zone": zone_help()}
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.layout_parts())
        self.helper.add_input(Submit("submit", _("Move the session")))

    def layout_parts(self) -> list:
        return [time_row("date", "start_time", "end_time"), *self.time_choice_rows(), "room"]

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
            self.fields[name].help_text = zone_help()
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.layout_parts())
        self.helper.add_input(Submit("submit", _("Create the copy as a draft")))

    def layout_parts(self) -> list:
        return [time_row("date", "start_time"), *self.time_choice_rows()]

    @classmethod
    def initial_for(cls, session) -> dict:
        start = local(session.starts_at)
        return {"date": start.date() + datetime.timedelta(weeks=1), "start_time": start.time()}
