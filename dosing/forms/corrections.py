"""Correcting an entry: the entry's own form, prefilled with its values, and a reason."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _


class CorrectionReasonForm(forms.Form):
    """Why the entry is corrected (a correction is a new entry; the old one stays on record)."""

    prefix = "correction"

    correction_reason = forms.CharField(
        label=_("Why it is corrected"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: typed 12 for 120. The earlier entry stays on the record."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
