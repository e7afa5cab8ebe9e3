"""``/metrics``: the clinic's gauges against rows set up here, request latency by view, access by
address or token only (404 for anyone else), a fixed number of queries, and no personal data.

The exposition is read with prometheus_client's own text parser, as Prometheus would read it.
"""

import datetime
import math

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from journease.tasks import HEARTBEAT_CACHE_KEY
from outbox.models import Notification, NotificationStatus
from outbox.services.planning import notification_plan
from participants.models import AlertStatus, Role
from sessions_app.message_kinds import SessionMessage
from tests.factories import GroupSessionFactory, ParticipantFactory, SafetyAlertFactory

pytestmark = pytest.mark.django_db

URL = "/metrics"
STRANGER = "203.0.113.7"
TOKEN = "metrics-token-for-tests-0123456789abcdef"


def samples(body: bytes) -> dict[tuple[str, tuple], float]:
    """Every sample of an exposition: (name, sorted labels) → value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    response = client.get(URL, **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return samples(response.content)


def gauge(values: dict, name: str) -> float:
    return values[(name, ())]


def _message(person, *, status=NotificationStatus.PENDING, subject=None, **fields):
    """One outbox row, planned as the app plans it, then put in ``status`` with ``fields``."""
    subject = subject or GroupSessionFactory()
    notification_plan(
        recipient=person,
        kind=SessionMessage.REMINDER_SOON,
        subject=subject,
        due_at=fields.pop("due_at"),
    )
    row = Notification.objects.filter(recipient=person, subject_id=subject.pk).latest("pk")
    Notification.objects.filter(pk=row.pk).update(status=status, **fields)
    return row


@pytest.fixture
def outbox_and_alerts(roles):
    """Rows whose figures are known: see each gauge's expected value in the test below."""
    now = timezone.now()
    minutes = lambda n: now - datetime.timedelta(minutes=n)  # noqa: E731
    person = ParticipantFactory()
    # Due: waited ten minutes; waited three and waits for a retry's back-off.
    _message(person, due_at=minutes(10))
    _message(person, due_at=minutes(3), next_attempt_at=now + datetime.timedelta(minutes=2))
    # Not yet due.
    _message(person, due_at=now + datetime.timedelta(hours=1))
    # Claimed: sending (one of them stuck past the claim timeout).
    _message(person, status=NotificationStatus.SENDING, due_at=minutes(1), claimed_at=minutes(1))
    _message(person, status=NotificationStatus.SENDING, due_at=minutes(90), claimed_at=minutes(80))
    # Failed within the hour, and two hours ago.
    _message(person, status=NotificationStatus.FAILED, due_at=minutes(70), updated_at=minutes(5))
    _message(person, status=NotificationStatus.FAILED, due_at=minutes(200), updated_at=minutes(120))
    # Done with: counted nowhere.
    _message(person, status=NotificationStatus.SENT, due_at=minutes(30), sent_at=minutes(29))
    _message(person, status=NotificationStatus.CANCELLED, due_at=minutes(40))
    # Safety alerts: open for 31 minutes (overdue), open for 10, acknowledged after 2 hours.
    SafetyAlertFactory(created_at=minutes(31))
    SafetyAlertFactory(created_at=minutes(10))
    SafetyAlertFactory(
        created_at=minutes(120),
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_by=ParticipantFactory(),
        acknowledged_at=minutes(100),
    )
    cache.set(HEARTBEAT_CACHE_KEY, (now - datetime.timedelta(seconds=95)).isoformat())
    return now


def test_each_gauge_reads_the_rows_it_counts(client, outbox_and_alerts):
    with time_machine.travel(outbox_and_alerts, tick=False):
        values = scrape(client)

    assert gauge(values, "journease_outbox_due_messages") == 2
    assert gauge(values, "journease_outbox_sending_messages") == 2
    assert gauge(values, "journease_outbox_failed_last_hour_messages") == 1
    assert gauge(values, "journease_outbox_oldest_due_age_seconds") == 600
    assert gauge(values, "journease_beat_heartbeat_age_seconds") == 95
    assert gauge(values, "journease_safety_alerts_open_overdue") == 1


def test_gauges_agree_with_the_health_check(client, outbox_and_alerts):
    with time_machine.travel(outbox_and_alerts, tick=False):
        values = scrape(client)
        health = client.get(reverse("healthz")).json()
    assert (
        gauge(values, "journease_outbox_failed_last_hour_messages")
        == (health["messages_failed_last_hour"])
    )
    assert (
        gauge(values, "journease_outbox_oldest_due_age_seconds")
        == (health["oldest_due_pending_seconds"])
    )


def test_an_alert_is_overdue_from_its_thirtieth_minute(client, roles):
    alert = SafetyAlertFactory()
    with time_machine.travel(alert.created_at + datetime.timedelta(minutes=29), tick=False):
        assert gauge(scrape(client), "journease_safety_alerts_open_overdue") == 0
    with time_machine.travel(alert.created_at + datetime.timedelta(minutes=30), tick=False):
        assert gauge(scrape(client), "journease_safety_alerts_open_overdue") == 1


