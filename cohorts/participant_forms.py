"""The participant's forms of a cohort (crispy-forms): joining (accepting a place offered from
the waitlist is joining too, with the same form) and leaving.

They only collect input: the rules are in ``cohorts.services.membership``, whose refusals the
join form places at the field they are about (the sessions app's ``RefusalsMixin``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from sessions_app.enrollment_forms import RefusalsMixin


class JoinForm(RefusalsMixin, forms.Form):
    """Join a program; with dosing sessions among its meetings, the ride home and the
    acknowledgement of the preparation instructions are asked once, for them all."""

    ride_home_name = forms.CharField(
        label=_("Who drives you home?"),
        max_length=150,
        help_text=_("The same person for every meeting that needs a ride home."),
    )
    ride_home_phone = PhoneNumberField(
        label=_("Their phone number"), help_text=_("For example (801) 555-0123.")
    )
    instructions_acknowledged = forms.BooleanField(
        label=_("I have read how to prepare for each meeting and will follow it.")
    )

    def __init__(self, *args, asks_ride_home: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not asks_ride_home:
            for name in ("ride_home_name", "ride_home_phone", "instructions_acknowledged"):
                del self.fields[name]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "ride_home_name": data.get("ride_home_name", ""),
            "ride_home_phone": str(data.get("ride_home_phone") or ""),
            "instructions_acknowledged": bool(data.get("instructions_acknowledged")),
        }


class LeaveForm(forms.Form):
    """Leaving gives up every seat ahead: the participant confirms it."""

    confirm = forms.BooleanField(
        label=_("Yes, give up my place in every meeting of this group still ahead.")
    )
