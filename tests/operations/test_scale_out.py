"""Scale-out as the design allows it: two gunicorn instances and two Celery workers on one
PostgreSQL and one Redis, stateless in between.

Participants press "Enroll" at the same moment, half of them on each gunicorn; then the due
messages (their confirmations and a batch of reminders) are dispatched by both workers at once.
The same promises hold as with one of each (tests/sessions_app/test_http_burst.py,
tests/seat_invariants.py): no session over capacity, each seat confirmed once, every message
sent exactly once, and nobody sees a server error.
"""

import datetime
import time
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import clinic_datetime, clinic_zone
from outbox.models import Notification, NotificationStatus
from outbox.services.planning import notification_plan
from outbox.tasks import notifications_sweep
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import Enrollment, EnrollmentStatus
from tests.factories import GroupSessionFactory, PreparationSessionTypeFactory, RoomFactory
from tests.operations.processes import process_stack
from tests.seat_invariants import seat_snapshot
from tests.sessions_app.test_http_burst import (
    FULL_MESSAGE,
    _eligible_participants,
    _messages,
    _signed_in_browser,
    press_at_once,
)

PEOPLE = 60
SEATS = 8
# Reminders about other sessions, due now, for the workers to share.
REMINDER_SESSIONS = 3
DISPATCH_SECONDS = 60


def _tasks_run(log: str) -> int:
    return log.count("Task sessions_app.notifications_send[")


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_two_web_servers_and_two_workers_keep_every_promise(
    roles, screening_defaults, tmp_path, monkeypatch, broker_queue
):
    assert connection.vendor == "postgresql"
    day = timezone.localdate(timezone=clinic_zone()) + datetime.timedelta(days=7)
    starts_at = clinic_datetime(day, datetime.time(18, 0))
    session = GroupSessionFactory(
        session_type=PreparationSessionTypeFactory(),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
        room=RoomFactory(capacity=12),
        capacity=SEATS,
    )
    detail = reverse("sessions_app:session_detail", args=[session.pk])
    enroll = reverse("sessions_app:session_enroll", args=[session.pk])
    my_sessions = reverse("sessions_app:my_sessions")
    people = _eligible_participants(PEOPLE)
    browsers = [_signed_in_browser(person) for person in people]
    now = timezone.now()
    for other in GroupSessionFactory.create_batch(REMINDER_SESSIONS, starts_at=starts_at):
        for person in people:
            notification_plan(
                recipient=person,
                kind=SessionMessage.REMINDER_SOON,
                subject=other,
                due_at=now - datetime.timedelta(minutes=1),
            )
    # Small batches, so that one sweep's work is many send tasks for both workers to share.
    monkeypatch.setenv("NOTIFICATION_BATCH_SIZE", "10")

    with process_stack(tmp_path) as stack:
        servers = [stack.web("web-one"), stack.web("web-two")]
        answers = press_at_once(servers, browsers, enroll)

        server_errors = [answer for answer in answers if answer[0] >= 500]
        assert server_errors == [], [stack.log_tail(name) for name in ("web-one", "web-two")]
        enrolled = [i for i, answer in enumerate(answers) if answer == (302, my_sessions)]
        refused = [i for i, answer in enumerate(answers) if answer == (302, detail)]
        assert len(enrolled) + len(refused) == PEOPLE, Counter(answers)
        assert len(enrolled) == SEATS
        # Both servers took part in the burst and seated people.
        assert {i % 2 for i in enrolled} | {i % 2 for i in refused} == {0, 1}
        told_full = [
            i
            for i in refused
            if any(FULL_MESSAGE in str(message) for message in _messages(browsers[i]))
        ]
        assert told_full == refused

        # The dispatch: two workers, two sweeps sent at once through the broker (``broker_queue``:
        # not run in this process), one for each to pick up.
        stack.worker("worker-one", loglevel="INFO")
        stack.worker("worker-two", loglevel="INFO")
        for _ in range(2):
            notifications_sweep.apply_async(queue=stack.queue)
        # The seats' confirmations and the reminders planned above. (Not "due before now":
        # gunicorn stamped the confirmations with the wall clock, which may run ahead of this
        # test's stated one.)
        due = Notification.objects.filter(
            Q(kind=SessionMessage.ENROLLMENT_CONFIRMED)
            | Q(kind=SessionMessage.REMINDER_SOON, due_at__lte=now)
        ).exclude(status=NotificationStatus.CANCELLED)
        deadline = time.monotonic() + DISPATCH_SECONDS
        while due.exclude(status=NotificationStatus.SENT).exists():
            assert time.monotonic() < deadline, (
                Counter(due.values_list("status", flat=True)),
                stack.log_tail("worker-one"),
            )
            time.sleep(0.3)
        runs = {name: _tasks_run(stack.log(name)) for name in ("worker-one", "worker-two")}
    mail = stack.sent_mail()

    # No overbooking, nobody twice, no seat free while someone waits: the outsider's count.
    promises = seat_snapshot(now=timezone.now())
    assert promises.broken == [] and promises.free_while_waiting == {}
    seated = Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED)
    assert set(seated.values_list("participant_id", flat=True)) == {people[i].pk for i in enrolled}

    # Each seat confirmed once.
    confirmations = Counter(
        Notification.objects.filter(
            kind=SessionMessage.ENROLLMENT_CONFIRMED,
            subject_type=ContentType.objects.get_for_model(Enrollment),
        ).values_list("subject_id", flat=True)
    )
    assert confirmations == Counter(seated.values_list("pk", flat=True))

    # Every due message sent exactly once, by both workers between them.
    sent = Notification.objects.filter(status=NotificationStatus.SENT)
    assert sent.count() == due.count() == SEATS + REMINDER_SESSIONS * PEOPLE
    assert list(sent.exclude(attempts=1).values_list("kind", "attempts")) == []
    assert len(mail) == sent.count()
    assert Counter(message["To"] for message in mail) == Counter(
        sent.values_list("recipient__email", flat=True)
    )
    assert all(count > 0 for count in runs.values()), runs
