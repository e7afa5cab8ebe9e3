"""The integration check-in form: mood, practices, reflection, PHQ-9 and GAD-7 at the week and
month check-ins, and "I would like to talk to someone"."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from followup.models import CheckIn, Practice
from participants.forms.screening import _field_for
from participants.instruments import GAD7_CODES, PHQ9_CODES, QUESTIONS, TWO_WEEKS_STEM

MOOD_CHOICES = [(value, str(value)) for value in range(11)]


class CheckInForm(forms.Form):
    mood = forms.TypedChoiceField(
        label=_("How is your mood today, from 0 (very low) to 10 (very good)?"),
        choices=MOOD_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a number from 0 to 10.")},
    )
    practices = forms.ModelMultipleChoiceField(
        label=_("Which practices did you do since the session?"),
        queryset=Practice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reflection = forms.CharField(
        label=_("A short reflection (optional)"),
        help_text=_("What came up for you, what helped, what was hard."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    wants_contact = forms.BooleanField(
        label=_("I would like to talk to someone from the clinical team"),
        help_text=_("A clinician will reach out to you, usually within one working day."),
        required=False,
    )

    def __init__(self, *args, checkin: CheckIn, **kwargs):
        super().__init__(*args, **kwargs)
        self.checkin = checkin
        self.fields["practices"].queryset = Practice.objects.filter(is_active=True)
        scored_layout = []
        if checkin.is_scored:
            for title, codes in (
                (_("Mood (PHQ-9)"), PHQ9_CODES),
                (_("Anxiety (GAD-7)"), GAD7_CODES),
            ):
                items = []
                for number, code in enumerate(codes, start=1):
                    self.fields[code] = _field_for(QUESTIONS[code], number)
                    items.append(Div(InlineRadios(code), css_class=f"question question-{code}"))
                scored_layout.append(
                    Fieldset(title, HTML(f"<p class='section-intro'>{TWO_WEEKS_STEM}</p>"), *items)
                )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            InlineRadios("mood"),
            "practices",
            *scored_layout,
            "reflection",
            "wants_contact",
        )
        self.helper.add_input(Submit("save", _("Send my check-in")))

    def safety_values(self) -> tuple[dict, bool]:
        """The valid PHQ-9/GAD-7 answers and the contact wish, also when other fields are wrong,
        so that the safety path runs on what the participant already said."""
        data = getattr(self, "cleaned_data", {})
        answers = {code: value for code, value in data.items() if code in QUESTIONS}
        return answers, bool(data.get("wants_contact"))
