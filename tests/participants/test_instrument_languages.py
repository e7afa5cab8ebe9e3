"""PHQ-9, GAD-7 and the C-SSRS screener in the reader's language: a loaded translation word for
word (with a notice when it is test data), else a clinician with an interpreter; the language
each was answered in is recorded and shown to clinicians, and approval waits for interpreter
answers, which are scored and checked for safety like any others."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from participants.instruments import GAD7_CODES, PHQ9_CODES
from participants.instruments.published import PHQ9_ITEMS
from participants.models import (
    InstrumentTranslation,
    Role,
    SafetyAlert,
    SafetyLevel,
    ScreeningStatus,
)
from participants.services.interpreter import (
    screening_defer_to_interpreter,
    screening_record_interpreter_answers,
)
from participants.services.scoring import phq9_score
from participants.services.screening import (
    ScreeningRefused,
    screening_decide,
    screening_submit,
)
from tests.factories import ScreeningFactory, screening_answers
from tests.participants.instrument_data import load_test_translations

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

NOW = datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.UTC)
ENGLISH_ITEM_1 = PHQ9_ITEMS[0]
TEST_ITEM_1 = "[Datos de prueba] PHQ-9, pregunta 1"


def _section_url(screening, slug: str) -> str:
    return reverse("participants:screening_section", args=[screening.public_id, slug])


def _started(client):
    client.post(reverse("participants:screening_start"))
    return client.user.screenings.get()


def _phq9_post(**overrides) -> dict:
    data = dict.fromkeys(PHQ9_CODES, "0")
    data["phq9_difficulty"] = "somewhat"
    data.update(overrides)
    return data


# --- The participant's page ---------------------------------------------------------------------


def test_a_spanish_reader_sees_the_loaded_wording_exactly_with_the_test_data_notice(
    participant_client,
):
    load_test_translations()
    client = participant_client(language="es")
    screening = _started(client)
    page = client.get(_section_url(screening, "phq9")).content.decode()
    assert TEST_ITEM_1 in page
    assert "[Datos de prueba] PHQ-9, instrucciones" in page
    assert "[Datos de prueba] PHQ-9, respuesta 3" in page
    assert ENGLISH_ITEM_1 not in page and "Nearly every day" not in page
    assert "test-data-notice" in page


def test_a_validated_translation_shows_no_test_data_notice(participant_client):
    load_test_translations(["gad7"], test_data=False, version="v2")
    client = participant_client(language="es")
    screening = _started(client)
    page = client.get(_section_url(screening, "gad7")).content.decode()
    assert "[Datos de prueba] GAD-7, pregunta 1" in page
    assert "test-data-notice" not in page


def test_answers_given_in_a_translation_are_stored_by_code_and_record_its_source(
    participant_client,
):
    loaded = {t.instrument: t for t in load_test_translations()}
    client = participant_client(language="es")
    screening = _started(client)
    response = client.post(_section_url(screening, "phq9"), _phq9_post(phq9_1="2"))
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.answers["phq9_1"] == 2
    assert screening.instrument_languages["phq9"] == {
        "language": "es",
        "translation": loaded["phq9"].pk,
        "source": loaded["phq9"].source,
        "version": "test-1",
        "test_data": True,
    }


def test_an_english_reader_sees_the_published_english_and_it_is_recorded(participant_client):
    load_test_translations()
    client = participant_client(language="en")
    screening = _started(client)
    page = client.get(_section_url(screening, "phq9")).content.decode()
    assert ENGLISH_ITEM_1 in page and TEST_ITEM_1 not in page
    client.post(_section_url(screening, "phq9"), _phq9_post())
    screening.refresh_from_db()
    assert screening.instrument_languages["phq9"] == {"language": "en"}


def test_without_a_translation_the_questions_give_way_to_the_interpreter_notice(
    participant_client,
):
    load_test_translations(["gad7"])  # GAD-7 only: PHQ-9 has none in Spanish
    client = participant_client(language="es")
    screening = _started(client)
    response = client.get(_section_url(screening, "phq9"))
    page = response.content.decode()
    assert "interpreter-notice" in page
    assert 'name="phq9_1"' not in page and ENGLISH_ITEM_1 not in page
    assert response.context["wording"].interpreter_needed
    # A question of the clinic's own is still asked in Spanish (not an instrument).
    assert not client.get(_section_url(screening, "medical")).context["wording"].interpreter_needed


def test_a_participant_submits_without_the_instruments_left_to_an_interpreter(
    participant_client, django_capture_on_commit_callbacks
):
    load_test_translations(["cssrs"])  # the C-SSRS screener has one, PHQ-9 and GAD-7 not
    client = participant_client(language="es")
    screening = _started(client)
    answers = screening_answers()
    for code in PHQ9_CODES + GAD7_CODES + ("phq9_difficulty",):
        answers.pop(code)
    screening.answers = answers
    screening.save()
    for slug in ("phq9", "gad7"):
        response = client.post(_section_url(screening, slug))
        assert response.status_code == 302
    cssrs = {f"cssrs_{number}": "no" for number in range(1, 7)}
    assert client.post(_section_url(screening, "cssrs"), cssrs).status_code == 302
    detail = client.get(reverse("participants:screening_detail", args=[screening.public_id]))
    assert detail.context["all_done"]
    with translation.override("es"):
        notice = translation.gettext("With a clinician and an interpreter")
    assert notice != "With a clinician and an interpreter"  # the Spanish reader reads Spanish
    assert notice in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("participants:screening_submit", args=[screening.public_id]))
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.SUBMITTED
    assert screening.phq9_total is None and screening.gad7_total is None
    assert screening.instruments_awaiting_interpreter == ["phq9", "gad7"]
    assert screening.instrument_languages["phq9"] == {"language": "es", "interpreter": "needed"}
    assert screening.instrument_languages["cssrs"]["language"] == "es"
    assert screening.instrument_languages["cssrs"]["version"] == "test-1"


def test_leaving_an_instrument_to_an_interpreter_drops_its_answers_but_never_lowers_safety():
    screening = ScreeningFactory(answers=screening_answers(phq9_9=2))
    screening.safety_level = SafetyLevel.ALERT
    screening.save()
    screening_defer_to_interpreter(screening=screening, slug="phq9", language="es")
    screening.refresh_from_db()
    assert not any(code in screening.answers for code in PHQ9_CODES)
    assert screening.safety_level == SafetyLevel.ALERT


def test_a_loaded_text_is_shown_as_text_never_as_markup(participant_client):
    load_test_translations(["cssrs"])
    cssrs = InstrumentTranslation.objects.get(instrument="cssrs")
    cssrs.texts["cssrs_1"] = "<b>uno</b>"
    cssrs.texts["cssrs_3.help"] = "<script>ayuda</script>"
    cssrs.save()
    client = participant_client(language="es")
    screening = _started(client)
    page = client.get(_section_url(screening, "cssrs")).content.decode()
    assert "<b>uno</b>" not in page and "&lt;b&gt;uno&lt;/b&gt;" in page
    assert "<script>ayuda" not in page and "&lt;script&gt;ayuda" in page


def test_a_participant_never_reaches_another_participants_section(participant_client):
    other = ScreeningFactory()
    client = participant_client(language="es")
    assert client.get(_section_url(other, "phq9")).status_code == 404
    assert client.post(_section_url(other, "phq9")).status_code == 404
    other.refresh_from_db()
    assert other.instrument_languages == {}


# --- The review ---------------------------------------------------------------------------------


def _awaiting_interpreter(**kwargs):
    """A submitted Spanish reader's screening with PHQ-9 left to an interpreter."""
    answers = screening_answers()
    for code in (*PHQ9_CODES, "phq9_difficulty"):
        answers.pop(code)
    screening = ScreeningFactory(answers=answers, participant__language="es", **kwargs)
    screening_defer_to_interpreter(screening=screening, slug="phq9", language="es")
    screening_submit(screening=screening, now=NOW)
    screening.refresh_from_db()
    return screening


