"""The staff's cohort forms: making a cohort from a program template, and the reason given when a
coordinator cancels one member's seat or removes a member. Each checks what belongs to one field
(a start date in the past); the rules across fields (a group bigger than the room, a minimum
above the capacity) and across the program's sessions are ``cohort_create``'s, whose errors the
page shows at their field and whose conflicts it lists."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from cohorts.models import ProgramTemplate
from journease.clinic_time import clinic_today
from sessions_app.forms.fields import DateInput, StaffChoiceField, StaffMultipleChoiceField
from sessions_app.models import Room
from sessions_app.selectors import staff_members


class CohortForm(forms.Form):
    """A program template, a start date, a room and the staff who run it."""

    template = forms.ModelChoiceField(label=_("Program"), queryset=ProgramTemplate.objects.none())
    start_date = forms.DateField(
        label=_("Start date"),
        widget=DateInput(),
        help_text=_("The day of the program's first step (day 0)."),
    )
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        required=False,
        help_text=_("Empty: the program's neutral name."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=10_000,
        required=False,
        help_text=_("Empty: the program's."),
    )
    min_participants = forms.IntegerField(
        label=_("Minimum participants"),
        min_value=0,
        max_value=10_000,
        required=False,
        help_text=_("Empty: the program's."),
    )
    facilitators = StaffMultipleChoiceField(
        label=_("Facilitators"), queryset=staff_members().none(), required=False
    )
    medical_monitor = StaffChoiceField(
        label=_("Medical monitor"),
        queryset=staff_members().none(),
        required=False,
        help_text=_("Booked for the dosing sessions; needs the monitor dosing permission."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ProgramTemplate.objects.filter(is_active=True)
        self.fields["room"].queryset = Room.objects.filter(is_active=True)
        self.fields["facilitators"].queryset = staff_members()
        self.fields["medical_monitor"].queryset = staff_members()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Program"), "template", "start_date", "room", "title"),
            Fieldset(_("Group size"), "capacity", "min_participants"),
            Fieldset(_("Staff"), Field("facilitators"), "medical_monitor"),
        )
        self.helper.add_input(Submit("submit", _("Create the cohort")))

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start < clinic_today():
            raise forms.ValidationError(_("The start date is in the past."))
        return start

    def create_arguments(self) -> dict:
        """The ``cohort_create`` keyword arguments of the cleaned form."""
        data = self.cleaned_data
        return {
            "template": data["template"],
            "start_date": data["start_date"],
            "room": data["room"],
            "title": data.get("title") or "",
            "capacity": data.get("capacity"),
            "min_participants": data.get("min_participants"),
            "facilitators": list(data.get("facilitators") or ()),
            "monitor": data.get("medical_monitor"),
        }


class ReasonForm(forms.Form):
    """Why a coordinator cancels a member's seat or removes them: the participant is told."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The participant is told. Keep it short and neutral."),
    )

    def __init__(self, *args, submit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", submit_label or _("Confirm"), css_class="btn-danger")
        )


class GroupSizeForm(forms.Form):
    """A cohort's capacity and minimum, for the cohort and every session of it still ahead."""

    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10_000)
    min_participants = forms.IntegerField(
        label=_("Minimum participants"),
        min_value=0,
        max_value=10_000,
        help_text=_("Staff are told a week before the start when the group is smaller."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save the group size")))
