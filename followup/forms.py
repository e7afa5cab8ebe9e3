"""The integration check-in form: mood, practices, reflection, PHQ-9 and GAD-7 at the week and
month check-ins, and "I would like to talk to someone"."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from followup.models import CheckIn, Practice
from journease.reader_language import in_reader_language
from participants.forms.screening import _field_for
from participants.instruments import GAD7_CODES, PHQ9_CODES, QUESTIONS, SECTIONS_BY_SLUG
from participants.selectors import section_wording

TEST_DATA_NOTICE = "<div class='alert alert-warning test-data-notice' role='note'>{}</div>"
TEST_DATA_TEXT = _(
    "Test data: this wording is a placeholder for testing, not the validated translation of "
    "this questionnaire."
)

MOOD_CHOICES = [(value, str(value)) for value in range(11)]


class PracticeChoiceField(forms.ModelMultipleChoiceField):
    """The clinic's practices, each named in the reader's language."""

    def label_from_instance(self, obj: Practice) -> str:
        return in_reader_language(obj, "name")


class CheckInForm(forms.Form):
    mood = forms.TypedChoiceField(
        label=_("How is your mood today, from 0 (very low) to 10 (very good)?"),
        choices=MOOD_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a number from 0 to 10.")},
    )
    practices = PracticeChoiceField(
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
        # What each instrument is asked in, for the record (``CheckIn.instrument_languages``).
        self.instruments: dict[str, dict] = {}
        scored_layout = []
        if checkin.is_scored:
            for slug, title, codes in (
                ("phq9", _("Mood (PHQ-9)"), PHQ9_CODES),
                ("gad7", _("Anxiety (GAD-7)"), GAD7_CODES),
            ):
                scored_layout.append(self._instrument(slug, title, codes))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            InlineRadios("mood"),
            "practices",
            *scored_layout,
            "reflection",
            "wants_contact",
        )
        self.helper.add_input(Submit("save", _("Send my check-in")))

    def _instrument(self, slug: str, title, codes) -> Fieldset:
        """PHQ-9 or GAD-7 in its published wording for the reader: English, or a loaded validated
        translation word for word; without one, a notice instead of the questions."""
        wording = section_wording(section=SECTIONS_BY_SLUG[slug], language=get_language())
        if wording.interpreter_needed:
            self.instruments[slug] = {"language": wording.language, "interpreter": "needed"}
            notice = _(
                "These questions are not available in your language yet. Your clinician will go "
                "through them with you, with an interpreter, at your next visit."
            )
            return Fieldset(
                title, HTML(format_html("<p class='interpreter-notice'>{}</p>", notice))
            )
        self.instruments[slug] = wording.record
        questions = {question.code: question for question in wording.section.questions}
        parts = []
        if wording.translation is not None and wording.translation.test_data:
            parts.append(HTML(format_html(TEST_DATA_NOTICE, TEST_DATA_TEXT)))
        parts.append(HTML(format_html("<p class='section-intro'>{}</p>", wording.section.intro)))
        for number, code in enumerate(codes, start=1):
            self.fields[code] = _field_for(questions[code], number)
            parts.append(Div(InlineRadios(code), css_class=f"question question-{code}"))
        return Fieldset(title, *parts)

    def safety_values(self) -> tuple[dict, bool]:
        """The valid PHQ-9/GAD-7 answers and the contact wish, also when other fields are wrong,
        so that the safety path runs on what the participant already said."""
        data = getattr(self, "cleaned_data", {})
        answers = {code: value for code, value in data.items() if code in QUESTIONS}
        return answers, bool(data.get("wants_contact"))
