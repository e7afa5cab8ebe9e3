"""The safety path: crisis resources at once, an alert clinicians acknowledge, own and close, and
escalation to every clinician and admin after 30 unacknowledged minutes."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participants.models import AlertStatus, Role, SafetyAlert, SafetyLevel, ScreeningStatus
from participants.services.alerts import (
    AlertRefused,
    safety_alert_acknowledge,
    safety_alert_close,
    safety_alert_escalate_overdue,
    safety_alert_notify_pending,
)
from participants.services.screening import (
    screening_decide,
    screening_notices_send_pending,
    screening_submit,
)
from participants.tasks import escalate_safety_alerts
from tests.factories import SafetyAlertFactory, ScreeningFactory, screening_answers
from tests.outbox import delivered
from tests.participants.test_screening_questionnaire import section_data, section_url, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

NOW = datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("slug", "overrides"),
    [
        ("phq9", {"phq9_9": 1}),
        ("cssrs", {"cssrs_2": "yes"}),
        ("cssrs", {"cssrs_5": "yes"}),
        ("cssrs", {"cssrs_6": "yes", "cssrs_6_recent": "yes"}),
    ],
)
def test_safety_answer_shows_crisis_resources_at_once_and_alerts_clinicians(
    participant_client, make_user, django_capture_on_commit_callbacks, slug, overrides
):
    clinician = make_user(Role.CLINICIAN)
    client = participant_client()
    screening = start(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            section_url(screening, slug), section_data(slug, screening_answers(**overrides))
        )
    assert response.url == reverse("participants:screening_support", args=[screening.public_id])
    html = client.get(response.url).content.decode()
    assert 'href="tel:988"' in html and 'href="tel:911"' in html
    alert = SafetyAlert.objects.get()
    assert alert.participant == client.user and alert.status == AlertStatus.OPEN
    assert [message.to for message in delivered()] == [[clinician.email]]
    message = mail.outbox[0]
    assert "Safety alert" in message.subject
    assert str(alert.public_id) in message.body
    assert client.user.last_name not in message.body + message.subject
    assert "PHQ" not in message.body and "C-SSRS" not in message.body


def test_one_alert_per_screening_even_when_saved_again_and_submitted(participant_client):
    client = participant_client()
    screening = start(client)
    data = section_data("phq9", screening_answers(phq9_9=2))
    client.post(section_url(screening, "phq9"), data)
    client.post(section_url(screening, "phq9"), data)
    screening.answers = screening_answers(phq9_9=2)
    screening.save()
    screening_submit(screening=screening)
    assert SafetyAlert.objects.count() == 1
    screening.refresh_from_db()
    assert screening.safety_level == SafetyLevel.ALERT


def test_cssrs_question_1_alone_flags_for_review_without_an_alert(participant_client):
    client = participant_client()
    screening = start(client)
    response = client.post(
        section_url(screening, "cssrs"), section_data("cssrs", screening_answers(cssrs_1="yes"))
    )
    assert response.url != reverse("participants:screening_support", args=[screening.public_id])
    screening.answers = screening_answers(cssrs_1="yes")
    screening.save()
    screening_submit(screening=screening)
    screening.refresh_from_db()
    assert not SafetyAlert.objects.exists()
    assert screening.safety_level == SafetyLevel.REVIEW
    assert screening.flags[0]["severity"] == "safety"


def test_cssrs_question_6_needs_the_recency_answer(participant_client):
    client = participant_client()
    screening = start(client)
    data = section_data("cssrs", screening_answers(cssrs_6="yes"))
    response = client.post(section_url(screening, "cssrs"), data)
    assert "cssrs_6_recent" in response.context["form"].errors
    # The alert is raised all the same, and the page shows the crisis resources.
    assert SafetyAlert.objects.count() == 1
    assert 'href="tel:988"' in response.content.decode()


def test_clinician_acknowledges_and_owns_the_alert_then_closes_it_with_a_note(make_user):
    alert = SafetyAlertFactory(created_at=NOW)
    first, second = make_user(Role.CLINICIAN), make_user(Role.CLINICIAN)
    safety_alert_acknowledge(alert=alert, clinician=first, now=NOW + datetime.timedelta(minutes=5))
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, first)
    with pytest.raises(AlertRefused, match="already acknowledged"):
        safety_alert_acknowledge(alert=alert, clinician=second)
    with pytest.raises(AlertRefused, match="Only the clinician"):
        safety_alert_close(alert=alert, clinician=second, note="Called.")
    safety_alert_close(alert=alert, clinician=first, note="Called; safe at home, follow-up booked.")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.outreach_note.startswith("Called")


def test_an_alert_cannot_be_closed_without_acknowledgement_or_a_note(make_user):
    alert = SafetyAlertFactory()
    clinician = make_user(Role.CLINICIAN)
    with pytest.raises(AlertRefused):
        safety_alert_close(alert=alert, clinician=clinician, note="Called.")
    safety_alert_acknowledge(alert=alert, clinician=clinician)
    with pytest.raises(Exception, match="describe the outreach"):
        safety_alert_close(alert=alert, clinician=clinician, note="  ")


def test_unacknowledged_alert_escalates_after_30_minutes_to_every_clinician_and_admin_once(
    make_user,
):
    clinicians = {make_user(Role.CLINICIAN).email, make_user(Role.CLINICIAN).email}
    admin = make_user(Role.ADMIN).email
    make_user(Role.COORDINATOR)
    alert = SafetyAlertFactory(created_at=NOW)

    assert safety_alert_escalate_overdue(now=NOW + datetime.timedelta(minutes=29)) == 0
    assert delivered() == []
    assert safety_alert_escalate_overdue(now=NOW + datetime.timedelta(minutes=30)) == 1
    assert {message.to[0] for message in delivered()} == clinicians | {admin}
    assert all("Escalated" in message.subject for message in mail.outbox)
    alert.refresh_from_db()
    assert alert.escalated_at == NOW + datetime.timedelta(minutes=30)
    sent = len(mail.outbox)
    assert safety_alert_escalate_overdue(now=NOW + datetime.timedelta(minutes=45)) == 0
    assert len(delivered()) == sent


def test_acknowledged_alert_is_not_escalated(make_user):
    alert = SafetyAlertFactory(created_at=NOW)
    safety_alert_acknowledge(
        alert=alert, clinician=make_user(Role.CLINICIAN), now=NOW + datetime.timedelta(minutes=10)
    )
    assert safety_alert_escalate_overdue(now=NOW + datetime.timedelta(hours=2)) == 0
    assert delivered() == []


def test_escalation_task_runs_the_service(make_user):
    make_user(Role.CLINICIAN)
    SafetyAlertFactory(created_at=timezone.now() - datetime.timedelta(minutes=31))
    assert escalate_safety_alerts.delay().get() == 1
    assert escalate_safety_alerts.delay().get() == 0


def test_escalation_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "participants.escalate_safety_alerts" in tasks
    assert "participants.send_pending_notices" in tasks


def test_clinician_acknowledges_and_closes_through_the_pages(staff_client):
    alert = SafetyAlertFactory()
    client = staff_client(Role.CLINICIAN)
    detail = reverse("participants:alert_detail", args=[alert.public_id])
    page = client.get(detail).content.decode()
    assert "Acknowledge" in page
    client.post(reverse("participants:alert_acknowledge", args=[alert.public_id]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == client.user
    empty = client.post(detail, {"outreach_note": ""})
    assert "outreach_note" in empty.context["form"].errors
    response = client.post(detail, {"outreach_note": "Phoned; safe, seen tomorrow."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED


def test_staff_navigation_shows_the_number_of_open_alerts_to_clinicians(staff_client):
    SafetyAlertFactory.create_batch(2)
    clinician = staff_client(Role.CLINICIAN)
    safety_alert_acknowledge(alert=SafetyAlertFactory(), clinician=clinician.user)
    html = clinician.get(reverse("home")).content.decode()
    assert 'nav-alert-count">2<' in html
    coordinator = staff_client(Role.COORDINATOR)
    html = coordinator.get(reverse("home")).content.decode()
    assert "nav-alert-count" not in html
    assert reverse("participants:alert_list") not in html


def test_screening_with_alert_leads_the_review_queue(staff_client):
    old = ScreeningFactory(answers=screening_answers())
    screening_submit(screening=old, now=NOW)
    urgent = ScreeningFactory(answers=screening_answers(phq9_9=1))
    screening_submit(screening=urgent, now=NOW + datetime.timedelta(days=1))
    review = ScreeningFactory(answers=screening_answers(cssrs_1="yes"))
    screening_submit(screening=review, now=NOW + datetime.timedelta(days=2))
    newer = ScreeningFactory(answers=screening_answers())
    screening_submit(screening=newer, now=NOW + datetime.timedelta(days=3))
    queue = staff_client(Role.CLINICIAN).get(reverse("participants:review_queue")).context["queue"]
    assert list(queue) == [urgent, review, old, newer]
    assert all(s.status == ScreeningStatus.SUBMITTED for s in queue)


def test_sweep_sends_an_alert_message_a_lost_task_never_sent_and_only_once(make_user):
    clinician = make_user(Role.CLINICIAN)
    alert = SafetyAlertFactory(created_at=NOW)  # raised without its task running
    assert safety_alert_notify_pending(now=NOW + datetime.timedelta(seconds=30)) == 0
    assert safety_alert_notify_pending(now=NOW + datetime.timedelta(minutes=2)) == 1
    assert [message.to for message in delivered()] == [[clinician.email]]
    alert.refresh_from_db()
    assert alert.notified_at is not None
    assert safety_alert_notify_pending(now=NOW + datetime.timedelta(minutes=3)) == 0
    assert len(delivered()) == 1


def test_sweep_sends_missed_review_and_decision_notices_once(make_user):
    decider = make_user(Role.CLINICIAN, permissions=["decide_eligibility"])
    screening = ScreeningFactory()
    screening_submit(screening=screening, now=NOW)  # the on-commit task never runs here
    assert screening_notices_send_pending(now=NOW + datetime.timedelta(minutes=2)) == 1
    assert [message.to for message in delivered()] == [[decider.email]]
    screening_decide(
        screening=screening, clinician=decider, decision="approved", note="OK", now=NOW
    )
    assert screening_notices_send_pending(now=NOW + datetime.timedelta(minutes=2)) == 1
    assert delivered()[-1].to == [screening.participant.email]
    assert screening_notices_send_pending(now=NOW + datetime.timedelta(minutes=3)) == 0
    assert len(delivered()) == 2
