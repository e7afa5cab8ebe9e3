"""Every message kind in Spanish, for a reader of Spanish, chosen when the message is sent.

The same clinical record as the privacy tests (``test_message_privacy``): each kind rendered in
Spanish says none of it, has no English left, keeps the support line only where the design puts
it, and fits each text message in two segments in both languages (accented Spanish is UCS-2:
70 characters a segment, 67 once split).
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from outbox import rendering
from outbox.models import Notification, NotificationStatus
from outbox.services.delivery import notifications_claim, notifications_deliver
from outbox.sms import sms_fit, sms_segments
from tests.english import english_words
from tests.factories import EnrollmentFactory, ParticipantFactory
from tests.sessions_app.test_message_privacy import (
    ALL_KINDS,
    CLINICAL_DETAIL,
    SUPPORT_KINDS,
    notification_for,
    record,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db

SUPPORT_LINE_ES = (
    "¿Necesita apoyo ahora mismo? Llame o envíe un mensaje de texto al 988 (para español, oprima "
    "2 o envíe AYUDA por texto), a cualquier hora. En una emergencia, llame al 911."
)
TREATMENT_WORDS_ES = [
    "ketamina",
    "esketamina",
    "dosis",
    "dosific",
    "psicodél",
    "suicid",
    "autolesi",
    "depresi",
    "ansiedad",
    "trauma",
    "psicosis",
    "psiquiatr",
    "diagnós",
    "medicamento",
    "puntuación",
    "grave",
]
CRISIS_LINE_ES = re.compile(r"(llame|escriba|texto)\W+(\w+\W+){0,6}(988|911)\b|línea 988", re.I)
# Proper names a message may carry whatever its language (the factories' room and clinic).
NAMES = frozenset({"room", "journease"})


@pytest.fixture
def spanish_record(record):  # noqa: F811
    """The same record, with the clinic's own words in Spanish too (the rooms' address is a
    proper name in either language)."""
    session = record["session"]
    session_type = session.session_type
    session_type.public_name_es = "Sesión de grupo"
    session_type.preparation_instructions_es = "No coma nada 4 horas antes. Organice su regreso."
    session_type.save()
    checkin_type = record["checkin"].enrollment.session.session_type
    checkin_type.public_name_es = "Sesión de grupo"
    checkin_type.save()
    room = session.room
    room.location = "410 S 300 E, Salt Lake City"
    room.directions_es = "Segunda puerta a la izquierda."
    room.save()
    program = record["cohort"].template
    program.public_name_es = "Programa de grupo"
    program.save()
    return record


def _rendered(kind: str, clinic_record: dict, language: str) -> rendering.Rendered:
    return rendering.render(notification_for(kind, clinic_record), channel="all", language=language)


@pytest.mark.parametrize("kind", sorted(ALL_KINDS))
def test_every_kind_reads_in_spanish_and_gives_nothing_away(roles, spanish_record, kind):
    english = _rendered(kind, spanish_record, "en")
    spanish = _rendered(kind, spanish_record, "es")
    parts = {
        "subject": spanish.subject,
        "text": spanish.text,
        "html": re.sub(r"<[^>]+>", " ", spanish.html),
        "sms": spanish.sms,
    }
    assert spanish.subject != english.subject and spanish.text != english.text
    for name, part in parts.items():
        said = " ".join(part.split())
        assert not english_words(said, allowed=NAMES), f"{kind} {name}: {english_words(said)}"
        for word in TREATMENT_WORDS_ES:
            assert not re.search(rf"\b{word}", said.lower()), f"{kind} {name} says {word!r}"
        for detail in CLINICAL_DETAIL:
            assert detail.lower() not in said.lower(), f"{kind} {name} gives away {detail!r}"
    text = " ".join(spanish.text.split())
    if kind in SUPPORT_KINDS:
        assert SUPPORT_LINE_ES in text
    else:
        assert not CRISIS_LINE_ES.search(text), f"{kind} has a crisis line"
    assert not CRISIS_LINE_ES.search(spanish.sms)


@pytest.mark.parametrize("kind", sorted(ALL_KINDS))
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_text_message_fits_two_segments(roles, spanish_record, kind, language, settings):
    settings.SITE_URL = "https://journease.example.org"  # a real address, longer than localhost's
    sms = _rendered(kind, spanish_record, language).sms
    if sms:
        assert sms_segments(sms) <= 2, f"{kind} in {language}: {len(sms)} characters: {sms}"
        assert "STOP" in sms


def test_two_segments_of_accented_text_is_134_characters():
    assert sms_segments("ó" * 70) == 1
    assert sms_segments("ó" * 134) == 2
    assert sms_segments("ó" * 135) == 3
    assert sms_segments("a" * 306) == 2  # plain GSM text: 153 a segment once split


def test_a_text_too_long_for_two_accented_segments_is_sent_with_plain_letters():
    long_spanish = "Journease: " + "¿Cómo está? Sesión reprogramada, señora. " * 4
    assert sms_segments(long_spanish) == 3
    fitted = sms_fit(long_spanish)
    assert sms_segments(fitted) <= 2
    assert "Como esta" in fitted and "señora" in fitted and "¿" in fitted  # GSM has ñ and ¿
    short = "Journease: sesión cancelada. Lo sentimos."
    assert sms_fit(short) == short  # fits as written: untouched


def test_the_language_is_read_when_the_message_is_sent(roles, spanish_record):
    """Planned while the person read English, sent after they chose Spanish: Spanish. One
    batch, two readers of one session: each in their own language, whatever the worker's."""
    clinic_record = spanish_record
    person = clinic_record["person"]

    reader_of_english = ParticipantFactory()
    EnrollmentFactory(participant=reader_of_english, session=clinic_record["session"])
    due = timezone.now() - datetime.timedelta(minutes=1)
    for recipient in (person, reader_of_english):
        row = notification_for("reminder_soon", clinic_record)
        row.recipient, row.due_at, row.channel = recipient, due, "email"
        row.subject_id = recipient.enrollments.get(session=clinic_record["session"]).pk
        row.save()
    person.language = "es"
    person.save(update_fields=["language"])
    with translation.override("en"):
        claim = notifications_claim()
        notifications_deliver(ids=claim)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    spanish = by_recipient[person.email]
    english = by_recipient[reader_of_english.email]
    assert not english_words(spanish.subject + " " + spanish.body, allowed=NAMES)
    assert "Sesión de grupo" in spanish.subject
    assert english_words(english.body)  # the other reader's stays English
