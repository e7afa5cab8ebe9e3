"""The clinic's own words (names, descriptions, preparation, directions) in the reader's language:
the Spanish companion for a participant who reads Spanish when the clinic filled it in, else the
English; staff pages keep the English."""

import icalendar
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

from journease.reader_language import in_reader_language
from outbox import rendering as messages
from outbox.models import Notification
from outbox.services.planning import notification_plan
from participants.models import Role
from sessions_app.calendars import calendar_feed_for
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import EnrollmentStatus
from tests.auth import sign_in
from tests.clock import local
from tests.factories import (
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    RoomFactory,
    SessionTypeFactory,
)
from tests.outbox import delivered

pytestmark = pytest.mark.usefixtures("roles")

ENGLISH = {
    "name": "Preparation circle",
    "public_name": "Group session",
    "description": "Meet your group and set your intentions.",
    "preparation_instructions": "Bring a notebook.",
}
SPANISH = {
    "name_es": "Círculo de preparación",
    "public_name_es": "Sesión de grupo",
    "description_es": "Conozca a su grupo y fije sus intenciones.",
    "preparation_instructions_es": "Traiga un cuaderno.",
}
DIRECTIONS = "Free parking behind the building."
DIRECTIONS_ES = "Estacionamiento gratuito detrás del edificio."


@pytest.fixture
def session():
    session_type = SessionTypeFactory(**ENGLISH, **SPANISH)
    room = RoomFactory(directions=DIRECTIONS, directions_es=DIRECTIONS_ES)
    return GroupSessionFactory(
        session_type=session_type, room=room, starts_at=local(2027, 1, 13, 18)
    )


@pytest.fixture
def untranslated_session():
    session_type = SessionTypeFactory(**ENGLISH)
    return GroupSessionFactory(session_type=session_type, starts_at=local(2027, 1, 13, 18))


def test_helper_picks_spanish_only_for_a_spanish_reader_and_falls_back_when_blank(session):
    session_type = session.session_type
    with translation.override("es"):
        assert in_reader_language(session_type, "public_name") == "Sesión de grupo"
        session_type.description_es = "   "
        assert in_reader_language(session_type, "description") == ENGLISH["description"]
    with translation.override("en"):
        assert in_reader_language(session_type, "public_name") == "Group session"


