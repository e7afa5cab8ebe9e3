"""Two ``celery beat`` processes started by mistake (say, one on each of two servers) send every
scheduled task twice: no message may go out twice, and no task's effect may be doubled.

One worker (threads, as the Procfile runs it, so the doubled tasks really run side by side) and
two beats with every schedule entry at one second, on PostgreSQL and Redis. The clinic is set up
so that every beat task that sends something has something to send: due reminders (the sweep),
a session and a cohort below their minimum (the staff checks), a failed safety message (the
admins' report), an alert nobody acknowledged for 40 minutes (the escalation) and one whose
first message was lost (the pending notices). Both beats run for several ticks; then each message
was planned once, sent once, and written to the mail folder once.

Which guard makes each beat task safe is listed in the README (Operations: Monitoring).
"""

import datetime
import threading
import time
from collections import Counter
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.utils import timezone

from cohorts.message_kinds import CohortMessage
from cohorts.models import Cohort, ProgramTemplate
from cohorts.services import checks
from outbox.models import Notification, NotificationStatus
from outbox.services.planning import notification_plan
from outbox.tasks import notifications_sweep
from participants.message_kinds import ParticipantMessage
from participants.models import AlertStatus, Role, SafetyAlert
from participants.services import failed_messages
from sessions_app.message_kinds import SessionMessage
from sessions_app.services import message_plans
from tests.factories import (
    GroupSessionFactory,
    ParticipantFactory,
    RoomFactory,
    SafetyAlertFactory,
    StaffFactory,
)
from tests.operations.processes import process_stack

REMINDERS = 24
BEAT_SECONDS = 1.0
# Each beat sends the sweep at least this often before the test looks.
TICKS = 6
DEADLINE_SECONDS = 45
# How long the interleaving tests give the second run before the first goes on.
B_ALONE_SECONDS = 3


def _clinic(now):
    """Something for every beat task to do; returns what the test checks."""
    coordinators = [StaffFactory(role=Role.COORDINATOR) for _ in range(2)]
    clinicians = [StaffFactory(role=Role.CLINICIAN) for _ in range(2)]
    admins = [StaffFactory(role=Role.ADMIN) for _ in range(2)]
    # The sweep: reminders due a minute ago, one per participant.
    session = GroupSessionFactory(starts_at=now + datetime.timedelta(days=2))
    people = ParticipantFactory.create_batch(REMINDERS)
    for person in people:
        notification_plan(
            recipient=person,
            kind=SessionMessage.REMINDER_SOON,
            subject=session,
            due_at=now - datetime.timedelta(minutes=1),
        )
    # The staff checks: a session two days ahead with none of its three seats taken.
    short = GroupSessionFactory(starts_at=now + datetime.timedelta(days=2), min_participants=3)
    # The cohort check: a published cohort starting in five days with no members.
    template = ProgramTemplate.objects.create(name="Two beats program")
    cohort = Cohort.objects.create(
        template=template,
        title="Two beats",
        status="published",
        start_date=timezone.localdate(now) + datetime.timedelta(days=5),
        room=RoomFactory(),
        capacity=8,
        min_participants=3,
    )
    # The failed-message report: a safety message that failed.
    notification_plan(
        recipient=clinicians[0],
        kind=ParticipantMessage.STAFF_SAFETY_ALERT,
        subject=clinicians[0],
        due_at=now - datetime.timedelta(hours=1),
    )
    failed = Notification.objects.get(
        recipient=clinicians[0], kind=ParticipantMessage.STAFF_SAFETY_ALERT
    )
    Notification.objects.filter(pk=failed.pk).update(status=NotificationStatus.FAILED, attempts=6)
    # The escalation: told at once, unacknowledged for 40 minutes.
    overdue = SafetyAlertFactory(
        created_at=now - datetime.timedelta(minutes=40),
        notified_at=now - datetime.timedelta(minutes=40),
    )
    # The pending notices: raised five minutes ago, its first message lost with its task.
    untold = SafetyAlertFactory(created_at=now - datetime.timedelta(minutes=5))
    return {
        "coordinators": coordinators,
        "clinicians": clinicians,
        "admins": admins,
        "people": people,
        "short": short,
        "cohort": cohort,
        "failed": failed,
        "overdue": overdue,
        "untold": untold,
    }


def _sweeps_sent(log: str) -> int:
    return log.count("Sending due task notifications-sweep")


