"""Validated instrument translations are loaded as data: the file format, its checks (a bad file
is refused whole), the management command and the Django admin upload."""

import copy
import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from participants.instruments import SECTIONS_BY_SLUG
from participants.instruments.translations import ENGLISH_TEXTS, INSTRUMENTS, section_in
from participants.models import InstrumentTranslation, Role
from participants.services.instrument_translations import instrument_translations_load
from tests.participants.instrument_data import (
    FIXTURE,
    as_file,
    fixture_translations,
    load_test_translations,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_the_english_texts_word_the_section_exactly_as_it_is_shown_today(instrument):
    """The keys a translation must have are exactly the instrument's wording: worded with the
    English texts, the section is the questionnaire's own, question by question."""
    section = SECTIONS_BY_SLUG[instrument]
    worded = section_in(instrument, ENGLISH_TEXTS[instrument])
    for original, same in zip(section.questions, worded.questions, strict=True):
        assert (same.code, same.kind, same.required) == (
            original.code,
            original.kind,
            original.required,
        )
        assert same.label == str(original.label)
        assert [(value, str(label)) for value, label in same.choices] == [
            (value, str(label)) for value, label in original.choices
        ]
        # Help is rendered as HTML: the worded section carries it escaped.
        assert html.unescape(str(same.help_text)) == str(original.help_text)
    assert worded.intro == section.intro


def test_the_fixture_is_marked_as_test_data_and_loads_one_active_translation_each(make_user):
    admin = make_user(Role.ADMIN)
    loaded = instrument_translations_load(
        content=FIXTURE.read_bytes(), file_name=FIXTURE.name, loaded_by=admin, now=NOW
    )
    assert sorted(t.instrument for t in loaded) == sorted(INSTRUMENTS)
    for translation in InstrumentTranslation.objects.all():
        assert translation.is_active and translation.test_data
        assert translation.language == "es"
        assert translation.loaded_by == admin and translation.loaded_at == NOW
        assert set(translation.texts) == set(ENGLISH_TEXTS[translation.instrument])
        assert all(text.startswith("[Datos de prueba]") for text in translation.texts.values())


def test_loading_a_new_version_replaces_the_active_one_and_keeps_the_old_for_the_record():
    first = load_test_translations(["phq9"])[0]
    second = load_test_translations(["phq9"], version="test-2")[0]
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert InstrumentTranslation.objects.filter(instrument="phq9", language="es").count() == 2


def _entries():
    return copy.deepcopy(fixture_translations())


def _phq9(change):
    def make():
        entries = _entries()
        change(entries[0])
        return entries

    return make


BAD_FILES = {
    "missing text": (_phq9(lambda e: e["texts"].pop("phq9_9")), "missing texts: phq9_9"),
    "extra text": (
        _phq9(lambda e: e["texts"].update({"phq9_10": "x"})),
        "texts the instrument does not have: phq9_10",
    ),
    "empty text": (_phq9(lambda e: e["texts"].update({"stem": "  "})), "empty"),
    "text not a string": (_phq9(lambda e: e["texts"].update({"answers.0": 0})), "not text"),
    "unknown instrument": (_phq9(lambda e: e.update(instrument="bdi")), "instrument must be"),
    "english": (_phq9(lambda e: e.update(language="en")), "English is the original"),
    "unknown language": (_phq9(lambda e: e.update(language="fr")), "language must be"),
    "no source": (_phq9(lambda e: e.pop("source")), "missing fields: source"),
    "blank version": (_phq9(lambda e: e.update(version="")), "“version” must be a text"),
    "test_data not boolean": (_phq9(lambda e: e.update(test_data="yes")), "true or false"),
    "unknown field": (_phq9(lambda e: e.update(author="me")), "unknown fields: author"),
    "texts not an object": (_phq9(lambda e: e.update(texts=["a"])), "must be an object"),
    "twice the same": (lambda: _entries() + _entries()[:1], "come twice"),
    "entry not an object": (lambda: _entries() + ["phq9"], "an object with named fields"),
    "empty list": (lambda: [], "holds no translation"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_refused_whole_with_a_message_naming_the_fault(name):
    make, expected = BAD_FILES[name]
    with pytest.raises(ValidationError) as refused:
        instrument_translations_load(content=as_file(make()))
    assert any(expected in message for message in refused.value.messages), refused.value.messages
    # The good translations of the same file are not kept either.
    assert not InstrumentTranslation.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "not valid JSON (line 1"),
        ("[]".encode("utf-16"), "not UTF-8"),
        (b" " * 1_000_001, "larger than 1 MB"),
    ],
)
def test_a_file_that_is_no_translation_file_is_refused(content, expected):
    with pytest.raises(ValidationError) as refused:
        instrument_translations_load(content=content)
    assert expected in refused.value.messages[0]
    assert not InstrumentTranslation.objects.exists()