def test_empty_outbox_and_no_heartbeat_ever(client):
    cache.delete(HEARTBEAT_CACHE_KEY)
    values = scrape(client)
    assert gauge(values, "journease_outbox_due_messages") == 0
    assert gauge(values, "journease_outbox_oldest_due_age_seconds") == 0
    # Never seen is infinitely old: an alert on the heartbeat's age fires.
    assert math.isinf(gauge(values, "journease_beat_heartbeat_age_seconds"))


def test_latency_by_view_appears_after_a_request(client):
    key = (
        "django_http_requests_latency_seconds_by_view_method_count",
        (("method", "GET"), ("view", "sessions_app:session_list")),
    )
    before = scrape(client).get(key, 0)
    assert client.get(reverse("sessions_app:session_list")).status_code == 200
    after = scrape(client)
    assert after[key] == before + 1
    bucket = (
        "django_http_requests_latency_seconds_by_view_method_bucket",
        (("le", "+Inf"), ("method", "GET"), ("view", "sessions_app:session_list")),
    )
    assert after[bucket] == after[key]


def test_invented_methods_share_one_label(client):
    client.generic("BREW", reverse("sessions_app:session_list"))
    labels = {dict(labels).get("method") for _name, labels in scrape(client)}
    assert "BREW" not in labels
    assert "<invalid method>" in labels


def test_no_label_names_a_person_or_a_record(client, roles):
    person = ParticipantFactory(first_name="Zebulon", email="zebulon.quixote@example.org")
    session = GroupSessionFactory()
    client.get(reverse("sessions_app:session_detail", args=[session.pk]))
    client.get(f"/no-such-page/{person.email}/")
    body = client.get(URL).content.decode()
    assert "zebulon" not in body.lower()
    assert f"/sessions/{session.pk}" not in body
    assert "no-such-page" not in body
    assert 'view="sessions_app:session_detail"' in body


# --- Who may read it -----------------------------------------------------------------------------


def test_refused_from_another_address_with_a_404(client):
    assert client.get(URL, REMOTE_ADDR=STRANGER).status_code == 404
    # Whatever the method: a refusal never says the page exists.
    assert client.post(URL, REMOTE_ADDR=STRANGER).status_code == 404


def test_refused_with_a_wrong_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    for header in (f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer"):
        response = client.get(URL, REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION=header)
        assert response.status_code == 404, header


def test_no_token_is_accepted_while_none_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(URL, REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get(URL, REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION="Bearer  ").status_code == 404


def test_allowed_from_anywhere_with_the_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    values = scrape(client, REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ("journease_outbox_due_messages", ()) in values


def test_allowed_networks_come_from_the_setting(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16", "2001:db8::5"]
    assert client.get(URL, REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get(URL, REMOTE_ADDR="2001:db8::5").status_code == 200
    assert client.get(URL, REMOTE_ADDR="10.21.0.1").status_code == 404
    # The loopback is allowed only by default, not once the setting names other addresses.
    assert client.get(URL, REMOTE_ADDR="127.0.0.1").status_code == 404


def test_behind_the_proxy_the_forwarded_address_decides(client, settings):
    """Through the clinic's own proxy (on the loopback), a visitor from outside is refused, also
    one who writes an allowed address into X-Forwarded-For himself."""
    settings.BEHIND_PROXY = True
    from_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get(URL, **from_proxy, HTTP_X_FORWARDED_FOR=STRANGER).status_code == 404
    forged = f"127.0.0.1, {STRANGER}"
    assert client.get(URL, **from_proxy, HTTP_X_FORWARDED_FOR=forged).status_code == 404
    assert client.get(URL, **from_proxy, HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


def test_a_staff_member_signed_in_gets_no_more_than_anyone(staff_client):
    admin = staff_client(Role.ADMIN)
    assert admin.get(URL, REMOTE_ADDR=STRANGER).status_code == 404


# --- Cost -----------------------------------------------------------------------------------------


def test_a_scrape_costs_the_same_few_queries_whatever_the_data(
    client, outbox_and_alerts, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as small:
        scrape(client)
    person = ParticipantFactory()
    for minutes in range(40):
        _message(person, due_at=outbox_and_alerts - datetime.timedelta(minutes=minutes))
        SafetyAlertFactory(created_at=outbox_and_alerts - datetime.timedelta(hours=1))
    # Two for the outbox and the alerts; the heartbeat is one more with the database cache.
    with django_assert_max_num_queries(3):
        scrape(client)
    with CaptureQueriesContext(connection) as large:
        scrape(client)
    assert len(large) == len(small)


def test_under_gunicorn_workers_metrics_come_from_the_shared_folder(client, tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR set (several gunicorn workers), the request metrics are read
    from the workers' files in that folder, not from the one process that answered; the
    clinic's gauges are read from the database as always."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    client.get(reverse("sessions_app:session_list"))
    values = scrape(client)
    assert ("journease_outbox_due_messages", ()) in values
    # This test process wrote no worker files: no request metrics from its own memory.
    assert not [name for name, _labels in values if name.startswith("django_http_")]


def test_a_local_scrape_over_plain_http_is_not_sent_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(URL).status_code == 200
    assert client.get(reverse("sessions_app:session_list")).status_code == 301