@pytest.fixture
def decider(make_user):
    return make_user(Role.CLINICIAN, permissions=["decide_eligibility"])


def test_the_queue_shows_the_language_the_source_and_the_interpreter_needed(staff_client):
    load_test_translations(["gad7"])
    screening = _awaiting_interpreter()
    gad7 = InstrumentTranslation.objects.get(instrument="gad7")
    screening.instrument_languages["gad7"] = {
        "language": "es",
        "translation": gad7.pk,
        "source": gad7.source,
        "version": gad7.version,
        "test_data": True,
    }
    screening.save()
    with translation.override("en"):
        page = staff_client(Role.CLINICIAN).get(reverse("participants:review_queue"))
    html = page.content.decode()
    assert "Español" in html
    assert "PHQ-9: interpreter needed" in html
    assert "GAD-7: Español" in html and "version test-1" in html and gad7.source in html
    assert "Test data, not the validated text" in html


def test_approval_is_refused_until_the_interpreter_answers_are_recorded(decider):
    screening = _awaiting_interpreter()
    with pytest.raises(ScreeningRefused, match="PHQ-9 still wait"):
        screening_decide(screening=screening, clinician=decider, decision="approved", note="OK")
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.SUBMITTED


def test_the_review_page_refuses_approval_and_offers_the_english_form(staff_client):
    screening = _awaiting_interpreter()
    client = staff_client(Role.CLINICIAN, permissions=["decide_eligibility"])
    url = reverse("participants:review_detail", args=[screening.public_id])
    page = client.get(url)
    html = page.content.decode()
    assert [form.section.slug for form in page.context["interpreter_forms"]] == ["phq9"]
    assert ENGLISH_ITEM_1 in html and 'name="phq9-phq9_1"' in html
    assert "PHQ-9: interpreter needed" in html and "Reads Español" in html
    response = client.post(url, {"decision": "approved", "note": "Fine."}, follow=True)
    assert "still wait for the answers given through an interpreter" in response.content.decode()
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.SUBMITTED


