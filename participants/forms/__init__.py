"""Forms of the participants app, one module per concern; each renders with crispy-forms."""

from participants.forms.accounts import (
    DateInput,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    ResendVerificationForm,
    SetPasswordForm,
    SignupForm,
)
from participants.forms.screening import (
    AlertCloseForm,
    ConsentSignForm,
    DecisionForm,
    FlagRuleForm,
    ScreeningSectionForm,
)

__all__ = [
    "AlertCloseForm",
    "ConsentSignForm",
    "DateInput",
    "DecisionForm",
    "FlagRuleForm",
    "LoginForm",
    "PasswordChangeForm",
    "PasswordResetForm",
    "ProfileForm",
    "ResendVerificationForm",
    "ScreeningSectionForm",
    "SetPasswordForm",
    "SignupForm",
]