@pytest.mark.clock("2027-01-10 12:00")
def test_spanish_reader_sees_spanish_texts_on_the_session_page(session, participant_client):
    page = participant_client(language="es").get(
        reverse("sessions_app:session_detail", args=[session.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    for text in (SPANISH["name_es"], SPANISH["description_es"], "Traiga un cuaderno."):
        assert text in html
    assert ENGLISH["description"] not in html
    assert "Bring a notebook." not in html


@pytest.mark.clock("2027-01-10 12:00")
def test_english_reader_sees_english_texts_on_the_session_page(session, participant_client):
    page = participant_client(language="en").get(
        reverse("sessions_app:session_detail", args=[session.pk])
    )
    html = page.content.decode()
    for text in (ENGLISH["name"], ENGLISH["description"], "Bring a notebook."):
        assert text in html
    for text in SPANISH.values():
        assert text not in html


@pytest.mark.clock("2027-01-10 12:00")
def test_spanish_reader_without_spanish_texts_reads_the_english(
    untranslated_session, participant_client
):
    page = participant_client(language="es").get(
        reverse("sessions_app:session_detail", args=[untranslated_session.pk])
    )
    html = page.content.decode()
    for text in (ENGLISH["name"], ENGLISH["description"], "Bring a notebook."):
        assert text in html


@pytest.mark.clock("2027-01-10 12:00")
def test_my_sessions_titles_the_seat_in_the_readers_language(session, make_user):
    reader = make_user(language="es")
    EnrollmentFactory(session=session, participant=reader)
    html = sign_in(reader).get(reverse("sessions_app:my_sessions")).content.decode()
    assert SPANISH["name_es"] in html
    assert ENGLISH["name"] not in html


@pytest.mark.clock("2027-01-10 12:00")
def test_my_sessions_says_each_seats_day_status_and_terms_in_the_readers_language(
    session, make_user
):
    reader = make_user(language="es")
    EnrollmentFactory(session=session, participant=reader)
    earlier = GroupSessionFactory(
        session_type=session.session_type, starts_at=local(2027, 1, 6, 18)
    )
    EnrollmentFactory(session=earlier, participant=reader, status=EnrollmentStatus.ATTENDED)
    html = sign_in(reader).get(reverse("sessions_app:my_sessions")).content.decode()
    hours = session.session_type.cancellation_cutoff_hours
    assert "miércoles 13 de enero de 2027, 6:00 PM–7:30 PM MST · Room" in html
    assert f"Puede cancelar sin cargo hasta {hours} horas antes del inicio." in html
    assert ">Inscrito(a)</span>" in html
    assert f"<li>6 de enero de 2027 · {SPANISH['name_es']} · Asistió</li>" in html


@pytest.mark.clock("2027-01-10 12:00")
def test_a_sessions_own_spanish_title_wins_and_staff_pages_keep_the_english(
    session, participant_client, staff_client
):
    session.title, session.title_es = "Evening circle", "Círculo de la tarde"
    session.save()
    url = reverse("sessions_app:session_detail", args=[session.pk])
    assert "Círculo de la tarde" in participant_client(language="es").get(url).content.decode()
    assert "Círculo de la tarde" not in participant_client(language="en").get(url).content.decode()
    roster = staff_client(Role.COORDINATOR, language="es").get(
        reverse("sessions_app:staff_session_roster", args=[session.pk])
    )
    assert roster.status_code == 200
    assert "Evening circle" in roster.content.decode()
    assert "Círculo de la tarde" not in roster.content.decode()


def _notification(session, kind) -> Notification:
    return Notification(
        recipient=ParticipantFactory(),
        kind=kind,
        subject_type=ContentType.objects.get_for_model(session),
        subject_id=session.pk,
        due_at=session.starts_at,
    )


@pytest.mark.clock("2027-01-10 12:00")
def test_reminders_carry_the_clinics_words_in_the_recipients_language(session):
    prepare = _notification(session, SessionMessage.REMINDER_PREPARE)
    soon = _notification(session, SessionMessage.REMINDER_SOON)
    spanish = messages.render(prepare, channel="all", language="es")
    assert "Sesión de grupo" in spanish.subject
    assert "Traiga un cuaderno." in spanish.text and "Traiga un cuaderno." in spanish.html
    assert "Sesión de grupo" in spanish.sms
    assert DIRECTIONS_ES in messages.render(soon, channel="all", language="es").text
    english = messages.render(prepare, channel="all", language="en")
    assert "Group session" in english.subject and "Group session" in english.sms
    assert "Bring a notebook." in english.text and "Traiga" not in english.text
    english_soon = messages.render(soon, channel="all", language="en")
    assert DIRECTIONS in english_soon.text and DIRECTIONS_ES not in english_soon.html


@pytest.mark.clock("2027-01-10 12:00")
def test_a_sent_reminder_is_in_the_spanish_recipients_words(session):
    reader = ParticipantFactory(language="es")
    seat = EnrollmentFactory(session=session, participant=reader)
    notification_plan(
        recipient=reader, kind=SessionMessage.REMINDER_PREPARE, subject=seat, due_at=timezone.now()
    )
    sent = [m for m in delivered() if reader.email in m.to]
    assert len(sent) == 1
    assert "Sesión de grupo" in sent[0].subject
    assert "Traiga un cuaderno." in sent[0].body


def _feed_summaries(client, owner) -> list:
    feed = calendar_feed_for(participant=owner)
    response = client.get(
        reverse("sessions_app:calendar_feed", args=[feed.token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return [
        event["SUMMARY"] for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    ]


@pytest.mark.clock("2027-01-10 12:00")
def test_calendar_feed_is_in_its_owners_language_whatever_the_app_asks(session, client):
    owner = ParticipantFactory(language="es")
    EnrollmentFactory(session=session, participant=owner)
    (summary,) = _feed_summaries(client, owner)
    assert "Sesión de grupo" in str(summary)
    assert summary.params["LANGUAGE"] == "es"


@pytest.mark.clock("2027-01-10 12:00")
def test_calendar_feed_of_an_english_reader_is_in_english(session, client):
    owner = ParticipantFactory(language="en")
    EnrollmentFactory(session=session, participant=owner)
    (summary,) = _feed_summaries(client, owner)
    assert str(summary).startswith("Group session")
    assert summary.params["LANGUAGE"] == "en"