def _interpreter_post(**answers) -> dict:
    values = dict.fromkeys(PHQ9_CODES, "1")
    values.update({"phq9_9": "0", "phq9_difficulty": "very"}, **answers)
    return {f"phq9-{code}": value for code, value in values.items()}


def test_a_clinician_records_the_interpreter_answers_then_the_screening_is_scored_and_approvable(
    staff_client, decider, django_capture_on_commit_callbacks
):
    screening = _awaiting_interpreter()
    client = staff_client(Role.CLINICIAN)
    url = reverse("participants:review_interpreter", args=[screening.public_id, "phq9"])
    response = client.post(url, _interpreter_post())
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.answers["phq9_1"] == 1
    expected = phq9_score(screening.answers)
    assert (screening.phq9_total, screening.phq9_band) == (8, expected.band) == (8, "Mild")
    record = screening.instrument_languages["phq9"]
    assert record["interpreter"] == "recorded" and record["wording"] == "en"
    assert record["language"] == "es" and record["entered_by"] == client.user.pk
    assert screening.instruments_awaiting_interpreter == []
    assert not SafetyAlert.objects.filter(screening=screening).exists()
    with django_capture_on_commit_callbacks(execute=True):
        screening_decide(screening=screening, clinician=decider, decision="approved", note="OK")
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.APPROVED


def test_interpreter_answers_that_call_for_it_raise_the_safety_alert(staff_client):
    screening = _awaiting_interpreter()
    client = staff_client(Role.CLINICIAN)
    url = reverse("participants:review_interpreter", args=[screening.public_id, "phq9"])
    client.post(url, _interpreter_post(phq9_9="2"))
    screening.refresh_from_db()
    assert screening.safety_level == SafetyLevel.ALERT
    alert = SafetyAlert.objects.get(screening=screening)
    assert "PHQ-9 item 9 above 0" in alert.reason


def test_incomplete_interpreter_answers_are_refused_at_the_field_and_nothing_is_kept(
    staff_client,
):
    screening = _awaiting_interpreter()
    client = staff_client(Role.CLINICIAN)
    url = reverse("participants:review_interpreter", args=[screening.public_id, "phq9"])
    data = _interpreter_post()
    data.pop("phq9-phq9_4")
    data["phq9-phq9_5"] = "7"
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["interpreter_forms"][0]
    assert set(form.errors) == {"phq9_4", "phq9_5"}
    screening.refresh_from_db()
    assert "phq9_1" not in screening.answers
    assert screening.instruments_awaiting_interpreter == ["phq9"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN, Role.PARTICIPANT])
def test_only_clinicians_record_interpreter_answers(staff_client, participant_client, role):
    screening = _awaiting_interpreter()
    client = participant_client() if role == Role.PARTICIPANT else staff_client(role)
    url = reverse("participants:review_interpreter", args=[screening.public_id, "phq9"])
    response = client.post(url, _interpreter_post())
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert "/login/" in response.url or "/accounts/" in response.url
    screening.refresh_from_db()
    assert "phq9_1" not in screening.answers


def test_coordinators_see_in_the_queue_that_an_interpreter_is_needed(staff_client):
    _awaiting_interpreter()
    queue = staff_client(Role.COORDINATOR).get(reverse("participants:review_queue"))
    assert "PHQ-9: interpreter needed" in queue.content.decode()


def test_the_service_refuses_non_clinicians_and_screenings_not_waiting_for_a_decision(make_user):
    values = {**dict.fromkeys(PHQ9_CODES, 0), "phq9_difficulty": ""}
    waiting = _awaiting_interpreter()
    for role in (Role.COORDINATOR, Role.ADMIN):
        with pytest.raises(PermissionDenied):
            screening_record_interpreter_answers(
                screening=waiting, clinician=make_user(role), instrument="phq9", values=values
            )
    draft = ScreeningFactory(
        instrument_languages={"phq9": {"language": "es", "interpreter": "needed"}}
    )
    with pytest.raises(ScreeningRefused, match="not waiting for a decision"):
        screening_record_interpreter_answers(
            screening=draft, clinician=make_user(Role.CLINICIAN), instrument="phq9", values=values
        )
    waiting.refresh_from_db()
    assert waiting.instruments_awaiting_interpreter == ["phq9"]


def test_an_instrument_not_waiting_for_an_interpreter_is_not_open_to_entry(staff_client):
    screening = _awaiting_interpreter()
    client = staff_client(Role.CLINICIAN)
    url = reverse("participants:review_interpreter", args=[screening.public_id, "gad7"])
    assert client.post(url, {}).status_code == 404