def test_a_bad_file_leaves_the_active_translation_in_place():
    current = load_test_translations(["phq9"])[0]
    make, _expected = BAD_FILES["missing text"]
    with pytest.raises(ValidationError):
        instrument_translations_load(content=as_file(make()))
    current.refresh_from_db()
    assert current.is_active
    assert InstrumentTranslation.objects.count() == 1


def test_the_command_loads_a_file_and_says_it_is_test_data(make_user, capsys):
    admin = make_user(Role.ADMIN)
    call_command("instrument_translation_load", str(FIXTURE), "--loaded-by", admin.email)
    out = capsys.readouterr().out
    assert "Loaded PHQ-9 in es, version test-1 (TEST DATA, not the validated text)." in out
    assert InstrumentTranslation.objects.filter(is_active=True, loaded_by=admin).count() == 3


def test_the_command_refuses_a_bad_file_and_keeps_nothing(tmp_path):
    make, _expected = BAD_FILES["extra text"]
    bad = tmp_path / "bad.json"
    bad.write_bytes(as_file(make()))
    with pytest.raises(CommandError, match="texts the instrument does not have: phq9_10"):
        call_command("instrument_translation_load", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("instrument_translation_load", str(tmp_path / "missing.json"))
    assert not InstrumentTranslation.objects.exists()


ADD_URL = "/admin/participants/instrumenttranslation/add/"


def test_an_admin_uploads_a_translation_file(staff_client):
    client = staff_client(Role.ADMIN)
    upload = SimpleUploadedFile(FIXTURE.name, FIXTURE.read_bytes(), "application/json")
    response = client.post(ADD_URL, {"file": upload})
    assert response.status_code == 302
    assert response.url == reverse("admin:participants_instrumenttranslation_changelist")
    loaded = InstrumentTranslation.objects.filter(is_active=True)
    assert loaded.count() == 3
    assert {t.loaded_by for t in loaded} == {client.user}
    assert {t.file_name for t in loaded} == {FIXTURE.name}


def test_a_bad_upload_is_refused_at_the_field_and_nothing_is_saved(staff_client):
    client = staff_client(Role.ADMIN)
    make, _expected = BAD_FILES["missing text"]
    upload = SimpleUploadedFile("bad.json", as_file(make()), "application/json")
    response = client.post(ADD_URL, {"file": upload})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any("missing texts: phq9_9" in error for error in errors)
    assert "nothing of it is kept" in response.content.decode()
    assert not InstrumentTranslation.objects.exists()


def test_a_loaded_translation_cannot_be_edited_or_deleted_in_admin_only_withdrawn(staff_client):
    client = staff_client(Role.ADMIN)
    translation = load_test_translations(["gad7"])[0]
    change = f"/admin/participants/instrumenttranslation/{translation.pk}/change/"
    response = client.post(change, {"version": "typed", "texts": "{}"})
    translation.refresh_from_db()
    assert translation.version == "test-1"
    assert response.status_code in (200, 403)
    client.post(
        "/admin/participants/instrumenttranslation/",
        {"action": "withdraw", "_selected_action": [translation.pk]},
    )
    translation.refresh_from_db()
    assert not translation.is_active


def test_coordinators_and_clinicians_cannot_load_translations(staff_client):
    for role in (Role.COORDINATOR, Role.CLINICIAN):
        upload = SimpleUploadedFile(FIXTURE.name, FIXTURE.read_bytes(), "application/json")
        response = staff_client(role).post(ADD_URL, {"file": upload})
        assert response.status_code in (302, 403)
    assert not InstrumentTranslation.objects.exists()
