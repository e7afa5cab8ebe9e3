"""Forms of enrolling, the waitlist and the coordinator's roster actions (crispy-forms).

They only collect input: the rules are in ``services/eligibility.py``, whose refusals the forms
place at the field they are about (``add_refusals``).
"""

from django import forms
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from journease.clinic_time import local
from participants.models import Role, User
from sessions_app.models import Enrollment, EnrollmentStatus, GroupSession, SessionStatus
from sessions_app.services.eligibility import EnrollmentRefused

_FIELD_OF = {
    "ride_home_name": "ride_home_name",
    "ride_home_phone": "ride_home_phone",
    "instructions": "instructions_acknowledged",
    "reason": "reason",
}


class RefusalsMixin:
    def add_refusals(self, error: EnrollmentRefused) -> None:
        for refusal in error.refusals:
            field = _FIELD_OF.get(refusal.code)
            self.add_error(field if field in self.fields else None, refusal.message)


class ParticipantCancelForm(forms.Form):
    """A participant cancels their own seat; the page sends no reason, a client may send one."""

    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class EnrollForm(RefusalsMixin, forms.Form):
    """Enroll or accept an offer; a dosing session asks for the ride home and the instructions."""

    ride_home_name = forms.CharField(label=_("Who drives you home?"), max_length=150)
    ride_home_phone = PhoneNumberField(
        label=_("Their phone number"), help_text=_("For example (801) 555-0123.")
    )
    instructions_acknowledged = forms.BooleanField(
        label=_("I have read the preparation instructions and will follow them.")
    )

    def __init__(self, *args, session: GroupSession, **kwargs):
        super().__init__(*args, **kwargs)
        if not session.session_type.is_dosing:
            for name in ("ride_home_name", "ride_home_phone", "instructions_acknowledged"):
                del self.fields[name]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "ride_home_name": data.get("ride_home_name", ""),
            "ride_home_phone": str(data.get("ride_home_phone") or ""),
            "instructions_acknowledged": bool(data.get("instructions_acknowledged")),
        }


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name()} <{obj.email}>"


class StaffEnrollForm(RefusalsMixin, forms.Form):
    """A coordinator enrolls someone; for a dosing session they note the ride home and that the
    participant confirmed the preparation instructions (the service requires them)."""

    # The roster shows this form beside the cancel and move forms: the prefix keeps their ids
    # (and so each label's control) apart, and the view binds the posted data with the same one.
    prefix = "enroll"

    participant = ParticipantChoiceField(label=_("Participant"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason for enrolling"), max_length=500)
    ride_home_name = forms.CharField(
        label=_("Ride home: name (dosing sessions)"), max_length=150, required=False
    )
    ride_home_phone = PhoneNumberField(
        label=_("Ride home: phone (dosing sessions)"), required=False
    )
    instructions_acknowledged = forms.BooleanField(
        label=_("The participant confirmed they read the preparation instructions."),
        required=False,
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "ride_home_name": data.get("ride_home_name", ""),
            "ride_home_phone": str(data.get("ride_home_phone") or ""),
            "instructions_acknowledged": bool(data.get("instructions_acknowledged")),
        }

    def __init__(self, *args, search: str = "", session: GroupSession | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if session is not None and not session.session_type.is_dosing:
            for name in ("ride_home_name", "ride_home_phone", "instructions_acknowledged"):
                del self.fields[name]
        people = User.objects.filter(groups__name=Role.PARTICIPANT, is_active=True)
        if search:
            people = people.filter(
                Q(first_name__icontains=search)
                | Q(last_name__icontains=search)
                | Q(email__icontains=search)
            )
        people = people.order_by("last_name", "first_name", "pk")
        # A page lists the first matches; a posted choice is checked against every participant.
        self.fields["participant"].queryset = people if self.is_bound else people[:50]


class SeatChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.participant.get_full_name() or obj.participant.email


def _seats(session: GroupSession):
    return (
        Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED)
        .select_related("participant", "session__session_type")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


class StaffCancelForm(RefusalsMixin, forms.Form):
    prefix = "cancel"

    enrollment = SeatChoiceField(label=_("Seat to cancel"), queryset=Enrollment.objects.none())
    reason = forms.CharField(label=_("Reason (the participant is told)"), max_length=500)

    def __init__(self, *args, session: GroupSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = _seats(session)


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        when = formats.date_format(local(obj.starts_at), "D j M Y, g:i A T")
        return f"{obj.title} · {when}"


class StaffMoveForm(StaffCancelForm):
    prefix = "move"

    enrollment = SeatChoiceField(label=_("Seat to move"), queryset=Enrollment.objects.none())
    to_session = SessionChoiceField(label=_("Move to"), queryset=GroupSession.objects.none())
    reason = forms.CharField(label=_("Reason for the move"), max_length=500)

    field_order = ["enrollment", "to_session", "reason"]

    def __init__(self, *args, session: GroupSession, now, **kwargs):
        super().__init__(*args, session=session, **kwargs)
        self.fields["to_session"].queryset = (
            GroupSession.objects.filter(
                status=SessionStatus.PUBLISHED,
                starts_at__gt=now,
                session_type__kind=session.session_type.kind,
            )
            .exclude(pk=session.pk)
            .order_by("starts_at")
        )
