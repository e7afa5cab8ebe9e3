"""The roster's attendance form: attended or no-show for each seat (and, at a dosing session,
arrived but not dosed, as the dosing day's record says)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.models import EnrollmentStatus


class AttendanceForm(forms.Form):
    """One attended / no-show choice per seat of the session."""

    # Prefixed like the roster's other forms, so no id on the page repeats.
    prefix = "attendance"

    CHOICES = [
        (EnrollmentStatus.ATTENDED, _("Attended")),
        (EnrollmentStatus.NO_SHOW, _("No-show")),
    ]

    def __init__(self, *args, enrollments, dosing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(self.CHOICES)
        if dosing:
            choices.append((EnrollmentStatus.NOT_DOSED, _("Arrived, not dosed")))
        marks = {value for value, _label in choices}
        self.rows = []
        for enrollment in enrollments:
            name = f"enrollment_{enrollment.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Attendance of %(name)s")
                % {"name": enrollment.participant.get_full_name()},
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                initial=enrollment.status if enrollment.status in marks else None,
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
