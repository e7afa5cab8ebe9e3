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
from outbox.sms import sms_segments
from tests.english import english_words
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


def _rendered(kind: str, clinic_record: dict, language: str) -> rendering.Rendered:
    return rendering.render(notification_for(kind, clinic_record), channel="all", language=language)


@pytest.mark.parametrize("kind", sorted(ALL_KINDS))
def test_every_kind_reads_in_spanish_and_gives_nothing_away(roles, record, kind):  # noqa: F811
    english = _rendered(kind, record, "en")
    spanish = _rendered(kind, record, "es")
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
def test_every_text_message_fits_two_segments(roles, record, kind, language, settings):  # noqa: F811
    settings.SITE_URL = "https://journease.example.org"  # a real address, longer than localhost's
    sms = _rendered(kind, record, language).sms
    if sms:
        assert sms_segments(sms) <= 2, f"{kind} in {language}: {len(sms)} characters: {sms}"
        assert "STOP" in sms


def test_two_segments_of_accented_text_is_134_characters():
    assert sms_segments("ó" * 70) == 1
    assert sms_segments("ó" * 134) == 2
    assert sms_segments("ó" * 135) == 3
    assert sms_segments("a" * 306) == 2  # plain GSM text: 153 a segment once split


def test_the_language_is_read_when_the_message_is_sent(roles, record, settings):  # noqa: F811
    """Planned while the person read English, sent after they chose Spanish: Spanish. One
    batch, two readers of one session: each in their own language, whatever the worker's."""
    person = record["person"]
    other = type(person).objects.get(pk=notification_for("reminder_soon", record).recipient_id)
    assert other == person
    from tests.factories import EnrollmentFactory, ParticipantFactory

    reader_of_english = ParticipantFactory()
    EnrollmentFactory(participant=reader_of_english, session=record["session"])
    due = timezone.now() - datetime.timedelta(minutes=1)
    for recipient in (person, reader_of_english):
        row = notification_for("reminder_soon", record)
        row.recipient, row.due_at, row.channel = recipient, due, "email"
        row.subject_id = recipient.enrollments.get(session=record["session"]).pk
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
    assert "Mañana" in spanish.subject or "mañana" in spanish.body
    assert english_words(english.body)  # the other reader's stays English