def _recipients(kind: str, subject) -> Counter:
    """Who was sent (or is to be sent) ``kind`` about ``subject``, with how many rows each."""
    return Counter(
        Notification.objects.filter(
            kind=kind,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
        )
        .exclude(status=NotificationStatus.CANCELLED)
        .values_list("recipient_id", flat=True)
    )


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_two_beats_send_every_message_once_and_double_no_task(roles, screening_defaults, tmp_path):
    assert connection.vendor == "postgresql"
    clinic = _clinic(timezone.now())

    with process_stack(tmp_path, beat_seconds=BEAT_SECONDS) as stack:
        stack.worker("worker")
        stack.beat("beat-one")
        stack.beat("beat-two")
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            ticks = min(_sweeps_sent(stack.log(name)) for name in ("beat-one", "beat-two"))
            waiting = Notification.objects.filter(
                status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
            ).exists()
            if ticks >= TICKS and not waiting:
                break
            time.sleep(0.5)
        logs = {name: stack.log_tail(name) for name in ("worker", "beat-one", "beat-two")}
        # Both beats really ran, side by side.
        for name in ("beat-one", "beat-two"):
            assert _sweeps_sent(stack.log(name)) >= TICKS, logs[name]
    mail = stack.sent_mail()

    rows = Notification.objects.exclude(status=NotificationStatus.CANCELLED)
    unfinished = rows.exclude(status__in=[NotificationStatus.SENT, NotificationStatus.FAILED])
    assert not unfinished.exists(), (list(unfinished.values("kind", "status")), logs["worker"])

    # Each message planned once: no two live rows for one recipient, kind, channel and subject.
    planned = Counter(
        rows.values_list("recipient_id", "kind", "channel", "subject_type_id", "subject_id")
    )
    assert [key for key, count in planned.items() if count > 1] == []

    # Sent once: every sent row took one attempt, and the mail folder holds one e-mail per row.
    sent = rows.filter(status=NotificationStatus.SENT)
    assert list(sent.exclude(attempts=1).values_list("kind", "attempts")) == []
    assert len(mail) == sent.count(), f"{len(mail)} e-mails for {sent.count()} sent messages"
    by_address = Counter(message["To"] for message in mail)
    expected_by_address = Counter(sent.values_list("recipient__email", flat=True))
    assert by_address == expected_by_address

    # Each task's effect, once.
    reminders = Counter(
        sent.filter(kind=SessionMessage.REMINDER_SOON).values_list("recipient_id", flat=True)
    )
    assert reminders == Counter(person.pk for person in clinic["people"])
    staff = [*clinic["coordinators"]]
    assert _recipients(SessionMessage.STAFF_BELOW_MINIMUM, clinic["short"]) == Counter(
        person.pk for person in staff
    )
    assert _recipients(CohortMessage.STAFF_COHORT_BELOW_MINIMUM, clinic["cohort"]) == Counter(
        person.pk for person in staff
    )
    assert _recipients(ParticipantMessage.STAFF_MESSAGE_FAILED, clinic["failed"]) == Counter(
        admin.pk for admin in clinic["admins"]
    )
    assert _recipients(ParticipantMessage.STAFF_SAFETY_ESCALATION, clinic["overdue"]) == Counter(
        person.pk for person in [*clinic["clinicians"], *clinic["admins"]]
    )
    assert _recipients(ParticipantMessage.STAFF_SAFETY_ALERT, clinic["untold"]) == Counter(
        person.pk for person in clinic["clinicians"]
    )
    overdue = SafetyAlert.objects.get(pk=clinic["overdue"].pk)
    assert overdue.status == AlertStatus.OPEN and overdue.escalated_at is not None


# --- The same tasks, interleaved on purpose --------------------------------------------------
# Two beats fire together, so the race the processes above rarely hit is forced here: run A
# stops between reading what is still to tell and planning it; run B does the whole job, and
# the outbox sends B's messages; then A goes on. A check that reads "not told yet" without a
# lock would tell everyone a second time (the pending-row constraint no longer stops it once the
# first message has left the outbox).


def _interleaved(module, run) -> None:
    """Run ``run`` twice at once: run A stops at its first ``notification_plan``; run B goes
    ahead and, if it finishes within a few seconds, the outbox sends what it planned; then A
    goes on. (A guarded check makes B wait for A's locks, or skip what A holds.)"""
    arrived, go_on = threading.Event(), threading.Event()
    plan = module.notification_plan

    def stopping_plan(**kwargs):
        if threading.current_thread().name == "run-a" and not arrived.is_set():
            arrived.set()
            assert go_on.wait(timeout=30), "run A was never let go on"
        return plan(**kwargs)

    errors = []

    def in_thread():
        try:
            run()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    with mock.patch.object(module, "notification_plan", stopping_plan):
        first = threading.Thread(target=in_thread, name="run-a")
        second = threading.Thread(target=in_thread, name="run-b")
        first.start()
        try:
            assert arrived.wait(timeout=30), "run A never reached its first message"
            second.start()
            second.join(timeout=B_ALONE_SECONDS)
            if not second.is_alive():
                notifications_sweep()
        finally:
            go_on.set()
            first.join(timeout=30)
            second.join(timeout=30)
    assert errors == []


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_failed_message_report_interleaved_reports_once(roles):
    admins = [StaffFactory(role=Role.ADMIN) for _ in range(2)]
    clinician = StaffFactory(role=Role.CLINICIAN)
    notification_plan(
        recipient=clinician,
        kind=ParticipantMessage.STAFF_SAFETY_ALERT,
        subject=clinician,
        due_at=timezone.now(),
    )
    failed = Notification.objects.get(kind=ParticipantMessage.STAFF_SAFETY_ALERT)
    Notification.objects.filter(pk=failed.pk).update(status=NotificationStatus.FAILED)

    _interleaved(failed_messages, failed_messages.failed_messages_report)

    assert _recipients(ParticipantMessage.STAFF_MESSAGE_FAILED, failed) == Counter(
        admin.pk for admin in admins
    )


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_staff_session_check_interleaved_tells_once(roles):
    coordinators = [StaffFactory(role=Role.COORDINATOR) for _ in range(2)]
    short = GroupSessionFactory(
        starts_at=timezone.now() + datetime.timedelta(days=2), min_participants=3
    )

    _interleaved(message_plans, message_plans.staff_session_checks)

    assert _recipients(SessionMessage.STAFF_BELOW_MINIMUM, short) == Counter(
        person.pk for person in coordinators
    )


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_cohort_minimum_check_interleaved_tells_once(roles):
    coordinators = [StaffFactory(role=Role.COORDINATOR) for _ in range(2)]
    cohort = Cohort.objects.create(
        template=ProgramTemplate.objects.create(name="Interleaved program"),
        title="Interleaved",
        status="published",
        start_date=timezone.localdate() + datetime.timedelta(days=5),
        room=RoomFactory(),
        capacity=8,
        min_participants=3,
    )

    _interleaved(checks, checks.cohort_minimum_check)

    assert _recipients(CohortMessage.STAFF_COHORT_BELOW_MINIMUM, cohort) == Counter(
        person.pk for person in coordinators
    )
