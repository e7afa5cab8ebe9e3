"""The filters of the staff calendar and list of sessions (GET).

They are drawn by ``sessions_app/staff/_filter_form.html``, by hand, as crispy-forms' Bootstrap 5
pack draws them (labels, the invalid marks and their messages): through crispy's field templates
and Django's widget templates, four selects cost more than the rest of the calendar.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.forms.fields import StaffChoiceField
from sessions_app.models import Room, SessionStatus, SessionType
from sessions_app.selectors import staff_members

FILTER_FIELDS = ("session_type", "room", "staff", "status")


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
        # Only what the options show (a name): the rows' other columns (instructions, directions,
        # a person's account) cost more to read than the page used.
        self.fields["session_type"].queryset = SessionType.objects.only("pk", "name")
        self.fields["room"].queryset = Room.objects.only("pk", "name")
        self.fields["staff"].queryset = staff_members().only(
            "pk", "first_name", "last_name", "email"
        )
        self.hidden = hidden or {}
        if self.is_bound and self.hidden:
            self.data = self.data.copy()
        for name, value in self.hidden.items():
            # Where the page is (view, date) is kept by the form, whatever was submitted.
            self.fields[name] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.initial[name] = value
            if self.is_bound:
                self.data[name] = value

    def selects(self) -> list[tuple]:
        """Each filter's bound field and its options as (value, label, selected), selected as
        Django's ``Select`` widget selects: the first option whose value is the field's."""
        rows = []
        for name in FILTER_FIELDS:
            bound = self[name]
            current = bound.value()
            current = "" if current is None else str(current)
            options, chosen = [], False
            for value, label in bound.field.choices:
                value = "" if value is None else str(value)
                selected = not chosen and value == current
                chosen = chosen or selected
                options.append((value, label, selected))
            rows.append((bound, options))
        return rows

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
