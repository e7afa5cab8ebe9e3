"""No message gives the care away: nothing clinical, no treatment word, and the support line only
where DESIGN.md puts it (check-in prompts and safety messages), in neutral words.

Every kind is rendered, in every part (subject, text, HTML, SMS), for a participant whose record
is full of clinical detail: screening answers, medications, scores, check-in reflections.
"""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from cohorts.message_kinds import CohortMessage
from cohorts.models import Cohort, CohortMember, CohortSession, ProgramStep, ProgramTemplate
from followup.message_kinds import FollowUpMessage
from outbox import kinds
from outbox import rendering as messages
from outbox.models import Notification
from participants.message_kinds import ParticipantMessage
from sessions_app.calendars import calendar_feed_for, enrollment_ics
from sessions_app.message_kinds import SessionMessage
from sessions_app.services import enrollment as enrollment_service
from tests.factories import (
    CheckInFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    RoomFactory,
    SafetyAlertFactory,
    SessionTypeFactory,
    StaffFactory,
    SubmittedScreeningFactory,
    screening_answers,
)

pytestmark = pytest.mark.django_db

SUPPORT_LINE = "Need support right now? Call or text 988, any time. In an emergency, call 911."
# DESIGN.md, Messages: crisis resources in check-in prompts and safety messages, nowhere else.
SUPPORT_KINDS = {
    FollowUpMessage.CHECKIN_WEEK,
    FollowUpMessage.CHECKIN_MONTH,
    FollowUpMessage.CHECKIN_NUDGE,
    FollowUpMessage.INTEGRATION_SELF_COMPASSION,  # integration prompts invite a check-in
    FollowUpMessage.INTEGRATION_SOMATIC,
    ParticipantMessage.STAFF_SAFETY_ALERT,
    ParticipantMessage.STAFF_SAFETY_ESCALATION,
}
TREATMENT_WORDS = [
    "ketamine",
    "esketamine",
    "spravato",
    "dosing",
    "dose",
    "psychedelic",
    "psilocybin",
    "dissociat",
    "suicid",
    "self-harm",
    "crisis",
    "depress",
    "anxiety",
    "ptsd",
    "trauma",
    "psychosis",
    "psychiatr",
    "diagnos",
    "medication",
    "phq",
    "gad-7",
    "gad7",
    "c-ssrs",
    "score",
    "severe",
]
# A crisis line in any wording: a number to call or text, a tel: link, or the Lifeline's name.
# (Not the bare digits: a link or a calendar UID may hold a key such as 988.)
CRISIS_LINE = re.compile(
    r"(call|text|dial|tel:)\W*(or text\W*)?(988|911)\b|lifeline", re.IGNORECASE
)
# What the participant told the clinic: none of it may leave in a message.
CLINICAL_DETAIL = [
    "Quinnella",
    "Lamotrigine",
    "Sertraline 150",
    "Moderately severe",
    "hopeless most mornings",
    "the voices came back",
    "PHQ-9 item 9",
]


@pytest.fixture
def record():
    """A participant whose screening, check-in and alert hold every kind of clinical detail."""
    person = ParticipantFactory(first_name="Quinnella", profile__sms_opt_in=True)
    SubmittedScreeningFactory(
        participant=person,
        answers=screening_answers(
            phq9_1=3, phq9_9=2, medications_other="Lamotrigine; Sertraline 150 mg"
        ),
        phq9_total=24,
        phq9_band="Severe",
        gad7_total=19,
        gad7_band="Severe",
        flags=[{"code": "psychosis", "severity": "absolute", "message": "History of psychosis"}],
    )
    session = GroupSessionFactory(
        starts_at=timezone.now() + datetime.timedelta(days=3),
        title="Ketamine dosing for treatment-resistant depression",
        room=RoomFactory(name="Room 4", directions="Second door on the left."),
        session_type=SessionTypeFactory(
            name="Ketamine-assisted psychotherapy (dosing)",
            public_name="Group session",
            preparation_instructions="No food for 4 hours before. Arrange a ride home.",
        ),
    )
    enrollment = EnrollmentFactory(participant=person, session=session)
    checkin = CheckInFactory(participant=person)
    checkin.reflection = "Since the ketamine I feel hopeless most mornings; the voices came back."
    checkin.mood = 2
    checkin.answers = {"phq9_9": 3, "gad7_1": 3}
    checkin.phq9_total, checkin.phq9_band = 21, "Moderately severe"
    checkin.wants_contact = True
    checkin.save()
    alert = SafetyAlertFactory(participant=person, reason="PHQ-9 item 9 above 0: suicidal thoughts")
    # A program holding the session, its name and the step's purpose as clinical as staff may
    # write them: a message names only the neutral public name.
    program = ProgramTemplate.objects.create(
        name="Ketamine program for depression", public_name="Group program"
    )
    step = ProgramStep.objects.create(
        template=program,
        session_type=session.session_type,
        offset_days=0,
        start_time=datetime.time(18, 0),
        duration_minutes=60,
        purpose="First ketamine dose",
    )
    cohort = Cohort.objects.create(
        template=program,
        title="Ketamine cohort",
        start_date=session.starts_at.date(),
        room=session.room,
        capacity=8,
        status="published",
    )
    CohortSession.objects.create(cohort=cohort, step=step, session=session)
    member = CohortMember.objects.create(
        cohort=cohort, participant=person, joined_at=timezone.now()
    )
    return {
        "person": person,
        "staff": StaffFactory(first_name="Quinnella"),
        "session": session,
        "enrollment": enrollment,
        "checkin": checkin,
        "alert": alert,
        "cohort": cohort,
        "member": member,
    }


