"""Claim tokens: a batch reclaimed after the timeout is sent by one task only, never twice."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from outbox.models import Notification, NotificationStatus
from outbox.services import delivery as notifications
from outbox.services.delivery import notifications_claim, notifications_deliver
from outbox.services.planning import notification_plan
from outbox.tasks import notifications_send
from sessions_app.message_kinds import SessionMessage
from tests.factories import GroupSessionFactory, ParticipantFactory

CLOCK = "2027-01-12 10:00"  # a Tuesday morning: no quiet hours in the way


def plan_reminders(count: int) -> list:
    session = GroupSessionFactory(starts_at=timezone.now() + datetime.timedelta(days=2))
    people = [ParticipantFactory() for _ in range(count)]
    for person in people:
        notification_plan(
            recipient=person,
            kind=SessionMessage.REMINDER_PREPARE,
            subject=session,
            due_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    return people


def claim_then_reclaim(settings, clock):
    """The original claim, then the sweep's reclaim once the original has outlived the timeout."""
    original = notifications_claim()
    clock.shift(datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 60))
    reclaim = notifications_claim()
    assert sorted(reclaim) == sorted(original)
    assert reclaim.token != original.token
    return original, reclaim


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("first", ["original", "reclaim"])
def test_the_original_and_the_reclaiming_task_on_the_same_rows_send_each_message_once(
    roles, settings, stated_clock, monkeypatch, first
):
    people = plan_reminders(3)
    original, reclaim = claim_then_reclaim(settings, stated_clock)
    tasks = {
        "original": lambda: notifications_send(list(original), original.token),
        "reclaim": lambda: notifications_send(list(reclaim), reclaim.token),
    }
    second = "reclaim" if first == "original" else "original"
    # The two tasks overlap: the second runs whole while the first is sending its first message.
    send, overlapped = notifications._send, []

    def send_and_overlap(notification, rendered):
        if not overlapped:
            overlapped.append(tasks[second]())
        send(notification, rendered)

    monkeypatch.setattr(notifications, "_send", send_and_overlap)
    tasks[first]()
    monkeypatch.setattr(notifications, "_send", send)
    tasks[second]()  # and once more after: a late redelivery of the same task

    assert sent_to() == sorted(person.email for person in people)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 3


@pytest.mark.django_db
@pytest.mark.clock(CLOCK)
def test_a_late_original_task_sends_nothing_after_its_rows_were_reclaimed(
    roles, settings, stated_clock
):
    plan_reminders(2)
    original, reclaim = claim_then_reclaim(settings, stated_clock)

    assert notifications_deliver(ids=list(original), token=original.token)["sent"] == 0
    assert mail.outbox == []
    assert notifications_deliver(ids=list(reclaim), token=reclaim.token)["sent"] == 2


@pytest.mark.django_db
@pytest.mark.clock(CLOCK)
def test_a_claim_past_its_timeout_sends_nothing_until_it_is_reclaimed(roles, settings):
    plan_reminders(2)
    original = notifications_claim()
    later = timezone.now() + datetime.timedelta(
        seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 1
    )

    assert notifications_deliver(ids=original, now=later)["sent"] == 0
    assert Notification.objects.filter(status=NotificationStatus.SENDING).count() == 2
    assert notifications_deliver(ids=notifications_claim(now=later), now=later)["sent"] == 2


@pytest.mark.django_db
@pytest.mark.clock(CLOCK)
def test_a_task_queued_before_claim_tokens_sends_only_rows_no_tokened_claim_holds(
    roles, settings, stated_clock
):
    plan_reminders(2)
    claimed = notifications_claim()
    # As an older sweep left them: claimed, with no token.
    Notification.objects.filter(pk__in=claimed).update(claim_token=None)

    assert notifications_send(list(claimed))["sent"] == 2  # the old task's own claim: sent
    assert notifications_send(list(claimed))["sent"] == 0  # and never twice

    plan_reminders(1)
    _, reclaim = claim_then_reclaim(settings, stated_clock)
    Notification.objects.filter(pk__in=reclaim).update(claim_token=None)
    reclaim = notifications_claim(
        now=timezone.now()
        + datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 60)
    )
    assert notifications_send(list(reclaim))["sent"] == 0  # reclaimed with a token: not its own


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
@pytest.mark.clock(CLOCK)
def test_on_postgresql_concurrent_original_and_reclaiming_tasks_send_each_message_once(
    roles, settings, stated_clock, monkeypatch
):
    people = plan_reminders(6)
    original, reclaim = claim_then_reclaim(settings, stated_clock)
    barrier = threading.Barrier(2)
    send = notifications._send

    def slow_send(notification, rendered):
        send(notification, rendered)
        threading.Event().wait(0.05)  # keeps both tasks' batches open at the same time

    monkeypatch.setattr(notifications, "_send", slow_send)
    outcomes: list[dict] = []
    lock = threading.Lock()

    def run(claim) -> None:
        try:
            barrier.wait()
            outcome = notifications_send(list(claim), claim.token)
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(claim,)) for claim in (original, reclaim)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcome["sent"] for outcome in outcomes) == [0, 6]
    assert sent_to() == sorted(person.email for person in people)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 6
