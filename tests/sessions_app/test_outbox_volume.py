"""One sweep sends 10,000 due messages, with a bounded number of queries per batch."""

import datetime
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.utils import timezone

from outbox.models import Notification, NotificationStatus
from outbox.services.delivery import MAX_BATCHES_PER_SWEEP
from outbox.tasks import notifications_sweep
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import GroupSession
from tests.factories import ParticipantFactory, RoomFactory, SessionTypeFactory

PEOPLE, SESSIONS = 100, 100


@pytest.mark.services("postgres")
@pytest.mark.django_db
def test_one_sweep_sends_ten_thousand_due_messages(roles, settings):
    settings.NOTIFICATION_BATCH_SIZE = 200
    assert PEOPLE * SESSIONS <= settings.NOTIFICATION_BATCH_SIZE * MAX_BATCHES_PER_SWEEP
    now = timezone.now()
    session_type, room = SessionTypeFactory(), RoomFactory()
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            session_type=session_type,
            title="Circle",
            room=room,
            capacity=8,
            starts_at=now + datetime.timedelta(days=1, hours=n),
            ends_at=now + datetime.timedelta(days=1, hours=n, minutes=90),
        )
        for n in range(SESSIONS)
    )
    people = [ParticipantFactory() for _ in range(PEOPLE)]
    subject_type = ContentType.objects.get_for_model(GroupSession)
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind=SessionMessage.REMINDER_SOON,
            subject_type=subject_type,
            subject_id=session.pk,
            due_at=now - datetime.timedelta(minutes=1),
        )
        for person in people
        for session in sessions
    )

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        claimed = notifications_sweep()  # tasks run in-process here: sweep, then each batch
    elapsed = time.perf_counter() - started

    assert claimed == PEOPLE * SESSIONS
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == claimed
    assert len(mail.outbox) == claimed
    batches = claimed // settings.NOTIFICATION_BATCH_SIZE
    # Per batch: claim (select + update) and load (rows + subjects), then one update per message.
    per_batch = (queries - claimed) / batches
    assert per_batch <= 8, f"{per_batch:.1f} queries per batch besides the per-message updates"
    print(
        f"\noutbox: {claimed} messages in {elapsed:.1f} s = {claimed / elapsed:.0f} messages/s, "
        f"{per_batch:.1f} queries per batch besides one update per message"
    )
