"""Forms of the screening, review, safety alert and consent pages."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from participants.instruments import (
    FOLLOW_UPS,
    NO,
    NUMBERED_CODES,
    SKIP_NOTES,
    Section,
    flaggable_choices,
)
from participants.models import FlagRule, ScreeningDecision
from participants.services.instrument_translations import (
    MAX_FILE_BYTES,
    instrument_translation_file_read,
)
from participants.services.screening import section_errors

REQUIRED = {"required": _("Please answer this question.")}


def _field_for(question, number: int | None) -> forms.Field:
    label = f"{number}. {question.label}" if number else question.label
    common = {"label": label, "required": question.required, "help_text": question.help_text}
    if question.kind in ("yesno", "choice"):
        return forms.ChoiceField(
            choices=question.choices, widget=forms.RadioSelect, error_messages=REQUIRED, **common
        )
    if question.kind == "scale":
        return forms.TypedChoiceField(
            choices=question.choices,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages=REQUIRED,
            **common,
        )
    if question.kind == "multi":
        return forms.MultipleChoiceField(
            choices=question.choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages=REQUIRED,
            **common,
        )
    if question.kind == "int":
        message = _("Please check this number: it should be between %(low)s and %(high)s.") % {
            "low": question.min_value,
            "high": question.max_value,
        }
        return forms.IntegerField(
            min_value=question.min_value,
            max_value=question.max_value,
            error_messages={"min_value": message, "max_value": message, "invalid": message},
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)


class ScreeningSectionForm(forms.Form):
    """One section of the questionnaire, built from ``participants.instruments``."""

    def __init__(
        self, *args, section: Section, last: bool = False, submit_label: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.section = section
        layout = []
        for index, question in enumerate(section.questions, start=1):
            number = index if question.code in NUMBERED_CODES else None
            self.fields[question.code] = _field_for(question, number)
            if question.code in SKIP_NOTES:
                layout.append(
                    HTML(
                        format_html(
                            '<p class="skip-note small text-body-secondary">{}</p>',
                            SKIP_NOTES[question.code],
                        )
                    )
                )
            css = f"question question-{question.code}"
            attrs = {}
            source = FOLLOW_UPS.get(question.code)
            if source:
                # screening.js shows a follow-up as soon as its question is answered "yes"; a
                # known "no" hides it from the first paint (and without JavaScript).
                css += f" follows-{source}"
                if self._answer(source) == NO:
                    attrs["hidden"] = True
            inner = (
                InlineRadios(question.code)
                if question.kind in ("yesno", "scale")
                else question.code
            )
            layout.append(Div(inner, css_class=css, **attrs))
        self.helper = FormHelper()
        self.helper.layout = Layout(*layout)
        if not submit_label:
            submit_label = _("Save and review") if last else _("Save and continue")
        self.helper.add_input(Submit("save", submit_label))

    def _answer(self, code: str):
        """The answer to ``code`` as this page shows it: submitted now, or saved before."""
        if self.is_bound:
            return self.data.get(self.add_prefix(code))
        return self.initial.get(code)

    def clean(self) -> dict:
        cleaned = super().clean()
        for field, message in section_errors(slug=self.section.slug, values=cleaned).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def answers(self) -> dict:
        """The valid answers of this submission, also when others are wrong (kept in the draft)."""
        return {code: value for code, value in self.cleaned_data.items() if code not in self.errors}


class InterpreterAnswersForm(ScreeningSectionForm):
    """An instrument's answers given through an interpreter, entered by a clinician on the review
    page with the English wording; one form per instrument, each with its own prefix."""

    def __init__(self, *args, section: Section, action: str, **kwargs):
        super().__init__(
            *args,
            section=section,
            prefix=section.slug,
            submit_label=_("Record the answers given through an interpreter"),
            **kwargs,
        )
        self.helper.form_action = action


class InstrumentTranslationUploadForm(forms.Form):
    """A validated translation file for Django admin: refused at the field when anything in it
    is wrong (see the README for the format)."""

    file = forms.FileField(
        label=_("Translation file (JSON)"),
        help_text=_(
            "The published, validated translation as supplied with its source and version. "
            "A file with any fault is refused whole."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content = upload.read(MAX_FILE_BYTES + 1)
        instrument_translation_file_read(self.content)
        return upload


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ScreeningDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note for the record"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by clinicians only. The participant is told the outcome, not the note."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(InlineRadios("decision"), "note")
        self.helper.add_input(Submit("decide", _("Record the decision")))


class AlertCloseForm(forms.Form):
    outreach_note = forms.CharField(
        label=_("Outreach"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who reached the participant, how, and what was agreed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("close", _("Close the alert")))


class ConsentSignForm(forms.Form):
    # The document the page showed: what is signed must be what was read.
    document = forms.IntegerField(widget=forms.HiddenInput, required=False)
    typed_name = forms.CharField(
        label=_("Your full name"),
        max_length=300,
        help_text=_("Type your first and last name as they appear on your account."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(
        label=_("I have read this consent and I agree to take part in the group program."),
        error_messages={"required": _("Please tick to confirm that you agree.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("sign", _("Sign the consent")))


class FlagRuleForm(forms.ModelForm):
    field = forms.ChoiceField(label=_("Field"), choices=flaggable_choices)

    class Meta:
        model = FlagRule
        fields = ["code", "field", "operator", "value", "severity", "message", "is_active"]
        help_texts = {
            "value": _(
                "For “is one of”, separate values with commas, e.g. pregnant,breastfeeding."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save the rule")))
