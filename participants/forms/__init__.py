"""Forms of the participants app, one module per concern; each renders with crispy-forms."""

from participants.forms.accounts import (
    AccountCloseForm,
    DateInput,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    ResendVerificationForm,
    SecondFactorForm,
    SetPasswordForm,
    SignupForm,
    StaffInviteForm,
)
from participants.forms.screening import (
    AlertCloseForm,
    ConsentSignForm,
    DecisionForm,
    FlagRuleForm,
    InstrumentTranslationUploadForm,
    InterpreterAnswersForm,
    ScreeningSectionForm,
)

__all__ = [
    "AccountCloseForm",
    "AlertCloseForm",
    "ConsentSignForm",
    "DateInput",
    "DecisionForm",
    "FlagRuleForm",
    "InstrumentTranslationUploadForm",
    "InterpreterAnswersForm",
    "LoginForm",
    "PasswordChangeForm",
    "PasswordResetForm",
    "ProfileForm",
    "ResendVerificationForm",
    "ScreeningSectionForm",
    "SecondFactorForm",
    "SetPasswordForm",
    "SignupForm",
    "StaffInviteForm",
]
