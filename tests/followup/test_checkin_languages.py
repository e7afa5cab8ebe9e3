"""The week and month check-ins for a reader of Spanish: PHQ-9 and GAD-7 only in a loaded
validated translation (here the fixture marked as test data, shown with its notice), else left to
the clinician with an interpreter; the wording recorded per check-in; practices in Spanish."""

import pytest
from django.utils import translation

from followup.models import CheckIn
from followup.services.checkins import ensure_default_practices
from participants.instruments import GAD7_CODES, PHQ9_CODES
from participants.instruments.published import PHQ9_ITEMS
from participants.models import Role
from tests.factories import CheckInFactory
from tests.participants.instrument_data import load_test_translations
from tests.participants.test_checkins import checkin_url, form_data

pytestmark = pytest.mark.django_db

INTERPRETER = "Estas preguntas todavía no están disponibles en su idioma"


@pytest.fixture
def spanish_client(participant_client):
    client = participant_client()
    type(client.user).objects.filter(pk=client.user.pk).update(language="es")
    return client


def test_without_a_translation_the_questions_give_way_to_a_notice_and_the_rest_is_kept(
    spanish_client,
):
    checkin = CheckInFactory(enrollment__participant=spanish_client.user)
    page = spanish_client.get(checkin_url(checkin)).content.decode()
    assert INTERPRETER in page
    assert 'name="phq9_1"' not in page and 'name="gad7_1"' not in page
    assert PHQ9_ITEMS[0] not in page  # never the English wording on a Spanish page
    data = {
        k: v for k, v in form_data(checkin, mood="4").items() if k not in PHQ9_CODES + GAD7_CODES
    }
    assert spanish_client.post(checkin_url(checkin), data).status_code == 302
    checkin.refresh_from_db()
    assert checkin.mood == 4 and checkin.phq9_total is None and checkin.gad7_total is None
    assert checkin.instrument_languages == {
        "phq9": {"language": "es", "interpreter": "needed"},
        "gad7": {"language": "es", "interpreter": "needed"},
    }
    done = spanish_client.get(checkin_url(checkin)).content.decode()
    assert "con un intérprete, en su próxima visita" in done


def test_with_a_loaded_translation_the_items_are_its_words_and_the_record_names_it(
    spanish_client,
):
    phq9, gad7 = load_test_translations(instruments=("phq9", "gad7"))
    checkin = CheckInFactory(enrollment__participant=spanish_client.user)
    page = spanish_client.get(checkin_url(checkin)).content.decode()
    assert phq9.texts["phq9_1"] in page and gad7.texts["gad7_1"] in page
    assert "test-data-notice" in page  # test data is never presented as the validated text
    assert INTERPRETER not in page and PHQ9_ITEMS[0] not in page
    assert spanish_client.post(checkin_url(checkin), form_data(checkin)).status_code == 302
    checkin = CheckIn.objects.get(pk=checkin.pk)
    assert checkin.phq9_total == 8 and checkin.gad7_total == 7  # scoring unchanged
    assert checkin.instrument_languages["phq9"]["translation"] == phq9.pk
    assert checkin.instrument_languages["gad7"]["version"] == gad7.version


def test_an_english_reader_answers_the_published_english(participant_client):
    client = participant_client()
    load_test_translations(instruments=("phq9", "gad7"))
    checkin = CheckInFactory(enrollment__participant=client.user)
    page = client.get(checkin_url(checkin)).content.decode()
    assert PHQ9_ITEMS[0] in page and "test-data-notice" not in page
    assert client.post(checkin_url(checkin), form_data(checkin)).status_code == 302
    assert CheckIn.objects.get(pk=checkin.pk).instrument_languages["phq9"] == {"language": "en"}


def test_a_spanish_reader_cannot_skip_an_instrument_that_has_a_translation(spanish_client):
    load_test_translations(instruments=("phq9", "gad7"))
    checkin = CheckInFactory(enrollment__participant=spanish_client.user)
    data = {k: v for k, v in form_data(checkin).items() if k not in PHQ9_CODES}
    response = spanish_client.post(checkin_url(checkin), data)
    assert response.status_code == 200
    assert response.context["form"].errors["phq9_1"]
    assert CheckIn.objects.get(pk=checkin.pk).completed_at is None


def test_the_default_practices_are_named_in_spanish_for_a_spanish_reader(spanish_client):
    ensure_default_practices()
    checkin = CheckInFactory(enrollment__participant=spanish_client.user, kind="somatic")
    page = spanish_client.get(checkin_url(checkin)).content.decode()
    with translation.override("es"):
        spanish = translation.gettext("Somatic (body-based) practice")
    assert spanish != "Somatic (body-based) practice" and spanish in page
    assert "Somatic (body-based) practice" not in page


def test_the_timeline_shows_an_instrument_left_to_an_interpreter(spanish_client, staff_client):
    checkin = CheckInFactory(enrollment__participant=spanish_client.user)
    data = {k: v for k, v in form_data(checkin).items() if k not in PHQ9_CODES + GAD7_CODES}
    spanish_client.post(checkin_url(checkin), data)
    from django.urls import reverse

    clinician = staff_client(Role.CLINICIAN)
    page = clinician.get(
        reverse("followup:participant_timeline", kwargs={"pk": spanish_client.user.pk})
    ).content.decode()
    assert "interpreter needed" in page
