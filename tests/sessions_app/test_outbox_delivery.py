"""The outbox on the real stack: a Celery worker and beat on Redis, and PostgreSQL's SKIP LOCKED."""

import datetime
import tempfile
import threading
import time
from pathlib import Path

import pytest
from celery.beat import EmbeddedService
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from journease.celery import app as celery_app
from outbox.models import Notification, NotificationStatus
from outbox.services.delivery import notifications_claim
from outbox.services.planning import notification_plan
from outbox.tasks import notifications_sweep
from sessions_app.message_kinds import SessionMessage
from tests.conftest import celery_worker_running
from tests.factories import GroupSessionFactory, ParticipantFactory

pytestmark = [
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True),
]


def wait_for(condition, timeout=20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def plan_due_reminders(count: int) -> list:
    session = GroupSessionFactory(starts_at=timezone.now() + datetime.timedelta(hours=2))
    people = [ParticipantFactory() for _ in range(count)]
    for person in people:
        notification_plan(
            recipient=person,
            kind=SessionMessage.REMINDER_SOON,
            subject=session,
            due_at=timezone.now() - datetime.timedelta(seconds=1),
        )
    return people


def all_sent() -> bool:
    return not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_worker_and_beat_on_redis_deliver_a_due_reminder_end_to_end(roles, broker_queue):
    [person] = plan_due_reminders(1)
    schedule = celery_app.conf.beat_schedule
    celery_app.conf.beat_schedule = {
        "sweep": {"task": "sessions_app.notifications_sweep", "schedule": 1.0}
    }
    beat = EmbeddedService(
        celery_app,
        thread=True,
        schedule_filename=str(Path(tempfile.mkdtemp()) / "beat-schedule"),
    )
    try:
        with celery_worker_running():
            beat.start()
            assert wait_for(all_sent), "beat and the worker did not deliver the reminder"
    finally:
        beat.stop()
        celery_app.conf.beat_schedule = schedule
    assert [message.to for message in mail.outbox] == [[person.email]]
    assert connection.vendor == "postgresql"


def test_messages_due_while_the_worker_is_down_are_sent_once_when_it_returns(roles, broker_queue):
    first = plan_due_reminders(3)
    with celery_worker_running():
        notifications_sweep.delay()
        assert wait_for(all_sent)

    # The worker is down: messages fall due and beat's sweeps pile up in Redis.
    second = plan_due_reminders(3)
    notifications_sweep.delay()
    notifications_sweep.delay()
    time.sleep(0.5)
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 3

    with celery_worker_running():
        assert wait_for(all_sent)
        notifications_sweep.delay()  # one more sweep finds nothing left to send
        time.sleep(1)

    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(person.email for person in first + second)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 6


def test_concurrent_claims_on_postgresql_never_take_the_same_row(roles):
    plan_due_reminders(30)
    barrier = threading.Barrier(3)
    results: list[list[int]] = []
    lock = threading.Lock()

    def claim() -> None:
        try:
            barrier.wait()
            claimed = []
            while ids := notifications_claim(batch_size=4):
                claimed.extend(ids)
            with lock:
                results.append(claimed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    everything = [pk for claimed in results for pk in claimed]
    assert len(everything) == 30
    assert len(set(everything)) == 30
    assert Notification.objects.filter(status=NotificationStatus.SENDING, attempts=1).count() == 30
