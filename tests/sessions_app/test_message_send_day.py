"""A message names the session's day as the reader sees it when it is SENT, not when planned.

Quiet hours move a text to the evening before, a retry or a late sweep can carry a message past
midnight: "today", "tomorrow" or the weekday and date are chosen at the send moment.
"""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from outbox import kinds, sms
from outbox import rendering as messages
from outbox.models import Notification
from outbox.services.planning import notification_plan
from sessions_app.message_kinds import SessionMessage
from tests.clock import local
from tests.factories import GroupSessionFactory, ParticipantFactory, StaffFactory
from tests.outbox import delivered

pytestmark = pytest.mark.django_db

# The session: Wednesday 13 January 2027 at 9:00 AM, clinic time.
STARTS = (2027, 1, 13, 9)
# Every kind whose words name the session's day relative to now.
DAY_KINDS = [
    SessionMessage.REMINDER_SOON,
    SessionMessage.REMINDER_RIDE,
    SessionMessage.REMINDER_PREPARE,
    SessionMessage.STAFF_BELOW_MINIMUM,
]
# Send moments: (local time, what the e-mail says, what the text says).
SEND_MOMENTS = {
    "two days before": (local(2027, 1, 11, 10), "on wednesday 13 january", "on wed 13 jan"),
    "evening before (quiet hours)": (local(2027, 1, 12, 20, 45), "tomorrow", "tomorrow"),
    "a minute before midnight": (local(2027, 1, 12, 23, 59), "tomorrow", "tomorrow"),
    "a minute after midnight": (local(2027, 1, 13, 0, 1), "today", "today"),
    "the same morning": (local(2027, 1, 13, 7), "today", "today"),
}
DAY_WORDS = {"today", "tomorrow", "on wednesday 13 january", "on wed 13 jan", "three days"}


def says(words: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(words)}\b", text.lower()) is not None


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def session():
    return GroupSessionFactory(starts_at=local(*STARTS))


def notification_about(session, kind) -> Notification:
    return Notification(
        recipient=StaffFactory() if kind.startswith("staff_") else ParticipantFactory(),
        kind=kind,
        subject_type=ContentType.objects.get_for_model(session),
        subject_id=session.pk,
        due_at=session.starts_at,
    )


@pytest.mark.clock("2027-01-10 12:00")
@pytest.mark.parametrize("moment", SEND_MOMENTS)
@pytest.mark.parametrize("kind", DAY_KINDS)
def test_each_day_naming_kind_says_the_day_relative_to_its_send_moment(
    roles, session, kind, moment
):
    sent_at, email_words, sms_words = SEND_MOMENTS[moment]
    rendered = messages.render(notification_about(session, kind), channel="all", sent_at=sent_at)
    wrong = DAY_WORDS - {email_words, sms_words}

    for part in (rendered.text, rendered.html):
        said = " ".join(part.lower().split())
        assert says(email_words, said), f"{kind} e-mail sent {moment} should say {email_words!r}"
        assert not any(says(word, said) for word in wrong), f"{kind} e-mail sent {moment}: {said}"
    if kind in (SessionMessage.REMINDER_SOON, SessionMessage.REMINDER_RIDE):
        assert rendered.subject.lower().startswith(email_words), rendered.subject
    # A subject may name the date itself; it must never say a relative day that is wrong.
    relative = wrong & {"today", "tomorrow", "three days"}
    assert not any(says(word, rendered.subject) for word in relative), rendered.subject
    if kinds.spec_for(kind).sms:
        said = rendered.sms.lower()
        if (
            kind == SessionMessage.REMINDER_PREPARE
        ):  # its text names the date itself: right at any moment
            assert "on wed 13 jan 9:00 am" in said, said
        else:
            assert f" {sms_words} at 9:00 am" in said, said
            assert not any(says(word, said) for word in wrong), said


@pytest.mark.clock("2027-01-12 10:00")  # Tuesday morning: the session is tomorrow at 9:00
def test_a_two_hour_text_moved_to_the_evening_before_says_tomorrow(roles, session, stated_clock):
    person = ParticipantFactory(profile__sms_opt_in=True)
    notification_plan(
        recipient=person,
        kind=SessionMessage.REMINDER_SOON,
        subject=session,
        due_at=session.starts_at - datetime.timedelta(hours=2),  # 7:00, in quiet hours
    )
    assert Notification.objects.get(channel="sms").due_at == local(2027, 1, 12, 20, 45)

    stated_clock.move_to(local(2027, 1, 12, 20, 45))
    delivered()
    [text] = sms.outbox
    assert "tomorrow at 9:00 AM" in text["body"] and "today" not in text["body"].lower()
    assert mail.outbox == []  # the e-mail is not moved: it goes out at 7:00

    stated_clock.move_to(local(2027, 1, 13, 7))
    [email] = delivered()
    assert email.subject.startswith("Today at 9:00 AM")


@pytest.mark.clock("2027-01-12 10:00")
def test_a_batch_renders_a_message_once_per_send_date_not_once_for_all_time(roles, session):
    notification = notification_about(session, SessionMessage.REMINDER_SOON)
    before = messages.render_key(notification, sent_at=local(2027, 1, 12, 23, 59))
    after = messages.render_key(notification, sent_at=local(2027, 1, 13, 0, 1))
    later = messages.render_key(notification, sent_at=local(2027, 1, 13, 7))
    assert before != after
    assert after == later
