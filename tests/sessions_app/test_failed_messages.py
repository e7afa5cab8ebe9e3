"""Failed messages are noticed: admins see them (a count, a list with retry), are e-mailed when a
safety or staff message fails, and /healthz reports them."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outbox.models import Notification, NotificationStatus
from outbox.services.planning import notification_plan
from participants.message_kinds import ParticipantMessage
from participants.models import Role
from sessions_app.message_kinds import SessionMessage
from tests.outbox import delivered

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "Answered yes to question nine"


def _failed(recipient, kind=ParticipantMessage.STAFF_SAFETY_ALERT, **fields) -> Notification:
    notification_plan(
        recipient=recipient,
        kind=kind,
        subject=recipient,
        due_at=timezone.now(),
        context={"path": "/staff/", "note": SECRET_DETAIL},
    )
    row = Notification.objects.filter(recipient=recipient, kind=kind).latest("pk")
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected('Connection unexpectedly closed')",
        **fields,
    )
    return row


def _fail_sends():
    return mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError("down")
    )


def test_admins_see_failed_messages_with_kind_channel_recipient_attempts_and_error(
    make_user, staff_client, django_assert_max_num_queries
):
    admin = staff_client(Role.ADMIN)
    for number in range(4):
        _failed(make_user(Role.CLINICIAN, first_name=f"Casey{number}", last_name="Nguyen"))
    _failed(make_user(first_name="Robin"), kind=SessionMessage.REMINDER_SOON)
    url = reverse("participants:staff_failed_messages")

    with django_assert_max_num_queries(14):
        page = admin.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Staff: safety alert" in html and "Reminder: place and time (2 h)" in html
    assert "E-mail" in html and "Clinician" in html and "Participant" in html
    assert "Casey0 Nguyen" in html and "SMTPServerDisconnected" in html
    assert SECRET_DETAIL not in html  # no message details or bodies
    assert html.count('name="id"') == 5 and 'name="all"' in html

    for number in range(6):
        _failed(make_user(Role.CLINICIAN, first_name=f"Jo{number}"))
    with django_assert_max_num_queries(14):
        assert admin.get(url).status_code == 200


def test_the_navigation_shows_admins_the_failed_count(make_user, staff_client):
    _failed(make_user(Role.CLINICIAN))
    _failed(make_user(Role.CLINICIAN))
    admin_page = staff_client(Role.ADMIN).get(reverse("sessions_app:staff_dashboard"))
    assert 'nav-failed-count">2<' in admin_page.content.decode()
    coordinator_page = staff_client(Role.COORDINATOR).get(reverse("sessions_app:staff_dashboard"))
    assert "nav-failed-count" not in coordinator_page.content.decode()
    assert "staff/messages/failed" not in coordinator_page.content.decode()


def test_retry_one_or_all_puts_failed_messages_back_in_the_outbox(make_user, staff_client):
    admin = staff_client(Role.ADMIN)
    first, second, third = (_failed(make_user(Role.CLINICIAN)) for _ in range(3))
    retry = reverse("participants:staff_failed_messages_retry")

    assert admin.post(retry, {"id": str(first.pk)}).status_code == 302
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses[first.pk] == NotificationStatus.PENDING
    assert statuses[second.pk] == statuses[third.pk] == NotificationStatus.FAILED

    admin.post(retry, {"all": "1"})
    assert not Notification.objects.filter(status=NotificationStatus.FAILED).exists()
    # Sent again by the outbox, with fresh attempts.
    assert len(delivered()) >= 3
    assert Notification.objects.get(pk=second.pk).status == NotificationStatus.SENT


def test_a_failed_safety_alert_is_emailed_to_the_admins_once(make_user, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    admin_a = make_user(Role.ADMIN, email="admin.a@example.org")
    admin_b = make_user(Role.ADMIN, email="admin.b@example.org")
    clinician = make_user(Role.CLINICIAN, email="clin@example.org")
    participant = make_user(email="pat@example.org")
    start = timezone.now()
    notification_plan(
        recipient=clinician,
        kind=ParticipantMessage.STAFF_SAFETY_ALERT,
        subject=clinician,
        due_at=start,
        context={"path": "/staff/"},
    )
    notification_plan(
        recipient=participant,
        kind=SessionMessage.REMINDER_SOON,
        subject=participant,
        due_at=start,
    )
    with _fail_sends():
        delivered()
    assert Notification.objects.filter(status=NotificationStatus.FAILED).count() == 2

    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        sent = delivered()
    assert sorted(message.to[0] for message in sent) == [admin_a.email, admin_b.email]
    message = sent[0]
    assert "could not be sent" in message.subject
    assert "safety" not in (message.subject + message.body).lower()  # neutral words
    assert "/staff/messages/failed/" in message.body

    # Once per failed message: later sweeps say nothing more.
    mail.outbox.clear()
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        assert delivered() == []


def test_a_report_that_fails_is_not_reported_again(make_user, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    make_user(Role.ADMIN)
    _failed(make_user(Role.CLINICIAN))
    start = timezone.now()
    for minute in range(4):
        moment = start + datetime.timedelta(minutes=minute)
        with time_machine.travel(moment, tick=False), _fail_sends():
            delivered()
    reports = Notification.objects.filter(kind=ParticipantMessage.STAFF_MESSAGE_FAILED)
    assert reports.count() == 1
    assert reports.get().status == NotificationStatus.FAILED


def test_healthz_reports_recent_failures_and_the_oldest_due_pending_message(
    client, make_user, settings
):
    start = timezone.now()
    person = make_user()
    notification_plan(
        recipient=person,
        kind=SessionMessage.REMINDER_SOON,
        subject=person,
        due_at=start - datetime.timedelta(minutes=10),
    )
    _failed(make_user(Role.CLINICIAN))
    _failed(make_user(Role.CLINICIAN), updated_at=start - datetime.timedelta(hours=2))

    with time_machine.travel(start, tick=False):
        body = client.get(reverse("healthz")).json()
    assert body["messages_failed_last_hour"] == 1
    assert body["oldest_due_pending_seconds"] == 600
    # The status code still depends only on the database and the broker.
    assert body["status"] == "ok"


def test_healthz_status_ignores_failed_messages(client, make_user):
    _failed(make_user(Role.CLINICIAN))
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["messages_failed_last_hour"] == 1