def notification_for(kind: str, record: dict) -> Notification:
    if kind.startswith("account_"):
        recipient = subject = record["person"]
    elif kind in (
        ParticipantMessage.STAFF_SAFETY_ALERT,
        ParticipantMessage.STAFF_SAFETY_ESCALATION,
    ):
        recipient, subject = record["staff"], record["alert"]
    elif kind == CohortMessage.STAFF_COHORT_BELOW_MINIMUM:
        recipient, subject = record["staff"], record["cohort"]
    elif kind == CohortMessage.COHORT_WELCOME:
        recipient, subject = record["person"], record["member"]
    elif kind.startswith("staff_"):
        recipient, subject = record["staff"], record["session"]
    elif kind.startswith("checkin_"):
        recipient, subject = record["person"], record["checkin"]
    else:
        recipient, subject = record["person"], record["enrollment"]
    return Notification(
        recipient=recipient,
        kind=kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        due_at=timezone.now(),
        context={
            "expires_at": (timezone.now() + datetime.timedelta(hours=12)).isoformat(),
            "previous_starts_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
            "status": "approved",
        },
    )


ALL_KINDS = [
    *ParticipantMessage.values,
    *SessionMessage.values,
    *FollowUpMessage.values,
    *CohortMessage.values,
]


def test_every_kind_is_checked():
    assert set(kinds.all_kinds()) == set(ALL_KINDS)
    assert {kind for kind, spec in kinds.all_kinds().items() if spec.support_line} == SUPPORT_KINDS


@pytest.mark.parametrize("kind", sorted(ALL_KINDS))
def test_no_message_gives_the_care_away(roles, record, kind):
    rendered = messages.render(notification_for(kind, record), channel="all")
    parts = {
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "sms": rendered.sms,
    }
    assert rendered.subject and rendered.text.strip() and rendered.html.strip()
    for name, part in parts.items():
        said = " ".join(part.split()).lower()
        for word in TREATMENT_WORDS:
            assert not re.search(rf"\b{re.escape(word)}", said), f"{kind} {name} says {word!r}"
        for detail in CLINICAL_DETAIL:
            assert detail.lower() not in said, f"{kind} {name} gives away {detail!r}"


@pytest.mark.parametrize("kind", sorted(ALL_KINDS))
def test_the_support_line_is_only_in_check_in_prompts_and_safety_messages(roles, record, kind):
    rendered = messages.render(notification_for(kind, record), channel="all")
    text = " ".join(rendered.text.split())
    html = " ".join(rendered.html.split())
    if kind in SUPPORT_KINDS:
        # The text and HTML parts say the same neutral words.
        assert SUPPORT_LINE in text and SUPPORT_LINE in html
    else:
        for name, part in {"subject": rendered.subject, "text": text, "html": html}.items():
            assert not CRISIS_LINE.search(part), f"{kind} {name} has a crisis line"
    assert not CRISIS_LINE.search(rendered.sms)


def test_every_page_keeps_the_support_line_in_neutral_words(client, roles):
    html = " ".join(client.get("/").content.decode().split())
    assert "Need support right now?" in html
    assert 'href="tel:988"' in html and 'href="tel:911"' in html
    assert "suicide" not in html.lower()


def test_no_calendar_entry_gives_the_care_away(client, roles, record):
    """The same participant's calendars (a seat's .ics and the private feed, a cancelled seat
    among them, fetched as their calendar app would) carry no clinical detail, no treatment
    word and no crisis line: shared calendars and lock screens are not private."""
    cancelled = EnrollmentFactory(
        participant=record["person"],
        session=GroupSessionFactory(
            session_type=record["session"].session_type,
            title=record["session"].title,
            starts_at=record["session"].starts_at + datetime.timedelta(days=7),
        ),
    )
    enrollment_service.enrollment_cancel(enrollment=cancelled, by=record["person"])
    feed = calendar_feed_for(participant=record["person"])
    calendars = {
        "seat": enrollment_ics(enrollment=record["enrollment"]).decode(),
        "cancelled seat": enrollment_ics(enrollment=cancelled).decode(),
        "feed": client.get(
            reverse("sessions_app:calendar_feed", args=[feed.token])
        ).content.decode(),
    }
    assert "BEGIN:VEVENT" in calendars["feed"]
    for name, data in calendars.items():
        # Unfold the lines (RFC 5545 folds at 75 octets) before searching them.
        said = " ".join(data.replace("\r\n ", "").split()).lower()
        for word in TREATMENT_WORDS:
            assert not re.search(rf"\b{re.escape(word)}", said), f"{name} says {word!r}"
        for detail in CLINICAL_DETAIL:
            assert detail.lower() not in said, f"{name} gives away {detail!r}"
        assert not CRISIS_LINE.search(said), f"{name} has a crisis line"
