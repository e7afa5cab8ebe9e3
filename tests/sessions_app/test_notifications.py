"""The outbox: planning, quiet hours, claiming, delivery, retries and rendering every kind."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from followup.message_kinds import FollowUpMessage
from journease.clinic_time import local_day_at
from outbox import kinds, sms
from outbox import rendering as messages
from outbox.models import Notification, NotificationChannel, NotificationStatus
from outbox.services.delivery import notifications_claim, notifications_deliver, retry_delay
from outbox.services.planning import (
    notification_plan,
    notifications_cancel,
    notifications_retry,
    sms_send_time,
)
from participants.message_kinds import ParticipantMessage
from sessions_app.message_kinds import SessionMessage
from sessions_app.services.message_plans import enrollment_messages_plan
from tests.factories import (
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    SessionTypeFactory,
    SubmittedScreeningFactory,
    screening_answers,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Texts go out now only outside quiet hours (21:00-08:00): delivery tests start on a weekday morning.
WEEKDAY_MORNING = "2026-12-01 10:00"


def denver(year, month, day, hour, minute=0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def session():
    return GroupSessionFactory(
        starts_at=timezone.now() + datetime.timedelta(days=3),
        session_type=SessionTypeFactory(
            name="Ketamine group session",
            public_name="Group session",
            preparation_instructions="No food for 4 hours before.",
        ),
    )


def plan(recipient, session, kind=SessionMessage.REMINDER_SOON, due_at=None, **kwargs):
    notification_plan(
        recipient=recipient,
        kind=kind,
        subject=session,
        due_at=due_at or timezone.now() - datetime.timedelta(minutes=1),
        **kwargs,
    )


def pending(**filters):
    return Notification.objects.filter(status=NotificationStatus.PENDING, **filters)


# --- Planning -----------------------------------------------------------------------------------


def test_planning_the_same_message_twice_keeps_one_pending_row(roles, session):
    person = ParticipantFactory()
    plan(person, session)
    plan(person, session)
    assert pending(recipient=person).count() == 1


def test_the_database_refuses_a_second_pending_row(roles, session):
    person = ParticipantFactory()
    plan(person, session)
    row = pending().get()
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_cancel_then_plan_again_makes_a_new_pending_row(roles, session):
    person = ParticipantFactory()
    plan(person, session)
    assert notifications_cancel(subject=session) == 1
    plan(person, session)
    assert pending(recipient=person).count() == 1
    assert Notification.objects.filter(status=NotificationStatus.CANCELLED).count() == 1


def test_sms_is_planned_only_for_participants_who_opted_in_with_a_phone(roles, session):
    opted_in = ParticipantFactory(profile__sms_opt_in=True)
    email_only = ParticipantFactory(profile__sms_opt_in=False)
    plan(opted_in, session)
    plan(email_only, session)
    assert set(pending(recipient=opted_in).values_list("channel", flat=True)) == {"email", "sms"}
    assert set(pending(recipient=email_only).values_list("channel", flat=True)) == {"email"}


def test_kinds_without_sms_are_never_texted(roles, session):
    person = ParticipantFactory(profile__sms_opt_in=True)
    plan(person, session, kind=SessionMessage.ENROLLMENT_CONFIRMED)
    assert list(pending(recipient=person).values_list("channel", flat=True)) == ["email"]


def test_prompts_are_not_planned_for_someone_who_turned_them_off(roles, session):
    person = ParticipantFactory(profile__integration_prompts=False)
    plan(person, session, kind=FollowUpMessage.INTEGRATION_SOMATIC)
    plan(person, session, kind=SessionMessage.REMINDER_SOON)  # essential: always by e-mail
    assert list(pending(recipient=person).values_list("kind", flat=True)) == ["reminder_soon"]


# --- Quiet hours and local days -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "now", "expected"),
    [
        # Outside quiet hours: unchanged.
        (denver(2026, 12, 4, 20, 0), denver(2026, 12, 4, 9), denver(2026, 12, 4, 20, 0)),
        # Due at 23:00, planned that morning: sent before 21:00 the same evening.
        (denver(2026, 12, 4, 23, 0), denver(2026, 12, 4, 9), denver(2026, 12, 4, 20, 45)),
        # Due at 23:00 but it is already 22:00: at 08:00 next morning.
        (denver(2026, 12, 4, 23, 0), denver(2026, 12, 4, 22), denver(2026, 12, 5, 8, 0)),
        # Due at 06:00, planned days before: the evening before.
        (denver(2026, 12, 5, 6, 0), denver(2026, 12, 1, 9), denver(2026, 12, 4, 20, 45)),
        # Due at 06:00, planned at 23:30 the night before: at 08:00.
        (denver(2026, 12, 5, 6, 0), denver(2026, 12, 4, 23, 30), denver(2026, 12, 5, 8, 0)),
        # Quiet hours are clinic time across the daylight-saving change (8 March 2026).
        (denver(2026, 3, 8, 7, 0), denver(2026, 3, 1, 9), denver(2026, 3, 7, 20, 45)),
    ],
)
def test_participant_texts_respect_quiet_hours(due, now, expected):
    assert sms_send_time(due, now=now) == expected


def test_a_text_due_in_quiet_hours_is_planned_earlier_and_the_email_is_not(roles, session):
    person = ParticipantFactory(profile__sms_opt_in=True)
    due = denver(2026, 12, 4, 23, 0)
    plan(person, session, due_at=due, now=denver(2026, 12, 4, 9))
    assert pending(channel=NotificationChannel.EMAIL).get().due_at == due
    assert pending(channel=NotificationChannel.SMS).get().due_at == denver(2026, 12, 4, 20, 45)


def test_days_after_are_calendar_days_at_a_local_hour_across_daylight_saving():
    # A session ending 12:00 MST on Saturday 7 March 2026; DST starts on Sunday 8 March.
    ended = denver(2026, 3, 7, 12, 0)
    next_day = local_day_at(ended, days_after=1, at=datetime.time(10, 0))
    assert next_day == datetime.datetime(2026, 3, 8, 16, 0, tzinfo=UTC)  # 10:00 MDT
    week = local_day_at(ended, days_after=7, at=datetime.time(10, 0))
    assert timezone.localtime(week).strftime("%Y-%m-%d %H:%M %Z") == "2026-03-14 10:00 MDT"
    # An evening session in Denver is the next UTC day: the calendar day is still Denver's.
    evening = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 19:00 MST on 1 December
    assert timezone.localtime(
        local_day_at(evening, days_after=1, at=datetime.time(10, 0))
    ).date() == datetime.date(2026, 12, 2)


# --- Claiming -----------------------------------------------------------------------------------


def test_claim_takes_due_rows_only_and_commits_them_as_sending(roles, session):
    person = ParticipantFactory()
    now = timezone.now()
    plan(
        person,
        session,
        kind=SessionMessage.REMINDER_SOON,
        due_at=now - datetime.timedelta(minutes=5),
    )
    plan(
        person,
        session,
        kind=SessionMessage.REMINDER_RIDE,
        due_at=now + datetime.timedelta(hours=1),
    )

    ids = notifications_claim(now=now)
    assert len(ids) == 1
    claimed = Notification.objects.get(pk=ids[0])
    assert claimed.kind == SessionMessage.REMINDER_SOON
    assert claimed.status == NotificationStatus.SENDING
    assert claimed.attempts == 1
    assert notifications_claim(now=now) == []  # already claimed: never twice


def test_claim_waits_for_the_next_attempt_time(roles, session):
    plan(ParticipantFactory(), session)
    row = pending().get()
    now = timezone.now()
    row.next_attempt_at = now + datetime.timedelta(minutes=4)
    row.save()
    assert notifications_claim(now=now) == []
    assert notifications_claim(now=now + datetime.timedelta(minutes=5)) == [row.pk]


def test_rows_stuck_in_sending_are_claimed_again_after_the_timeout(roles, session, settings):
    plan(ParticipantFactory(), session)
    now = timezone.now()
    [row_id] = notifications_claim(now=now)
    # The worker died: the row stays "sending".
    assert notifications_claim(now=now + datetime.timedelta(minutes=5)) == []
    later = now + datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 1)
    assert notifications_claim(now=later) == [row_id]
    assert Notification.objects.get(pk=row_id).attempts == 2


def test_claim_respects_the_batch_size(roles, session):
    for _ in range(5):
        plan(ParticipantFactory(), session)
    assert len(notifications_claim(batch_size=3)) == 3
    assert len(notifications_claim(batch_size=3)) == 2


# --- Delivery -----------------------------------------------------------------------------------


@pytest.mark.clock(WEEKDAY_MORNING)
def test_delivery_sends_the_email_and_marks_it_sent_once(roles, session):
    person = ParticipantFactory(profile__sms_opt_in=True)
    plan(person, session)
    ids = notifications_claim()

    assert notifications_deliver(ids=ids) == {"sent": 2, "skipped": 0, "retry": 0, "failed": 0}
    assert notifications_deliver(ids=ids)["sent"] == 0  # a second delivery of the batch: no-op
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert "Group session" in mail.outbox[0].subject
    assert sms.outbox[0]["to"] == "+18015550100"
    assert "STOP" in sms.outbox[0]["body"]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert all(row.sent_at for row in Notification.objects.all())


def test_a_reminder_whose_session_has_started_is_skipped_not_sent_late(roles):
    started = GroupSessionFactory(starts_at=timezone.now() - datetime.timedelta(minutes=10))
    plan(ParticipantFactory(), started, due_at=started.starts_at - datetime.timedelta(hours=2))
    notifications_deliver(ids=notifications_claim())
    row = Notification.objects.get()
    assert row.status == NotificationStatus.SKIPPED
    assert "passed" in row.last_error
    assert mail.outbox == []


def test_a_failing_provider_is_retried_with_back_off_then_marked_failed(roles, session, settings):
    settings.EMAIL_BACKEND = "tests.sessions_app.test_notifications.BrokenEmailBackend"
    plan(ParticipantFactory(), session)
    now = timezone.now()
    for attempt in range(1, settings.NOTIFICATION_MAX_ATTEMPTS):
        ids = notifications_claim(now=now)
        assert notifications_deliver(ids=ids, now=now)["retry"] == 1
        row = Notification.objects.get()
        assert row.status == NotificationStatus.PENDING
        assert row.next_attempt_at == now + retry_delay(attempt)
        assert "SMTP is down" in row.last_error
        now = row.next_attempt_at
    assert notifications_deliver(ids=notifications_claim(now=now), now=now)["failed"] == 1
    row = Notification.objects.get()
    assert row.status == NotificationStatus.FAILED
    assert row.attempts == settings.NOTIFICATION_MAX_ATTEMPTS

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_retry(ids=[row.pk]) == 1
    assert notifications_deliver(ids=notifications_claim(now=now), now=now)["sent"] == 1


def test_back_off_grows_exponentially_up_to_an_hour():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4, 8, 20)] == [
        1,
        2,
        4,
        8,
        60,
        60,
    ]


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP is down")


@pytest.mark.clock(WEEKDAY_MORNING)
def test_texts_stop_when_the_participant_turns_them_off_before_sending(roles, session):
    person = ParticipantFactory(profile__sms_opt_in=True)
    plan(person, session)
    profile = person.participant_profile
    profile.sms_opt_in = False
    profile.save()
    notifications_deliver(ids=notifications_claim())
    assert sms.outbox == []
    assert Notification.objects.get(channel="sms").status == NotificationStatus.SKIPPED


def test_delivering_a_batch_runs_a_bounded_number_of_queries(
    roles, session, django_assert_max_num_queries
):
    people = [ParticipantFactory() for _ in range(40)]
    for person in people:
        plan(person, session)
    ids = notifications_claim()
    # Reads are constant (rows, subjects); then one write per message, committed as it is sent.
    with django_assert_max_num_queries(len(ids) + 5):
        assert notifications_deliver(ids=ids)["sent"] == 40


def test_one_sessions_reminders_are_rendered_once_for_all_its_participants(
    roles, session, monkeypatch
):
    people = [ParticipantFactory() for _ in range(5)]
    for person in people:
        plan(person, session)
    renders = []
    render = messages._render
    monkeypatch.setattr(
        messages, "_render", lambda n, **kw: renders.append(n.pk) or render(n, **kw)
    )

    assert notifications_deliver(ids=notifications_claim())["sent"] == 5
    assert len(renders) == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in people)


def test_reminders_about_each_persons_own_seat_are_rendered_once_per_language(
    roles, session, monkeypatch, stated_clock
):
    """Each seat's reminder is about its own enrollment, planned by the enrollment's message
    plan; their words are the same in one language, so a batch renders them once per language,
    and each reader still gets the words in theirs."""
    readers = [ParticipantFactory(language="es" if n % 3 == 0 else "en") for n in range(6)]
    seats = [EnrollmentFactory(session=session, participant=person) for person in readers]
    for seat in seats:
        enrollment_messages_plan(
            enrollment=seat, confirm=False, now=session.starts_at - datetime.timedelta(hours=80)
        )
    renders = []
    render = messages._render
    monkeypatch.setattr(
        messages, "_render", lambda n, **kw: renders.append(n.pk) or render(n, **kw)
    )

    stated_clock.move_to(session.starts_at - datetime.timedelta(hours=1))
    outcome = notifications_deliver(ids=notifications_claim())

    planned = set(Notification.objects.values_list("kind", flat=True))
    assert SessionMessage.REMINDER_PREPARE in planned and SessionMessage.REMINDER_SOON in planned
    assert outcome["sent"] == len(planned) * len(readers)
    assert len(renders) == len(planned) * 2  # each kind once in English, once in Spanish
    subjects = {message.to[0]: set() for message in mail.outbox}
    for message in mail.outbox:
        subjects[message.to[0]].add(message.subject)
    english = next(subjects[p.email] for p in readers if p.language == "en")
    spanish = next(subjects[p.email] for p in readers if p.language == "es")
    assert english.isdisjoint(spanish)
    assert all(subjects[p.email] == english for p in readers if p.language == "en")
    assert all(subjects[p.email] == spanish for p in readers if p.language == "es")


def test_a_message_whose_words_differ_renders_on_its_own():
    """The render key is the context itself: a detail that differs makes its own key, the same
    details the same key, and a detail that cannot be compared makes none (rendered alone)."""
    notification = Notification(kind=SessionMessage.ENROLLMENT_CONFIRMED, channel="email")
    base = {"session_name": "Group session", "starts_at": denver(2031, 3, 4, 10)}
    key = messages._key(notification, "email", "en", base)
    assert key == messages._key(notification, "email", "en", dict(base))
    assert key != messages._key(notification, "email", "en", {**base, "greeting": "Hi Ana"})
    assert key != messages._key(notification, "email", "es", base)
    utc = {**base, "starts_at": base["starts_at"].astimezone(datetime.UTC)}
    assert key != messages._key(notification, "email", "en", utc)  # the same moment, shown apart
    assert messages._key(notification, "email", "en", {**base, "list": [{}]}) is not None
    assert messages._key(notification, "email", "en", {**base, "set": {1, 2}}) is None


@pytest.mark.clock("2031-03-03 12:00")  # the day before both sessions
def test_each_message_in_a_batch_says_its_own_session_kind_and_details(roles, settings):
    morning = GroupSessionFactory(starts_at=denver(2031, 3, 4, 10))
    afternoon = GroupSessionFactory(starts_at=denver(2031, 3, 4, 15))
    person, other = ParticipantFactory(), ParticipantFactory()
    plan(person, morning)
    plan(person, afternoon)
    plan(person, afternoon, kind=SessionMessage.REMINDER_RIDE)
    plan(person, morning, kind=SessionMessage.SESSION_RESCHEDULED, context={"path": "/a/"})
    plan(other, morning, kind=SessionMessage.SESSION_RESCHEDULED, context={"path": "/b/"})

    assert notifications_deliver(ids=notifications_claim())["sent"] == 5

    def link(body: str) -> str:
        return next(line for line in body.splitlines() if line.startswith(settings.SITE_URL))

    said = sorted((m.to == [person.email], m.subject, link(m.body)) for m in mail.outbox)
    site = settings.SITE_URL
    assert said == [
        (False, "New time: Group session on Tue 4 Mar", f"{site}/b/"),
        (True, "New time: Group session on Tue 4 Mar", f"{site}/a/"),
        (True, "Tomorrow at 10:00 AM: Group session", f"{site}/me/sessions/"),
        (True, "Tomorrow at 3:00 PM: Group session", f"{site}/me/sessions/"),
        (True, "Tomorrow: Group session, and your ride home", f"{site}/me/sessions/"),
    ]


# --- Rendering ----------------------------------------------------------------------------------


FORBIDDEN = [
    "ketamine",
    "phq",
    "gad",
    "score",
    "medication",
    "lamotrigine",
    "psychosis",
    "severe",
    "diagnos",
    "dosing",
    "suicid",
]


@pytest.mark.parametrize(
    "kind", [*ParticipantMessage.values, *SessionMessage.values, *FollowUpMessage.values]
)
def test_every_kind_renders_with_the_minimum_necessary(roles, session, kind):
    person = ParticipantFactory(profile__sms_opt_in=True, first_name="Quinnella")
    # A participant with a flagged, severe screening: none of it may reach a message.
    SubmittedScreeningFactory(
        participant=person,
        answers=screening_answers(phq9_1=3, phq9_9=2, medications_other="Lamotrigine"),
        phq9_total=24,
        phq9_band="Severe",
        gad7_total=19,
        gad7_band="Severe",
        flags=[{"code": "psychosis", "severity": "absolute", "message": "History of psychosis"}],
    )
    session.title = "Ketamine group session for trauma"
    session.save()
    notification = Notification(
        recipient=person,
        kind=kind,
        subject_type=ContentType.objects.get_for_model(session),
        subject_id=session.pk,
        due_at=timezone.now(),
        context={
            "expires_at": (timezone.now() + datetime.timedelta(hours=12)).isoformat(),
            "previous_starts_at": (session.starts_at - datetime.timedelta(days=1)).isoformat(),
        },
    )
    rendered = messages.render(notification, channel="all")
    assert rendered.subject and rendered.text.strip() and "<html" in rendered.html
    assert "\n" not in rendered.subject
    public = (rendered.subject + " " + rendered.sms).lower()
    assert "ketamine" not in public and "trauma" not in public
    everything = (rendered.subject + rendered.text + rendered.html + rendered.sms).lower()
    for word in FORBIDDEN:
        assert word not in everything, f"{kind} mentions {word!r}"
    assert "quinnella" not in everything
    assert "http://localhost" in rendered.text or "https://" in rendered.text
    if kinds.spec_for(kind).sms:
        assert rendered.sms and len(rendered.sms) <= 320
        assert "STOP" in rendered.sms


# --- STOP ---------------------------------------------------------------------------------------


def test_a_stop_reply_turns_texts_off_and_cancels_pending_ones(client, roles, session, settings):
    settings.SMS_INBOUND_TOKEN = "provider-secret"
    person = ParticipantFactory(profile__sms_opt_in=True, profile__phone="+18015550111")
    other = ParticipantFactory(profile__sms_opt_in=True, profile__phone="+18015550122")
    plan(person, session, due_at=timezone.now() + datetime.timedelta(hours=1))
    plan(other, session, due_at=timezone.now() + datetime.timedelta(hours=1))

    refused = client.post("/sms/inbound/", {"From": "+18015550111", "Body": "STOP"})
    assert refused.status_code == 403
    response = client.post(
        "/sms/inbound/",
        {"From": "(801) 555-0111", "Body": " stop "},
        headers={"Authorization": "Bearer provider-secret"},
    )
    assert response.status_code == 204
    person.participant_profile.refresh_from_db()
    assert not person.participant_profile.sms_opt_in
    assert not pending(recipient=person, channel="sms").exists()
    assert pending(recipient=person, channel="email").exists()  # e-mail stays on
    assert pending(recipient=other, channel="sms").exists()


def test_other_replies_change_nothing(client, roles, settings):
    settings.SMS_INBOUND_TOKEN = "provider-secret"
    person = ParticipantFactory(profile__sms_opt_in=True, profile__phone="+18015550111")
    response = client.post(
        "/sms/inbound/",
        {"From": "+18015550111", "Body": "Thanks, see you then"},
        headers={"Authorization": "Bearer provider-secret"},
    )
    assert response.status_code == 204
    person.participant_profile.refresh_from_db()
    assert person.participant_profile.sms_opt_in
