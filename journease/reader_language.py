"""The clinic's own words in the reader's language.

Some words participants read are data the clinic types in admin (a session type's neutral name,
a room's directions, a program's description), in English with an optional Spanish companion
field named ``<field>_es``. ``in_reader_language`` is the one place that picks between them:
the Spanish text when the active language (``get_language()``: the request's, or the recipient's
inside ``translation.override`` when a message or a calendar feed is rendered) is Spanish and the
clinic has filled it in, else the English one. Staff pages read the English field directly.

Templates use it as a filter: ``{% load reader_language %}{{ session_type|reader:"public_name" }}``.
"""

from django import template
from django.utils.translation import get_language

SPANISH = "es"
SUFFIX = "_es"

register = template.Library()


def reads_spanish() -> bool:
    """Whether the active language is Spanish (``es`` or a regional ``es-…``)."""
    return (get_language() or "").split("-")[0].lower() == SPANISH


def in_reader_language(obj, field: str) -> str:
    """``obj.<field>_es`` when the reader reads Spanish and it is filled, else ``obj.<field>``:
    an empty (or blank) Spanish text falls back to the English one, never to nothing."""
    english = getattr(obj, field)
    if reads_spanish():
        spanish = getattr(obj, field + SUFFIX, "") or ""
        if spanish.strip():
            return spanish
    return english


@register.filter(name="reader")
def reader(obj, field: str) -> str:
    """``{{ obj|reader:"field" }}``: ``in_reader_language(obj, "field")``; empty for no object."""
    if obj is None or obj == "":
        return ""
    return in_reader_language(obj, field)
