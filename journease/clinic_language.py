"""The clinic's own language: what staff and the audit log keep is written in it.

Participants read pages and messages in their language; audit entries, CSV exports and notes stay
in ``settings.LANGUAGE_CODE`` whatever the language of the person whose request made them.
"""

import functools

from django.conf import settings
from django.utils import translation


def clinic_language() -> translation.override:
    """A context in which lazy labels (model names, choices, headings) read in the clinic's."""
    return translation.override(settings.LANGUAGE_CODE)


def in_clinic_language(view):
    """A view whose whole response (a CSV, say) is in the clinic's language."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with clinic_language():
            return view(*args, **kwargs)

    return wrapped
