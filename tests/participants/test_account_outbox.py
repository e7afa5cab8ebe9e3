"""Account e-mails (verification, password reset, staff invitation) are outbox rows: a provider
outage delays them instead of losing them, and the row stores no link or token."""

import datetime
import json
import re
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outbox.models import Notification, NotificationStatus
from participants.message_kinds import ParticipantMessage
from participants.models import Role, User
from participants.services import staff
from participants.services.accounts import email_verification_request
from tests.outbox import delivered

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def _stored(notification: Notification) -> str:
    """Everything an admin reading the outbox row sees."""
    values = {
        field.attname: getattr(notification, field.attname)
        for field in Notification._meta.concrete_fields
    }
    return json.dumps(values, default=str)


def _link(message, path_part: str) -> str:
    return next(url for url in LINK.findall(message.body) if path_part in url)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_failed_verification_email_is_retried_by_the_outbox_and_delivered_later(
    make_user, client
):
    user = make_user(email="sam@example.org", email_verified_at=None)
    start = timezone.now()
    email_verification_request(user=user)
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError("down")
    ):
        assert delivered() == []
    row = Notification.objects.get(recipient=user, kind=ParticipantMessage.ACCOUNT_VERIFY_EMAIL)
    assert row.status == NotificationStatus.PENDING and row.attempts == 1

    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        [message] = delivered()
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert message.to == ["sam@example.org"]

    link = _link(message, "/accounts/verify/")
    assert link not in _stored(row)
    response = client.get(_path(link))
    assert response.status_code in (200, 302)
    assert User.objects.get(pk=user.pk).email_verified


def test_account_rows_store_no_link_or_token(make_user, client, django_capture_on_commit_callbacks):
    participant = make_user(email="pat@example.org", email_verified_at=None)
    email_verification_request(user=participant)
    client.post(reverse("participants:password_reset"), {"email": "pat@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        staff.staff_invite(
            email="lee@example.org", first_name="Lee", last_name="Park", role=Role.COORDINATOR
        )
    rows = list(Notification.objects.filter(kind__startswith="account_"))
    assert {row.kind for row in rows} == {
        ParticipantMessage.ACCOUNT_VERIFY_EMAIL,
        ParticipantMessage.ACCOUNT_PASSWORD_RESET,
        ParticipantMessage.ACCOUNT_STAFF_INVITE,
    }
    sent = delivered()
    links = [url for message in sent for url in LINK.findall(message.body) if "/accounts/" in url]
    assert len(links) >= 3
    for row in Notification.objects.filter(kind__startswith="account_"):
        assert row.status == NotificationStatus.SENT
        assert row.context == {}
        stored = _stored(row)
        assert "http" not in stored and "/accounts/" not in stored
        for url in links:
            token = url.rstrip("/").rsplit("/", 1)[-1]
            assert token not in stored


def test_staff_invitation_link_from_the_outbox_sets_a_password(roles, client):
    member = staff.staff_invite(
        email="lee@example.org", first_name="Lee", last_name="Park", role=Role.CLINICIAN
    )
    assert mail.outbox == []  # not sent directly
    [message] = delivered()
    form_page = client.get(_path(_link(message, "/accounts/password/reset/")), follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-password-9", "new_password2": "a-brand-new-password-9"},
    )
    assert done.status_code == 302
    assert User.objects.get(pk=member.pk).check_password("a-brand-new-password-9")


def test_a_reset_link_from_an_old_message_expires_as_django_token_does(make_user, client):
    make_user(email="pat@example.org")
    start = timezone.now()
    client.post(reverse("participants:password_reset"), {"email": "pat@example.org"})
    [message] = delivered()
    path = _path(_link(message, "/accounts/password/reset/"))
    later = start + datetime.timedelta(seconds=django_settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        page = client.get(path, follow=True)
    assert page.context["validlink"] is False


def test_a_reset_link_delayed_by_an_outage_counts_from_when_it_is_sent(make_user, client):
    make_user(email="pat@example.org")
    start = timezone.now()
    client.post(reverse("participants:password_reset"), {"email": "pat@example.org"})
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError("down")
    ):
        assert delivered() == []
    sent_at = start + datetime.timedelta(hours=2)
    with time_machine.travel(sent_at, tick=False):
        [message] = delivered()
    path = _path(_link(message, "/accounts/password/reset/"))
    almost_a_day = sent_at + datetime.timedelta(seconds=django_settings.PASSWORD_RESET_TIMEOUT - 60)
    with time_machine.travel(almost_a_day, tick=False):
        page = client.get(path, follow=True)
    assert page.context["validlink"] is True
