"""Forms from the dose on: the dose, vitals, adverse events (and resolving one), discharge."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dosing.forms.arrival import READING_FIELDS, numeric, reading_row
from dosing.forms.fields import ClockTimeField, EntryForm
from dosing.models import AdverseEvent, Discharge, Dose, Medication, Severity, Vitals
from participants.access import DECIDE_ELIGIBILITY
from sessions_app.forms import StaffChoiceField
from sessions_app.selectors import staff_members


def prescribers():
    """Active staff who may order a dose: those given *decide eligibility* (and superusers).
    The service asks ``may_decide_eligibility`` of the one chosen."""
    app_label, codename = DECIDE_ELIGIBILITY.split(".")
    return (
        staff_members()
        .filter(
            Q(
                user_permissions__content_type__app_label=app_label,
                user_permissions__codename=codename,
            )
            | Q(is_superuser=True)
        )
        .distinct()
    )


class DoseForm(EntryForm):
    prefix = "dose"
    clock_fields = ("given_at",)

    given_at = ClockTimeField(label=_("Given at"))
    prescriber = StaffChoiceField(label=_("Ordering prescriber"), queryset=staff_members().none())

    class Meta:
        model = Dose
        fields = ["medication", "amount", "unit", "route", "given_at", "prescriber", "lot_number"]
        help_texts = {"lot_number": _("Optional.")}

    def __init__(self, *args, weight_kg=None, default_prescriber=None, **kwargs):
        if default_prescriber is not None and not kwargs.get("instance"):
            kwargs.setdefault("initial", {"prescriber": default_prescriber})
        super().__init__(*args, **kwargs)
        self.fields["medication"].queryset = Medication.objects.filter(is_active=True)
        if not self.is_bound and not self.instance.pk:
            # The clinic's one medication in use is the likely one.
            active = list(self.fields["medication"].queryset[:2])
            if len(active) == 1:
                self.initial.setdefault("medication", active[0].pk)
        self.fields["prescriber"].queryset = prescribers()
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
        if weight_kg:
            self.fields["amount"].help_text = _(
                "In mg. Weight %(weight)s kg: 1 mg/kg is %(weight)s mg."
            ) % {"weight": weight_kg}
        self.helper.layout = Layout(
            "medication",
            Row(
                Column("amount", css_class="col-7 col-sm-5"),
                Column("unit", css_class="col-5 col-sm-3"),
                Column("route", css_class="col-sm-4"),
            ),
            Row(Column("given_at", css_class="col-sm-6"), Column("lot_number")),
            "prescriber",
        )

    def dose_values(self) -> dict:
        """The service's arguments (the unit is the model's only one, mg)."""
        values = self.entry_values()
        values.pop("unit")
        return values


class VitalsForm(EntryForm):
    prefix = "vitals"
    clock_fields = ("taken_at",)

    taken_at = ClockTimeField(label=_("Taken at"))

    class Meta:
        model = Vitals
        fields = ["taken_at", *READING_FIELDS, "sedation", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        numeric(self, READING_FIELDS)
        self.helper.layout = Layout(
            reading_row(),
            Row(Column("taken_at", css_class="col-sm-4"), Column("sedation")),
            "note",
        )


class AdverseEventForm(EntryForm):
    prefix = "event"
    clock_fields = ("onset_at",)

    onset_at = ClockTimeField(label=_("Started at"))

    class Meta:
        model = AdverseEvent
        fields = ["kind", "severity", "description", "action_taken", "onset_at"]
        widgets = {
            "severity": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 2}),
            "action_taken": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "kind": _("A statement of self-harm raises a safety alert for the clinicians at once.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = Severity.choices  # no blank radio ticked in advance
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-sm-7"), Column("onset_at")),
            InlineRadios("severity"),
            "description",
            "action_taken",
        )


class ResolveForm(forms.Form):
    """An adverse event is over (now), and how."""

    note = forms.CharField(label=_("How it resolved"), max_length=1000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DischargeForm(EntryForm):
    """The checklist, the escort who takes the participant home, and the written instructions.

    The checklist and the escort are not required by the form: the service refuses a discharge
    without them with words that say what to do instead, at the field concerned.
    """

    prefix = "discharge"
    clock_fields = ("discharged_at", "handed_over_at")

    discharged_at = ClockTimeField(label=_("Discharged at"))
    handed_over_at = ClockTimeField(label=_("Handed over to the escort at"))

    class Meta:
        model = Discharge
        fields = [
            "discharged_at",
            "vitals_near_baseline",
            "alert_and_oriented",
            "walks_steadily",
            "escort_name",
            "escort_relationship",
            "escort_phone",
            "handed_over_at",
            "instructions_given",
        ]
        widgets = {"escort_phone": forms.TextInput(attrs={"type": "tel"})}

    def __init__(self, *args, arrival=None, **kwargs):
        if arrival is not None and not kwargs.get("instance"):
            kwargs.setdefault(
                "initial",
                {
                    "escort_name": arrival.ride_home_name,
                    "escort_phone": str(arrival.ride_home_phone or ""),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["escort_name"].required = False
        self.helper.layout = Layout(
            Fieldset(
                _("Checklist"),
                "vitals_near_baseline",
                "alert_and_oriented",
                "walks_steadily",
            ),
            Fieldset(
                _("Escort"),
                Row(
                    Column("escort_name", css_class="col-sm-5"),
                    Column("escort_relationship", css_class="col-sm-3"),
                    Column("escort_phone", css_class="col-sm-4"),
                ),
                Row(
                    Column("discharged_at", css_class="col-sm-6"),
                    Column("handed_over_at", css_class="col-sm-6"),
                ),
            ),
            "instructions_given",
        )

    def discharge_values(self) -> dict:
        values = self.entry_values()
        values["escort_name"] = values["escort_name"].strip()
        return values
