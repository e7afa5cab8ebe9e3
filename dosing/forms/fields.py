"""What the dosing day's forms share.

Times on a dosing day are typed as a wall-clock time (a tablet's time picker), read as the instant
with that time in the clinic's zone nearest to when it was meant: 23:50 typed at 00:10 is last
night. An empty time is "now". A time still to come is refused at its field (a dose is recorded
once given), as is one the clocks skip that day.
"""

import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dosing.services.entries import FUTURE_TOLERANCE, DosingRefused
from journease.clinic_time import ClinicTimeError, clinic_datetime, local


def instant_near(time: datetime.time, anchor: datetime.datetime) -> datetime.datetime:
    """The instant at wall-clock ``time`` in the clinic's zone nearest to ``anchor`` (at most
    twelve hours either side). A time the clocks skip that day raises ``ClinicTimeError``; one
    they repeat is the occurrence nearer to ``anchor``."""
    here = local(anchor).replace(tzinfo=None)
    wall = min(
        (
            datetime.datetime.combine(here.date() + datetime.timedelta(days=days), time)
            for days in (-1, 0, 1)
        ),
        key=lambda candidate: abs(candidate - here),
    )
    try:
        return clinic_datetime(wall.date(), wall.time())
    except ClinicTimeError as error:
        if error.code != ClinicTimeError.AMBIGUOUS:
            raise
        both = [clinic_datetime(wall.date(), wall.time(), fold=fold) for fold in (0, 1)]
        return min(both, key=lambda instant: abs(instant - anchor))


class ClockInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ClockTimeField(forms.TimeField):
    """A time of day on the clinic's clock; the form turns it into an instant (``EntryForm``)."""

    widget = ClockInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Clinic time. Leave empty for now."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # A stored instant (a correction's initial value) shows on the clinic's clock.
        if isinstance(value, datetime.datetime):
            return local(value).time() if timezone.is_aware(value) else value.time()
        return super().prepare_value(value)


class YesNoField(forms.TypedChoiceField):
    """A question answered explicitly: yes or no, never left as an unticked box."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


class EntryForm(forms.ModelForm):
    """A dosing-day entry's form: its model's validators refuse impossible values at their field
    (``full_clean`` through the ModelForm), its times are read as instants, and a service's
    ``DosingRefused`` is shown at the field it names, else at the top.

    ``now`` is the moment of recording; ``anchor`` the moment typed times are read near (now
    for a new entry; a correction reads them near the entry's own times).
    """

    clock_fields: tuple[str, ...] = ()

    def __init__(self, *args, now: datetime.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        if self.instance.pk:
            # A correction keeps the entry's times unless they are changed: none left empty.
            for name in self.clock_fields:
                self.fields[name].required = True
                self.fields[name].help_text = _("Clinic time.")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _anchor(self, name: str) -> datetime.datetime:
        if self.instance.pk:
            return getattr(self.instance, name, None) or self.instance.recorded_at
        return self.now

    def _unchanged(self, name: str, value: datetime.time) -> datetime.datetime | None:
        """A correction's time left as it was keeps its instant (to the second)."""
        original = getattr(self.instance, name, None) if self.instance.pk else None
        if original is None or local(original).time().replace(second=0, microsecond=0) != value:
            return None
        return original

    def clean(self):
        cleaned = super().clean()
        for name in self.clock_fields:
            if name in self.errors:
                continue
            value = cleaned.get(name)
            if value is None:
                cleaned[name] = self.now
                continue
            kept = self._unchanged(name, value)
            if kept is not None:
                cleaned[name] = kept
                continue
            try:
                instant = instant_near(value, self._anchor(name))
            except ClinicTimeError as error:
                self.add_error(name, error.message)
                continue
            if instant > self.now + FUTURE_TOLERANCE:
                self.add_error(name, _("That time is still to come: enter when it happened."))
                continue
            cleaned[name] = instant
        return cleaned

    def entry_values(self) -> dict:
        """The cleaned values of the entry's own fields, as a service takes them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def refuse(self, error: DosingRefused) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error))
