"""Forms before the dose: the arrival, a pre-dose reading (at arrival, then a re-check after
rest), the prescriber's override of a failed gate, and "not dosed today"."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from dosing.forms.fields import ClockTimeField, EntryForm, YesNoField
from dosing.models import (
    CNS_DEPRESSANTS,
    Arrival,
    GateOverride,
    NotDosed,
    PreDoseReading,
    Pregnancy,
)


class ArrivalForm(EntryForm):
    """What is checked when a participant arrives (the first reading is ``ReadingForm``)."""

    prefix = "arrival"
    clock_fields = ("arrived_at",)

    arrived_at = ClockTimeField(label=_("Arrived at"))
    new_cns_depressants = forms.MultipleChoiceField(
        label=_("New since screening: sedatives or other CNS depressants"),
        help_text=_("Ask about each by name. Tick every one taken since the screening."),
        choices=CNS_DEPRESSANTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    self_harm_today = YesNoField(
        label=_("Any thoughts of harming themselves today?"),
        help_text=_(
            "Ask in private. Yes raises a safety alert for the clinicians at once, and no dose "
            "is given today."
        ),
    )

    class Meta:
        model = Arrival
        fields = [
            "arrived_at",
            "ride_home_confirmed",
            "ride_home_name",
            "ride_home_phone",
            "fasting_confirmed",
            "no_alcohol_confirmed",
            "pregnancy",
            "medication_changes",
            "new_cns_depressants",
            "weight_kg",
            "self_harm_today",
        ]
        widgets = {
            "pregnancy": forms.RadioSelect,
            "medication_changes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "ride_home_name": _("From the enrollment: change it if someone else is coming."),
            "medication_changes": _("Anything started, stopped or changed since the screening."),
        }

    def __init__(self, *args, enrollment=None, **kwargs):
        if enrollment is not None and not kwargs.get("instance"):
            kwargs.setdefault(
                "initial",
                {
                    "ride_home_name": enrollment.ride_home_name,
                    "ride_home_phone": enrollment.ride_home_phone,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["weight_kg"].widget.attrs.update({"inputmode": "decimal", "step": "0.1"})
        # A radio list asks for an answer: no blank "---------" choice ticked in advance.
        self.fields["pregnancy"].choices = Pregnancy.choices
        self.helper.layout = Layout(
            Row(Column("arrived_at", css_class="col-sm-6")),
            Fieldset(
                _("Ride home"),
                "ride_home_confirmed",
                Row(Column("ride_home_name", css_class="col-sm-6"), Column("ride_home_phone")),
            ),
            Fieldset(
                _("Preparation"),
                "fasting_confirmed",
                "no_alcohol_confirmed",
                "pregnancy",
            ),
            Fieldset(
                _("Medicines and weight"),
                "medication_changes",
                "new_cns_depressants",
                Row(Column("weight_kg", css_class="col-sm-6")),
            ),
            InlineRadios("self_harm_today"),
        )


READING_FIELDS = ["systolic", "diastolic", "pulse", "spo2"]


def reading_row() -> Row:
    """Blood pressure, pulse and SpO₂ side by side from a tablet's width."""
    return Row(
        *(Column(name, css_class="col-6 col-md-3") for name in READING_FIELDS),
    )


def numeric(form: forms.Form, names) -> None:
    """A number pad on tablets and phones."""
    for name in names:
        form.fields[name].widget.attrs["inputmode"] = "numeric"


class ReadingForm(EntryForm):
    """A pre-dose reading: the first at arrival, or a re-check after rest."""

    prefix = "reading"
    clock_fields = ("taken_at",)

    taken_at = ClockTimeField(label=_("Taken at"))

    class Meta:
        model = PreDoseReading
        fields = ["taken_at", *READING_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        numeric(self, READING_FIELDS)
        self.helper.layout = Layout(reading_row(), Row(Column("taken_at", css_class="col-sm-6")))


class OverrideForm(EntryForm):
    """A prescriber doses past a failed gate, with a reason."""

    prefix = "override"

    class Meta:
        model = GateOverride
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}
        labels = {"reason": _("Why dose despite the reading")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("reason")


class NotDosedForm(EntryForm):
    """Arrived, but no dose today."""

    prefix = "notdosed"

    class Meta:
        model = NotDosed
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}
        labels = {"reason": _("Why there is no dose today")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("reason")
