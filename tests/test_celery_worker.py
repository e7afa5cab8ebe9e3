"""A real Celery worker takes a task from Redis and writes to PostgreSQL."""

import time

import pytest
from django.core import mail
from django.db import connection

from journease.celery import app as celery_app
from participants.models import User
from participants.tasks import send_email_verification
from tests.factories import ParticipantFactory


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_worker_consumes_a_task_through_redis_and_writes_to_postgresql(real_worker, roles):
    assert connection.vendor == "postgresql"
    assert celery_app.conf.broker_url.startswith("redis://")
    user = ParticipantFactory(email_verified_at=None)
    assert user.email_verification_sent_at is None

    send_email_verification.delay(user.pk)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        user.refresh_from_db()
        if user.email_verification_sent_at is not None:
            break
        time.sleep(0.1)
    assert user.email_verification_sent_at is not None, "the worker never ran the task"
    # The task plans the message; the outbox send that follows it delivers it
    # a moment later, so the test waits for the delivery too.
    while time.monotonic() < deadline and not mail.outbox:
        time.sleep(0.05)
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert User.objects.get(pk=user.pk).email_verified is False
