"""The Spanish catalogue is complete, current, and compiled: no page falls back to English.

Reads the ``.po`` with Babel and the source with Babel and Django's template lexer (no gettext
tools), so it runs wherever the suite runs.
"""

import re

import pytest
from django.utils import translation

from operations.catalogue import catalogue_path, compile_catalogue, extract, read_catalogue
from participants import instruments

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue("es")


def _key(message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return message.context, msgid


def _translations(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def test_every_string_the_product_marks_is_in_the_catalogue(catalogue):
    entries = {_key(message) for message in catalogue if message.id}
    missing = sorted(extract() - entries, key=str)
    assert not missing, f"marked but not in locale/es (run make messages): {missing[:10]}"


def test_no_entry_is_stale_untranslated_or_fuzzy(catalogue):
    marked = extract()
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(("fuzzy", message.id))
        if not all(text.strip() for text in _translations(message)):
            problems.append(("untranslated", message.id))
        if _key(message) not in marked:
            problems.append(("no longer in the code", message.id))
    assert not problems, problems[:10]


def test_translations_keep_every_placeholder_and_tag(catalogue):
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        tags = sorted(TAG.findall(ids[-1]))
        for text in _translations(message):
            if sorted(PLACEHOLDER.findall(text)) != wanted and len(ids) == 1:
                problems.append(("placeholders", message.id, text))
            if sorted(TAG.findall(text)) != tags:
                problems.append(("tags", message.id, text))
    assert not problems, problems[:5]


def test_the_committed_compiled_catalogue_is_the_po_compiled():
    committed = catalogue_path("es").with_suffix(".mo").read_bytes()
    assert committed == compile_catalogue("es"), "run: manage.py catalogue_compile"


def test_the_published_instruments_wording_is_never_in_the_catalogue(catalogue):
    """PHQ-9, GAD-7 and the C-SSRS are shown in Spanish only from a loaded validated text."""
    entries = {_key(message)[1] for message in catalogue if message.id}
    published = [
        *instruments.PHQ9_ITEMS,
        *instruments.GAD7_ITEMS,
        *instruments.CSSRS_QUESTIONS,
        *instruments.CSSRS_HELP.values(),
        instruments.TWO_WEEKS_STEM,
        *(label for _value, label in instruments.FREQUENCY),
        *(label for _value, label in instruments.PHQ9_DIFFICULTY),
    ]
    assert not entries & {str(text) for text in published}


def test_django_reads_the_spanish_catalogue():
    with translation.override("es"):
        assert translation.gettext("My sessions") == "Mis sesiones"
        assert translation.gettext("Sign in") != "Sign in"
