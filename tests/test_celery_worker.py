"""A real Celery worker takes a task from Redis and writes to PostgreSQL."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connection, connections

from journease.celery import app as celery_app
from participants.models import User
from participants.tasks import send_email_verification
from tests.factories import ParticipantFactory


def _close_worker_connections(**kwargs) -> None:
    # The worker thread opens its own database connection; close it so teardown can drop the DB.
    connections.close_all()


@pytest.fixture
def real_worker_queue():
    """A worker in a thread on a queue of its own (so parallel test runs never share tasks)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    queue = f"journease-test-{uuid.uuid4().hex}"
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"
        ):
            yield queue
    finally:
        task_postrun.disconnect(_close_worker_connections)
        celery_app.conf.task_always_eager = eager


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_worker_consumes_a_task_through_redis_and_writes_to_postgresql(real_worker_queue, roles):
    assert connection.vendor == "postgresql"
    assert celery_app.conf.broker_url.startswith("redis://")
    user = ParticipantFactory(email_verified_at=None)
    assert user.email_verification_sent_at is None

    send_email_verification.apply_async(args=[user.pk], queue=real_worker_queue)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        user.refresh_from_db()
        if user.email_verification_sent_at is not None:
            break
        time.sleep(0.1)
    assert user.email_verification_sent_at is not None, "the worker never ran the task"
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert User.objects.get(pk=user.pk).email_verified is False
