"""Forms of the account pages; each renders with crispy-forms (Bootstrap 5)."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from participants.access import is_participant
from participants.models import STAFF_ROLES, ParticipantProfile, Role, User
from participants.services import signin_throttle
from participants.services.accounts import email_in_use, validate_participant_age


def _helper(submit_label: str, *layout) -> FormHelper:
    helper = FormHelper()
    if layout:
        helper.layout = Layout(*layout)
    helper.add_input(Submit("submit", submit_label))
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SignupForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    preferred_name = forms.CharField(
        label=_("Preferred name"),
        max_length=80,
        required=False,
        help_text=_("What you would like us to call you, if not your first name."),
    )
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    phone = PhoneNumberField(
        label=_("Mobile phone"),
        required=False,
        region="US",
        help_text=_("Optional. For reminders by text message, which you can turn on later."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=DateInput(),
        help_text=_("We ask to confirm that you are 18 or older."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields["date_of_birth"].widget.attrs["autocomplete"] = "bday"
        self.helper = _helper(
            _("Create my account"),
            Fieldset(
                _("About you"),
                Div(
                    Div("first_name", css_class="col-sm-6"),
                    Div("last_name", css_class="col-sm-6"),
                    css_class="row",
                ),
                "preferred_name",
                "date_of_birth",
            ),
            Fieldset(_("How to reach you"), "email", "phone"),
            Fieldset(_("Your password"), "password1", "password2"),
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email_in_use(email):
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("An account with this e-mail address already exists."),
                    reverse("participants:password_reset"),
                    _("Reset your password"),
                )
            )
        return email

    def clean_date_of_birth(self) -> datetime.date:
        value = self.cleaned_data["date_of_birth"]
        validate_participant_age(value)
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(auth_forms.AuthenticationForm):
    signin_delayed: signin_throttle.SigninDelayed | None = None
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "That e-mail address and password do not match an account. Both are case-sensitive "
            "except the e-mail address."
        ),
        "unverified": _(
            "Please confirm your e-mail address first: open the link we sent you. "
            "No e-mail? Ask for a new link below."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        # AuthenticationForm sets max_length after the field is made, so no validator checks
        # it: without one, a long name reaches django-axes, whose column holds 255 characters.
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length or 254))
        self.helper = _helper(_("Sign in"))

    def clean(self):
        """Refuse an account that must wait before its password is even checked; count a wrong
        password for the account from any address, and clear the count on a right one."""
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()
        try:
            signin_throttle.signin_attempt_allow(email=username)
        except signin_throttle.SigninDelayed as delayed:
            self.signin_delayed = delayed
            raise ValidationError(delayed.message, code="signin_delayed") from None
        try:
            return super().clean()
        finally:
            if self.user_cache is None:
                signin_throttle.signin_failure_record(email=username)
            else:
                signin_throttle.signin_delay_clear(email=username)

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.email_verified and is_participant(user):
            raise ValidationError(self.error_messages["unverified"], code="unverified")


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send a new link"))
        # Also shown on a failed verification link's page, which must not post to itself.
        self.helper.form_action = reverse("participants:resend_verification")


class ProfileForm(forms.ModelForm):
    """What a participant keeps up to date: names, contact, emergency contact, preferences."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("Pages, e-mails, text messages and calendar entries are in this language."),
    )

    class Meta:
        model = ParticipantProfile
        fields = [
            "preferred_name",
            "phone",
            "date_of_birth",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "sms_opt_in",
            "integration_prompts",
        ]
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance.user
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        self.fields["language"].initial = user.language
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields["emergency_contact_phone"].widget.attrs["inputmode"] = "tel"
        self.helper = _helper(
            _("Save"),
            Fieldset(
                _("About you"),
                Div(
                    Div("first_name", css_class="col-sm-6"),
                    Div("last_name", css_class="col-sm-6"),
                    css_class="row",
                ),
                "preferred_name",
                "date_of_birth",
                "phone",
            ),
            Fieldset(
                _("Emergency contact"),
                HTML(
                    '<p class="text-body-secondary small">{}</p>'.format(
                        _("Someone we may call if you become unwell during a session.")
                    )
                ),
                "emergency_contact_name",
                "emergency_contact_relationship",
                "emergency_contact_phone",
            ),
            Fieldset(_("Messages"), "language", "sms_opt_in", "integration_prompts"),
        )

    def clean_date_of_birth(self) -> datetime.date:
        value = self.cleaned_data["date_of_birth"]
        validate_participant_age(value)
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("sms_opt_in") and not cleaned.get("phone"):
            self.add_error("phone", _("Add a mobile number to get text messages."))
        has_name = bool(cleaned.get("emergency_contact_name"))
        has_phone = bool(cleaned.get("emergency_contact_phone"))
        if has_name and not has_phone:
            self.add_error("emergency_contact_phone", _("Add a phone number for this contact."))
        if has_phone and not has_name:
            self.add_error("emergency_contact_name", _("Add the name of this contact."))
        return cleaned


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Change my password"))


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        self.helper = _helper(_("Send me a reset link"))


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Set my password"))


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page wraps the field in its own form (a hidden "next" and its own button).
        self.helper = FormHelper()
        self.helper.form_tag = False


class StaffInviteForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    # The account's column holds 254 characters: longer is refused here, not by the database.
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, role.label) for role in Role if role in STAFF_ROLES],
    )
    permissions = forms.MultipleChoiceField(
        label=_("Clinical permissions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("decide_eligibility", _("Decides screening eligibility (prescribers)")),
            ("monitor_dosing", _("Medically monitors sessions (prescribers and nurses)")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _("Send the invitation"),
            Div(
                Div("first_name", css_class="col-sm-6"),
                Div("last_name", css_class="col-sm-6"),
                css_class="row",
            ),
            "email",
            "role",
            "permissions",
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email_in_use(email):
            raise ValidationError(_("An account with this e-mail address already exists."))
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("permissions") and cleaned.get("role") != Role.CLINICIAN:
            self.add_error("permissions", _("Clinical permissions are for clinicians."))
        return cleaned


class AccountCloseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that I will no longer be able to sign in or enroll."),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Close my account"))
        self.helper.inputs[0].field_classes = "btn btn-danger"

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."))
        return password
